"""Gap priority and roadmap rules: dependencies, phases, effort; on the tiny pack and on the
bundled pack with many random engagements."""

from __future__ import annotations

import itertools
import random
from pathlib import Path
from typing import Any

import pytest

from assess.engagement import load_engagement
from assess.errors import PackError
from assess.evidence import load_evidence
from assess.model.pack import Pack
from assess.model.result import Assessment, Capacity
from assess.packs import load_pack
from assess.pipeline import assess
from tests.conftest import ROOT, SAMPLE, dump, tiny_pack_data, write_pack
from tests.scenarios import SCENARIOS, score_scenario


def tiny_with(tmp_path: Path, **edits: dict[str, Any]) -> Path:
    """The tiny pack with fields added to some questions (by id)."""
    head, questions = tiny_pack_data()
    for qfile in questions.values():
        for q in qfile["questions"]:
            q.update(edits.get(q["id"], {}))
    return write_pack(tmp_path / "pack", head, questions)


def score(
    pack: Pack,
    tmp_path: Path,
    answers: dict[str, Any],
    capacity: float | None = None,
    **context: Any,
) -> Assessment:
    data: dict[str, Any] = {
        "pack": {"id": pack.id, "version": pack.version},
        "context": {"client_name": "Acme", **context},
        "answers": answers,
    }
    if capacity is not None:
        data["capacity_weeks_per_quarter"] = capacity
    eng = dump(tmp_path / "eng.yaml", data)
    return assess(pack, load_engagement(eng, pack))


def test_each_step_is_an_item_with_its_own_effort_action_and_outcome(tmp_path: Path) -> None:
    pack = load_pack(
        tiny_with(tmp_path, **{"alpha.two": {"depends_on": ["beta.one"], "effort": "large"}})
    )
    r = score(pack, tmp_path, {"alpha.two": {"choice": "b0"}, "beta.one": {"choice": "d1"}})
    g = {x.question_id: x for x in r.gaps}
    # the gap: alpha.two 3 x 3 x 2 = 18; beta.one alone (2-1) x 1 x 1 = 1, raised to 18
    assert g["alpha.two"].priority == 18.0 and g["beta.one"].priority == 18.0
    assert g["alpha.two"].depends_on == ("beta.one",)
    # one item per level step, each with the pack's effort for that step (large: 2, 4, 8)
    assert g["alpha.two"].steps == ("alpha.two:1", "alpha.two:2", "alpha.two:3")
    items = {i.id: i for i in r.roadmap_items}
    steps = [items[i] for i in g["alpha.two"].steps]
    assert [(i.from_level, i.to_level, i.weeks) for i in steps] == [(0, 1, 2), (1, 2, 4), (2, 3, 8)]
    assert g["alpha.two"].weeks == 14  # the sum, not large x 3 levels
    assert [i.action for i in steps] == ["go 1", "go 2", "go 3"]  # the plan of the step's start
    assert [i.done_when for i in steps] == ["b level 1", "b level 2", "b level 3"]
    assert g["alpha.two"].outcome == "b level 3"
    # a later step of the practice depends on the earlier one; reaching level 2 needs beta.one
    # at level 2, so its step comes first; level 1 needs nothing of beta.one (already 1)
    assert steps[0].depends_on == ()
    assert steps[1].depends_on == ("alpha.two:1", "beta.one:2")
    assert steps[2].depends_on == ("alpha.two:2",)
    # beta.one's step takes the priority of what needs it: 12 = 3 x 2 x (3 - 1)
    assert items["beta.one:2"].priority == steps[1].priority == 12.0
    # packed: 2 + 2 + 4 weeks fit the first 13 weeks; the 8-week step would end past week 13
    assert [(p.id, p.items) for p in r.roadmap] == [
        ("first_90_days", ("alpha.two:1", "beta.one:2", "alpha.two:2")),
        ("months_3_6", ("alpha.two:3",)),
        ("months_6_12", ()),
    ]
    assert (steps[1].start_week, steps[1].end_week) == (2.0, 6.0)
    assert (steps[2].start_week, steps[2].end_week) == (13.0, 21.0)
    assert [i.order for i in r.roadmap_items] == [1, 2, 3, 4] and r.later == ()
    assert (g["alpha.two"].phase, g["alpha.two"].order) == ("first_90_days", 1)
    assert r.capacity is not None and r.capacity.weeks_per_quarter == 13  # the pack default
    assert [p.planned_weeks for p in r.roadmap] == [8, 8, 0]
    assert [p.capacity_weeks for p in r.roadmap] == [13, 13, 26]


