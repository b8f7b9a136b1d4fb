"""CI recognised by name, by shape, by code and by inclusion, wherever it lives (ci.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assess.errors import PackError
from assess.model.rules import CiSystem
from assess.packs import load_pack
from assess.scan.ci import ci_files
from assess.scan.engine import scan_repo
from assess.scan.repo import GitRepo
from assess.scan.rules import load_ci_systems
from assess.scan.view import RepoView
from tests.conftest import dump, run_assess, tiny_pack_data, write_pack
from tests.gitrepo import make_repo
from tests.test_cli import assert_clean_failure

PACK = load_pack("mlops")
SYSTEMS = PACK.ci_systems


def found(path: Path, systems: tuple[CiSystem, ...] = SYSTEMS) -> dict[str, str]:
    """CI file path -> the id of the system that recognised it."""
    repo = GitRepo(path)
    try:
        view = RepoView(repo, repo.tree(), 2 * 1024 * 1024)
        return {f.path: f.system.id for f in ci_files(view, systems)}
    finally:
        repo.close()


def scan(path: Path) -> Any:
    """The real pack's scan of ``path`` at its HEAD, without history."""
    repo = GitRepo(path)
    try:
        return scan_repo(repo, PACK.rules, with_history=False, ci_systems=SYSTEMS)
    finally:
        repo.close()


def test_every_ci_system_is_distinct_and_has_examples() -> None:
    ids = [s.id for s in SYSTEMS]
    assert len(ids) == len(set(ids)) >= 14
    assert {"azure_pipelines", "cloud_build", "codebuild", "jenkins", "gitlab_ci"} <= set(ids)


@pytest.mark.parametrize("system", SYSTEMS, ids=[s.id for s in SYSTEMS])
def test_ci_system_against_its_examples(tmp_path: Path, system: CiSystem) -> None:
    hit = found(make_repo(tmp_path / "match", dict(system.examples.match)))
    assert system.id in hit.values(), hit
    miss = found(make_repo(tmp_path / "no", dict(system.examples.no_match)))
    assert system.id not in miss.values(), miss


AZURE_MONOREPO = {
    # the Azure ML reference layout: a dozen pipeline files in a folder, templates included
    ".azure-pipelines/deploy-model-training-pipeline.yml": (
        "trigger: none\nvariables:\n  - template: ../config-infra-prod.yml\n"
        "stages:\n  - stage: Train\n    jobs:\n      - job: t\n        steps:\n"
        "          - template: templates/run-pipeline.yml\n"
        "            parameters: {pipeline_file: mlops/azureml/train/pipeline.yml}\n"
    ),
    ".azure-pipelines/templates/run-pipeline.yml": (
        "parameters:\n  - name: pipeline_file\n"
        "steps:\n  - task: AzureCLI@2\n    inputs:\n      scriptType: bash\n"
        "      inlineScript: az ml job create --file ${{ parameters.pipeline_file }}\n"
    ),
    ".azure-pipelines/pr-ci.yml": (
        "pr: [main]\njobs:\n  - job: test\n    steps:\n      - script: pytest tests\n"
    ),
    "config-infra-prod.yml": "variables:\n  location: westeurope\n",
    "mlops/azureml/train/pipeline.yml": "$schema: x\ntype: pipeline\njobs: {}\n",
    "src/train.py": "import mlflow\n",
}


