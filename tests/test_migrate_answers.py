"""An engagement moved to a new pack version by the pack's mapping (issue 15.3): exact
mappings carried, approximate ones carried and flagged for re-confirmation (asked first in the
interview, marked in the report), dropped questions listed, the old file kept. A pack pair
built here: 1.0.0 and 2.0.0 with ``migrations/from-1.0.0.yaml``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from assess.interview.engine import migrate, next_question
from assess.migration import load_migration
from assess.model.engagement import Engagement
from assess.packs import load_pack
from tests.conftest import dump, run_assess, tiny_pack_data, write_pack
from tests.test_interview_tty import ENTER, exit_status, spawn


def _choices(prefix: str) -> list[dict[str, Any]]:
    return [
        {"id": f"{prefix}{n}", "level": n, "text": f"{prefix} level {n}", "plan": f"go {n + 1}"}
        for n in range(5)
    ]


MAPPING = {
    "from": "1.0.0",
    "questions": {
        "alpha.one": {
            "to": "alpha.uno",
            "exact": True,
            "choices": {f"a{n}": f"u{n}" for n in range(5)},
        },
        "alpha.two": {"to": "alpha.two", "exact": True},
        "alpha.three": {"to": None, "note": "Folded into the privacy module's questions."},
        "beta.one": {
            "to": "beta.merged",
            "exact": False,
            "choices": {f"d{n}": f"m{n}" for n in range(5)},
        },
        "beta.two": {
            "to": "beta.merged",
            "exact": False,
            "choices": {f"e{n}": f"m{n}" for n in range(5)},
        },
    },
}


@pytest.fixture
def packs(tmp_path: Path) -> tuple[Path, Path]:
    """(the 1.0.0 pack, the 2.0.0 pack) of the same id."""
    head, questions = tiny_pack_data()
    head["version"] = "1.0.0"
    old = write_pack(tmp_path / "v1", head, questions)
    head = {**head, "version": "2.0.0"}
    alpha = questions["alpha"]["questions"]
    alpha[0] = {"id": "alpha.uno", "text": "Uno?", "choices": _choices("u")}
    del alpha[2]
    questions["beta"]["questions"] = [
        {"id": "beta.merged", "text": "Merged?", "choices": _choices("m"), "not_applicable": "x"}
    ]
    new = write_pack(tmp_path / "v2", head, questions)
    dump(new / "migrations" / "from-1.0.0.yaml", MAPPING)
    return old, new


def old_engagement(tmp_path: Path, old: Path) -> Path:
    eng = tmp_path / "eng.yaml"
    for qid, choice in [
        ("alpha.one", "a2"),
        ("alpha.two", "b3"),
        ("beta.one", "d1"),
        ("beta.two", "e3"),
    ]:
        proc = run_assess("answer", eng, qid, choice, "--pack", old, "--respondent", "Ana")
        assert proc.returncode == 0, proc.stderr
    na = ["alpha.three", "not_applicable", "--reason", "no PII", "--respondent", "Ana"]
    assert run_assess("answer", eng, *na).returncode == 0
    data = yaml.safe_load(eng.read_text())
    data["context"] = {"client_name": "Acme", "targets": {}, "clouds": ["aws"]}
    return dump(eng, data)


def test_migrate_by_the_mapping(packs: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = packs
    eng = Engagement.model_validate(yaml.safe_load(old_engagement(tmp_path, old).read_text()))
    pack = load_pack(new)
    m = migrate(pack, eng, load_migration(pack, "1.0.0"))
    got = {
        qid: [(a.choice, a.reconfirm) for a in items] for qid, items in m.engagement.answers.items()
    }
    assert got["alpha.uno"] == [("u2", None)]  # exact: renamed, not flagged
    assert got["alpha.two"] == [("b3", None)]
    # two approximate sources for one question: the lowest level, flagged
    assert got["beta.merged"] == [
        (
            "m1",
            "carried over from 1.0.0: to re-confirm (was beta.one, choice d1; also beta.two, "
            "choice e3; an approximate mapping)",
        )
    ]
    assert set(got) == {"alpha.uno", "alpha.two", "beta.merged"}
    assert m.carried == ["alpha.uno", "alpha.two"] and m.reconfirm == ["beta.merged"]
    assert m.dropped == [("alpha.three", "Folded into the privacy module's questions.")]
    assert m.removed == [] and m.engagement.pack.version == "2.0.0"
    # the interview asks the answer to re-confirm before anything unanswered
    q = next_question(pack, m.engagement, "Ana")
    assert q is not None and q.id == "beta.merged"


def test_without_a_mapping_answers_follow_their_ids(
    packs: tuple[Path, Path], tmp_path: Path
) -> None:
    old, new = packs
    eng = Engagement.model_validate(yaml.safe_load(old_engagement(tmp_path, old).read_text()))
    m = migrate(load_pack(new), eng, None)
    assert set(m.engagement.answers) == {"alpha.two"}
    assert sorted(m.removed) == ["alpha.one", "alpha.three", "beta.one", "beta.two"]


def test_interview_migrates_then_asks_the_carried_answer_first(
    packs: tuple[Path, Path], tmp_path: Path
) -> None:
    old, new = packs
    eng = old_engagement(tmp_path, old)
    before = eng.read_bytes()
    listed = run_assess("interview", eng, "--pack", new, "--respondents")
    assert listed.returncode == 0, listed.stderr
    out = listed.stdout
    assert "moved to 2.0.0" in out
    assert (
        "Carried over: 2 questions as they were, 1 to re-confirm (asked first: beta.merged)" in out
    )
    assert "Dropped: alpha.three: Folded into the privacy module's questions." in out
    assert (tmp_path / "eng.yaml.bak-1.0.0").read_bytes() == before

    # the report marks the carried answer until it is confirmed
    md = tmp_path / "r.md"
    assert run_assess("report", eng, "-o", md).returncode == 0
    assert "carried over from 1.0.0: to re-confirm" in md.read_text()
    csv_dir = tmp_path / "csv"
    csv_dir.mkdir()
    assert run_assess("report", eng, "-o", csv_dir, "--format", "csv").returncode == 0
    questions_csv = next(csv_dir.glob("*questions*.csv")).read_text()
    assert "to_reconfirm" in questions_csv.splitlines()[0]

    child = spawn(new, eng, "--respondent", "Ana")
    child.expect_exact("Beta, question 1 of 1")  # asked first, though in the last area
    child.expect_exact("To re-confirm: carried over from 1.0.0")
    child.expect_exact("Save and quit")
    child.send(ENTER)  # the carried m1 is preselected: Enter confirms it
    child.expect_exact("? Answer 1) m level 1")
    child.expect_exact("Note (optional")
    child.send(ENTER)
    child.expect_exact("3 of 3 questions answered (1 now)")
    assert exit_status(child) == 0
    merged = yaml.safe_load(eng.read_text())["answers"]["beta.merged"]
    assert merged["choice"] == "m1" and "reconfirm" not in merged


def test_the_sample_110_engagement_moves_to_the_bundled_pack(tmp_path: Path) -> None:
    """Every answer of the Lakeside sample as answered on 1.1.0 is carried or flagged to
    re-confirm by the bundled pack's mapping; none is lost without being listed."""
    fixture = Path(__file__).parent / "fixtures" / "engagement-1.1.0.yaml"
    pack = load_pack("mlops")
    eng = Engagement.model_validate(yaml.safe_load(fixture.read_text()))
    m = migrate(pack, eng, load_migration(pack, eng.pack.version))
    assert m.removed == []
    mapping = load_migration(pack, "1.1.0")
    assert mapping is not None
    for qid in eng.answers:  # each old answer went where the mapping says, or is listed
        to = mapping.questions[qid].to
        assert (qid in dict(m.dropped)) if to is None else (to in m.engagement.answers), qid
    approximate = {e.to for e in mapping.questions.values() if e.to and not e.exact}
    exact = {e.to for e in mapping.questions.values() if e.to and e.exact}
    for qid, items in m.engagement.answers.items():
        flagged = {a.reconfirm is not None for a in items}
        if qid not in exact:  # only approximate sources
            assert qid in approximate and flagged == {True}, qid
    assert set(m.reconfirm) <= approximate and m.reconfirm
    # the file a consultant would open: the move is written, the old file kept
    path = tmp_path / "lakeside.yaml"
    path.write_bytes(fixture.read_bytes())
    proc = run_assess("interview", path, "--respondents")
    assert proc.returncode == 0, proc.stderr
    assert f"{len(m.reconfirm)} to re-confirm" in proc.stdout
    assert (tmp_path / "lakeside.yaml.bak-1.1.0").read_text() == fixture.read_text()
    validated = run_assess("validate", path)
    assert validated.returncode == 0, validated.stderr
