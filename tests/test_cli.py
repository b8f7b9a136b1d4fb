"""The real command in a subprocess: outputs, and bad input that must fail cleanly.

Every bad input gets exactly one line on stderr naming the file and field, exit code 2, no
traceback, and no output file.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import dump, run_assess


def engagement(tmp_path: Path, **over: Any) -> Path:
    data: dict[str, Any] = {
        "pack": {"id": "tiny", "version": "1.0"},
        "assessment": {"assessor": "Dana Reyes", "date": "2026-11-20"},
        "context": {"client_name": "Acme Corp", "clouds": ["aws"]},
        "answers": {
            "alpha.one": {"choice": "a1", "note": "manual exports"},
            "alpha.two": {"choice": "b3"},
            "beta.one": {"status": "dont_know"},
            "beta.two": {"choice": "e2"},
        },
    }
    data.update(over)
    return dump(tmp_path / "eng.yaml", data)


def test_score_table_json_csv(tiny_pack: Path, tmp_path: Path) -> None:
    eng = engagement(tmp_path)
    table = run_assess("score", eng, "--pack", tiny_pack)
    assert table.returncode == 0, table.stderr
    assert "Acme Corp" in table.stdout
    assert "Alpha" in table.stdout and "2.5" in table.stdout
    assert "Overall stage 2 L2, set by the weakest area: Beta; mean level 2.3 of 4" in table.stdout

    js = run_assess("score", eng, "--pack", tiny_pack, "--format", "json")
    result = json.loads(js.stdout)
    assert result["overall"]["level"] == 2.3
    assert [a["level"] for a in result["areas"]] == [2.5, 2.0]
    assert result["source"]["pack_id"] == "tiny"

    out = tmp_path / "areas.csv"
    c = run_assess("score", eng, "--pack", tiny_pack, "--format", "csv", "-o", out)
    assert c.returncode == 0, c.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["id"] for r in rows] == ["alpha", "beta", "overall"]
    assert rows[1]["coverage"] == "0.5" and rows[2]["level"] == "2.3"


def test_target_override(tiny_pack: Path, tmp_path: Path) -> None:
    js = run_assess(
        "score", engagement(tmp_path), "--pack", tiny_pack, "--format", "json", "--target", "beta=4"
    )
    beta = json.loads(js.stdout)["areas"][1]
    assert beta["target"] == 4 and beta["gap"] == 2.0


def assert_clean_failure(proc: Any, *words: str) -> None:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    for w in words:
        assert w in lines[0], lines[0]


BAD_ENGAGEMENTS: list[tuple[str, Any, tuple[str, ...]]] = [
    (
        "unknown question",
        {"answers": {"alpha.nope": {"choice": "a1"}}},
        ("eng.yaml:", "answers.alpha.nope", "no question 'alpha.nope'"),
    ),
    (
        "misspelt question",
        {"answers": {"alpha.onee": {"choice": "a1"}}},
        ("answers.alpha.onee", "did you mean 'alpha.one'?"),
    ),
    (
        "unknown choice",
        {"answers": {"alpha.one": {"choice": "zz"}}},
        ("eng.yaml:", "answers.alpha.one.choice", "no choice 'zz'"),
    ),
    (
        "pack version",
        {"pack": {"id": "tiny", "version": "0.9"}},
        ("eng.yaml:3: pack.version", "0.9", "1.0"),
    ),
    (
        "pack id",
        {"pack": {"id": "other", "version": "1.0"}},
        ("pack.id", "not 'tiny'"),
    ),
    (
        "status without reason",
        {"answers": {"alpha.three": {"status": "not_applicable"}}},
        ("answers.alpha.three", "needs a 'reason'"),
    ),
    (
        "N/A not allowed",
        {"answers": {"alpha.one": {"status": "not_applicable", "reason": "x"}}},
        ("answers.alpha.one.status", "cannot be answered not_applicable"),
    ),
    (
        "wrong type",
        {"context": {"client_name": "Acme", "clouds": "aws"}},
        ("context.clouds", "expected a list"),
    ),
    (
        "unknown option",
        {"context": {"client_name": "Acme", "clouds": ["azure"]}},
        ("context.clouds", "unknown option 'azure'"),
    ),
    (
        "target out of range",
        {"context": {"client_name": "Acme", "targets": {"alpha": 7}}},
        ("context.targets", "level 0-4"),
    ),
    (
        "missing client",
        {"context": {"clouds": ["aws"]}},
        ("context.client_name", "required"),
    ),
    (
        "answers not a mapping",
        {"answers": None},
        ("eng.yaml:", "answers: expected a mapping of keys to values, got nothing"),
    ),
    (
        "unquoted version",
        {"pack": {"id": "tiny", "version": 1.0}},
        ("pack.version", "put it in quotes"),
    ),
    (
        "unknown top-level key",
        {"answerz": {}},
        ("answerz", "unknown key"),
    ),
]


@pytest.mark.parametrize(
    ("name", "over", "words"), BAD_ENGAGEMENTS, ids=[c[0] for c in BAD_ENGAGEMENTS]
)
def test_bad_engagement(
    tiny_pack: Path, tmp_path: Path, name: str, over: dict[str, Any], words: tuple[str, ...]
) -> None:
    eng = engagement(tmp_path, **over)
    out = tmp_path / "out.pdf"
    proc = run_assess("report", eng, "--pack", tiny_pack, "-o", out)
    assert_clean_failure(proc, *words)
    assert not out.exists()


def test_malformed_yaml(tiny_pack: Path, tmp_path: Path) -> None:
    eng = tmp_path / "eng.yaml"
    eng.write_text("pack:\n  id: tiny\n  version: [1.0\nanswers: {}\n")
    proc = run_assess("score", eng, "--pack", tiny_pack)
    assert_clean_failure(proc, "eng.yaml:", "malformed YAML")


def test_empty_missing_and_directory(tiny_pack: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    assert_clean_failure(run_assess("score", empty, "--pack", tiny_pack), "empty.yaml", "empty")
    missing = tmp_path / "missing.yaml"
    assert_clean_failure(
        run_assess("score", missing, "--pack", tiny_pack), "missing.yaml", "not found"
    )
    assert_clean_failure(run_assess("score", tmp_path, "--pack", tiny_pack), "is a directory")
    # without --pack the engagement still names the file, not a pack error
    assert_clean_failure(run_assess("score", missing), "missing.yaml", "not found")


def test_output_folder_missing(tiny_pack: Path, tmp_path: Path) -> None:
    eng = engagement(tmp_path)
    out = tmp_path / "nope" / "report.pdf"
    proc = run_assess("report", eng, "--pack", tiny_pack, "-o", out)
    assert_clean_failure(proc, "report.pdf", "does not exist")
    proc = run_assess("score", eng, "--pack", tiny_pack, "-o", tmp_path / "nope" / "x.json")
    assert_clean_failure(proc, "x.json", "does not exist")


def test_bad_target_and_usage(tiny_pack: Path, tmp_path: Path) -> None:
    eng = engagement(tmp_path)
    proc = run_assess("score", eng, "--pack", tiny_pack, "--target", "gamma=3")
    assert_clean_failure(proc, "--target", "unknown area 'gamma'")
    proc = run_assess("score", eng, "--pack", tiny_pack, "--target", "alpha=9")
    assert proc.returncode == 2 and "AREA=LEVEL" in proc.stderr
    proc = run_assess("report", eng, "--pack", tiny_pack)
    assert_clean_failure(proc, "nothing to write")


def test_schema_and_version(tmp_path: Path) -> None:
    from assess import __version__

    proc = run_assess("--version")
    assert proc.stdout.strip() == f"assess {__version__}"
    kinds = [
        ("engagement", "answers"),
        ("pack", "ladder"),
        ("questions", "questions"),
        ("rules", "rules"),
        ("evidence", "repos"),
        ("migration", "from"),
    ]
    for kind, prop in kinds:
        schema = json.loads(run_assess("schema", kind).stdout)
        assert prop in schema["properties"]
        assert schema["additionalProperties"] is False


def test_help_is_fast_and_imports_nothing_heavy() -> None:
    import subprocess
    import sys

    heavy = "('pandas', 'weasyprint', 'pydantic', 'yaml')"
    code = (
        "import sys; from assess.cli import build_parser; build_parser(); "
        f"print(sorted(m for m in {heavy} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_scan_imports_nothing_of_the_report(tmp_path: Path) -> None:
    """``assess scan`` loads neither the report stack (Jinja2, WeasyPrint, pandas, openpyxl)
    nor the interview's terminal library, nor process pools for a scan in this process."""
    import subprocess
    import sys

    from tests.gitrepo import make_repo

    repo = make_repo(tmp_path / "r", {"train.py": "import mlflow\n", "dvc.yaml": "stages: {}\n"})
    heavy = (
        "pandas", "jinja2", "weasyprint", "openpyxl", "questionary", "multiprocessing",
        "concurrent.futures",
    )  # fmt: skip
    argv = ["scan", str(repo), "--format", "json", "-o", str(tmp_path / "e.json")]
    code = (
        f"import sys; from assess.cli import main; rc = main({argv!r}); "
        f"print(rc, sorted(m for m in {heavy} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0 []"
    assert json.loads((tmp_path / "e.json").read_text())["repos"][0]["files"] == 2


def test_invalid_date_is_an_input_error(tiny_pack: Path, tmp_path: Path) -> None:
    eng = tmp_path / "eng.yaml"
    eng.write_text("pack: {id: tiny, version: '1.0'}\nassessment: {date: 2026-13-45}\n")
    assert_clean_failure(run_assess("score", eng, "--pack", tiny_pack), "eng.yaml", "invalid value")
