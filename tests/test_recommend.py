"""Tool ranking rules against the bundled catalog, and the catalog's integrity."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest

from assess.errors import PackError
from assess.model.pack import Effort, Licence, Pack, Risk, ToolStatus
from assess.model.result import Assessment, Gap, Recommendation, RecommendationKind
from assess.packs import load_pack
from assess.recommend import can_run, recommend
from tests.conftest import dump
from tests.scenarios import SCENARIOS, score_scenario


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


def by_area(recs: tuple[Recommendation, ...]) -> dict[str, list[Recommendation]]:
    out: dict[str, list[Recommendation]] = {}
    for r in recs:
        for a in r.areas:
            out.setdefault(a, []).append(r)
    return out


def test_azure_client_running_mlflow_gets_no_mlflow_adoption_and_no_aws_only_tool(
    pack: Pack,
) -> None:
    recs = recommend(pack, {"clouds": ["azure"], "tools": ["mlflow"]}, GAPS)
    assert not any(r.tool == "mlflow" and r.kind is RecommendationKind.adopt for r in recs)
    versioning = by_area(recs)["versioning"]
    best = versioning[0]
    assert (best.tool, best.kind, best.rank) == ("mlflow", RecommendationKind.extend, 1)
    assert best.closes == ("versioning.x90",)
    tool = pack.tool("mlflow")
    assert tool is not None and best.actions == (tool.capabilities["versioning"],)
    assert best.reason.startswith("Already in use: build on MLflow")
    for r in recs:
        t = pack.tool(r.tool)
        assert t is not None and "azure" in t.clouds, r.tool
    assert all(r.tool not in ("sagemaker", "aws_codepipeline") for r in recs)


def test_every_area_with_a_gap_gets_a_best_fit_and_alternatives_each_saying_why(
    pack: Pack,
) -> None:
    recs = recommend(pack, {"clouds": ["gcp"], "expertise": "open_source"}, GAPS)
    areas = by_area(recs)
    assert list(areas) == ALL_AREAS  # the most urgent area first
    for area, options in areas.items():
        assert [r.rank for r in options] == [1, 2, 3], area
        assert len({r.tool for r in options}) == 3  # no tool twice in one area
        for r in options:
            assert r.areas == (area,) and r.closes == tuple(
                g.question_id for g in GAPS if g.area == area
            )
            assert r.reason.endswith(".") and r.reason.count(".") <= 2, r.reason  # one sentence
            assert len(r.actions) == 1 and r.reviewed is not None


def test_a_team_that_prefers_managed_services_is_not_handed_kubeflow_first(pack: Pack) -> None:
    for cloud in ("aws", "azure", "gcp", "on_prem"):
        recs = recommend(pack, {"clouds": [cloud], "expertise": "managed"}, GAPS)
        for area, options in by_area(recs).items():
            best = options[0]
            assert best.tool not in ("kubeflow", "kubeflow_pipelines"), (cloud, area)
            tool = pack.tool(best.tool)
            assert tool is not None
            if tool.licence is Licence.managed:
                assert "a managed service suits" in best.reason
        if cloud != "on_prem":  # the cloud's own platform, where it covers the area
            first = pack.tool(recs[0].tool)
            assert first is not None and first.licence is Licence.managed, cloud


def test_an_expert_team_gets_open_source_first(pack: Pack) -> None:
    recs = recommend(pack, {"clouds": ["aws"], "expertise": "open_source"}, GAPS)
    for area, options in by_area(recs).items():
        first = pack.tool(options[0].tool)
        assert first is not None and first.licence is Licence.open_source, area
        assert "open source suits" in options[0].reason
        # and a paid alternative where the catalog has one that runs on AWS
        paid = [
            t
            for t in pack.tools
            if area in t.capabilities
            and t.status is ToolStatus.active
            and t.licence is not Licence.open_source
            and "aws" in t.clouds
        ]
        if paid:
            assert any(r.licence is not Licence.open_source for r in options[1:]), area


def test_fit_is_judged_per_area_so_a_suite_does_not_win_by_breadth(pack: Pack) -> None:
    """A broad tool is scored in each area on its own: adding areas adds nothing."""
    narrow = recommend(pack, {"clouds": ["aws"], "expertise": "open_source"}, GAPS[:1])
    wide = recommend(pack, {"clouds": ["aws"], "expertise": "open_source"}, GAPS)
    assert [(r.tool, r.score) for r in by_area(narrow)["data"]] == [
        (r.tool, r.score) for r in by_area(wide)["data"]
    ]
    for options in by_area(wide).values():  # TFX covers four areas, best in none of them
        assert options[0].tool not in ("tfx", "databricks", "sas", "domino")


def test_a_suite_that_would_compete_with_the_clients_platform_ranks_below_a_fitting_tool(
    pack: Pack,
) -> None:
    """An Azure ML team that prefers managed services: SAS Viya (commercial, fit 1.0) also does
    versioning and monitoring, which Azure ML already covers, so it does not lead validation."""
    recs = recommend(
        pack, {"clouds": ["azure"], "tools": ["azure_ml", "mlflow"], "expertise": "managed"}, GAPS
    )
    validation = by_area(recs)["validation"]
    assert validation[0].tool != "sas"
    sas = next((r for r in validation if r.tool == "sas"), None)
    assert sas is None or sas.score < validation[0].score


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
                tool = pack.tool(r.tool)
                assert tool is not None and can_run(tool, set(context["clouds"]))


def test_a_retired_tool_in_use_points_to_its_successor(pack: Pack) -> None:
    recs = recommend(pack, {"tools": ["google_ai_platform"], "clouds": ["gcp"]}, GAPS)
    migrate = [r for r in recs if r.kind is RecommendationKind.migrate]
    assert {r.tool for r in migrate} == {"vertex_ai"}
    vertex = pack.tool("vertex_ai")
    assert vertex is not None and {a for r in migrate for a in r.areas} == set(vertex.capabilities)
    assert all(r.rank == 1 for r in migrate)  # the successor leads each area it covers
    assert "retired" in migrate[0].reason and "successor" in migrate[0].reason
    assert not any(r.tool == "vertex_ai" and r.kind is RecommendationKind.adopt for r in recs)
    # a successor that covers no area with gaps is still named, once
    only = recommend(pack, {"tools": ["google_ai_platform"], "clouds": ["gcp"]}, [gap("cicd", 3)])
    assert [(r.tool, r.kind, r.areas) for r in only if r.kind is RecommendationKind.migrate] == [
        ("vertex_ai", RecommendationKind.migrate, ())
    ]


def test_no_gaps_no_recommendations(pack: Pack) -> None:
    assert recommend(pack, {"tools": ["mlflow"], "clouds": ["aws"]}, []) == ()


# --------------------------------------------------------------------------- the scenarios


@pytest.fixture(scope="module")
def scenarios(pack: Pack, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Assessment]:
    folder = tmp_path_factory.mktemp("scenarios")
    return {name: score_scenario(pack, name, folder) for name in SCENARIOS}


def test_no_scenario_is_told_to_use_a_tool_it_cannot_run_or_to_adopt_one_it_runs(
    pack: Pack, scenarios: dict[str, Assessment]
) -> None:
    for name, r in scenarios.items():
        context = SCENARIOS[name]["context"]
        clouds, in_use = set(context["clouds"]), set(context["tools"])
        areas = by_area(r.recommendations)
        assert set(areas) == {g.area for g in r.gaps}, name
        for area, options in areas.items():
            assert 2 <= len(options) <= 3, (name, area)  # alternatives present
            assert [o.rank for o in options] == list(range(1, len(options) + 1))
            runs = [o for o in options if o.tool in in_use]
            assert options[: len(runs)] == runs, (name, area)  # tools in use first
        for rec in r.recommendations:
            tool = pack.tool(rec.tool)
            assert tool is not None and tool.status is ToolStatus.active
            if tool.licence is Licence.managed:  # never a service of a cloud it does not use
                assert clouds & set(tool.clouds), (name, rec.tool)
            if rec.kind is RecommendationKind.adopt:
                assert rec.tool not in in_use, (name, rec.tool)
            else:
                assert rec.tool in in_use and rec.reason.startswith("Already in use")


def test_an_on_premises_only_client_gets_self_hostable_tools_only(
    pack: Pack, scenarios: dict[str, Assessment]
) -> None:
    r = scenarios["on_prem_expert"]
    for rec in r.recommendations:
        tool = pack.tool(rec.tool)
        assert tool is not None and tool.self_hostable, rec.tool
        if tool.licence is Licence.managed:
            assert f"runs on premises as {tool.self_hosted}" in rec.reason
    assert "huggingface_hub" not in {rec.tool for rec in r.recommendations}
    kinds = {(rec.tool, rec.kind) for rec in r.recommendations}
    assert ("jenkins", RecommendationKind.extend) in kinds


def test_an_aws_team_sees_sagemaker_and_the_open_source_it_prefers_first(
    scenarios: dict[str, Assessment],
) -> None:
    r = scenarios["aws_open_source"]
    areas = by_area(r.recommendations)
    assert any(o.tool == "sagemaker" for options in areas.values() for o in options)
    assert {options[0].licence for options in areas.values()} == {Licence.open_source}
    assert areas["versioning"][0].tool == "mlflow"
    assert not any(o.tool in ("azure_ml", "vertex_ai", "azure_devops") for o in r.recommendations)


def test_an_azure_mlflow_shop_builds_on_what_it_runs(scenarios: dict[str, Assessment]) -> None:
    r = scenarios["azure_retail"]
    areas = by_area(r.recommendations)
    assert areas["cicd"][0].tool == "azure_devops"
    assert {o.tool for o in areas["versioning"][:2]} == {"azure_ml", "mlflow"}
    assert all(o.kind is RecommendationKind.extend for o in areas["versioning"][:2])
    assert not any(
        o.tool in ("sagemaker", "vertex_ai", "aws_codepipeline") for o in r.recommendations
    )


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
    for area in areas:  # something to recommend everywhere, on premises too
        for cloud in ("aws", "azure", "gcp", "on_prem"):
            assert any(
                t.status is ToolStatus.active and area in t.capabilities and can_run(t, {cloud})
                for t in pack.tools
            ), (area, cloud)
    for t in pack.tools:  # a managed service on premises names the edition that runs there
        assert t.self_hostable == ("on_prem" in t.clouds), t.id
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
        (
            lambda d: next(t for t in d["tools"] if t["id"] == "github_actions").pop("self_hosted"),
            "tools[10]",
            "needs 'self_hosted'",
        ),
        (
            lambda d: d["tools"][0].update(self_hosted="MLflow Enterprise"),
            "tools[0]",
            "'self_hosted' is for a managed service",
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
