"""Compliance controls: catalog integrity, applicability from the context, levels and the
per-framework summary, on the bundled pack."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from assess.engagement import load_engagement
from assess.errors import PackError
from assess.model.pack import Pack
from assess.model.result import Compliance, ControlStatus
from assess.packs import load_pack
from assess.pipeline import assess
from tests.conftest import dump


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack("mlops")


def compliance(
    pack: Pack, tmp_path: Path, context: dict[str, Any], answers: dict[str, Any] | None = None
) -> Compliance:
    eng = dump(
        tmp_path / "eng.yaml",
        {
            "pack": {"id": pack.id, "version": pack.version},
            "context": {"client_name": "Acme", **context},
            "answers": answers or {},
        },
    )
    result = assess(pack, load_engagement(eng, pack))
    assert result.compliance is not None
    return result.compliance


def control(c: Compliance, cid: str) -> ControlStatus:
    return next(s for s in c.controls if s.id == cid)


# --------------------------------------------------------------------------- integrity


def test_controls_are_cl01_to_cl17_each_with_questions_and_references(pack: Pack) -> None:
    assert [c.id for c in pack.controls] == [f"CL-{i:02d}" for i in range(1, 18)]
    referenced = {cid for fw in pack.frameworks for cid in fw.references}
    for c in pack.controls:
        assert c.questions, c.id  # every control can be assessed in the interview
        assert all(pack.question(q) for q in c.questions), c.id
        assert c.id in referenced, c.id  # and has a legal basis somewhere
        assert [x.level for x in c.ladder] == [0, 1, 2, 3, 4]
    rule_ids = {r.id for r in pack.rules}
    assert {r for c in pack.controls for r in c.rules} <= rule_ids
    assert {fw.id for fw in pack.frameworks} == {"gdpr", "ccpa", "eu_ai_act"}
    for fw in pack.frameworks:
        assert fw.dates, fw.id  # application dates are data


def test_domain_references_are_mapped(pack: Pack) -> None:
    """Spot checks against the legal basis table the product was specified with."""
    refs = {
        (fw.id, cid): " ".join(r.ref for r in items)
        for fw in pack.frameworks
        for cid, items in fw.references.items()
    }
    assert "17" in refs[("gdpr", "CL-05")] and "1798.105" in refs[("ccpa", "CL-05")]
    assert "22" in refs[("gdpr", "CL-08")] and "86" in refs[("eu_ai_act", "CL-08")]
    assert "35" in refs[("gdpr", "CL-07")] and "27" in refs[("eu_ai_act", "CL-07")]
    assert "72" in refs[("eu_ai_act", "CL-16")]
    assert ("gdpr", "CL-10") in refs and ("ccpa", "CL-10") in refs


# --------------------------------------------------------------------------- applicability


def test_no_eu_exposure_means_no_gdpr_or_ai_act_control(pack: Pack, tmp_path: Path) -> None:
    c = compliance(
        pack,
        tmp_path,
        {
            "jurisdictions": ["california"],
            "decisions_about_people": True,
            "ai_act_role": "provider",
        },
    )
    fws = {f.id: f for f in c.frameworks}
    assert not fws["gdpr"].applicability.applicable and fws["gdpr"].controls == 0
    assert not fws["eu_ai_act"].applicability.applicable
    assert fws["ccpa"].applicability.applicable and fws["ccpa"].controls > 0
    for s in c.controls:
        out = [r for r in s.references if r.framework in ("gdpr", "eu_ai_act")]
        assert not any(r.binding or r.in_scope for r in out), s.id  # shown, never binding
        if s.applicability.applicable:
            assert "CCPA" in s.applicability.reason or "CPRA" in s.applicability.reason


def test_nothing_in_scope_makes_every_control_not_applicable_with_a_reason(
    pack: Pack, tmp_path: Path
) -> None:
    c = compliance(pack, tmp_path, {"jurisdictions": ["other"], "decisions_about_people": False})
    assert not any(s.applicability.applicable for s in c.controls)
    for s in c.controls:
        assert s.applicability.reason, s.id


def test_automated_decision_controls_need_decisions_about_people_or_high_risk(
    pack: Pack, tmp_path: Path
) -> None:
    ctx = {"jurisdictions": ["eu"], "decisions_about_people": False, "ai_act_role": "not_high_risk"}
    c = compliance(pack, tmp_path, ctx)
    for cid in ("CL-08", "CL-09"):
        s = control(c, cid)
        assert not s.applicability.applicable, cid
        assert s.applicability.reason
    assert control(c, "CL-01").applicability.applicable  # GDPR still applies to the data
    c2 = compliance(pack, tmp_path, {**ctx, "decisions_about_people": True})
    assert control(c2, "CL-08").applicability.applicable


def test_ai_act_provider_articles_bind_providers_only(pack: Pack, tmp_path: Path) -> None:
    base = {"jurisdictions": ["eu"], "decisions_about_people": True}
    provider = compliance(pack, tmp_path, {**base, "ai_act_role": "provider"})
    other = compliance(pack, tmp_path, {**base, "ai_act_role": "not_high_risk"})

    def ai_refs(c: Compliance, cid: str) -> dict[str, bool]:
        return {r.ref: r.binding for r in control(c, cid).references if r.framework == "eu_ai_act"}

    # CL-07 risk management: AI Act Art. 9 binds a provider of a high-risk system, not others
    art9 = next(ref for ref in ai_refs(provider, "CL-07") if "9" in ref)
    assert ai_refs(provider, "CL-07")[art9] is True
    assert ai_refs(other, "CL-07")[art9] is False  # shown as good practice
    fw = {f.id: f for f in provider.frameworks}
    fw_other = {f.id: f for f in other.frameworks}
    assert fw["eu_ai_act"].controls > fw_other["eu_ai_act"].controls


def test_unrecorded_context_is_assumed_in_scope_and_says_so(pack: Pack, tmp_path: Path) -> None:
    c = compliance(pack, tmp_path, {})
    s = control(c, "CL-01")
    assert s.applicability.applicable
    assert "jurisdictions" in s.applicability.assumed
    assert "assumed" in s.applicability.reason and "not recorded" in s.applicability.reason


# --------------------------------------------------------------------------- levels


def test_control_level_is_its_weakest_question_and_the_summary_counts_it(
    pack: Pack, tmp_path: Path
) -> None:
    cl04 = next(x for x in pack.controls if x.id == "CL-04")
    assert len(cl04.questions) >= 2
    answers: dict[str, Any] = {}
    for i, qid in enumerate(cl04.questions):
        q = pack.question(qid)
        assert q is not None
        answers[qid] = {"choice": q.choices[3 if i else 1].id}  # first at level 1, others 3
    ctx = {"jurisdictions": ["eu"], "decisions_about_people": True, "ai_act_role": "provider"}
    c = compliance(pack, tmp_path, ctx, answers)
    s = control(c, "CL-04")
    assert s.level == 1.0 and s.gap == s.target - 1
    assert s.meaning == cl04.ladder[1].meaning
    assert s.unanswered == ()
    gdpr = next(f for f in c.frameworks if f.id == "gdpr")
    assert gdpr.assessed >= 1 and gdpr.at_least_2 == sum(
        1
        for x in c.controls
        if x.applicability.applicable
        and x.level is not None
        and x.level >= 2
        and any(r.framework == "gdpr" and r.binding for r in x.references)
    )


# --------------------------------------------------------------------------- loader errors


@pytest.mark.parametrize(
    ("file", "edit", "message"),
    [
        (
            "frameworks/gdpr.yaml",
            lambda d: d["references"].update(
                {"CL-99": [{"ref": "Art. 1", "about": "x", "source": "y", "verified": False}]}
            ),
            "no control 'CL-99'",
        ),
        (
            "frameworks/gdpr.yaml",
            lambda d: d["references"]["CL-01"][0].pop("source"),
            "references.CL-01[0].source: required field is missing",
        ),
        (
            "frameworks/gdpr.yaml",
            lambda d: d["references"]["CL-01"][0].update(verified=True),
            "references.CL-01[0].verified: expected the date it was checked against the legal "
            "text (YYYY-MM-DD) or false, got True",
        ),
        (
            "frameworks/eu_ai_act.yaml",
            lambda d: d["dates"][0].pop("verified"),
            "dates[0].verified: required field is missing",
        ),
        (
            "frameworks/gdpr.yaml",
            lambda d: d["not_applicable_because"].update(ai_act_role="x"),
            "'ai_act_role' is not a field of applies_when (fields: jurisdictions, personal_data)",
        ),
        (
            "frameworks/gdpr.yaml",
            lambda d: d.update(applies_when=[{"jurisdiction": ["eu"]}]),
            "did you mean 'jurisdictions'",
        ),
        (
            "frameworks/ccpa.yaml",
            lambda d: d.update(applies_when=[{"jurisdictions": ["texas"]}]),
            "no value 'texas'",
        ),
        ("controls.yaml", lambda d: d["controls"][0].update(rules=["compliance/nope"]), "nope"),
        ("controls.yaml", lambda d: d["controls"][0].update(questions=["data.nope"]), "data.nope"),
        ("controls.yaml", lambda d: d["controls"][0]["ladder"].pop(), "levels 0 to 4"),
    ],
)
def test_catalog_errors_name_the_file_and_field(
    bundled_pack_copy: Path, file: str, edit: Any, message: str
) -> None:
    path = bundled_pack_copy / "compliance" / file
    data = yaml.safe_load(path.read_text())
    edit(data)
    dump(path, data)
    with pytest.raises(PackError) as err:
        load_pack(bundled_pack_copy)
    text = str(err.value)
    assert path.name in text and message in text, text
