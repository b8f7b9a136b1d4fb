"""The real `assess review` in a pseudo-terminal of 80 x 24 (pexpect), on a copy of the sample
engagement and the sample's evidence: keys in, the engagement file checked after."""

from __future__ import annotations

import datetime as dt
import signal
from pathlib import Path
from typing import Any

import pexpect
import pytest
import yaml

from assess.engagement import load_engagement
from assess.packs import load_pack
from tests.conftest import ROOT, dump, review_sample
from tests.test_interview_tty import ENTER, spawn_assess

EVIDENCE = ROOT / "samples" / "evidence.json"
TEST_FILES = "validation/test-files:build/lakeside-churn:tests/test_prepare.py"
KILL_LINE = "\x15"  # Ctrl-U: clear the text typed so far


@pytest.fixture
def eng(tmp_path: Path) -> Path:
    """The sample engagement with an evidence-only claim (``review_sample``), the areas whose
    claims are only "not evidenced" kept out of the evidence scope: the walk has five claims,
    one contradicted, three understated, one evidence only."""
    path = review_sample(tmp_path / "eng.yaml")
    data = yaml.safe_load(path.read_text())
    data["evidence_scope"] = {"data": [], "training": [], "cicd": []}
    return dump(path, data)


def spawn(eng: Path) -> pexpect.spawn:
    return spawn_assess("review", str(eng), "--evidence", str(EVIDENCE), rows=24, columns=80)


def claim(child: pexpect.spawn, position: str, *shows: str) -> None:
    """Wait until the claim at ``position`` ("Claim 2 of 5") has shown ``shows``, in order,
    and its full menu."""
    for text in (position, *shows, "Save and quit"):
        child.expect_exact(text)


def decisions(path: Path) -> dict[str, Any]:
    return (yaml.safe_load(path.read_text()).get("review") or {}).get("questions") or {}


