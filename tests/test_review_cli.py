"""`assess review` from scripts: the decision flags, --list, and the bad inputs of issue 14, on
the sample engagement (compliance.lineage answered "don't know", so one claim is evidence only)
and the sample's real evidence file."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from assess.cli import main
from tests.conftest import ROOT, SAMPLE, review_sample, run_assess
from tests.gitrepo import remove
from tests.test_cli import assert_clean_failure

EVIDENCE = ROOT / "samples" / "evidence.json"
BINARY = "versioning/committed-model-binaries:build/lakeside-churn:models/churn_2026_03.pkl"


@pytest.fixture
def eng(tmp_path: Path) -> Path:
    return review_sample(tmp_path / "eng.yaml")


def review(eng: Path, *args: str, evidence: Path = EVIDENCE) -> int:
    return main(["review", str(eng), "--evidence", str(evidence), *args])


def section(eng: Path) -> dict[str, Any]:
    return yaml.safe_load(eng.read_text()).get("review") or {}


def test_each_decision_flag_saves_and_every_command_sees_it(
    eng: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = yaml.safe_load(eng.read_text())["answers"]
    assert review(eng, "--accept", "cicd.ci_checks", "--by", "Dana Reyes") == 0
    assert "cicd.ci_checks accepted at level 3 (claimed 1)" in capsys.readouterr().out
    reason = "the registry holds the model; the pkl is a rollback fixture (shown on screen)"
    assert review(eng, "--uphold", "versioning.model_registry", "--reason", reason) == 0
    assert review(eng, "--request", "monitoring.drift", "--who", "Marta Keller",
                  "--what", "the drift job's last run", "--due", "2099-01-15") == 0  # fmt: skip
    test_files = "validation/test-files:build/lakeside-churn:tests/test_prepare.py"
    assert review(eng, "--waive", test_files, "--reason", "tests the anonymiser") == 0
    capsys.readouterr()

    got = section(eng)
    ci = got["questions"]["cicd.ci_checks"]
    assert (ci["decision"], ci["level"], ci["by"]) == ("accept", 3.0, "Dana Reyes")
    assert "at" in ci
    upheld = got["questions"]["versioning.model_registry"]
    assert (upheld["decision"], upheld["reason"]) == ("uphold", reason)
    assert upheld["by"] == "Dana Reyes"  # the engagement's assessor, without --by
    assert got["questions"]["monitoring.drift"]["request"] == {
        "who": "Marta Keller",
        "what": "the drift job's last run",
        "due": "2099-01-15",
    }
    assert got["findings"][test_files]["reason"] == "tests the anonymiser"
    assert yaml.safe_load(eng.read_text())["answers"] == answers

    assert main(["score", str(eng), "--evidence", str(EVIDENCE), "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    by_id = {q["id"]: q for q in result["questions"]}
    assert by_id["cicd.ci_checks"]["level"] == 3.0
    assert by_id["cicd.ci_checks"]["review"]["original_level"] == 1.0
    assert by_id["versioning.model_registry"]["evidence"]["status"] == "upheld"
    assert by_id["versioning.model_registry"]["level"] == 2.0
    # the assessor's request beside the ones derived from not-evidenced claims, in pack order
    assert [r for r in result["evidence_requests"] if r["source"] == "assessor"] == [
        {"question": "monitoring.drift", "area": "monitoring", "what": "the drift job's last run",
         "who": "Marta Keller", "due": "2099-01-15", "source": "assessor"}
    ]  # fmt: skip
    assert [r["question"] for r in result["evidence_requests"]] == [
        "data.access", "training.serving_package", "cicd.branch_protection", "monitoring.drift"
    ]  # fmt: skip
    assert [w["key"] for w in result["review"]["waived"]] == [test_files]
    assert main(["gaps", str(eng), "--evidence", str(EVIDENCE), "--format", "json"]) == 0
    assert not any(
        g["question_id"] == "versioning.model_registry" and g["contradicted"]
        for g in json.loads(capsys.readouterr().out)["gaps"]
    )

    # --list: the claims with their decisions, the keys to waive, the waived findings
    assert review(eng, "--list") == 0
    table = capsys.readouterr().out
    assert "8 claims to review, 3 decided, 1 finding(s) waived, 0 stale" in table
    assert "cicd.ci_checks" in table and "accepted 3 (Dana Reyes)" in table
    assert "compliance.lineage  data/dvc-pipeline-stages:build/lakeside-churn:dvc.yaml" in table
    assert "tests the anonymiser" in table
    assert review(eng, "--list", "--format", "json") == 0
    listed = json.loads(capsys.readouterr().out)
    item = next(i for i in listed["items"] if i["question"] == "versioning.model_registry")
    assert item["status"] == "contradicted" and item["decision"]["decision"] == "uphold"
    assert BINARY in item["finding_keys"]

    # --clear takes a decision back
    assert review(eng, "--clear", "cicd.ci_checks") == 0
    assert "cicd.ci_checks" not in section(eng)["questions"]


def test_other_commands_keep_the_review_section(eng: Path) -> None:
    assert review(eng, "--waive", BINARY, "--reason", "rollback fixture", "--by", "Dana") == 0
    before = section(eng)
    assert before["findings"][BINARY]["by"] == "Dana"
    assert main(["answer", str(eng), "cicd.ci_checks", "code_tests", "--respondent", "Ana"]) == 0
    assert section(eng) == before
    assert main(["validate", str(eng)]) == 0


def test_a_real_rescan_keeps_decisions_whose_finding_still_exists(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The sample repository scanned, two findings waived; the model file is then removed
    and the repository scanned again: one waiver still applies, the other is listed as stale."""
    repo = tmp_path / "lakeside-churn"
    subprocess.run(["bash", str(ROOT / "samples" / "build-repo.sh"), str(repo)], check=True,
                   capture_output=True)  # fmt: skip
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert main(["scan", str(repo), "--format", "json", "--jobs", "1", "-o", str(first)]) == 0
    eng = tmp_path / "eng.yaml"
    shutil.copyfile(SAMPLE, eng)
    binary = f"versioning/committed-model-binaries:{repo}:models/churn_2026_03.pkl"
    tests = f"validation/test-files:{repo}:tests/test_prepare.py"
    assert review(eng, "--waive", binary, "--reason", "fixture", evidence=first) == 0
    assert review(eng, "--waive", tests, "--reason", "not features", evidence=first) == 0
    remove(repo, "models")
    assert main(["scan", str(repo), "--format", "json", "--jobs", "1", "-o", str(second)]) == 0

    capsys.readouterr()
    assert review(eng, "--list", "--format", "json", evidence=second) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [w["key"] for w in listed["waived"]] == [tests]
    assert [(s["key"], s["kind"]) for s in listed["stale"]] == [(binary, "finding")]
    assert set(section(eng)["findings"]) == {binary, tests}  # stale ones stay in the file
    assert review(eng, "--list", evidence=second) == 0
    table = capsys.readouterr().out
    assert "Stale decisions, kept in the file but not applied (1):" in table
    assert f"{binary} (waive): no such finding in the evidence" in table


