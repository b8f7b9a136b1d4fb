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

# Renders the bundled sample engagement into samples/report.pdf (and its HTML twin).
demo: setup
	$(BIN)/assess report samples/engagement.yaml -o samples/report.pdf --html samples/report.html
	@echo "wrote samples/report.pdf"

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