def test_each_decision_kind(eng: Path) -> None:
    answers = yaml.safe_load(eng.read_text())["answers"]
    child = spawn(eng)
    child.expect_exact("5 claims the repositories disagree with, 0 decided")
    claim(
        child,
        "Claim 1 of 5 · Model versioning and storage · contradicted",
        "Claimed: level 2: Models are registered by hand",
        "Jonas Weber (Lead ML Engineer): level 2; note: MLflow registry",
        "The repositories cap it at level 1",
        "models/churn_2026_03.pkl · build/lakeside-churn @ 74003e00 · caps at 1",  # and its effect
        "src/train.py:13 · build/lakeside-churn @ 74003e00",  # with its line
        "| mlflow.sklearn.log_model",  # and its snippet
        "u) Uphold the claim (level 2), with a justification",
    )
    child.send("u" + ENTER)  # uphold
    child.expect_exact("Justification (shown in the report):")
    child.send(ENTER)  # empty: refused
    child.expect_exact("justification")  # "A justification is needed", drawn in the toolbar
    child.send("rollback fixture; the registry holds the model" + ENTER)
    child.expect_exact("Saved: versioning.model_registry upheld.")

    claim(child, "Claim 2 of 5 · Model validation · understated")
    child.send("w" + ENTER)  # waive a finding
    child.expect_exact("Waive which finding?")
    child.expect_exact("Back to the claim")
    child.send("2" + ENTER)
    child.expect_exact("Why is it a false positive?")
    child.send("tests the anonymiser, not features" + ENTER)
    child.expect_exact(f"Saved: waived {TEST_FILES}")
    claim(child, "Claim 2 of 5")  # CI still runs the tests: the claim is shown again
    child.send("s" + ENTER)

    claim(child, "Claim 3 of 5 · CI/CD · understated")
    child.send("r" + ENTER)  # request evidence
    child.expect_exact("Who should provide it?")
    child.send(ENTER)  # the (first) respondent, by default
    child.expect_exact("What should they show?")
    child.send(KILL_LINE + "the last merge request's CI run" + ENTER)
    child.expect_exact("By when (YYYY-MM-DD)?")
    child.send(KILL_LINE + "2001-02-03" + ENTER)
    child.expect_exact("past")  # "the due date ... is in the past" (drawn with cursor moves)
    child.send(KILL_LINE + "2099-02-31" + ENTER)
    child.expect_exact("'2099-02-31'")  # "expected a date as YYYY-MM-DD, got '2099-02-31'"
    child.send(KILL_LINE + "2099-02-03" + ENTER)
    child.expect_exact("Saved: cicd.ci_checks evidence requested.")

    claim(child, "Claim 4 of 5 · Model monitoring · understated")
    child.send("s" + ENTER)

    claim(
        child,
        "Claim 5 of 5 · Compliance lineage · evidence only",
        "Claimed: nothing",
        "Jonas Weber (Lead ML Engineer): don't know",
        "The repositories suggest level 3",
        "src/train.py:13 · build/lakeside-churn @ 74003e00",
        "dvc.yaml · build/lakeside-churn @ 74003e00",  # path, repository, commit, no line
        "a) Accept the evidence: score level 3",
    )
    child.send("a" + ENTER)  # accept the evidence
    child.expect_exact("Note (optional")
    child.send("release record shown" + ENTER)
    child.expect_exact("Saved: compliance.lineage accepted.")
    child.expect_exact("You skipped 2 claim(s). Review them now?")
    child.send("y")
    claim(child, "Claim 2 of 5")  # the skipped ones again, in order
    child.send("q" + ENTER)
    child.expect_exact("3 of 5 claims decided (4 changes now), 1 finding(s) waived.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    got = decisions(eng)
    lineage = got["compliance.lineage"]
    assert (lineage["decision"], lineage["level"]) == ("accept", 3.0)
    assert lineage["reason"] == "release record shown"
    assert got["versioning.model_registry"]["reason"].startswith("rollback fixture")
    assert got["cicd.ci_checks"]["request"] == {
        "who": "Marta Keller (Head of Data Science)",
        "what": "the last merge request's CI run",
        "due": "2099-02-03",
    }
    assert {d["by"] for d in got.values()} == {"Dana Reyes"}  # the engagement's assessor
    waived = yaml.safe_load(eng.read_text())["review"]["findings"]
    assert waived[TEST_FILES]["reason"] == "tests the anonymiser, not features"
    assert yaml.safe_load(eng.read_text())["answers"] == answers


def accept_the_first(eng: Path) -> pexpect.spawn:
    """A review that accepted the first claim's evidence and shows the second claim."""
    child = spawn(eng)
    claim(child, "Claim 1 of 5")
    child.send("a" + ENTER)
    child.expect_exact("Note (optional")
    child.send(ENTER)
    claim(child, "Claim 2 of 5")
    return child


def test_kill_then_resume_with_the_open_claims_and_revisit(eng: Path) -> None:
    child = accept_the_first(eng)
    child.kill(signal.SIGKILL)  # no chance to clean up
    child.close()
    pack = load_pack("mlops")
    review = load_engagement(eng, pack).engagement.review  # still a valid file
    assert list(review.questions) == ["versioning.model_registry"]
    assert not [p for p in eng.parent.iterdir() if p.name != "eng.yaml"]  # no temp file left

    child = spawn(eng)
    child.expect_exact("5 claims the repositories disagree with, 1 decided (open ones first")
    claim(child, "Claim 2 of 5")  # resumes at the first open claim
    for n in range(3, 6):
        child.send("s" + ENTER)
        claim(child, f"Claim {n} of 5")
    child.send("s" + ENTER)
    child.expect_exact("You skipped 4 claim(s). Review them now?")
    child.send("n")
    child.expect_exact("1 of 5 claims decided. Revisit the decided ones?")
    child.send("y")
    claim(child, "Claim 1 of 5", "Decided: accepted by Dana Reyes", "c) Clear the decision")
    child.send("c" + ENTER)  # clear the decision
    child.expect_exact("Cleared the decision on versioning.model_registry.")
    child.expect_exact("0 of 5 claims decided")
    child.expect(pexpect.EOF)
    assert decisions(eng) == {}


def test_ctrl_c_says_where_decisions_are(eng: Path) -> None:
    child = accept_the_first(eng)
    child.sendcontrol("c")
    child.expect_exact("Interrupted. Every decision made is saved")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert list(decisions(eng)) == ["versioning.model_registry"]


def test_every_claim_fits_an_80_by_24_terminal(
    eng: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each screen, even for a claim with many findings, leaves its menu (7 lines and the
    question) on a 24-line screen and no line wider than 80 columns."""
    import json

    from assess.engagement import LoadedEngagement
    from assess.evidence import load_evidence
    from assess.interview.review_prompt import Reviewer
    from assess.interview.session import open_session
    from assess.pipeline import assess

    data = json.loads(EVIDENCE.read_text())
    cicd = data["repos"][0]["areas"]["cicd"]
    ci = next(f for f in cicd if f["rule"] == "cicd/tests-run-in-ci")
    cicd += [{**ci, "path": f"pipelines/job-{n}.yml", "line": n} for n in range(6)]
    many = tmp_path / "many.json"
    many.write_text(json.dumps(data))
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("LINES", "24")
    session = open_session(eng, None)
    evidence = load_evidence(many, session.pack)
    ui = Reviewer(
        session,
        lambda e: assess(session.pack, LoadedEngagement(e, eng, ""), evidence=evidence),
        by="Dana",
        say=print,
        now=lambda: dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
    )
    assert [i.question for i in ui.items] == [
        "versioning.model_registry",
        "validation.feature_code_tests",
        "cicd.ci_checks",
        "monitoring.drift",
        "compliance.lineage",
    ]
    for item in ui.items:
        lines = ui.screen(item, below=8).splitlines()
        assert len(lines) + 8 <= 24, "\n".join(lines)
        assert max(len(x) for x in lines) <= 80
        assert lines[1].startswith("── Claim ")
    ci_checks = next(i for i in ui.items if i.question == "cicd.ci_checks")
    shown = ui.screen(ci_checks, below=8)
    assert (
        "1. CI runs the test suite" in shown and "more: 'Waive a finding' lists them all" in shown
    )