def test_a_prerequisite_already_at_target_does_not_hold_anything_back(tmp_path: Path) -> None:
    pack = load_pack(tiny_with(tmp_path, **{"alpha.two": {"depends_on": ["beta.one"]}}))
    r = score(pack, tmp_path, {"alpha.two": {"choice": "b0"}, "beta.one": {"choice": "d2"}})
    (gap,) = r.gaps
    assert gap.question_id == "alpha.two" and gap.depends_on == ()
    assert gap.phase == "first_90_days" and gap.order == 1
    assert all(d.startswith("alpha.two:") for i in r.roadmap_items for d in i.depends_on)


def test_capacity_bounds_every_phase_and_the_rest_waits_for_later(tmp_path: Path) -> None:
    """Two weeks a quarter: the first phase holds 2 person-weeks, the last (6 months) 4; what
    does not fit, and what waits for it, is later, in order, and never on the timeline."""
    pack = load_pack(tiny_with(tmp_path, **{"alpha.two": {"effort": "large"}}))
    answers = {"alpha.one": {"choice": "a0"}, "alpha.two": {"choice": "b0"}}
    r = score(pack, tmp_path, answers, capacity=2)
    assert r.capacity is not None and r.capacity.source.startswith("set in the engagement")
    assert [p.capacity_weeks for p in r.roadmap] == [2, 2, 4]
    for p in r.roadmap:
        assert sum(i.weeks for i in r.roadmap_items if i.phase == p.id) == p.planned_weeks
        assert p.planned_weeks <= p.capacity_weeks
    items = {i.id: i for i in r.roadmap_items}
    # alpha.two (3 x 2 x 3 levels = 18; large: 2, 4, 8 weeks) first; alpha.one (high risk:
    # 1 x 2 x 1.5 x 3 = 9; medium: 1, 2, 4 weeks) fills what is left
    assert [p.items for p in r.roadmap] == [("alpha.two:1",), ("alpha.one:1",), ("alpha.two:2",)]
    assert r.later == ("alpha.one:2", "alpha.two:3", "alpha.one:3")  # 6, 6 (a lower start first), 3
    assert items["alpha.two:3"].start_week is None and items["alpha.two:3"].phase == "later"
    later_orders = [items[i].order for i in r.later]
    assert later_orders == sorted(later_orders) and min(later_orders) > max(
        items[i].order for p in r.roadmap for i in p.items
    )
    # a step whose prerequisite is later is later too
    for i in r.later:
        assert all(
            items[d].phase != "later" or items[d].order < items[i].order
            for d in items[i].depends_on
        )


def test_a_step_longer_than_a_phase_waits_for_a_phase_that_holds_it(tmp_path: Path) -> None:
    head, questions = tiny_pack_data()
    head["roadmap"] = {
        "step_weeks": {"small": [1, 1, 1, 1], "medium": [1, 1, 1, 1], "large": [20, 1, 1, 1]}
    }
    for q in questions["alpha"]["questions"]:
        if q["id"] == "alpha.two":
            q["effort"] = "large"
    pack = load_pack(write_pack(tmp_path / "pack", head, questions))
    r = score(pack, tmp_path, {"alpha.two": {"choice": "b0"}}, capacity=100)
    items = {i.id: i for i in r.roadmap_items}
    first = items["alpha.two:1"]  # 20 weeks: longer than each 13-week phase, fits the 26-week one
    assert (first.phase, first.start_week, first.end_week) == ("months_6_12", 26.0, 46.0)
    assert items["alpha.two:2"].phase == "months_6_12" and items["alpha.two:2"].start_week == 46.0
    weeks = {p.id: (p.end_month - p.start_month) * 52 / 12 for p in r.roadmap}
    for i in r.roadmap_items:
        assert i.phase == "later" or i.weeks <= weeks[i.phase]


