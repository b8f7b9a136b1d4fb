"""Client scenarios as engagement files, for the roadmap and tool-advice tests.

Each scenario is a realistic client (issue 16): its context, the level it answers per area,
the questions it answers differently, the ones it answered "don't know", and the evidence it
was scanned with. ``write_scenario`` turns one into an engagement file on the bundled pack,
picking for each question the choice at (or just below) the scenario's level, so the
scenarios follow the pack's questions as they change.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assess.engagement import load_engagement
from assess.evidence import load_evidence
from assess.model.pack import Pack, Question
from assess.model.result import Assessment
from assess.pipeline import assess
from tests.conftest import ROOT, dump

SCENARIOS: dict[str, dict[str, Any]] = {
    # A retailer on Azure that decides credit limits for store cards; MLflow on Azure ML and
    # Azure DevOps; a team that wants managed services.
    "azure_retail": {
        "context": {
            "client_name": "Harbour Retail Group",
            "industry": "retail",
            "team_size": "m",
            "models_in_production": 14,
            "business_goal": "faster_delivery",
            "clouds": ["azure"],
            "tools": ["mlflow", "azure_ml", "azure_devops"],
            "expertise": "managed",
            "personal_data": "used",
            "jurisdictions": ["eu"],
            "decisions_about_people": True,
            "automated_decisions": "human_reviewed",  # credit staff review every limit
            "ai_act_role": "deployer",
        },
        "levels": {
            "data": 1,
            "versioning": 2,
            "training": 1,
            "validation": 1,
            "cicd": 2,
            "monitoring": 0,
            "compliance": 1,
        },
        # erasure requests stop at the CRM: nothing reaches the training sets or the models
        "answers": {
            "versioning.experiment_tracking": 3,
            "cicd.pipeline_as_code": 3,
            "compliance.erasure_propagation": 0,
        },
        "dont_know": ["data.lineage", "compliance.retention"],
    },
    # A start-up on AWS, comfortable with open source, that has no ML tooling at all yet.
    "aws_open_source": {
        "context": {
            "client_name": "Tidewater Analytics",
            "industry": "technology",
            "team_size": "s",
            "models_in_production": 3,
            "business_goal": "scale",
            "clouds": ["aws"],
            "tools": [],
            "expertise": "open_source",
            "personal_data": "used",
            "jurisdictions": ["california", "other"],
            "decisions_about_people": False,
            "automated_decisions": "none",
            "ai_act_role": "not_high_risk",
        },
        "levels": {
            "data": 0,
            "versioning": 0,
            "training": 1,
            "validation": 0,
            "cicd": 1,
            "monitoring": 0,
            "compliance": 0,
        },
        "answers": {"cicd.pipeline_as_code": 0, "cicd.ci_checks": 0},
        "dont_know": ["monitoring.service_health"],
    },
    # A bank's expert team that may run nothing outside its own data centre.
    "on_prem_expert": {
        "context": {
            "client_name": "Northgate Savings Bank",
            "industry": "financial_services",
            "team_size": "m",
            "models_in_production": 22,
            "business_goal": "compliance",
            "clouds": ["on_prem"],
            "tools": ["kubernetes", "jenkins", "airflow"],
            "expertise": "open_source",
            "personal_data": "used",
            "jurisdictions": ["eu"],
            "decisions_about_people": True,
            "automated_decisions": "solely_automated",
            "ai_act_role": "provider_and_deployer",
        },
        "levels": {
            "data": 2,
            "versioning": 1,
            "training": 2,
            "validation": 2,
            "cicd": 2,
            "monitoring": 1,
            "compliance": 1,
        },
        "answers": {"versioning.experiment_tracking": 0},
        "dont_know": [],
    },
    # A small insurer on Google Cloud whose answers claim far more than its repository shows
    # (scanned: the sample's repository), assessed under the strict evidence policy.
    "over_claiming": {
        "context": {
            "client_name": "Brightwater Mutual",
            "industry": "financial_services",
            "team_size": "xs",
            "models_in_production": 4,
            "business_goal": "reliability",
            "clouds": ["gcp"],
            "tools": ["vertex_ai", "github_actions"],
            "expertise": "managed",
            "jurisdictions": ["eu"],
            "decisions_about_people": True,
            "ai_act_role": "provider",
        },
        "levels": {area: 3 for area in ("data", "versioning", "training", "validation")}
        | {"cicd": 4, "monitoring": 3, "compliance": 2},
        "answers": {},
        "dont_know": [],
        "evidence_policy": "strict",
        "evidence": "samples/evidence.json",
    },
    # A manufacturer forecasting demand and predicting machine failures from sensor data: no
    # model uses personal data, though it sells in the EU and California.
    "no_personal_data": {
        "context": {
            "client_name": "Ironbridge Components",
            "industry": "manufacturing",
            "team_size": "s",
            "models_in_production": 6,
            "business_goal": "reliability",
            "clouds": ["gcp"],
            "tools": ["vertex_ai", "github_actions"],
            "expertise": "managed",
            "personal_data": "not_used",
            "jurisdictions": ["eu", "california"],
            "decisions_about_people": False,
            "automated_decisions": "none",
            "ai_act_role": "not_high_risk",
        },
        "levels": {
            "data": 2,
            "versioning": 2,
            "training": 2,
            "validation": 1,
            "cicd": 2,
            "monitoring": 1,
            "compliance": 1,
        },
        "answers": {},
        "dont_know": [],
    },
    # A logistics firm on AWS whose team runs MLflow for its experiments, GitLab CI and its own
    # Kubernetes cluster, comfortable with open source; models still sit in a shared bucket.
    "mlflow_shop": {
        "context": {
            "client_name": "Ferrovia Logistics",
            "industry": "manufacturing",
            "team_size": "s",
            "models_in_production": 6,
            "business_goal": "faster_delivery",
            "clouds": ["aws"],
            "tools": ["mlflow", "gitlab_ci", "kubernetes"],
            "expertise": "open_source",
            "jurisdictions": ["eu"],
            "decisions_about_people": False,
            "ai_act_role": "not_high_risk",
        },
        "levels": {
            "data": 1,
            "versioning": 1,
            "training": 1,
            "validation": 1,
            "cicd": 2,
            "monitoring": 1,
            "compliance": 1,
        },
        "answers": {"versioning.experiment_tracking": 2},
        "dont_know": [],
    },
}


def _choice(q: Question, level: int) -> str:
    at_or_below = [c for c in q.choices if c.level <= level]
    return (max(at_or_below, key=lambda c: c.level) if at_or_below else q.choices[0]).id


def write_scenario(
    pack: Pack, name: str, folder: Path, context: dict[str, Any] | None = None
) -> Path:
    """The scenario's engagement file, written into ``folder``; ``context`` changes some of its
    context fields (the same client with another fact)."""
    spec = SCENARIOS[name]
    answers: dict[str, Any] = {}
    for q in pack.questions:
        if q.id in spec["dont_know"]:
            answers[q.id] = {"status": "dont_know", "respondent": "Head of ML"}
            continue
        level = spec["answers"].get(q.id, spec["levels"][q.area])
        answers[q.id] = {"choice": _choice(q, level), "respondent": "Head of ML"}
    data: dict[str, Any] = {
        "pack": {"id": pack.id, "version": pack.version},
        "assessment": {"assessor": "Dana Reyes", "date": "2026-11-20"},
        "context": {**spec["context"], **(context or {})},
        "answers": answers,
    }
    if "evidence_policy" in spec:
        data["evidence_policy"] = spec["evidence_policy"]
    return dump(folder / f"{name}.yaml", data)


def score_scenario(
    pack: Pack, name: str, folder: Path, context: dict[str, Any] | None = None
) -> Assessment:
    """The scenario's Assessment result, with its evidence when it has some."""
    spec = SCENARIOS[name]
    loaded = load_engagement(write_scenario(pack, name, folder, context), pack)
    evidence = load_evidence(ROOT / spec["evidence"], pack) if "evidence" in spec else None
    return assess(pack, loaded, evidence=evidence)
