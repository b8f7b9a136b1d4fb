"""Gap priority and roadmap rules: dependencies, phases, effort; on the tiny pack and on the
bundled pack with many random engagements."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from assess.engagement import load_engagement
from assess.errors import PackError
from assess.model import Assessment, Pack
from assess.packs import load_pack
from assess.scoring import assess
from tests.conftest import dump, tiny_pack_data, write_pack


def tiny_with(tmp_path: Path, **edits: dict[str, Any]) -> Path:
    """The tiny pack with fields added to some questions (by id)."""
    head, questions = tiny_pack_data()
    for qfile in questions.values():
        for q in qfile["questions"]:
            q.update(edits.get(q["id"], {}))
    return write_pack(tmp_path / "pack", head, questions)


def score(pack: Pack, tmp_path: Path, answers: dict[str, Any], **context: Any) -> Assessment:
    eng = dump(
        tmp_path / "eng.yaml",
        {
            "pack": {"id": pack.id, "version": pack.version},
            "context": {"client_name": "Acme", **context},
            "answers": answers,
        },
    )
    return assess(pack, load_engagement(eng, pack))


def test_a_prerequisite_takes_the_priority_of_what_it_unlocks_and_comes_first(
    tmp_path: Path,
) -> None:
    pack = load_pack(
        tiny_with(tmp_path, **{"alpha.two": {"depends_on": ["beta.one"], "effort": "large"}})
    )
    r = score(pack, tmp_path, {"alpha.two": {"choice": "b0"}, "beta.one": {"choice": "d1"}})
    g = {x.question_id: x for x in r.gaps}
    # alpha.two: 3 x 3 x 2 = 18; beta.one alone: (2-1) x 1 x 1 = 1, raised to 18
    assert g["alpha.two"].priority == 18.0 and g["beta.one"].priority == 18.0
    assert g["alpha.two"].depends_on == ("beta.one",)
    assert g["beta.one"].order < g["alpha.two"].order
    phases = [p.id for p in pack.roadmap.phases]
    assert phases.index(g["beta.one"].phase) < phases.index(g["alpha.two"].phase)
    assert g["alpha.two"].weeks == 36  # large (12 weeks) x 3 levels
    assert [p.items for p in r.roadmap if p.items] == [("beta.one",), ("alpha.two",)]


def test_a_prerequisite_already_at_target_does_not_hold_anything_back(tmp_path: Path) -> None:
    pack = load_pack(tiny_with(tmp_path, **{"alpha.two": {"depends_on": ["beta.one"]}}))
    r = score(pack, tmp_path, {"alpha.two": {"choice": "b0"}, "beta.one": {"choice": "d2"}})
    (gap,) = r.gaps
    assert gap.question_id == "alpha.two" and gap.depends_on == ()
    assert gap.phase == "first_90_days" and gap.order == 1


def test_business_goal_sets_default_targets_and_engagement_and_cli_override(
    tmp_path: Path,
) -> None:
    head, questions = tiny_pack_data()
    head["context"].append(
        {
            "id": "business_goal",
            "prompt": "Goal",
            "label": "Business goal",
            "type": "choice",
            "options": [
                {"id": "audit", "label": "Pass audits", "targets": {"alpha": 4, "beta": 3}}
            ],
        }
    )
    pack = load_pack(write_pack(tmp_path / "pack", head, questions))
    answers = {"alpha.one": {"choice": "a1"}, "beta.one": {"choice": "d1"}}
    r = score(pack, tmp_path, answers, business_goal="audit", targets={"beta": 1})
    by = {a.id: a for a in r.areas}
    assert (by["alpha"].target, by["alpha"].target_source) == (4, "business goal: Pass audits")
    assert (by["beta"].target, by["beta"].target_source) == (1, "engagement")
    eng = load_engagement(tmp_path / "eng.yaml", pack)
    r2 = assess(pack, eng, targets={"alpha": 2})
    a2 = next(a for a in r2.areas if a.id == "alpha")
    assert (a2.target, a2.target_source) == (2, "command line")


@pytest.mark.parametrize("bad", ["cycle", "self", "unknown"])
def test_pack_dependency_errors_name_the_question(tmp_path: Path, bad: str) -> None:
    edits = {
        "cycle": {
            "alpha.one": {"depends_on": ["beta.one"]},
            "beta.one": {"depends_on": ["alpha.one"]},
        },
        "self": {"alpha.one": {"depends_on": ["alpha.one"]}},
        "unknown": {"alpha.one": {"depends_on": ["alpha.tw"]}},
    }[bad]
    with pytest.raises(PackError) as err:
        load_pack(tiny_with(tmp_path, **edits))
    msg = str(err.value)
    assert "alpha.one" in msg and "depends_on" in msg
    if bad == "cycle":
        assert "cycle" in msg
    if bad == "unknown":
        assert "did you mean 'alpha.two'" in msg


@pytest.fixture(scope="module")
def mlops() -> Pack:
    return load_pack("mlops")


def test_dependency_order_holds_in_every_roadmap(mlops: Pack, tmp_path: Path) -> None:
    """Random engagements on the bundled pack: every gap with a prerequisite gap comes after it,
    never in an earlier phase, and the roadmap lists every gap exactly once."""
    rng = random.Random(5)
    phases = [p.id for p in mlops.roadmap.phases]
    checked = 0
    for i in range(40):
        answers = {
            q.id: {"choice": rng.choice(q.choices).id}
            for q in mlops.questions
            if rng.random() < 0.9 and q.when is None
        }
        targets = {a.id: rng.randint(2, 4) for a in mlops.areas}
        r = score(mlops, tmp_path, answers, targets=targets)
        by = {g.question_id: g for g in r.gaps}
        assert sorted(g.order for g in r.gaps) == list(range(1, len(r.gaps) + 1)), i
        assert sorted(q for p in r.roadmap for q in p.items) == sorted(by), i
        for g in r.gaps:
            q = mlops.question(g.question_id)
            assert q is not None
            for dep in q.depends_on:
                if dep in by:
                    assert dep in g.depends_on
                    assert by[dep].order < g.order, (i, dep, g.question_id)
                    assert phases.index(by[dep].phase) <= phases.index(g.phase)
                    assert by[dep].priority >= g.priority
                    checked += 1
    assert checked > 50  # the bundled pack's dependencies were really exercised


def test_bundled_pack_dependencies_follow_the_brief(mlops: Pack) -> None:
    """Versioning before automated deployment, validation before automated promotion,
    monitoring before automated retraining (transitively)."""

    def needs(qid: str) -> set[str]:
        q = mlops.question(qid)
        assert q is not None
        out = set(q.depends_on)
        for d in q.depends_on:
            out |= needs(d)
        return out

    assert "versioning.model_registry" in needs("training.release")
    assert "validation.promotion_gate" in needs("training.release")
    assert "monitoring.drift" in needs("training.retraining_trigger")


def test_a_repo_threshold_needs_a_rule_that_can_show_it(bundled_pack_copy: Path) -> None:
    import yaml

    path = bundled_pack_copy / "questions" / "monitoring.yaml"
    data = yaml.safe_load(path.read_text())
    data["questions"][0]["expected_in_repo_from"] = 1  # its only rule shows level 3
    qid = data["questions"][0]["id"]
    dump(path, data)
    with pytest.raises(PackError) as err:
        load_pack(bundled_pack_copy)
    assert f"{qid}.expected_in_repo_from" in str(err.value)
    assert "monitoring.yaml" in str(err.value)
