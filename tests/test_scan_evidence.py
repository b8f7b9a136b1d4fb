"""Evidence where teams really leave it: dependencies of any shape, README mentions that are
questions not problems, binaries that are fixtures, files in Windows encodings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assess.model.rules import RuleKind
from assess.packs import load_pack
from assess.scan.deps import dependencies
from assess.scan.engine import scan_repo
from assess.scan.repo import GitRepo
from assess.scan.view import RepoView
from tests.gitrepo import make_repo

PACK = load_pack("mlops")


def deps(path: Path) -> dict[str, Any]:
    repo = GitRepo(path)
    try:
        return dependencies(RepoView(repo, repo.tree(), 2 * 1024 * 1024))
    finally:
        repo.close()


def scan(path: Path) -> Any:
    repo = GitRepo(path)
    try:
        return scan_repo(repo, PACK.rules, with_history=False, ci_systems=PACK.ci_systems)
    finally:
        repo.close()


def test_dependencies_wherever_a_team_declares_them(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "r",
        {
            "envs/train-conda.yml": "name: t\nchannels: [conda-forge]\ndependencies:\n"
            "  - python=3.11\n  - pip:\n      - azure-ai-ml==1.12\n",
            "docker/Dockerfile.train": "FROM python:3.11\nRUN pip install --no-cache-dir "
            "-r requirements.txt mlflow==2.9 'evidently>=0.4' && echo ok\n",
            "scripts/setup.sh": "python -m pip install -U kfp\n",
            "reqs/dev-requirements.txt": "great_expectations\n",
            "poetry.lock": '[[package]]\nname = "whylogs"\nversion = "1.3"\n',
            "win/requirements.txt": "\ufeffpandera\n".encode("utf-16"),
            "bom/requirements-ci.txt": "\ufeffdeepchecks\n".encode(),
            "src/train.py": "from sklearn.ensemble import RandomForestClassifier\nimport wandb\n",
            "nb/explore.ipynb": '{"cells": [{"cell_type": "code", "source": ["import feast\\n"]}]}',
            ".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    steps:\n"
            "      - run: pip install bentoml\n",
        },
    )
    found = deps(repo)
    expected = {
        "azure-ai-ml": "envs/train-conda.yml",
        "mlflow": "docker/Dockerfile.train",
        "evidently": "docker/Dockerfile.train",
        "kfp": "scripts/setup.sh",
        "great-expectations": "reqs/dev-requirements.txt",
        "whylogs": "poetry.lock",
        "pandera": "win/requirements.txt",
        "deepchecks": "bom/requirements-ci.txt",
        "scikit-learn": "src/train.py",
        "wandb": "src/train.py",
        "feast": "nb/explore.ipynb",
    }
    assert {k: found[k][0] for k in expected if k in found} == expected
    assert "requirements-txt" not in found and "no-cache-dir" not in found


def test_readme_mention_is_a_question_never_a_problem(tmp_path: Path) -> None:
    used = make_repo(
        tmp_path / "used",
        {
            "README.md": "We version data with DVC and track runs in MLflow; W&B also works.\n",
            "dvc.yaml": "stages: {}\n",
            "src/track.py": "import mlflow\n",
        },
    )
    result = scan(used)
    findings = [f for fs in result.areas.values() for f in fs]
    asks = [f for f in findings if f.rule == "versioning/tools-named-only-in-readme"]
    # dvc shows in dvc.yaml, mlflow in an import; only W&B ("wandb" is not named) stays quiet
    assert asks == []
    only = make_repo(
        tmp_path / "only",
        {"README.md": "Experiments are tracked in MLflow.\n", "requirements.txt": "pandas\n"},
    )
    asks = [f for fs in scan(only).areas.values() for f in fs if f.rule.endswith("in-readme")]
    assert len(asks) == 1 and asks[0].kind is RuleKind.prompt
    assert asks[0].snippet == "names mlflow; nothing else in the repository shows it"


def test_readme_prompt_never_caps_an_answer() -> None:
    from assess.model.rules import Strength
    from tests.test_reconcile import check, finding, question, rule

    prompt = rule("cicd/readme-tools", 1, kind="prompt")
    r = check(question(), (3,), [finding(prompt, Strength.file, "README.md")], rules=(prompt,))
    assert r.level == 3.0 and r.evidence is not None and r.evidence.cap is None
    assert r.evidence.status.value != "contradicted"


def test_fixtures_and_tiny_files_are_not_committed_models(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "r",
        {
            "tests/fixtures/model.pkl": bytes(4096),
            "src/pkg/testdata/clf.joblib": bytes(4096),
            "models/placeholder.pt": b"x",
            "models/churn.pkl": bytes(4096),
        },
    )
    result = scan(repo)
    flagged = {
        f.path for fs in result.areas.values() for f in fs
        if f.rule == "versioning/committed-model-binaries"
    }  # fmt: skip
    assert flagged == {"models/churn.pkl"}


def test_a_dependency_found_by_import_says_so(tmp_path: Path) -> None:
    """A package only imported is reported as an import at its line (code that uses it), a
    declared one as declared and a pip install line as installed; none is called declared
    when it was not."""
    repo = make_repo(
        tmp_path / "r",
        {
            "requirements.txt": "pandas\ndvc[s3]==3.48\n",
            "monitor/drift.py": "# evidently computes the report\nimport os\nfrom evidently import Report\n",
            "Dockerfile": "FROM python:3.11\nRUN pip install --no-cache-dir feast==0.40\n",
        },
    )
    uses = deps(repo)
    assert uses["evidently"][:3] == ("monitor/drift.py", 3, "imported")
    assert uses["dvc"][:3] == ("requirements.txt", 2, "declared")
    assert uses["feast"][:3] == ("Dockerfile", 2, "installed")
    found = {f.rule: f for fs in scan(repo).areas.values() for f in fs}
    drift = found["monitoring/monitoring-deps"]
    assert (drift.path, drift.line, drift.strength.value) == ("monitor/drift.py", 3, "code")
    assert drift.snippet == "imported: from evidently import Report"
    assert "declared" not in drift.title.lower()
    dvc = found["data/data-versioning-deps"]
    assert (dvc.path, dvc.line, dvc.strength.value) == ("requirements.txt", 2, "dependency")
    assert dvc.snippet == "declared: dvc[s3]==3.48"
    store = found["data/feature-store-deps"]
    assert store.snippet == "installed: RUN pip install --no-cache-dir feast==0.40"
