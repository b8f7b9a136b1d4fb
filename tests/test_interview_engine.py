"""The interview engine without a terminal: order, conditions, resume point, migration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assess.errors import AssessError
from assess.interview.engine import (
    applicable_questions,
    migrate,
    missing_context,
    next_question,
    progress,
    prune,
    respondents_summary,
    set_answer,
)
from assess.interview.session import open_session
from assess.model.engagement import Answer, AnswerStatus, Engagement, PackRef
from assess.packs import load_pack
from tests.conftest import dump, tiny_pack_data, write_pack


def gated_pack(tmp_path: Path, version: str = "1.0") -> Path:
    """The tiny pack plus beta.three, asked only when alpha.one is at level 2 or more."""
    head, questions = tiny_pack_data()
    head["version"] = version
    gated = dict(questions["alpha"]["questions"][0])
    gated.update(
        id="beta.three",
        text="Gated?",
        when={"question": "alpha.one", "min_level": 2},
        risk="low",
    )
    questions["beta"]["questions"].append(gated)
    return write_pack(tmp_path / f"gated-{version}", head, questions)


def eng(answers: dict[str, list[Answer]] | None = None, **context: Any) -> Engagement:
    return Engagement(
        pack=PackRef(id="tiny", version="1.0"), context=context, answers=answers or {}
    )


def a(choice: str, who: str | None = None) -> Answer:
    return Answer(choice=choice, respondent=who)


def test_order_follows_areas_then_file_order(tmp_path: Path) -> None:
    pack = load_pack(gated_pack(tmp_path))
    e = eng()
    asked = []
    while (q := next_question(pack, e, None)) is not None:
        asked.append(q.id)
        e = set_answer(e, q.id, a(q.choices[3].id))  # level 3 opens the gate
    assert asked == ["alpha.one", "alpha.two", "alpha.three", "beta.one", "beta.two", "beta.three"]
    assert progress(pack, e, None) == (6, 6)


def test_condition_skips_and_prune_clears(tmp_path: Path) -> None:
    pack = load_pack(gated_pack(tmp_path))
    low = eng({"alpha.one": [a("a1")]})
    assert "beta.three" not in [q.id for q in applicable_questions(pack, low)]
    high = eng({"alpha.one": [a("a2")], "beta.three": [a("a4")]})
    assert "beta.three" in [q.id for q in applicable_questions(pack, high)]
    # a later change closes the gate: the gated answer is cleared
    changed, cleared = prune(pack, set_answer(high, "alpha.one", a("a0")))
    assert cleared == ["beta.three"] and "beta.three" not in changed.answers
    # "don't know" on the gate keeps the question
    dk = eng({"alpha.one": [Answer(status=AnswerStatus.dont_know)]})
    assert "beta.three" in [q.id for q in applicable_questions(pack, dk)]


def test_gated_question_scores_as_not_applicable(tmp_path: Path) -> None:
    from assess.engagement import load_engagement
    from assess.pipeline import assess

    pack_dir = gated_pack(tmp_path)
    pack = load_pack(pack_dir)
    path = dump(
        tmp_path / "e.yaml",
        {
            "pack": {"id": "tiny", "version": "1.0"},
            "context": {"client_name": "X"},
            "answers": {"alpha.one": {"choice": "a1"}, "beta.one": {"choice": "d2"}},
        },
    )
    result = assess(pack, load_engagement(path, pack))
    beta = next(x for x in result.areas if x.id == "beta")
    assert beta.not_applicable == 1 and beta.unanswered == 1  # beta.three out, beta.two open
    assert beta.coverage == 0.5


def test_resume_point_is_per_respondent_and_skips(tmp_path: Path) -> None:
    pack = load_pack(gated_pack(tmp_path))
    e = eng({"alpha.one": [a("a1", "Ana")], "alpha.two": [a("b1", "Ben")]})
    nq = next_question(pack, e, "Ana")
    assert nq is not None and nq.id == "alpha.two"
    nq = next_question(pack, e, "Ben")
    assert nq is not None and nq.id == "alpha.one"
    nq = next_question(pack, e, "Ana", skipped={"alpha.two"})
    assert nq is not None and nq.id == "alpha.three"
    nq = next_question(pack, e, "Ana", area="beta")
    assert nq is not None and nq.id == "beta.one"


def test_set_answer_replaces_only_that_respondents_answer(tiny_pack: Path) -> None:
    pack = load_pack(tiny_pack)
    e = eng({"alpha.one": [a("a1", "Ana"), a("a3", "Ben")]})
    e = set_answer(e, "alpha.one", a("a2", "Ana"))
    assert sorted((x.respondent, x.choice) for x in e.answers["alpha.one"]) == [
        ("Ana", "a2"),
        ("Ben", "a3"),
    ]
    s = respondents_summary(e, pack)
    assert s.counts == {"Ana": 1, "Ben": 1}
    assert s.disagreements["alpha.one"] == [("Ben", "level 3 (a3)"), ("Ana", "level 2 (a2)")]
    unsure = Answer(status=AnswerStatus.dont_know, respondent="Cy")
    s = respondents_summary(set_answer(e, "alpha.one", unsure), pack)
    assert s.disagreements["alpha.one"][-1] == ("Cy", "don't know")


def test_missing_context(tmp_path: Path) -> None:
    pack = load_pack(gated_pack(tmp_path))
    assert [f.id for f in missing_context(pack, eng(client_name="X"))] == ["targets", "clouds"]


def test_automated_decisions_are_asked_only_when_models_decide_about_people() -> None:
    pack = load_pack("mlops")

    def asked(**context: Any) -> bool:
        return "automated_decisions" in [f.id for f in missing_context(pack, eng(**context))]

    assert not asked(decisions_about_people=False)  # implied: no such decisions
    assert asked(decisions_about_people=True)
    assert asked()  # not answered yet: it may still be asked
    assert not asked(decisions_about_people=True, automated_decisions="none")  # answered


def test_migrate_keeps_existing_answers_and_reports_changes(tmp_path: Path) -> None:
    head, questions = tiny_pack_data()
    head["version"] = "2.0"
    del questions["alpha"]["questions"][2]  # alpha.three removed
    questions["beta"]["questions"][0]["choices"][2]["id"] = "renamed"  # d2 gone
    questions["beta"]["questions"].append(
        {**questions["beta"]["questions"][1], "id": "beta.new", "text": "New?"}
    )
    new = load_pack(write_pack(tmp_path / "v2", head, questions))
    old = eng(
        {
            "alpha.one": [a("a1")],
            "alpha.three": [a("c2")],
            "beta.one": [a("d2")],
        },
        client_name="X",
        retired_field="y",
    )
    m = migrate(new, old)
    assert m.old_version == "1.0" and m.engagement.pack.version == "2.0"
    assert set(m.engagement.answers) == {"alpha.one"}
    assert m.removed == ["alpha.three", "beta.one"]
    assert "beta.new" in m.added and "alpha.one" not in m.added
    assert m.engagement.context == {"client_name": "X"}


def test_session_migrates_file_and_keeps_backup(tmp_path: Path) -> None:
    v1 = gated_pack(tmp_path, "1.0")
    v2 = gated_pack(tmp_path, "1.1")
    path = dump(
        tmp_path / "e.yaml",
        {"pack": {"id": "tiny", "version": "1.0"}, "answers": {"alpha.one": {"choice": "a2"}}},
    )
    assert open_session(path, v1).migration is None
    s = open_session(path, v2)
    assert s.migration is not None and s.migration.removed == []
    assert s.backup is not None and "version: '1.0'" in s.backup.read_text()
    assert "version: '1.1'" in path.read_text()
    assert s.engagement.answers["alpha.one"][0].choice == "a2"


def test_session_refuses_unsaveable_targets(tmp_path: Path) -> None:
    pack = gated_pack(tmp_path)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(AssessError, match="not writable"):
            open_session(locked / "e.yaml", pack)
    finally:
        locked.chmod(0o700)
    ro = dump(tmp_path / "ro.yaml", {"pack": {"id": "tiny", "version": "1.0"}})
    ro.chmod(0o400)
    with pytest.raises(AssessError, match="read-only"):
        open_session(ro, pack)
