"""Bad input through the real command: one line on stderr naming the file and the field or
line, exit code 2, nothing written. ``assess validate`` makes the checks ``assess report``
makes, so an engagement it passes renders."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import SAMPLE, dump, run_assess


def sample_engagement(tmp_path: Path, name: str = "eng.yaml", **changes: Any) -> Path:
    """The sample engagement with top-level sections replaced."""
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    data.update(changes)
    return dump(tmp_path / name, data)


def one_line_error(proc: subprocess.CompletedProcess[str], *parts: str) -> str:
    """The command failed with exit 2 and one line holding each of ``parts``."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    for part in parts:
        assert part in lines[0], (part, lines[0])
    return lines[0]


# --------------------------------------------------------------------------- validate = report


def test_validate_refuses_a_missing_pack_path_as_report_does(tmp_path: Path) -> None:
    eng = sample_engagement(tmp_path, pack={"id": "mlops", "version": "1.1.0", "path": "gone"})
    out = tmp_path / "report.md"
    for args in (("validate", eng), ("report", eng, "-o", out)):
        line = one_line_error(run_assess(*args), f"{eng}:", "pack.path", "gone")
        assert line.startswith(f"assess: error: {eng}:")
    assert not out.exists()


@pytest.mark.parametrize("logo", ["missing.png", "folder"])
def test_validate_refuses_a_logo_report_cannot_use(tmp_path: Path, logo: str) -> None:
    (tmp_path / "folder").mkdir()
    eng = sample_engagement(tmp_path, branding={"consultancy": "Northbeam", "logo": logo})
    out = tmp_path / "report.pdf"
    for args in (("validate", eng), ("report", eng, "-o", out)):
        one_line_error(run_assess(*args), str(eng), "branding.logo", logo)
    assert not out.exists()


def test_validate_counts_answers_as_the_report_does(tmp_path: Path) -> None:
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    answers = data["answers"]
    answers["data.lineage"] = []  # an empty list is no answer
    eng = sample_engagement(tmp_path, answers=answers)
    proc = run_assess("validate", eng)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (
        f"ok: {eng} (pack mlops 1.1.0; 53 questions: 48 answered, 2 don't know, "
        "2 not applicable, 1 not answered)\n"
    )
    result = json.loads(run_assess("score", eng, "--format", "json").stdout)
    assert sum(a["unanswered"] for a in result["areas"]) == 1
    assert sum(a["dont_know"] for a in result["areas"]) == 2


def test_validate_passes_what_report_renders(tmp_path: Path) -> None:
    proc = run_assess("validate", SAMPLE)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"ok: {SAMPLE} (pack mlops 1.1.0; 53 questions: 48 answered")