def test_azure_pipelines_in_a_folder_are_ci_for_every_ci_rule(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", AZURE_MONOREPO)
    hit = found(repo)
    assert hit == {
        ".azure-pipelines/deploy-model-training-pipeline.yml": "azure_pipelines",
        ".azure-pipelines/pr-ci.yml": "azure_pipelines",
        ".azure-pipelines/templates/run-pipeline.yml": "azure_pipelines",
        "config-infra-prod.yml": "azure_pipelines",  # a variables template it includes
    }
    result = scan(repo)
    rules = {f.rule for fs in result.areas.values() for f in fs}
    assert {
        "cicd/ci-config",
        "cicd/merge-request-trigger",
        "cicd/tests-run-in-ci",
        "training/training-runs-in-ci",
    } <= rules
    assert "mlops/azureml/train/pipeline.yml" not in hit  # an Azure ML job, not a CI file


def test_ci_by_content_in_odd_folders(tmp_path: Path) -> None:
    files = {
        "build/gcp/train.yaml": (
            "steps:\n  - name: europe-docker.pkg.dev/p/r/trainer\n    args: [python, train.py]\n"
        ),
        "pipelines/sagemaker/codebuild-train.yml": (
            "version: 0.2\nphases:\n  build:\n    commands: [python pipeline.py]\n"
        ),
        "services/churn/ci/Jenkinsfile": (
            "pipeline { stages { stage('t') { steps { sh 'pytest' } } } }\n"
        ),
        ".gitlab-ci.yml": (
            "include:\n  - local: ci/ml.yml\n  - project: other/group\n    file: x.yml\n"
        ),
        "ci/ml.yml": "train:\n  script: [dvc repro]\n",
        ".github/actions/setup/action.yml": (
            "runs:\n  using: composite\n  steps:\n    - run: pip install -r req.txt\n"
        ),
        "k8s/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nspec: {}\n",
        "conf/steps.yaml": "steps:\n  - name: clean\n  - name: train\n",
    }
    repo = make_repo(tmp_path / "r", files)
    assert found(repo) == {
        "build/gcp/train.yaml": "cloud_build",
        "pipelines/sagemaker/codebuild-train.yml": "codebuild",
        "services/churn/ci/Jenkinsfile": "jenkins",
        ".gitlab-ci.yml": "gitlab_ci",
        "ci/ml.yml": "gitlab_ci",
        ".github/actions/setup/action.yml": "github_composite_action",
    }
    result = scan(repo)
    steps = {(f.rule, f.path) for fs in result.areas.values() for f in fs}
    assert ("training/training-runs-in-ci", "ci/ml.yml") in steps
    assert ("cicd/tests-run-in-ci", "services/churn/ci/Jenkinsfile") in steps


def test_bad_ci_file_is_one_line(tmp_path: Path) -> None:
    head, questions = tiny_pack_data()
    folder = write_pack(tmp_path / "tiny", head, questions)
    dump(folder / "ci.yaml", {"systems": [{"id": "x", "title": "X", "examples": {}}]})
    with pytest.raises(PackError, match=r"ci\.yaml"):
        load_ci_systems(folder)
    proc = run_assess("validate", "--pack", folder)
    assert_clean_failure(proc, "ci.yaml")


def test_split_container_commands_are_read_as_one_line(tmp_path: Path) -> None:
    from assess.scan.ci import commands

    repo = make_repo(
        tmp_path / "r",
        {
            "cloudbuild/pr-checks.yaml": (
                "steps:\n  - name: python:3.11\n    entrypoint: pytest\n    args: [-q, tests]\n"
                "  - name: gcr.io/cloud-builders/docker\n    args: [build, -t, trainer, .]\n"
                "  - name: python:3.11\n    entrypoint: bash\n"
                "    args: [-c, python run.py --train]\n"
                "substitutions: {_REGION: europe-west1}\n"
            ),
            "seedcode/.github/workflows/build.yml": "on: push\njobs: {}\n",
            "empty/cloudbuild.yaml": "",
        },
    )
    hit = found(repo)
    assert hit == {
        "cloudbuild/pr-checks.yaml": "cloud_build",
        "seedcode/.github/workflows/build.yml": "github_actions",
    }
    g = GitRepo(repo)
    try:
        view = RepoView(g, g.tree(), 2 * 1024 * 1024)
        lines = [c for _p, _l, c in commands(view, ci_files(view, SYSTEMS))]
    finally:
        g.close()
    assert lines == ["pytest -q tests", "docker build -t trainer .", "python run.py --train"]


def test_cloudformation_tags_do_not_hide_a_file(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "r",
        {
            "pipeline.yml": (
                "Resources:\n  Pipeline:\n    Type: AWS::CodePipeline::Pipeline\n"
                "    Properties:\n      RoleArn: !GetAtt Role.Arn\n"
                "      Name: !Sub '${AWS::StackName}'\n"
            ),
            "buildspec.yml": (
                "version: 0.2\nphases:\n  build:\n    commands:\n      - !Sub 'pytest'\n"
            ),
        },
    )
    result = scan(repo)
    assert not [n for n in result.notes if "not read" in n]
    assert "cicd/tests-run-in-ci" in {f.rule for fs in result.areas.values() for f in fs}
    assert found(repo) == {"pipeline.yml": "codepipeline_as_code", "buildspec.yml": "codebuild"}
