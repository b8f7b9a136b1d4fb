"""Legal scope (issue 16.8) on the client scenarios: GDPR and CCPA only where personal data is
used, GDPR Art. 22 and its information duties required only for solely automated significant
decisions, the AI Act deployer duties of Art. 26 for deployers, and client-facing text that cites
a legal reference or date only when it was checked against the text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from assess.compliance import scope_notes
from assess.model.pack import Pack
from assess.model.result import Assessment, Compliance, ControlStatus
from assess.packs import load_pack
from assess.report.data import csv_files
from assess.report.email import render_body
from assess.report.markdown import markdown
from assess.report.render import render_html
from tests.conftest import ROOT
from tests.scenarios import SCENARIOS, score_scenario

FRAMEWORKS = ROOT / "questionnaires" / "mlops" / "compliance" / "frameworks"


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack("mlops")


@pytest.fixture(scope="module")
def scored(
    pack: Pack,
    scenario_results: dict[str, Assessment],
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Assessment]:
    folder = tmp_path_factory.mktemp("legal")
    out = dict(scenario_results)
    out["azure_retail_automated"] = score_scenario(
        pack, "azure_retail", folder / "auto", {"automated_decisions": "solely_automated"}
    )
    return out


def _compliance(result: Assessment) -> Compliance:
    assert result.compliance is not None
    return result.compliance


def control(result: Assessment, cid: str) -> ControlStatus:
    return next(s for s in _compliance(result).controls if s.id == cid)


def binding(s: ControlStatus, framework: str) -> set[str]:
    return {r.ref for r in s.references if r.framework == framework and r.binding}


# --------------------------------------------------------------------------- personal data


def test_a_client_without_personal_data_has_gdpr_and_ccpa_out_of_scope_with_the_reason(
    scored: dict[str, Assessment],
) -> None:
    result = scored["no_personal_data"]
    fws = {f.id: f for f in _compliance(result).frameworks}
    for fid, word in (("gdpr", "personal data"), ("ccpa", "personal information")):
        app = fws[fid].applicability
        assert not app.applicable and fws[fid].controls == 0, fid
        assert app.reason.startswith(f"No model uses {word}"), app.reason
    assert fws["eu_ai_act"].applicability.applicable  # the AI Act does not need personal data
    for s in _compliance(result).controls:
        assert not binding(s, "gdpr") and not binding(s, "ccpa"), s.id
    # CL-03 (inventory of personal data) has only GDPR and CCPA provisions: not applicable, and
    # says which frameworks are out (the framework table says why)
    cl03 = control(result, "CL-03")
    assert not cl03.applicability.applicable and not cl03.applicability.good_practice
    assert cl03.applicability.reason == "CCPA/CPRA and GDPR are not in scope."
    # CL-01 has an AI Act provider duty too: good practice, with whom it binds
    cl01 = control(result, "CL-01").applicability
    assert cl01.good_practice and cl01.reason == (
        "EU AI Act Art. 10(2)(b): binding only for providers of "
        "high-risk AI systems (here: No high-risk AI system). CCPA/CPRA and GDPR are not in "
        "scope."
    )
    md = markdown(result)
    assert "No: No model uses personal data, and the GDPR applies only to the processing" in md
    assert "No: No model uses personal information, and the CCPA/CPRA applies only" in md


def test_personal_data_unknown_or_unrecorded_keeps_gdpr_in_scope_and_says_so(
    pack: Pack, tmp_path: Path
) -> None:
    unknown = score_scenario(pack, "azure_retail", tmp_path, {"personal_data": "unknown"})
    gdpr = next(f for f in _compliance(unknown).frameworks if f.id == "gdpr")
    assert gdpr.applicability.applicable
    assert gdpr.applicability.reason == "In scope (assumed: personal data used not known)"
    unrecorded = score_scenario(pack, "azure_retail", tmp_path / "u", {"personal_data": None})
    gdpr = next(f for f in _compliance(unrecorded).frameworks if f.id == "gdpr")
    assert gdpr.applicability.reason == "In scope (assumed: personal data used not recorded)"


# --------------------------------------------------------------------------- GDPR Art. 22


GDPR_22 = {"Art. 13(2)(f)", "Art. 14(2)(g)", "Art. 15(1)(h)", "Art. 22"}


def test_a_human_reviewed_credit_decision_gets_art_22_as_good_practice_not_required(
    scored: dict[str, Assessment],
) -> None:
    result = scored["azure_retail"]
    cl08 = control(result, "CL-08")
    assert cl08.applicability.applicable  # the AI Act deployer duties still require it
    assert cl08.applicability.reason == "Required by EU AI Act"
    refs = {r.ref: r for r in cl08.references if r.framework == "gdpr"}
    assert set(refs) == GDPR_22
    assert all(r.in_scope and not r.binding for r in refs.values())
    notes = [n for n in scope_notes(cl08.references) if n.startswith("GDPR")]
    assert notes == [
        "GDPR Art. 13(2)(f); Art. 14(2)(g); Art. 15(1)(h); Art. 22: "
        "binding only for solely automated decisions with legal or similarly significant "
        "effects (here: Human-reviewed (a person reviews each such decision and can change it))."
    ]
    assert "GDPR Art. 22(3)" in " ".join(scope_notes(control(result, "CL-09").references))
    md = markdown(result)
    assert (
        "- GDPR Art. 13(2)(f); Art. 14(2)(g); Art. 15(1)(h); Art. 22; Art. 22(3): "
        "binding only for solely automated decisions" in md
    )
    assert "GDPR Art. 22 (Automated" not in md  # not listed as its legal basis


def test_no_decisions_about_people_means_no_automated_ones_and_art_22_binds_nothing(
    scored: dict[str, Assessment],
) -> None:
    # decisions_about_people: false, automated_decisions never asked (asked_when): its
    # "otherwise" holds; before, the unrecorded field was assumed solely automated
    assert "automated_decisions" not in SCENARIOS["mlflow_shop"]["context"]
    result = scored["mlflow_shop"]
    assert result.client.context["automated_decisions"] == "none"
    assert result.client.context_labels["Automated decisions about people"] == (
        "No model takes part in such decisions"
    )
    refs = [r for r in control(result, "CL-08").references if r.framework == "gdpr"]
    assert {r.ref for r in refs} == GDPR_22 and not any(r.binding for r in refs)
    assert "Art. 22" not in " ".join(r.statement for r in result.risks)


def test_a_control_with_only_non_binding_provisions_reads_good_practice_not_not_applicable(
    pack: Pack, tmp_path: Path
) -> None:
    """Human-reviewed decisions and no high-risk system: CL-08 (notice and explanation) binds
    nobody, but it is good practice with the reason, not 'not applicable'."""
    result = score_scenario(pack, "azure_retail", tmp_path, {"ai_act_role": "not_high_risk"})
    app = control(result, "CL-08").applicability
    assert not app.applicable and app.good_practice
    assert app.reason.startswith(
        "EU AI Act Art. 13: binding only for providers of high-risk AI systems "
        "(here: No high-risk AI system)."
    )
    assert "GDPR Art. 13(2)(f); Art. 14(2)(g); Art. 15(1)(h); Art. 22: binding only" in app.reason
    md = markdown(result)
    assert (
        "| CL-08 | Notice and explanation of automated decisions | Good practice, not required: "
        "EU AI Act Art. 13: binding only" in md
    )


def test_a_solely_automated_credit_decision_gets_art_22_required(
    scored: dict[str, Assessment],
) -> None:
    result = scored["azure_retail_automated"]
    cl08 = control(result, "CL-08")
    assert binding(cl08, "gdpr") == GDPR_22
    assert cl08.applicability.reason == "Required by EU AI Act, GDPR"
    assert "Art. 22(3)" in binding(control(result, "CL-09"), "gdpr")
    assert not [n for n in scope_notes(cl08.references) if n.startswith("GDPR")]
    md = markdown(result)
    assert "GDPR Art. 22 (Automated individual decision-making, including profiling)" in md
    # an information duty checked against the text is cited without the expected mark
    assert "GDPR Art. 13(2)(f) (Information on automated decision-making" in md
    assert "(data collected from the person))" in md
    assert "(data collected from the person); expected)" not in md


# --------------------------------------------------------------------------- AI Act Art. 26


def test_the_azure_retail_deployer_sees_art_26_5_and_26_11(
    pack: Pack, scored: dict[str, Assessment]
) -> None:
    result = scored["azure_retail"]
    cl17 = control(result, "CL-17")
    assert cl17.applicability.applicable
    assert binding(cl17, "eu_ai_act") == {"Art. 26(1)", "Art. 26(5)"}
    assert cl17.questions == ("monitoring.drift", "monitoring.alerting", "training.rollback")
    assert all(pack.question(q) for q in cl17.questions)  # evidenced by the pack's questions
    assert "Art. 26(11)" in binding(control(result, "CL-08"), "eu_ai_act")
    assert "Art. 26(2)" in binding(control(result, "CL-09"), "eu_ai_act")
    md = markdown(result)
    assert "EU AI Act Art. 26(5) (Deployers monitor the system's operation" in md
    assert "EU AI Act Art. 86; EU AI Act Art. 26(11) |" in md  # in the control matrix, checked
    # a deployer duty not yet checked against its amended text is cited as expected
    assert "| EU AI Act Art. 27 (expected); GDPR Art. 35 |" in md
    assert "insurance pricing); expected); GDPR Art. 35 (Data protection impact assessment)." in md
    # a provider's duties are good practice for a deployer, and say why
    cl01 = " ".join(scope_notes(control(result, "CL-01").references))
    assert "binding only for providers of high-risk AI systems (here: Deployer" in cl01


def test_deployer_duties_are_not_applicable_without_a_deployed_high_risk_system(
    scored: dict[str, Assessment],
) -> None:
    for name in ("aws_open_source", "no_personal_data", "over_claiming"):
        cl17 = control(scored[name], "CL-17")
        assert not cl17.applicability.applicable, name
        assert cl17.applicability.reason == "No high-risk AI system is deployed.", name
    assert control(scored["on_prem_expert"], "CL-17").applicability.applicable


# --------------------------------------------------------------------------- verification


def test_every_reference_and_date_in_the_pack_records_source_and_verified() -> None:
    """Integrity over the files as written: a reference or date without them does not load, and
    verified is a date or false (never a bare yes)."""
    files = sorted(FRAMEWORKS.glob("*.yaml"))
    assert len(files) == 3
    seen = 0
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        items = [*data.get("dates", ())] + [r for refs in data["references"].values() for r in refs]
        for item in items:
            where = f"{path.name}: {item.get('ref') or item.get('date')}"
            assert isinstance(item.get("source"), str) and item["source"].strip(), where
            assert "verified" in item, where
            assert item["verified"] is False or isinstance(item["verified"], dt.date), where
            seen += 1
    assert seen > 60


def test_no_client_facing_output_of_any_scenario_says_unconfirmed(
    scored: dict[str, Assessment],
) -> None:
    for name, result in scored.items():
        html = render_html(result)
        md = markdown(result)
        text, body = render_body("report.pdf", result)
        csv = b"".join(csv_files(result).values()).decode()
        for kind, out in (("html", html), ("md", md), ("email", text + body), ("csv", csv)):
            assert "unconfirmed" not in out.lower(), (name, kind)
        assert ")*" not in csv, name  # the references column marks in words, not a star
    # an unverified reference (AI Act Art. 27, amended in 2026) is marked in the CSV too
    assert "(expected)" in b"".join(csv_files(scored["azure_retail"]).values()).decode()
    eu = markdown(scored["azure_retail"])
    # a date checked against the text is shown without the expected mark or a source; an
    # unverified one past is left out
    assert "- **2 December 2027** · EU AI Act: High-risk obligations" in eu
    assert "Expected 2 December 2027" not in eu and "Council press release" not in eu
    assert "27 July 2026" not in eu and "2026/1744" not in eu
    assert "**25 May 2018** · GDPR: Applies in full" in eu
    # an unverified date ahead is shown as expected, with its source
    ca = markdown(scored["aws_open_source"])
    assert "- **Expected 1 January 2027** · CCPA/CPRA: ADMT rules apply" in ca
    assert "(source: CPPA announcement of 23 September 2025" in ca
    assert "- **1 January 2020** · CCPA/CPRA: CCPA becomes operative" in ca
