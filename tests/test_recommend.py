"""Tool ranking rules against the bundled catalog, and the catalog's integrity."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest

from assess.errors import PackError
from assess.model import (
    Effort,
    Gap,
    Licence,
    Pack,
    RecommendationKind,
    Risk,
    ToolStatus,
)
from assess.packs import load_pack
from assess.recommend import recommend
from tests.conftest import dump


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack("mlops")


def gap(area: str, priority: float, qid: str | None = None) -> Gap:
    return Gap(
        question_id=qid or f"{area}.x{int(priority * 10)}",
        area=area,
        question="?",
        current_level=1,
        target=3,
        gap=2,
        risk=Risk.medium,
        priority=priority,
        plan="p",
        outcome="o",
        owner="ML lead",
        effort=Effort.medium,
        weeks=12,
        depends_on=(),
        contradicted=False,
        phase="first_90_days",
        order=1,
    )


ALL_AREAS = ["data", "versioning", "training", "validation", "cicd", "monitoring", "compliance"]
GAPS = [gap(a, 10 - i) for i, a in enumerate(ALL_AREAS)]


def test_azure_client_running_mlflow_gets_no_mlflow_adoption_and_no_aws_only_tool(
    pack: Pack,
) -> None:
    recs = recommend(pack, {"clouds": ["azure"], "tools": ["mlflow"]}, GAPS)
    assert not any(r.tool == "mlflow" and r.kind is RecommendationKind.adopt for r in recs)
    mlflow = next(r for r in recs if r.tool == "mlflow")
    assert mlflow.kind is RecommendationKind.extend
    assert "versioning" in mlflow.areas and "versioning.x90" in mlflow.closes
    tool = pack.tool("mlflow")
    assert (
        tool is not None
        and mlflow.actions[mlflow.areas.index("versioning")] == (tool.capabilities["versioning"])
    )
    for r in recs:
        t = pack.tool(r.tool)
        assert t is not None and "azure" in t.clouds, r.tool
    assert all(r.tool not in ("sagemaker", "aws_codepipeline") for r in recs)


def test_every_area_with_a_gap_gets_a_tool_and_each_says_why(pack: Pack) -> None:
    recs = recommend(pack, {"clouds": ["gcp"], "expertise": "open_source"}, GAPS)
    covered = {a for r in recs for a in r.areas}
    assert covered == set(ALL_AREAS)
    for r in recs:
        assert r.reason.endswith(".") and r.reason.count(".") <= 2, r.reason  # one sentence
        assert r.closes and len(r.actions) == len(r.areas)
    assert len({r.tool for r in recs}) == len(recs)  # no tool twice


def test_a_team_that_prefers_managed_services_is_not_handed_kubeflow_first(pack: Pack) -> None:
    for cloud in ("aws", "azure", "gcp", "on_prem"):
        recs = recommend(pack, {"clouds": [cloud], "expertise": "managed"}, GAPS)
        first = recs[0]
        assert first.tool not in ("kubeflow", "kubeflow_pipelines"), cloud
        tool = pack.tool(first.tool)
        assert tool is not None
        if cloud != "on_prem":
            assert tool.licence is Licence.managed, (cloud, first.tool)
        assert "managed service suits" in first.reason or tool.licence is not Licence.managed


def test_an_expert_team_gets_open_source_first(pack: Pack) -> None:
    recs = recommend(pack, {"clouds": ["aws"], "expertise": "open_source"}, GAPS)
    first = pack.tool(recs[0].tool)
    assert first is not None and first.licence is Licence.open_source
    assert "open source suits" in recs[0].reason


def test_a_deprecated_or_retired_tool_is_never_recommended(pack: Pack) -> None:
    rng = random.Random(7)
    tool_ids = [t.id for t in pack.tools]
    retired = {t.id for t in pack.tools if t.status is not ToolStatus.active}
    assert retired  # the catalog does carry some
    for _ in range(200):
        context: dict[str, Any] = {
            "clouds": rng.sample(["aws", "azure", "gcp", "on_prem"], rng.randint(0, 2)),
            "tools": rng.sample(tool_ids, rng.randint(0, 5)),
            "expertise": rng.choice(["managed", "open_source", None]),
        }
        gaps = [gap(a, rng.uniform(0.5, 9)) for a in rng.sample(ALL_AREAS, rng.randint(1, 7))]
        for r in recommend(pack, context, gaps):
            assert r.tool not in retired, (context, r.tool)
            if r.kind is RecommendationKind.adopt:
                assert r.tool not in context["tools"]  # never adopt what already runs


def test_a_retired_tool_in_use_points_to_its_successor(pack: Pack) -> None:
    recs = recommend(pack, {"tools": ["google_ai_platform"], "clouds": ["gcp"]}, GAPS)
    migrate = [r for r in recs if r.kind is RecommendationKind.migrate]
    assert [r.tool for r in migrate] == ["vertex_ai"]
    assert "retired" in migrate[0].reason and "successor" in migrate[0].reason
    assert not any(r.tool == "vertex_ai" and r.kind is RecommendationKind.adopt for r in recs)


def test_no_gaps_no_recommendations(pack: Pack) -> None:
    assert recommend(pack, {"tools": ["mlflow"], "clouds": ["aws"]}, []) == ()


# --------------------------------------------------------------------------- catalog integrity

SEED_TOOLS = {  # every tool the seed article names, with the status it has today
    "azure_ml": "active",
    "tfx": "active",
    "mlflow": "active",
    "gcp_ai_hub": "retired",
    "sagemaker": "active",
    "domino": "active",
    "kubeflow_fairing": "retired",
    "google_ai_platform": "retired",
    "kubeflow_pipelines": "active",
    "datatron": "active",
    "sas": "active",
    "google_cloud_build": "active",
    "aws_codepipeline": "active",
    "azure_devops": "active",
    "gitlab_ci": "active",
    "jenkins": "active",
    "sagemaker_pipelines": "active",
    "domino_model_monitor": "deprecated",
    "kubeflow_metadata": "retired",
}
OPEN_SOURCE_STAPLES = [
    *("dvc", "mlflow", "kubeflow", "tfx", "great_expectations", "evidently", "feast"),
    *("airflow", "argo_workflows", "github_actions", "gitlab_ci", "jenkins", "bentoml"),
    *("kserve", "seldon_core", "whylogs", "openlineage"),
]


def test_catalog_covers_the_seed_article_with_current_status(pack: Pack) -> None:
    for tool_id, status in SEED_TOOLS.items():
        tool = pack.tool(tool_id)
        assert tool is not None, tool_id
        assert tool.status.value == status, tool_id
    for tool_id in OPEN_SOURCE_STAPLES:
        assert pack.tool(tool_id) is not None, tool_id
    ai_platform = pack.tool("google_ai_platform")
    assert ai_platform is not None and ai_platform.successor == "vertex_ai"


def test_catalog_integrity(pack: Pack) -> None:
    ids = [t.id for t in pack.tools]
    assert len(ids) == len(set(ids))
    areas = {a.id for a in pack.areas}
    today = dt.date.today()
    for t in pack.tools:
        assert set(t.capabilities) <= areas, t.id
        assert set(t.integrates_with) <= set(ids) - {t.id}, t.id
        assert dt.date(2025, 1, 1) <= t.last_reviewed <= today, t.id
        if t.status is not ToolStatus.active:
            successor = pack.tool(t.successor or "")
            assert successor is not None and successor.status is ToolStatus.active, t.id
    for area in areas:  # something to recommend everywhere
        for cloud in ("aws", "azure", "gcp", "on_prem"):
            assert any(
                t.status is ToolStatus.active and area in t.capabilities and cloud in t.clouds
                for t in pack.tools
            ), (area, cloud)
    tools_field = next(f for f in pack.context if f.id == "tools")
    assert {o.id for o in tools_field.options} <= set(ids)  # one id names a tool everywhere


@pytest.mark.parametrize(
    ("edit", "field", "message"),
    [
        (
            lambda d: d["tools"][0].update(successor="nope", status="retired"),
            "successor",
            "no tool 'nope'",
        ),
        (
            lambda d: d["tools"][0].update(capabilities={"nowhere": "x"}),
            "capabilities",
            "unknown area",
        ),
        (lambda d: d["tools"][0].update(clouds=["mars"]), "clouds", "unknown cloud 'mars'"),
        (lambda d: d["tools"].append(dict(d["tools"][0])), "id", "duplicate tool id"),
        (
            lambda d: d["tools"][0].update(status="deprecated", successor=None),
            "tools[0]",
            "needs a 'successor'",
        ),
    ],
)
def test_catalog_errors_name_file_field_and_line(
    bundled_pack_copy: Path,
    edit: Any,
    field: str,
    message: str,
) -> None:
    import yaml

    path = bundled_pack_copy / "tools.yaml"
    data = yaml.safe_load(path.read_text())
    edit(data)
    dump(path, data)
    with pytest.raises(PackError) as err:
        load_pack(bundled_pack_copy)
    text = str(err.value)
    assert "tools.yaml" in text and field in text and message in text, text
