"""The bundled sample and the README's example stay valid against the default pack."""

from __future__ import annotations

import re
from pathlib import Path

from assess.engagement import load_engagement
from assess.model.engagement import AnswerStatus
from assess.packs import load_pack
from assess.pipeline import assess
from tests.conftest import ROOT, SAMPLE


def test_sample_engagement_is_complete_and_varied() -> None:
    pack = load_pack("mlops")
    loaded = load_engagement(SAMPLE, pack)
    answers = loaded.engagement.answers
    assert set(answers) == {q.id for q in pack.questions}  # every area answered
    statuses = {a.status for items in answers.values() for a in items}
    assert statuses == set(AnswerStatus)  # some N/A, some don't know
    assert any(a.note for items in answers.values() for a in items)
    assert any(len(items) > 1 for items in answers.values())  # two respondents disagree
    result = assess(pack, loaded)
    assert all(a.level is not None for a in result.areas)


def test_readme_engagement_example_validates(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```yaml\n(pack: .*?)```", readme, re.S)
    assert block is not None
    path = tmp_path / "example.yaml"
    path.write_text(block.group(1))
    pack = load_pack("mlops")
    eng = load_engagement(path, pack).engagement
    assert [a.respondent for a in eng.answers["cicd.ci_checks"]] == [
        "Lead ML engineer",
        "Data scientist",
    ]


def test_sample_evidence_matches_the_sample_project() -> None:
    """samples/evidence.json is what `make demo` scanned from samples/lakeside-churn."""
    from assess.evidence import load_evidence

    pack = load_pack("mlops")
    evidence = load_evidence(ROOT / "samples" / "evidence.json", pack)
    (repo,) = evidence.repos
    rules = {f.rule for fs in repo.areas.values() for f in fs}
    assert "versioning/committed-model-binaries" in rules  # models/churn_2026_03.pkl
    assert "cicd/tests-run-in-ci" in rules  # azure-pipelines.yml runs pytest
    assert "training/deploy-step-in-ci" not in rules  # the deploy step is commented out
    assert repo.history is not None and repo.history.release_tags == (
        "churn@v1.2.0",
        "churn@v1.3.0",
    )
    found = [f for fs in repo.areas.values() for f in fs]
    # tests/test_prepare.py checks the pseudonymisation; only src/prepare.py does it
    assert [f.path for f in found if f.rule == "compliance/pseudonymisation-code"] == [
        "src/prepare.py"
    ]
    # evidently is only imported by the drift notebook: an import (code), not a declaration
    (drift,) = [f for f in found if f.rule == "monitoring/monitoring-deps"]
    assert drift.path == "notebooks/drift_check.ipynb" and drift.strength.value == "code"
    assert drift.snippet is not None and drift.snippet.startswith("imported: ")
    assert "declared" not in drift.title
    result = assess(pack, load_engagement(SAMPLE, pack), evidence=evidence)
    assert sum(len(a.findings) for a in result.areas) == sum(len(v) for v in repo.areas.values())
