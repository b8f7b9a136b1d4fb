"""Plan texts name tools through catalog references, fitted to each client (assess.toolref):
the scenarios of issue 16 read their plans as the client would, in the result and the
rendered report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assess.model.engagement import ContextValue
from assess.model.pack import Licence, Pack, ToolStatus
from assess.model.result import Assessment
from assess.packs import load_pack
from assess.recommend import Fit
from assess.report.markdown import markdown
from assess.report.render import render_html
from assess.toolref import fitted
from tests.conftest import run_assess
from tests.scenarios import write_scenario
from tests.test_pack_errors import _tiny_pack_with_kinds
from tests.test_pack_integrity import tool_names


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack("mlops")


@pytest.fixture(scope="module")
def scenarios(scenario_results: dict[str, Assessment]) -> dict[str, Assessment]:
    return scenario_results


@pytest.fixture(scope="module")
def rendered(scenarios: dict[str, Assessment]) -> dict[str, str]:
    """Each scenario's Markdown report and HTML report, one after the other."""
    return {name: markdown(r) + render_html(r) for name, r in scenarios.items()}


def plans(r: Assessment) -> list[str]:
    """Every improvement text of the result: roadmap actions, gap plans, question plans."""
    return [
        *(i.action for i in r.roadmap_items),
        *(g.plan for g in r.gaps),
        *(q.plan for q in r.questions if q.plan),
    ]


PATTERNS: dict[str, dict[str, re.Pattern[str]]] = {}


def named(pack: Pack, text: str) -> set[str]:
    """The ids of the catalog's tools a text names."""
    if pack.source not in PATTERNS:
        one = {t.id: tool_names(pack.model_copy(update={"tools": (t,)})) for t in pack.tools}
        PATTERNS[pack.source] = one
    return {tool_id for tool_id, names in PATTERNS[pack.source].items() if names.search(text)}


def action(r: Assessment, item_id: str) -> str:
    return next(i.action for i in r.roadmap_items if i.id == item_id)


def test_no_reference_is_left_in_any_output(
    scenarios: dict[str, Assessment], rendered: dict[str, str]
) -> None:
    for name, r in scenarios.items():
        assert not any("{tools:" in p for p in plans(r)), name
        assert "{tools:" not in rendered[name] and "{" + "tools" not in rendered[name], name


def test_no_scenario_is_told_to_use_a_deprecated_tool(
    pack: Pack, scenarios: dict[str, Assessment], rendered: dict[str, str]
) -> None:
    for name, r in scenarios.items():
        for text in plans(r):
            for tool_id in named(pack, text):
                tool = pack.tool(tool_id)
                assert tool is not None and tool.status is ToolStatus.active, (name, text)
        assert not re.search(r"\bwhylogs\b", rendered[name], re.IGNORECASE), name


def test_the_on_premises_client_is_told_of_self_hostable_tools_only(
    pack: Pack, scenarios: dict[str, Assessment]
) -> None:
    r = scenarios["on_prem_expert"]
    seen = set()
    for text in plans(r):
        for tool_id in named(pack, text):
            tool = pack.tool(tool_id)
            assert tool is not None and tool.self_hostable, (tool_id, text)
            seen.add(tool_id)
    assert {"airflow", "jenkins", "kubernetes"} <= seen  # what it runs, named as such
    assert "in the Apache Airflow orchestrator you already run" in action(r, "training.pipeline:3")


def test_the_aws_client_never_sees_another_clouds_managed_service(
    pack: Pack, scenarios: dict[str, Assessment]
) -> None:
    r = scenarios["aws_open_source"]
    for text in plans(r):
        for tool_id in named(pack, text):
            tool = pack.tool(tool_id)
            assert tool is not None
            if tool.licence is Licence.managed:
                assert "aws" in tool.clouds, (tool_id, text)
        assert not re.search(r"Vertex|Azure|Google|GCP", text), text
    # it runs nothing yet: the kinds come with fitting examples, open source first
    assert "in an orchestrator such as " in action(r, "training.pipeline:3")
    assert "a CI service such as GitLab CI/CD or Jenkins" in action(r, "cicd.merge_request_ci:3")


def test_the_azure_devops_client_is_told_to_use_azure_devops(
    scenarios: dict[str, Assessment], rendered: dict[str, str]
) -> None:
    r = scenarios["azure_retail"]
    ci = action(r, "cicd.merge_request_ci:3")
    assert "in the Azure DevOps CI service you already run" in ci
    for text in plans(r):
        assert not re.search(r"GitHub|GitLab|Jenkins|SageMaker|Vertex", text), text
    assert "the Azure DevOps CI service you already run" in rendered["azure_retail"]