BAD_FLAGS: list[tuple[str, list[str], tuple[str, ...]]] = [
    (
        "unknown question",
        ["--accept", "cicd.nope"],
        ("eng.yaml", "--accept", "no question 'cicd.nope'"),
    ),
    ("misspelt question", ["--accept", "cicd.ci_check"], ("did you mean 'cicd.ci_checks'?",)),
    (
        "not a claim to review",
        ["--accept", "cicd.pipeline_as_code"],
        (
            "--accept",
            "not a claim to review",
            "to review: data.access, versioning.model_registry,",
            "monitoring.drift, compliance.lineage)",  # the evidence-only one too
        ),
    ),
    ("uphold without reason", ["--uphold", "cicd.ci_checks"], ("--uphold", "needs --reason")),
    ("uphold blank reason", ["--uphold", "cicd.ci_checks", "--reason", "  "], ("needs --reason",)),
    (
        "uphold with no claim",
        ["--uphold", "compliance.lineage", "--reason", "x"],
        ("cannot uphold compliance.lineage", "nothing is claimed"),
    ),
    ("waive without reason", ["--waive", BINARY], ("--waive", "needs --reason")),
    (
        "unknown finding",
        ["--waive", BINARY + "x", "--reason", "r"],
        ("--waive", "no finding", f"did you mean '{BINARY}'?"),
    ),
    (
        "request without who",
        ["--request", "cicd.ci_checks", "--due", "2099-01-01"],
        ("--who", "a request needs --who"),
    ),
    (
        "request bad date",
        ["--request", "cicd.ci_checks", "--who", "A", "--due", "2099-02-30"],
        ("--due", "expected a date as YYYY-MM-DD"),
    ),
    (
        "request past date",
        ["--request", "cicd.ci_checks", "--who", "A", "--due", "2001-01-01"],
        ("--due", "is in the past"),
    ),
    (
        "who without request",
        ["--accept", "cicd.ci_checks", "--who", "A"],
        ("--who goes with --request",),
    ),
    (
        "clear unknown",
        ["--clear", "cicd.ci_checks"],
        ("--clear", "no decision on 'cicd.ci_checks'"),
    ),
    (
        "format without list",
        ["--accept", "cicd.ci_checks", "--format", "json"],
        ("--format goes with --list",),
    ),
]


