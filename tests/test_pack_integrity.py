"""Integrity of every pack shipped in questionnaires/ (Prowler-style data tests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assess.model import ContextType, Pack
from assess.packs import available_packs, load_pack

PACKS = available_packs()


@pytest.fixture(params=PACKS, scope="module")
def pack(request: pytest.FixtureRequest) -> Pack:
    return load_pack(request.param)


def test_default_pack_is_bundled() -> None:
    assert "mlops" in PACKS


def test_every_area_has_enough_questions(pack: Pack) -> None:
    for area in pack.areas:
        assert len(pack.questions_of(area.id)) >= 6, area.id


def test_question_ids_unique_and_prefixed(pack: Pack) -> None:
    ids = [q.id for q in pack.questions]
    assert len(ids) == len(set(ids))
    area_ids = {a.id for a in pack.areas}
    assert {q.area for q in pack.questions} == area_ids


def test_choices_form_a_ladder_with_plans(pack: Pack) -> None:
    for q in pack.questions:
        levels = [c.level for c in q.choices]
        assert levels[0] == 0, q.id  # every question can record "not done at all"
        assert levels == sorted(set(levels)), q.id
        plans = [c.plan.strip() for c in q.choices]
        assert len(set(plans)) == len(plans), f"{q.id}: a plan repeats"
        for c in q.choices:
            assert c.plan.strip() != c.text.strip(), f"{q.id}.{c.id}: plan repeats the choice"


def test_questions_carry_guidance(pack: Pack) -> None:
    for q in pack.questions:
        assert q.text.rstrip().endswith("?"), q.id
        assert q.help.strip(), f"{q.id}: no help text"
        assert q.evidence, f"{q.id}: no evidence listed"
        if q.not_applicable is not None:
            assert q.not_applicable.strip(), q.id


def test_default_pack_context_and_areas_cover_the_brief() -> None:
    pack = load_pack("mlops")
    fields = {f.id: f for f in pack.context}
    expected = {
        "client_name": ContextType.text,
        "industry": ContextType.choice,
        "team_size": ContextType.choice,
        "targets": ContextType.targets,
        "clouds": ContextType.multi,
        "tools": ContextType.multi,
        "expertise": ContextType.choice,
        "jurisdictions": ContextType.multi,
        "decisions_about_people": ContextType.boolean,
    }
    for fid, ftype in expected.items():
        assert fid in fields and fields[fid].type is ftype, fid
    assert fields["client_name"].required
    assert {o.id for o in fields["clouds"].options} >= {"aws", "azure", "gcp", "on_prem"}
    assert {o.id for o in fields["jurisdictions"].options} >= {"eu", "california", "other"}
    assert [a.id for a in pack.areas] == [
        "data",
        "versioning",
        "training",
        "validation",
        "cicd",
        "monitoring",
        "compliance",
    ]


def test_pack_files_have_no_stray_files(pack: Pack) -> None:
    folder = Path(pack.source)
    for path in folder.rglob("*"):
        if path.is_file():
            assert path.suffix in {".yaml", ".md"}, path
