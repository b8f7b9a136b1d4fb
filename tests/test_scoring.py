"""Scoring rules on a small synthetic pack, where every number can be worked out by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assess.engagement import load_engagement
from assess.model.pack import RespondentRule
from assess.model.result import Assessment
from assess.packs import load_pack
from assess.pipeline import assess
from tests.conftest import dump, tiny_pack_data, write_pack


def run(pack_dir: Path, tmp_path: Path, answers: dict[str, Any], **kw: Any) -> Assessment:
    pack = load_pack(pack_dir)
    eng = dump(
        tmp_path / "eng.yaml",
        {
            "pack": {"id": "tiny", "version": "1.0"},
            "context": kw.pop("context", {"client_name": "Acme"}),
            "answers": answers,
        },
    )
    return assess(pack, load_engagement(eng, pack), **kw)


def area(result: Assessment, area_id: str) -> Any:
    return next(a for a in result.areas if a.id == area_id)


def test_weighted_mean_coverage_and_na(tiny_pack: Path, tmp_path: Path) -> None:
    r = run(
        tiny_pack,
        tmp_path,
        {
            "alpha.one": {"choice": "a1"},  # level 1, weight 1
            "alpha.two": {"choice": "b3"},  # level 3, weight 3
            "alpha.three": {"status": "not_applicable", "reason": "no personal data"},
            "beta.one": {"choice": "d2"},
            "beta.two": {"status": "dont_know"},
        },
    )
    a = area(r, "alpha")
    assert a.level == 2.5  # (1*1 + 3*3) / 4
    assert a.coverage == 1.0  # N/A leaves the denominator
    assert (a.answered, a.not_applicable, a.dont_know) == (2, 1, 0)
    # the stage rule: 3 of the 4 weight units (75% >= 70%) are at level 3, so the stage is L3
    assert (a.stage_level, a.stage, a.share_at_stage, a.share_at_next) == (3, "L3", 0.75, 0.0)
    assert a.target == 3 and a.gap == 0.5
    b = area(r, "beta")
    assert b.level == 2.0  # don't know is not in the mean
    assert b.coverage == 0.5  # ... but it lowers coverage
    assert b.target == 2 and b.gap == 0.0  # beta's default target is 2
    # overall: (2 * 2.5 + 1 * 2.0) / 3 = 2.333 -> 2.3; the stage is the weakest area's (beta, L2)
    assert r.overall.level == 2.3
    assert r.overall.stage_level == 2
    assert r.overall.stage == "L2"
    assert r.overall.limiting_areas == ("beta",)
    assert r.overall.coverage == 0.75  # 3 answered of 4 applicable


def test_weakest_area_bounds_the_stage(tiny_pack: Path, tmp_path: Path) -> None:
    r = run(
        tiny_pack,
        tmp_path,
        {
            "alpha.one": {"choice": "a4"},
            "alpha.two": {"choice": "b4"},
            "beta.one": {"choice": "d1"},
        },
    )
    assert area(r, "alpha").level == 4.0
    assert r.overall.level == 3.0  # (2*4 + 1*1) / 3
    assert r.overall.stage_level == 1
    assert r.overall.limiting_areas == ("beta",)


def test_all_not_applicable_area_is_unscored(tiny_pack: Path, tmp_path: Path) -> None:
    r = run(
        tiny_pack,
        tmp_path,
        {
            "alpha.one": {"choice": "a2"},
            "beta.one": {"status": "not_applicable", "reason": "batch only"},
            "beta.two": {"status": "not_applicable", "reason": "batch only"},
        },
    )
    b = area(r, "beta")
    assert b.level is None and b.stage is None and b.gap is None
    assert b.coverage is None  # no applicable question at all
    assert b.not_applicable == 2
    assert r.overall.unscored_areas == ("beta",)
    assert r.overall.level == 2.0 and r.overall.stage == "L2"


def test_all_dont_know_scores_nothing(tiny_pack: Path, tmp_path: Path) -> None:
    answers = {q: {"status": "dont_know"} for q in ("alpha.one", "alpha.two", "alpha.three")}
    answers |= {q: {"status": "dont_know"} for q in ("beta.one", "beta.two")}
    r = run(tiny_pack, tmp_path, answers)
    assert all(a.level is None and a.coverage == 0.0 and a.dont_know > 0 for a in r.areas)
    assert r.overall.level is None and r.overall.stage is None
    assert r.overall.coverage == 0.0
    assert set(r.overall.unscored_areas) == {"alpha", "beta"}


def test_one_area_empty_counts_as_unanswered(tiny_pack: Path, tmp_path: Path) -> None:
    r = run(tiny_pack, tmp_path, {"beta.one": {"choice": "d3"}, "beta.two": {"choice": "e1"}})
    a = area(r, "alpha")
    assert a.level is None and a.unanswered == 3 and a.coverage == 0.0
    assert r.overall.level == 2.0 and r.overall.unscored_areas == ("alpha",)
    assert [q.status for q in r.questions if q.area == "alpha"] == ["unanswered"] * 3


def test_gaps_prioritised_with_plan_outcome_and_effort(tiny_pack: Path, tmp_path: Path) -> None:
    r = run(
        tiny_pack,
        tmp_path,
        {
            "alpha.one": {"choice": "a0"},
            "alpha.two": {"choice": "b2"},
            "alpha.three": {"choice": "c3"},
        },
    )
    # alpha.one: gap 3 x weight 1 x area 2 x high risk 1.5 = 9; alpha.two: 1 x 3 x 2 x 1 = 6
    assert [(g.question_id, g.priority) for g in r.gaps] == [("alpha.one", 9.0), ("alpha.two", 6.0)]
    one, two = r.gaps
    assert (one.plan, two.plan) == ("go 1", "go 3")  # the next step from the chosen choice
    assert one.outcome == "a level 3"  # the target level's choice says what "done" looks like
    assert (one.weeks, two.weeks) == (7, 4)  # medium steps: 1 + 2 + 4 weeks to level 3; 4 from 2
    assert one.owner == "ML lead"  # the area's default owner
    assert "alpha.three" not in {g.question_id for g in r.gaps}  # at target already


def test_targets_from_context_and_override(tiny_pack: Path, tmp_path: Path) -> None:
    answers = {"alpha.one": {"choice": "a2"}, "beta.one": {"choice": "d2"}}
    r = run(
        tiny_pack,
        tmp_path,
        answers,
        context={"client_name": "Acme", "targets": {"alpha": 4}},
        targets={"beta": 4},
    )
    assert area(r, "alpha").target == 4 and area(r, "alpha").gap == 2.0
    assert area(r, "beta").target == 4 and area(r, "beta").gap == 2.0


@pytest.mark.parametrize(
    ("rule", "level", "choice"),
    [("lowest", 1.0, "a1"), ("highest", 4.0, "a4"), ("mean", 2.5, None)],
)
def test_several_respondents_combine_by_pack_rule(
    tmp_path: Path, rule: str, level: float, choice: str | None
) -> None:
    head, questions = tiny_pack_data()
    head["scoring"] = {"respondents": rule}
    pack_dir = write_pack(tmp_path / "p", head, questions)
    assert load_pack(pack_dir).scoring.respondents is RespondentRule(rule)
    r = run(
        pack_dir,
        tmp_path,
        {
            "alpha.one": [
                {"choice": "a1", "respondent": "Ana", "note": "only one team"},
                {"choice": "a4", "respondent": "Ben"},
            ]
        },
    )
    q = next(q for q in r.questions if q.id == "alpha.one")
    assert q.level == level
    assert q.choice == choice
    assert [x.respondent for x in q.answers] == ["Ana", "Ben"]
    assert q.answers[0].note == "only one team"


def test_result_records_pack_and_engagement_hash(tiny_pack: Path, tmp_path: Path) -> None:
    import hashlib

    r = run(tiny_pack, tmp_path, {"alpha.one": {"choice": "a2"}})
    assert (r.source.pack_id, r.source.pack_version) == ("tiny", "1.0")
    digest = hashlib.sha256((tmp_path / "eng.yaml").read_bytes()).hexdigest()
    assert r.source.engagement_sha256 == digest
    assert Assessment.model_validate_json(r.model_dump_json()) == r  # JSON round-trips


def six_question_pack(tmp_path: Path, weights: list[float] | None = None) -> Path:
    """The tiny pack with six questions in 'alpha' (weights as given, default 1 each)."""
    head, questions = tiny_pack_data()
    from tests.conftest import _choices

    questions["alpha"]["questions"] = [
        {"id": f"alpha.q{i}", "text": f"Q{i}?", "choices": _choices(f"q{i}_"), "weight": w}
        for i, w in enumerate(weights or [1.0] * 6)
    ]
    return write_pack(tmp_path / "six", head, questions)


def test_five_ad_hoc_and_one_absent_is_ad_hoc_not_absent(tmp_path: Path) -> None:
    levels = [1, 1, 1, 1, 1, 0]
    answers = {f"alpha.q{i}": {"choice": f"q{i}_{lv}"} for i, lv in enumerate(levels)}
    answers["beta.one"] = {"choice": "d3"}
    r = run(six_question_pack(tmp_path), tmp_path, answers)
    a = area(r, "alpha")
    assert a.level == 0.8  # the mean, shown beside the stage
    assert (a.stage_level, a.stage) == (1, "L1")  # not L0: 5 of 6 (83%) reached level 1
    assert a.share_at_stage == 0.833 and a.share_at_next == 0.0
    # the overall stage is the weakest area's stage, not the floor of its mean
    assert (r.overall.stage_level, r.overall.stage, r.overall.limiting_areas) == (
        1,
        "L1",
        ("alpha",),
    )
    assert r.source.stage_share == 0.7


@pytest.mark.parametrize(
    ("levels", "weights", "stage"),
    [
        ([1, 1, 1, 1, 0, 0], None, 0),  # 4 of 6 = 67%: level 1 not largely achieved
        ([4, 4, 4, 4, 4, 0], None, 4),  # 83% at 4: Optimised, the mean (3.3) shows the hole
        ([2, 2, 1, 1, 1, 1], None, 1),
        ([1, 1, 1, 1, 1, 0], [1, 1, 1, 1, 1, 2.0], 1),  # 5 of 7 weight units = 71%
        ([1, 1, 1, 1, 1, 0], [1, 1, 1, 1, 1, 3.0], 0),  # 5 of 8 = 62%
    ],
)
def test_stage_rule_cases(
    tmp_path: Path, levels: list[int], weights: list[float] | None, stage: int
) -> None:
    answers = {f"alpha.q{i}": {"choice": f"q{i}_{lv}"} for i, lv in enumerate(levels)}
    a = area(run(six_question_pack(tmp_path, weights), tmp_path, answers), "alpha")
    assert a.stage_level == stage


def test_stage_share_is_pack_data(tmp_path: Path) -> None:
    head, questions = tiny_pack_data()
    head["scoring"] = {"stage_share": 1.0}  # every answered question must reach the level
    pack = write_pack(tmp_path / "strict", head, questions)
    r = run(pack, tmp_path, {"alpha.one": {"choice": "a1"}, "alpha.two": {"choice": "b3"}})
    a = area(r, "alpha")
    assert (a.stage_level, a.level) == (1, 2.5)
    assert r.source.stage_share == 1.0


def test_bundled_pack_five_ad_hoc_one_absent_reads_ad_hoc() -> None:
    """With the bundled pack's own weights, any six answered questions of an area with five at
    level 1 and one at 0 (the heaviest one, the worst case) read stage 1, Ad hoc."""
    from assess.resources import packs_dir
    from assess.scoring import stage_of

    pack = load_pack(packs_dir() / "mlops")
    assert pack.level_name(1) == "Ad hoc"
    for a in pack.areas:
        weights = sorted(q.weight for q in pack.questions_of(a.id))
        if len(weights) < 6:
            continue
        rows = [(weights[-1], 0.0)] + [(w, 1.0) for w in weights[:5]]
        assert stage_of(rows, pack.scoring.stage_share)[0] == 1, a.id