@pytest.mark.parametrize(
    ("argv", "words"), [c[1:] for c in BAD_FLAGS], ids=[c[0] for c in BAD_FLAGS]
)
def test_bad_flags_one_line_exit_2_nothing_written(
    argv: list[str], words: tuple[str, ...], eng: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = eng.read_bytes()
    code = review(eng, *argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    for w in words:
        assert w in err, err
    assert eng.read_bytes() == before
    assert sorted(p.name for p in eng.parent.iterdir()) == ["eng.yaml"]


def test_evidence_of_another_pack_is_refused(
    eng: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(EVIDENCE.read_text())
    data["pack_id"] = "other"
    other = tmp_path / "other.json"
    other.write_text(json.dumps(data))
    before = eng.read_bytes()
    for argv in (["--accept", "cicd.ci_checks"], ["--list"]):
        assert review(eng, *argv, evidence=other) == 2
        err = capsys.readouterr().err.strip()
        assert (
            "\n" not in err and "other.json: pack_id: evidence was scanned with pack 'other'" in err
        )
    assert main(["review", str(eng), "--evidence", str(EVIDENCE), str(other), "--list"]) == 2
    assert "other.json" in capsys.readouterr().err
    assert eng.read_bytes() == before


def test_refuses_without_a_terminal(eng: Path) -> None:
    proc = run_assess("review", eng, "--evidence", EVIDENCE)
    assert_clean_failure(proc, "needs a terminal", "--accept QID", "--list")


HAND_EDITED: list[tuple[str, str, tuple[str, ...]]] = [
    ("unknown decision", "  questions:\n    cicd.ci_checks: {decision: maybe, by: Dana}\n",
     ("eng.yaml:", "review.questions.cicd.ci_checks.decision", "'accept', 'uphold' or 'request'")),
    ("uphold without reason", "  questions:\n    cicd.ci_checks: {decision: uphold, by: Dana}\n",
     ("review.questions.cicd.ci_checks", "needs a 'reason'")),
    ("accept without level", "  questions:\n    cicd.ci_checks: {decision: accept, by: Dana}\n",
     ("review.questions.cicd.ci_checks", "'level'")),
    ("request without request", "  questions:\n    cicd.ci_checks: {decision: request, by: Dana}\n",
     ("review.questions.cicd.ci_checks", "'request'")),
    ("unknown question", "  questions:\n    cicd.nope: {decision: uphold, reason: r, by: Dana}\n",
     ("review.questions.cicd.nope", "no question 'cicd.nope'")),
    ("waiver without reason", f"  findings:\n    {BINARY}: {{decision: waive, by: Dana}}\n",
     ("review.findings.", "reason", "required field is missing")),
    ("not a mapping", "  - cicd.ci_checks\n", ("review", "expected a mapping")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "words"), [c[1:] for c in HAND_EDITED], ids=[c[0] for c in HAND_EDITED]
)
def test_a_review_section_edited_into_an_invalid_shape(
    text: str, words: tuple[str, ...], eng: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    eng.write_text(eng.read_text() + "review:\n" + text)
    line = len(eng.read_text().splitlines())  # the entry's own line, the last one
    before = eng.read_bytes()
    for argv in (
        ["review", str(eng), "--evidence", str(EVIDENCE), "--list"],
        ["review", str(eng), "--evidence", str(EVIDENCE), "--accept", "cicd.ci_checks"],
        ["score", str(eng)],
        ["answer", str(eng), "cicd.ci_checks", "code_tests"],
        ["validate", str(eng)],
    ):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1, err
        assert f"eng.yaml:{line}:" in err, err
        for w in words:
            assert w in err, err
    assert eng.read_bytes() == before