def test_dont_know_becomes_an_owned_item_to_establish_the_practice_first(tmp_path: Path) -> None:
    pack = load_pack(
        tiny_with(
            tmp_path,
            **{"alpha.two": {"depends_on": ["beta.one"]}, "beta.one": {"owner": "Data lead"}},
        )
    )
    r = score(pack, tmp_path, {"alpha.two": {"choice": "b0"}, "beta.one": {"status": "dont_know"}})
    first = r.roadmap_items[0]
    assert (first.id, first.kind, first.owner, first.order) == (
        "beta.one:establish",
        "establish",
        "Data lead",
        1,
    )
    assert first.action.startswith("Establish the current practice") and '"B one?"' in first.action
    assert (first.from_level, first.to_level, first.weeks) == (None, None, 1)
    assert [g.question_id for g in r.gaps] == ["alpha.two"]  # not a gap: its level is unknown
    # the practice that depends on it waits for it
    assert (
        "beta.one:establish" in next(i for i in r.roadmap_items if i.id == "alpha.two:1").depends_on
    )


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


def check_roadmap(pack: Pack, r: Assessment) -> int:
    """Every rule a roadmap keeps; returns how many cross-practice prerequisites it checked."""
    items = {i.id: i for i in r.roadmap_items}
    assert len(items) == len(r.roadmap_items)
    assert [i.order for i in r.roadmap_items] == list(range(1, len(items) + 1))
    placed = [i for p in r.roadmap for i in p.items]
    assert sorted([*placed, *r.later]) == sorted(items)
    assert list(r.later) == [i.id for i in r.roadmap_items if i.phase == "later"]
    index = {p.id: k for k, p in enumerate(r.roadmap)}
    for p in r.roadmap:  # no phase holds more than the capacity, or a step longer than it
        mine = [items[i] for i in p.items]
        assert sum(i.weeks for i in mine) == p.planned_weeks <= p.capacity_weeks + 1e-9, p.id
        lo, hi = p.start_month * 52 / 12, p.end_month * 52 / 12
        for i in mine:
            assert i.start_week is not None and i.end_week is not None
            assert lo - 1e-9 <= i.start_week and i.end_week <= hi + 1e-6, (i.id, p.id)
    for i in r.roadmap_items:  # no step precedes a prerequisite
        for d in i.depends_on:
            dep = items[d]
            assert dep.order < i.order, (d, i.id)
            if i.phase != "later":
                assert dep.phase != "later", (d, i.id)
                assert index[dep.phase] <= index[i.phase]
                assert (dep.end_week or 0) <= (i.start_week or 0) + 1e-9, (d, i.id)
            assert dep.priority >= i.priority
    checked = 0
    levels = {q.id: q for q in r.questions}
    target = {a.id: a.target for a in r.areas}
    for g in r.gaps:
        steps = [items[s] for s in g.steps]
        assert steps[-1].to_level is not None and steps[-1].to_level >= g.target
        for a, b in itertools.pairwise(steps):
            assert a.id in b.depends_on and a.to_level == b.from_level
        q = pack.question(g.question_id)
        assert q is not None
        for step in steps:
            for dep in q.depends_on:
                prereq = levels[dep]
                if prereq.status == "dont_know":
                    assert items[f"{dep}:establish"].order < step.order
                    continue
                assert step.to_level is not None
                need = min(step.to_level, target[prereq.area])
                if prereq.level is None or prereq.level >= need:
                    continue
                reach = [
                    items[s].order
                    for s in next(x.steps for x in r.gaps if x.question_id == dep)
                    if (items[s].to_level or 0) >= need
                ]
                assert reach and min(reach) < step.order, (dep, step.id)
                checked += 1
    return checked


def test_every_roadmap_keeps_prerequisites_and_capacity(mlops: Pack, tmp_path: Path) -> None:
    """Random engagements on the bundled pack, at random capacities: no step before a
    prerequisite, no phase over capacity, no step in a phase shorter than it."""
    rng = random.Random(5)
    checked = 0
    for _ in range(30):
        answers: dict[str, Any] = {
            q.id: {"choice": rng.choice(q.choices).id}
            for q in mlops.questions
            if rng.random() < 0.9 and q.when is None
        }
        for qid in rng.sample(sorted(answers), 3):
            answers[qid] = {"status": "dont_know"}
        targets = {a.id: rng.randint(2, 4) for a in mlops.areas}
        capacity = rng.choice([None, 3, 12.5, 40, 400])
        r = score(mlops, tmp_path, answers, capacity=capacity, targets=targets)
        checked += check_roadmap(mlops, r)
    assert checked > 200  # the bundled pack's dependencies were really exercised


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_each_scenario_roadmap_keeps_prerequisites_and_capacity(
    mlops: Pack, tmp_path: Path, name: str
) -> None:
    r = score_scenario(mlops, name, tmp_path)
    assert check_roadmap(mlops, r) > 0
    assert r.roadmap_items and all(p.items for p in r.roadmap)
    assert r.capacity is not None and r.capacity.source.startswith("the pack's default for ML")


