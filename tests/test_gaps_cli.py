"""`assess gaps` and the reconciliation shown by `assess score`, run as a user would on the
bundled sample (Lakeside Mutual, with the evidence `make demo` scanned)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

from assess.engagement import load_engagement
from assess.evidence import load_evidence
from assess.model.result import Assessment, EvidenceStatus
from assess.packs import load_pack
from assess.pipeline import assess
from tests.conftest import ROOT, SAMPLE, run_assess

EVIDENCE = ROOT / "samples" / "evidence.json"


@pytest.fixture(scope="module")
def sample() -> Assessment:
    pack = load_pack("mlops")
    return assess(pack, load_engagement(SAMPLE, pack), evidence=load_evidence(EVIDENCE, pack))


def test_sample_reconciliation_catches_the_committed_model(sample: Assessment) -> None:
    q = next(q for q in sample.questions if q.id == "versioning.model_registry")
    assert q.evidence is not None and q.evidence.status is EvidenceStatus.contradicted
    assert q.evidence.claimed_level == 2.0 and q.level == 1.0
    assert "models/churn_2026_03.pkl" in q.evidence.explanation
    versioning = next(a for a in sample.areas if a.id == "versioning")
    assert versioning.contradicted >= 1
    assert any(g.question_id == q.id and g.contradicted for g in sample.gaps)


def test_sample_recommendations_build_on_what_lakeside_runs(sample: Assessment) -> None:
    """Lakeside: Azure + on-prem, runs MLflow, Airflow, Azure ML, Great Expectations, prefers
    managed platforms."""
    kinds = {r.tool: r.kind.value for r in sample.recommendations}
    assert kinds.get("mlflow") == "extend" and kinds.get("azure_ml") == "extend"
    pack = load_pack("mlops")
    for r in sample.recommendations:
        tool = pack.tool(r.tool)
        assert tool is not None and {"azure", "on_prem"} & set(tool.clouds), r.tool
        if r.kind.value == "adopt":
            assert r.tool not in ("mlflow", "airflow", "azure_ml", "great_expectations")


def test_gaps_json_holds_what_the_result_holds(sample: Assessment) -> None:
    proc = run_assess("gaps", SAMPLE, "--evidence", EVIDENCE, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) == {
        *("gaps", "roadmap", "roadmap_items", "later", "capacity", "recommendations"),
    }
    assert [(g["question_id"], g["priority"], g["order"]) for g in data["gaps"]] == [
        (g.question_id, g.priority, g.order) for g in sample.gaps
    ]
    assert [(i["id"], i["phase"], i["order"]) for i in data["roadmap_items"]] == [
        (i.id, i.phase, i.order) for i in sample.roadmap_items
    ]
    assert data["later"] == list(sample.later) and data["later"]
    assert data["capacity"]["weeks_per_quarter"] == 20  # Lakeside's team of 6-20 people
    assert [(r["areas"], r["rank"], r["tool"]) for r in data["recommendations"]] == [
        (list(r.areas), r.rank, r.tool) for r in sample.recommendations
    ]


def test_a_result_written_before_the_roadmap_of_steps_still_loads(
    sample: Assessment, tmp_path: Path
) -> None:
    """`assess compare` reads earlier results: one without the roadmap items, capacity, tool
    ranks and catalog dates loads with their defaults."""
    data = json.loads(sample.model_dump_json())
    for key in ("roadmap_items", "later", "capacity"):
        del data[key]
    for g in data["gaps"]:
        del g["steps"]
    for p in data["roadmap"]:
        del p["capacity_weeks"], p["planned_weeks"]
    for r in data["recommendations"]:
        del r["rank"], r["reviewed"]
    old = tmp_path / "2026-05.json"
    old.write_text(json.dumps(data))
    proc = run_assess("compare", old, SAMPLE)
    assert proc.returncode == 0, proc.stderr
    assert "Overall" in proc.stdout


def test_gaps_table_lists_priorities_roadmap_and_tools(sample: Assessment) -> None:
    proc = run_assess("gaps", SAMPLE, "--evidence", EVIDENCE)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith("Lakeside Mutual Insurance: gaps, roadmap and tools")
    top = sample.gaps[0]
    assert f"Gaps by priority ({len(sample.gaps)})" in out
    assert top.question_id in out.split("Roadmap")[0]
    assert "Capacity: 20 person-weeks per quarter, the pack's default for ML team size" in out
    for phase in sample.roadmap:
        assert phase.items
        assert (
            f"{phase.title} (months {phase.start_month}-{phase.end_month}, "
            f"{phase.planned_weeks:g} of {phase.capacity_weeks:g} person-weeks)"
        ) in out
    first = sample.roadmap_items[0]
    assert out.split("Roadmap")[1].split("\n1. ")[0]
    assert f"  1. [{next(a.title for a in sample.areas if a.id == first.area)}]" in out
    later = out.split("\nLater (beyond month 12 at this capacity: ")[1]
    assert later.startswith(f"{len(sample.later)} steps")
    last = sample.roadmap_items[-1]
    assert f"  {last.order}. [" in later.split("Tool recommendations")[0]
    assert "(contradicted)" in out  # versioning.model_registry
    tools = out.split("\nTool recommendations\n")[1]
    assert "Best fit: Azure Machine Learning (Extend (already in use)" in tools
    assert "Alternative: MLflow (Extend (already in use)" in tools
    assert max(len(line) for line in out.splitlines()) <= 120


def test_gaps_csv_reads_back_in_roadmap_order(sample: Assessment, tmp_path: Path) -> None:
    out = tmp_path / "gaps.csv"
    proc = run_assess("gaps", SAMPLE, "--evidence", EVIDENCE, "--format", "csv", "-o", out)
    assert proc.returncode == 0, proc.stderr
    df = pd.read_csv(out)
    first_step = {i.id: i.order for i in sample.roadmap_items}
    by_order = sorted(sample.gaps, key=lambda g: g.order)
    assert list(df["order"]) == [first_step[g.steps[0]] for g in by_order]
    assert list(df["order"]) == sorted(df["order"]) and "later" in set(df["phase"])
    assert list(df["question_id"]) == [g.question_id for g in by_order]
    assert list(df["priority"]) == [g.priority for g in by_order]


def test_score_shows_confidence_and_disagreements(sample: Assessment) -> None:
    proc = run_assess("score", SAMPLE, "--evidence", EVIDENCE)
    assert proc.returncode == 0, proc.stderr
    header = next(line for line in proc.stdout.splitlines() if line.startswith("Area"))
    assert "Confidence" in header
    for a in sample.areas:
        row = next(line for line in proc.stdout.splitlines() if line.startswith(a.title))
        assert f" {a.confidence.label} " in row
    assert "Answers the repositories disagree with" in proc.stdout
    assert "- versioning.model_registry: contradicted, scored 1.0" in proc.stdout
    assert "models/churn_2026_03.pkl" in proc.stdout


def test_evidence_from_another_pack_version_is_flagged(tmp_path: Path) -> None:
    data = json.loads(EVIDENCE.read_text())
    data["pack_version"] = "0.9.0"
    old = tmp_path / "old.json"
    old.write_text(json.dumps(data))
    proc = run_assess("score", SAMPLE, "--evidence", old, "--format", "csv")
    assert proc.returncode == 0
    assert "scanned with pack mlops 0.9.0, scoring with 2.0.0" in proc.stderr
    pd.read_csv(io.StringIO(proc.stdout))  # the output itself stays clean


def test_the_version_warning_is_still_said_when_a_later_step_fails(tmp_path: Path) -> None:
    """Warnings are data the pipeline returns; when a step after them fails (a milestone that
    is not a result), the CLI still says them, then the one-line error."""
    data = json.loads(EVIDENCE.read_text())
    data["pack_version"] = "0.9.0"
    old = tmp_path / "old.json"
    old.write_text(json.dumps(data))
    bad = tmp_path / "milestone.json"
    bad.write_text("{}")
    proc = run_assess("score", SAMPLE, "--evidence", old, "--milestone", bad)
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("assess: warning: ") and "scanned with pack mlops 0.9.0" in lines[0]
    assert lines[1].startswith("assess: error: ") and "milestone.json" in lines[1]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["missing.yaml"], "missing.yaml"),
        ([str(SAMPLE), "--target", "nowhere=3"], "unknown area 'nowhere'"),
        ([str(SAMPLE), "-o", "no/such/dir/gaps.txt"], "no/such/dir"),
        ([str(SAMPLE), "--evidence", str(SAMPLE)], "not valid JSON"),
    ],
)
def test_gaps_bad_input_is_one_line_exit_2(tmp_path: Path, args: list[str], expected: str) -> None:
    proc = run_assess("gaps", *args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert expected in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "no").exists()
