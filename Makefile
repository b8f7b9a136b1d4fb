# Everything a fresh machine needs: `make demo` and `make test` set up the venv first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint typecheck unit clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@bash .ci/system-deps
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The sample client end to end: its ML project becomes a throwaway git repository, the scan
# writes samples/evidence.json, and the report renders samples/report.pdf (and its HTML twin).
demo: setup
	bash samples/build-repo.sh build/lakeside-churn
	$(BIN)/assess scan build/lakeside-churn --format json -o samples/evidence.json
	$(BIN)/assess report samples/engagement.yaml --evidence samples/evidence.json \
		-o samples/report.pdf --html samples/report.html

lint: setup
	$(BIN)/ruff check assess tests benchmarks
	$(BIN)/ruff format --check assess tests benchmarks

typecheck: setup
	$(BIN)/mypy

unit: setup
	$(BIN)/pytest -q

test: lint typecheck unit

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