def test_the_sample_roadmap_fits_lakesides_team(mlops: Pack) -> None:
    r = assess(
        mlops,
        load_engagement(SAMPLE, mlops),
        evidence=load_evidence(ROOT / "samples" / "evidence.json", mlops),
    )
    assert check_roadmap(mlops, r) > 0
    assert r.capacity == Capacity(
        weeks_per_quarter=20, source="the pack's default for ML team size: 6-20 people"
    )
    assert [p.capacity_weeks for p in r.roadmap] == [20, 20, 40]
    total = sum(i.weeks for i in r.roadmap_items)
    assert sum(p.planned_weeks for p in r.roadmap) <= 80 < total  # a year cannot hold it all
    assert r.later
    # "don't know" answers become establish items, planned first (the 2.0.0 sample has none)
    dont_know = [q.id for q in r.questions if q.status == "dont_know"]
    assert ("establish" in {i.kind for i in r.roadmap_items}) == bool(dont_know)
    first_phase = r.roadmap[0].id
    assert all(i.phase == first_phase for i in r.roadmap_items if i.kind == "establish")


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
    # issue 16: a CI job before the checks it runs; tracked runs before registering models
    assert "cicd.pipeline_as_code" in needs("cicd.ci_checks")
    assert "versioning.experiment_tracking" in needs("versioning.model_registry")


def test_the_orders_a_consultant_expects_for_a_team_starting_from_nothing(
    mlops: Pack, tmp_path: Path
) -> None:
    """The AWS team with no ML tooling: "set up a CI job" before "add a linter as a CI step",
    experiment tracking before the registry work that needs it."""
    r = score_scenario(mlops, "aws_open_source", tmp_path)
    items = {i.id: i for i in r.roadmap_items}
    ci_job, linter = items["cicd.pipeline_as_code:1"], items["cicd.ci_checks:1"]
    assert ci_job.action.startswith("Set up a CI job") and linter.action.startswith("Add a linter")
    assert ci_job.id in linter.depends_on and ci_job.order < linter.order
    for level in (1, 2, 3):
        registry = items[f"versioning.model_registry:{level}"]
        tracking = items[f"versioning.experiment_tracking:{level}"]
        assert tracking.id in registry.depends_on and tracking.order < registry.order


def test_roadmap_prerequisites_and_capacity_in_the_pack_are_checked(
    bundled_pack_copy: Path,
) -> None:
    import yaml

    path = bundled_pack_copy / "pack.yaml"
    data = yaml.safe_load(path.read_text())
    for edit, field, message in [
        (
            {"depends_on": {"cicd.ci_checks": ["cicd.pipeline_as_cod"]}},
            "roadmap.depends_on.cicd.ci_checks",
            "did you mean 'cicd.pipeline_as_code'",
        ),
        (
            {
                "depends_on": {
                    **data["roadmap"]["depends_on"],
                    "cicd.pipeline_as_code": ["cicd.ci_checks"],
                }
            },
            "depends_on",
            "dependency cycle",
        ),
        (
            {"capacity": {"context_field": "team_size", "by_option": {"xs": 6}}},
            "roadmap.capacity.by_option",
            "no capacity for 'team_size' option 's'",
        ),
        (
            {"capacity": {"context_field": "clouds", "by_option": {}}},
            "roadmap.capacity.context_field",
            "'clouds' is not a choice field",
        ),
        ({"capacity": {"weeks_per_quarter": 0}}, "roadmap.capacity.weeks_per_quarter", "0"),
        ({"step_weeks": {"small": [1, 1, 1]}}, "roadmap.step_weeks", "small"),
    ]:
        broken = {**data, "roadmap": {**data["roadmap"], **edit}}
        dump(path, broken)
        with pytest.raises(PackError) as err:
            load_pack(bundled_pack_copy)
        assert field in str(err.value) and message in str(err.value), (edit, str(err.value))


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
