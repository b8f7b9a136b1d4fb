"""Absence is not contradiction, on the default pack and real git repositories: a claim no
scanned repository shows is "not evidenced" (kept, with an evidence request, under the balanced
policy; capped under strict), and only content the scanner read and found lacking contradicts."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from assess.errors import PackError
from assess.model.evidence import Finding
from assess.model.pack import EvidencePolicy
from assess.model.result import EvidenceStatus
from assess.model.rules import RuleKind
from assess.packs import load_pack
from assess.scan.engine import scan_repo
from assess.scan.repo import GitRepo
from tests.conftest import dump, run_assess
from tests.gitrepo import make_repo

PACK = load_pack("mlops")
Cli = Callable[..., Any]

CODE = {"src/train.py": "import pandas as pd\n\ndef fit(df):\n    return df\n"}
NO_TESTS_CI = {
    ".github/workflows/ci.yml": "on: pull_request\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
    "    steps:\n      - uses: actions/checkout@v4\n      - run: pip install build\n"
    "      - run: python -m build\n"
}
EXTERNAL_CI = {
    ".github/workflows/ci.yml": "on: pull_request\njobs:\n  ml:\n"
    "    uses: acme/platform/.github/workflows/ml-ci.yml@v3\n"
}


def test_every_question_a_repository_can_show_says_from_which_level() -> None:
    positive = {q for r in PACK.rules if r.kind is RuleKind.positive for q in r.questions}
    for q in PACK.questions:
        if q.id in positive:
            assert q.expected_in_repo_from is not None, q.id
        if q.expected_in_repo_from is not None or q.absent_in_system:
            assert q.id in positive, f"{q.id}: no rule can show it"
        for check in q.absent_in_system:
            # what shows the practice must not be the system itself
            assert not set(check.shows) & set(check.system), q.id


def test_a_system_check_naming_an_unknown_rule_is_refused(bundled_pack_copy: Path) -> None:
    path = bundled_pack_copy / "questions" / "cicd.yaml"
    data = yaml.safe_load(path.read_text())
    q = next(q for q in data["questions"] if q.get("absent_in_system"))
    q["absent_in_system"][0]["shows"] = ["cicd/no-such-rule"]
    dump(path, data)
    with pytest.raises(PackError) as err:
        load_pack(bundled_pack_copy)
    assert f"{q['id']}.absent_in_system[0].shows" in str(err.value)
    assert "cicd/no-such-rule" in str(err.value) and "cicd.yaml" in str(err.value)


def _evidence(tmp_path: Path, files: dict[str, str]) -> Path:
    path = make_repo(tmp_path / "repo", files)
    out = tmp_path / "evidence.json"
    proc = run_assess("scan", path, "--no-history", "--format", "json", "-o", out)
    assert proc.returncode == 0, proc.stderr
    return out


def _hits(tmp_path: Path, rule_id: str, files: dict[str, str]) -> list[Finding]:
    """What one rule of the default pack finds in a real repository of ``files``."""
    rule = next(r for r in PACK.rules if r.id == rule_id)
    repo = GitRepo(make_repo(tmp_path / "r", files))
    try:
        scan = scan_repo(repo, [rule], with_history=False, ci_systems=PACK.ci_systems)
    finally:
        repo.close()
    return [f for fs in scan.areas.values() for f in fs]


def _engagement(tmp_path: Path, answers: dict[str, str], **extra: Any) -> Path:
    data = {
        "pack": {"id": PACK.id, "version": PACK.version},
        **extra,
        "context": {"client_name": "Harbour Bank"},
        "answers": {qid: {"choice": c, "respondent": "Ana"} for qid, c in answers.items()},
    }
    return dump(tmp_path / "engagement.yaml", data)


def _choice(qid: str, level: int) -> str:
    q = PACK.question(qid)
    assert q is not None
    return next(c.id for c in q.choices if c.level == level)


def _score(cli: Cli, eng: Path, ev: Path | None, *flags: str) -> dict[str, Any]:
    evidence = ("--evidence", ev) if ev else ()
    proc = cli("score", eng, *evidence, "--format", "json", *flags)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def _question(result: dict[str, Any], qid: str) -> dict[str, Any]:
    return next(q for q in result["questions"] if q["id"] == qid)


def test_an_over_claim_without_any_ci_is_flagged_and_requested(
    tmp_path: Path, assess_cli: Cli
) -> None:
    qid = "cicd.merge_request_ci"
    ev = _evidence(tmp_path, CODE)  # no CI configuration at all
    eng = _engagement(tmp_path, {qid: _choice(qid, 4)})

    balanced = _score(assess_cli, eng, ev)
    q = _question(balanced, qid)
    assert q["evidence"]["status"] == "not_evidenced" and q["level"] == 4.0
    assert balanced["source"]["evidence_policy"] == "balanced"
    [request] = [r for r in balanced["evidence_requests"] if r["question"] == qid]
    assert request["source"] == "not_evidenced" and "pipeline" in request["what"].lower()
    cicd = next(a for a in balanced["areas"] if a["id"] == "cicd")
    assert "1 not evidenced" in cicd["confidence"]["reason"]

    strict = _score(assess_cli, eng, ev, "--evidence-policy", "strict")
    assert strict["source"]["evidence_policy"] == "strict"
    assert _question(strict, qid)["level"] == 2.0  # capped below expected_in_repo_from (3)
    # the engagement file can ask for it too; the command line wins
    eng = _engagement(tmp_path, {qid: _choice(qid, 4)}, evidence_policy="strict")
    assert _question(_score(assess_cli, eng, ev), qid)["level"] == 2.0
    relaxed = _score(assess_cli, eng, ev, "--evidence-policy", "balanced")
    assert _question(relaxed, qid)["level"] == 4.0


def test_ci_that_runs_no_checks_contradicts_a_claim_that_it_does(
    tmp_path: Path, assess_cli: Cli
) -> None:
    ev = _evidence(tmp_path, {**CODE, **NO_TESTS_CI})
    answers = {
        "cicd.ci_checks": _choice("cicd.ci_checks", 2),
        "validation.feature_code_tests": _choice("validation.feature_code_tests", 3),
    }
    result = _score(assess_cli, _engagement(tmp_path, answers), ev)
    checks = _question(result, "cicd.ci_checks")
    assert checks["evidence"]["status"] == EvidenceStatus.contradicted
    assert checks["level"] == 0.0  # CI that runs no check at all is level 0
    assert ".github/workflows/ci.yml" in checks["evidence"]["explanation"]
    assert "none of its steps runs tests" in checks["evidence"]["explanation"]
    tests = _question(result, "validation.feature_code_tests")
    assert tests["evidence"]["status"] == "contradicted" and tests["level"] == 2.0


def test_ci_kept_partly_in_another_repository_contradicts_nothing(
    tmp_path: Path, assess_cli: Cli
) -> None:
    ev = _evidence(tmp_path, {**CODE, **EXTERNAL_CI})
    qid = "cicd.ci_checks"
    result = _score(assess_cli, _engagement(tmp_path, {qid: _choice(qid, 2)}), ev)
    q = _question(result, qid)
    assert q["evidence"]["status"] == "not_evidenced" and q["level"] == 2.0
    # the prompt tells the consultant where to look
    prompts = [f for f in q["evidence"]["findings"] if f["rule"] == "cicd/ci-external-pipelines"]
    assert prompts and prompts[0]["path"] == ".github/workflows/ci.yml"


@pytest.mark.parametrize(
    ("path", "text", "fires"),
    [
        ("azure-pipelines.yml", "trigger: [main]\nextends:\n  template: ml/ci.yml@platform\n", True),  # noqa: E501
        ("azure-pipelines.yml", "steps:\n  - template: steps/test.yml\n  - script: pytest\n", False),  # noqa: E501
        (".github/workflows/ci.yml", "on: push\njobs:\n  a:\n    uses: o/r/.github/workflows/x.yml@v1\n", True),  # noqa: E501
        (".github/workflows/ci.yml", "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n", False),  # noqa: E501
        (".gitlab-ci.yml", "include:\n  - project: acme/ci-templates\n    file: /ml.yml\n", True),
        (".gitlab-ci.yml", "include:\n  - remote: https://example.com/ci/ml.yml\n", True),
        (".gitlab-ci.yml", "include:\n  - local: ci/test.yml\ntest:\n  script: [pytest]\n", False),
        ("Jenkinsfile", "@Library('ml-pipelines') _\nmlPipeline()\n", True),
        ("Jenkinsfile", "pipeline {\n  agent any\n  stages { stage('t') { steps { sh 'pytest' } } }\n}\n", False),  # noqa: E501
    ],
)  # fmt: skip
def test_external_pipeline_prompt_per_ci_system(
    tmp_path: Path, path: str, text: str, fires: bool
) -> None:
    hits = _hits(tmp_path, "cicd/ci-external-pipelines", {path: text})
    assert bool(hits) is fires, hits
    assert all(f.kind is RuleKind.prompt for f in hits)


@pytest.mark.parametrize(
    ("path", "text", "fires"),
    [
        (".github/workflows/ci.yml", "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: mise run check\n", True),  # noqa: E501
        (".github/workflows/ci.yml", "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: |\n          pip install -e .\n          make lint\n", True),  # noqa: E501
        (".github/workflows/ci.yml", "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: bash scripts/format.sh\n", True),  # noqa: E501
        (".gitlab-ci.yml", "test:\n  script:\n    - python 'code/run_checks.py'\n", True),
        ("azure-pipelines.yml", "steps:\n  - task: Bash@3\n    inputs:\n      filePath: ci/check.sh\n", True),  # noqa: E501
        ("Jenkinsfile", "pipeline {\n  agent any\n  stages { stage('t') { steps { sh './ci/test' } } }\n}\n", True),  # noqa: E501
        (".github/workflows/ci.yml", "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: docker build -t app .\n      # - run: make test\n", False),  # noqa: E501
        ("buildspec.yml", "version: 0.2\nphases:\n  build:\n    commands:\n      - python -m build\n      - aws s3 cp dist s3://b --recursive\n", False),  # noqa: E501
    ],
)  # fmt: skip
def test_scripts_and_task_runners_in_ci_are_out_of_sight(
    tmp_path: Path, path: str, text: str, fires: bool
) -> None:
    hits = _hits(tmp_path, "cicd/ci-runs-repo-scripts", {path: text})
    assert bool(hits) is fires, hits


def test_ci_that_hands_its_checks_to_a_task_runner_contradicts_nothing(
    tmp_path: Path, assess_cli: Cli
) -> None:
    ci = NO_TESTS_CI[".github/workflows/ci.yml"] + "      - run: mise run check\n"
    ev = _evidence(tmp_path, {**CODE, ".github/workflows/ci.yml": ci})
    qid = "cicd.ci_checks"
    q = _question(_score(assess_cli, _engagement(tmp_path, {qid: _choice(qid, 2)}), ev), qid)
    assert q["evidence"]["status"] == "not_evidenced" and q["level"] == 2.0


def test_an_area_outside_the_evidence_scope_is_only_unverified(
    tmp_path: Path, assess_cli: Cli
) -> None:
    qid = "cicd.merge_request_ci"
    ev = _evidence(tmp_path, CODE)
    eng = _engagement(tmp_path, {qid: _choice(qid, 4)}, evidence_scope={"cicd": []})
    strict = _score(assess_cli, eng, ev, "--evidence-policy", "strict")
    q = _question(strict, qid)
    assert q["evidence"]["status"] == "unverified" and q["level"] == 4.0
    # naming the scanned repository by its folder puts it back in scope
    eng = _engagement(tmp_path, {qid: _choice(qid, 4)}, evidence_scope={"cicd": ["repo"]})
    assert _question(_score(assess_cli, eng, ev, "--evidence-policy", "strict"), qid)["level"] == 2


def test_bad_policy_and_scope_are_one_line_errors(tmp_path: Path, assess_cli: Cli) -> None:
    ev = _evidence(tmp_path, CODE)
    eng = _engagement(tmp_path, {}, evidence_scope={"cloud": ["repo"]})
    proc = assess_cli("score", eng, "--evidence", ev)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "evidence_scope.cloud" in proc.stderr and "unknown area" in proc.stderr
    eng = _engagement(tmp_path, {}, evidence_policy="lenient")
    proc = assess_cli("score", eng)
    assert proc.returncode == 2 and "evidence_policy" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    proc = assess_cli("score", eng, "--evidence-policy", "lenient")
    assert proc.returncode == 2 and "invalid choice" in proc.stderr


def test_policy_enum_matches_the_cli_choices() -> None:
    assert {p.value for p in EvidencePolicy} == {"balanced", "strict"}


def test_every_output_shows_the_requests_the_policy_and_the_suggestions(
    tmp_path: Path, assess_cli: Cli
) -> None:
    from pypdf import PdfReader

    ev = _evidence(tmp_path, {**CODE, "dvc.yaml": "stages:\n  prep:\n    cmd: python prep.py\n"})
    qid = "cicd.merge_request_ci"
    eng = _engagement(tmp_path, {qid: _choice(qid, 4)})
    question = PACK.question(qid)
    assert question is not None

    table = assess_cli("score", eng, "--evidence", ev)
    assert table.returncode == 0, table.stderr
    assert "Evidence policy: balanced" in table.stdout
    assert f"Evidence to request (1):\n- {qid}: " in table.stdout
    assert "Not answered, but the repositories suggest a level" in table.stdout
    assert "- data.preparation: suggests level 2" in table.stdout

    pdf, md = tmp_path / "r.pdf", tmp_path / "r.md"
    for out in (pdf, md):
        proc = assess_cli("report", eng, "--evidence", ev, "-o", out)
        assert proc.returncode == 0, proc.stderr
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(pdf).pages)
    assert "Evidence requested" in text and question.text in text
    assert "1 claim that would usually leave a trace in a repository is not evidenced" in text
    assert "the evidence policy was balanced" in text
    assert "suggests level 2" in text  # the evidence-only answer, in its area's answer table
    body = md.read_text()
    assert "## Evidence requested" in body and f"({qid}, not evidenced)" in body
    assert "Evidence policy: balanced" in body
    assert "### Not answered, but the repositories suggest a level" in body

    strict = assess_cli("report", eng, "--evidence", ev, "-o", md, "--evidence-policy", "strict")
    assert strict.returncode == 0, strict.stderr
    assert "under the strict evidence policy, scored below the claim" in md.read_text()


def test_the_appendix_says_which_answers_were_confirmed_from_the_scan(
    tmp_path: Path, assess_cli: Cli
) -> None:
    qid = "versioning.experiment_tracking"
    key = "versioning/runs-logged-in-code:repo:src/train.py"
    data = yaml.safe_load(_engagement(tmp_path, {qid: _choice(qid, 3)}).read_text())
    data["answers"][qid]["from_evidence"] = [key]
    eng = dump(tmp_path / "engagement.yaml", data)
    md = tmp_path / "r.md"
    proc = assess_cli("report", eng, "-o", md)
    assert proc.returncode == 0, proc.stderr
    row = next(line for line in md.read_text().splitlines() if line.startswith(f"| {qid} |"))
    assert f"Confirmed from the scan: {key}" in row
    result = _score(assess_cli, eng, None)
    assert _question(result, qid)["answers"][0]["from_evidence"] == [key]


def test_the_report_shows_every_review_decision(tmp_path: Path, assess_cli: Cli) -> None:
    """Accepted, upheld, requested and waived on the sample, then rendered: each decision is in
    the PDF, the Markdown and the terminal with the assessor's words."""
    from pypdf import PdfReader

    from tests.conftest import ROOT, SAMPLE

    evidence = ROOT / "samples" / "evidence.json"
    eng = tmp_path / "engagement.yaml"
    eng.write_text(SAMPLE.read_text())
    tests = "validation/test-files:build/lakeside-churn:tests/test_prepare.py"
    for flags in (
        ["--accept", "cicd.ci_checks", "--reason", "pipeline run 4512 shown"],
        ["--uphold", "versioning.model_registry", "--reason", "a rollback fixture"],
        ["--request", "data.access", "--who", "Marta Keller", "--what", "the IAM role export",
         "--due", "2099-01-15"],
        ["--waive", tests, "--reason", "tests the anonymiser"],
    ):  # fmt: skip
        proc = assess_cli("review", eng, "--evidence", evidence, *flags, "--by", "Dana Reyes")
        assert proc.returncode == 0, proc.stderr

    table = assess_cli("score", eng, "--evidence", evidence)
    assert table.returncode == 0, table.stderr
    assert "- cicd.ci_checks: understated, scored 3.0 on review" in table.stdout
    assert "Changed on review: the assessor, Dana Reyes, accepted" in table.stdout
    assert "- versioning.model_registry: upheld by the assessor, not capped" in table.stdout
    assert f"Findings waived by the assessor (1):\n- {tests}: tests the anonymiser" in table.stdout
    assert "- data.access (from Marta Keller, by 2099-01-15): the IAM role export" in (table.stdout)

    pdf, md = tmp_path / "r.pdf", tmp_path / "r.md"
    for out in (pdf, md):
        proc = assess_cli("report", eng, "--evidence", evidence, "-o", out)
        assert proc.returncode == 0, proc.stderr
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(pdf).pages)
    body = md.read_text()
    for shown in (text, " ".join(body.split())):
        assert "Upheld by the assessor, Dana Reyes" in shown
        assert "a rollback fixture. Scored at the level claimed, 2.0." in shown
        assert "accepted the repositories' evidence (pipeline run 4512 shown)" in shown
        assert "Findings waived by the assessor" in shown and "tests the anonymiser" in shown
        assert "the IAM role export" in shown and "asked by the assessor" in shown
    assert "changed on review, was 1.0" in text
