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

from assess.errors import InputError
from tests.conftest import ROOT, SAMPLE, dump, run_assess
from tests.test_yamlio import BOMB

EVIDENCE = ROOT / "samples" / "evidence.json"


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
    eng = sample_engagement(tmp_path, pack={"id": "mlops", "version": "2.0.0", "path": "gone"})
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
    answers["compliance.lineage"] = []  # an empty list is no answer
    eng = sample_engagement(tmp_path, answers=answers)
    proc = run_assess("validate", eng)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (
        f"ok: {eng} (pack mlops 2.0.0; 60 questions: 57 answered, 1 don't know, "
        "1 not applicable, 1 not answered)\n"
    )
    result = json.loads(run_assess("score", eng, "--format", "json").stdout)
    assert sum(a["unanswered"] for a in result["areas"]) == 1
    assert sum(a["dont_know"] for a in result["areas"]) == 1


def test_validate_passes_what_report_renders(tmp_path: Path) -> None:
    proc = run_assess("validate", SAMPLE)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"ok: {SAMPLE} (pack mlops 2.0.0; 60 questions: 58 answered")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "expected a number greater than 0, got 0"),
        (-4.5, "greater than 0, got -4.5"),
        ("lots", "expected a number, got 'lots'"),
        ("20", "expected a number, got '20'"),
        (True, "expected a number, got True"),
        (float("nan"), "expected a number, got nan"),
    ],
)
def test_a_capacity_that_is_not_a_positive_number_is_one_line(
    tmp_path: Path, value: object, expected: str
) -> None:
    eng = sample_engagement(tmp_path, capacity_weeks_per_quarter=value)
    out = tmp_path / "report.md"
    commands = [("validate", eng)]
    if value == 0:  # the commands that plan a roadmap refuse it the same way
        commands += [("gaps", eng), ("report", eng, "-o", out)]
    for args in commands:
        one_line_error(run_assess(*args), f"{eng}:", "capacity_weeks_per_quarter", expected)
    assert not out.exists()


# --------------------------------------------------------------------------- YAML


@pytest.mark.parametrize(("char", "code"), [("\x00", "U+0000"), ("\x1b", "U+001B")])
def test_control_character_in_yaml_is_one_line_with_the_line(
    tmp_path: Path, char: str, code: str
) -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace("Dana Reyes", f"Dana{char}Reyes")
    line = 1 + text[: text.index(char)].count("\n")
    eng = tmp_path / "eng.yaml"
    eng.write_text(text, encoding="utf-8")
    one_line_error(run_assess("validate", eng), f"{eng}:{line}:", "control characters", code)


def test_control_character_in_a_pack_file(bundled_pack_copy: Path) -> None:
    qfile = bundled_pack_copy / "questions" / "cicd.yaml"
    text = qfile.read_text(encoding="utf-8")
    qfile.write_text(text.replace("area: cicd", "area: cicd\x00", 1), encoding="utf-8")
    line = 1 + text[: text.index("area: cicd")].count("\n")
    one_line_error(run_assess("validate", "--pack", bundled_pack_copy), f"{qfile}:{line}:")


def test_a_file_name_with_a_line_break_still_gives_one_line(tmp_path: Path) -> None:
    eng = tmp_path / "fake\nassess: error: forged.yaml"
    eng.write_text("pack: [\n", encoding="utf-8")
    one_line_error(run_assess("validate", eng), "malformed YAML")
    err = InputError("first\nsecond\r\nthird", file="a\nb.yaml", field="x\u2028y")
    assert str(err) == "a b.yaml: x y: first second third"


def test_alias_bomb_in_an_engagement_stops_validate_at_once(tmp_path: Path) -> None:
    eng = tmp_path / "eng.yaml"
    eng.write_text("pack: {id: mlops, version: 2.0.0}\n" + BOMB, encoding="utf-8")
    assert eng.stat().st_size < 1024
    one_line_error(run_assess("validate", eng), str(eng), "expands to more than")


def test_alias_bomb_in_a_pack_file_stops_validate_at_once(bundled_pack_copy: Path) -> None:
    head = bundled_pack_copy / "pack.yaml"
    head.write_text(head.read_text(encoding="utf-8") + BOMB.replace("a:", "x-a:", 1))
    one_line_error(
        run_assess("validate", "--pack", bundled_pack_copy), str(head), "expands to more than"
    )


# --------------------------------------------------------------------------- JSON

BAD_JSON = {
    "a 5,000-digit number": ('{"schema_version": ' + "9" * 5000 + "}", "5,000 digits"),
    "nesting 100,000 deep": ('{"repos": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested"),
}


@pytest.mark.parametrize("case", BAD_JSON)
def test_bad_numbers_and_nesting_in_an_evidence_file(tmp_path: Path, case: str) -> None:
    text, problem = BAD_JSON[case]
    evidence = tmp_path / "evidence.json"
    evidence.write_text(text)
    out = tmp_path / "report.md"
    proc = run_assess("report", SAMPLE, "--evidence", evidence, "-o", out)
    one_line_error(proc, str(evidence), "cannot be read", problem)
    assert not out.exists()


@pytest.mark.parametrize("case", BAD_JSON)
def test_bad_numbers_and_nesting_in_a_result_file(tmp_path: Path, case: str) -> None:
    text, problem = BAD_JSON[case]
    result = tmp_path / "2026-05.json"
    result.write_text(text)
    one_line_error(run_assess("compare", result, SAMPLE), str(result), "cannot be read", problem)


def test_a_long_number_inside_a_valid_evidence_file_names_its_line(tmp_path: Path) -> None:
    text = EVIDENCE.read_text(encoding="utf-8")
    number = json.dumps(json.loads(text)["repos"][0]["files"])
    big = text.replace(f'"files": {number}', f'"files": {"7" * 4000}', 1)
    evidence = tmp_path / "evidence.json"
    evidence.write_text(big, encoding="utf-8")
    line = 1 + big[: big.index("7" * 4000)].count("\n")
    out = tmp_path / "report.xlsx"  # where such a number crashed the writer
    proc = run_assess("report", SAMPLE, "--evidence", evidence, "-o", out)
    one_line_error(proc, f"{evidence}:{line}:", "4,000 digits")
    assert not out.exists()


# --------------------------------------------------------------------------- legal scope context


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("personal_data", "maybe", "expected one of: unknown, used, not_used"),
        # YAML reads a bare no as false: still named, with the ids to write instead
        ("personal_data", False, "expected one of: unknown, used, not_used"),
        (
            "automated_decisions",
            "partly",
            "expected one of: unknown, solely_automated, human_reviewed, none",
        ),
    ],
)
def test_an_unknown_legal_scope_value_is_one_line_naming_the_field(
    tmp_path: Path, field: str, value: object, expected: str
) -> None:
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    eng = sample_engagement(tmp_path, context={**data["context"], field: value})
    out = tmp_path / "report.md"
    for args in (("validate", eng), ("report", eng, "-o", out)):
        one_line_error(run_assess(*args), f"{eng}:", f"context.{field}", expected)
    assert not out.exists()