def test_the_mlflow_shop_is_told_to_use_the_mlflow_it_runs(
    scenarios: dict[str, Assessment], rendered: dict[str, str]
) -> None:
    r = scenarios["mlflow_shop"]
    assert action(r, "versioning.model_registry:2").startswith(
        "Register each production model in the MLflow model registry you already run, "
    )
    assert action(r, "versioning.experiment_tracking:3") == (
        "Log parameters, metrics and artefacts automatically from the training code to the "
        "MLflow experiment tracker you already run."
    )
    # a tool whose name says its kind is not named twice
    assert "in the GitLab CI/CD you already run," in action(r, "cicd.merge_request_ci:3")
    text = rendered["mlflow_shop"]
    assert "the MLflow model registry you already run" in text
    for wrong in ("adopt a model registry", "tracking library", "e.g. MLflow", "such as MLflow"):
        assert wrong.lower() not in text.lower(), wrong


# --------------------------------------------------------------------------- the phrases


def say(pack: Pack, context: dict[str, ContextValue], text: str) -> str:
    return fitted(pack, Fit(pack, context))(text)


def test_a_reference_reads_as_the_tool_in_use_or_as_fitting_examples(pack: Pack) -> None:
    text = "Schedule it in {tools:orchestrator}."
    in_use = {"clouds": ["aws"], "tools": ["prefect"], "expertise": "open_source"}
    assert say(pack, in_use, text) == "Schedule it in the Prefect orchestrator you already run."
    managed = {"clouds": ["aws"], "tools": [], "expertise": "managed"}
    said = say(pack, managed, text)  # managed services of its cloud first
    assert said.startswith("Schedule it in an orchestrator such as ") and said.endswith(".")
    assert "Amazon SageMaker Pipelines" in said and not re.search("Azure|Vertex|Airflow", said)
    # at most two examples; a reference that starts a sentence starts with a capital
    opening = say(pack, managed, "{tools:orchestrator} runs it. Then {tools:ci_service} tests it.")
    assert (
        opening.startswith("An orchestrator such as ") and ". Then a CI service such as " in opening
    )
    assert opening.count(" or ") == 2 and "," not in opening


def test_a_retired_or_deprecated_tool_in_use_gives_way_to_its_successor(pack: Pack) -> None:
    context: dict[str, ContextValue] = {"clouds": ["aws"], "tools": ["whylogs"]}
    said = say(pack, context, "Watch drift in {tools:model_monitor}.")
    assert said.startswith("Watch drift in a model monitor such as Evidently or ")
    assert "whylogs" not in said


def test_a_kind_nothing_fits_is_named_without_examples(tmp_path: Path) -> None:
    tiny = load_pack(_tiny_pack_with_kinds(tmp_path / "p"))
    text = "Run the steps in {tools:orchestrator}."
    assert say(tiny, {"clouds": ["aws"]}, text) == (
        "Run the steps in an orchestrator such as Runner."
    )
    # its only tool does not run on premises
    assert say(tiny, {"clouds": ["on_prem"]}, text) == "Run the steps in an orchestrator."


def test_the_terminal_prints_the_fitted_plan(pack: Pack, tmp_path: Path) -> None:
    proc = run_assess("gaps", write_scenario(pack, "azure_retail", tmp_path))
    assert proc.returncode == 0, proc.stderr
    said = " ".join(proc.stdout.split())  # lines are wrapped to the terminal
    assert "in the Azure DevOps CI service you already run, and make a failing run" in said
    assert "{tools:" not in said


def test_a_platform_in_use_is_named_without_claiming_the_part_runs(
    scenarios: dict[str, Assessment],
) -> None:
    """Azure Machine Learning covers many kinds of tool; a client that uses it for some is not
    told it already runs its model monitor (its monitoring is at level 0)."""
    r = scenarios["azure_retail"]
    drift = action(r, "monitoring.drift:3")
    assert "in the model monitor in Azure Machine Learning, which you already use" in drift
    every = " ".join(i.action for i in r.roadmap_items)
    assert "Azure Machine Learning model monitor you already run" not in every
    assert "Azure Machine Learning" in every and "Azure DevOps CI service you already run" in every
