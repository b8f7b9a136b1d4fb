"""Lineage chains traced on real fixture repositories scanned with the bundled pack."""

from __future__ import annotations

from pathlib import Path

import pytest

from assess.compliance import trace_lineage
from assess.model.evidence import RepoScan
from assess.model.pack import Pack
from assess.model.result import LineageChain, LinkStatus
from assess.packs import load_pack
from assess.scan.engine import scan_repo
from assess.scan.repo import GitRepo
from tests.gitrepo import make_repo

TRAIN_MLFLOW = '''"""Train and register the churn model."""
import mlflow
import pandas as pd

def main():
    df = pd.read_parquet("data/train.parquet")
    with mlflow.start_run():
        mlflow.set_tags({"git_commit": commit, "dataset_version": dvc_rev})
        model = fit(df)
        mlflow.sklearn.log_model(model, "model", registered_model_name="churn")
'''

FULL_CHAIN = {
    "src/train.py": TRAIN_MLFLOW,
    "data/train.parquet.dvc": "outs:\n- md5: 3f2a9c0d1b2e4f5a\n  path: train.parquet\n",
    "dvc.yaml": "stages:\n  train:\n    cmd: python src/train.py\n    deps: [data/train.parquet]\n",
    "dvc.lock": "schema: '2.0'\nstages:\n  train:\n    cmd: python src/train.py\n",
    "requirements.txt": "mlflow==2.16.0\ndvc==3.55\n",
    "k8s/inference.yaml": (
        "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n"
        "  name: churn\nspec:\n  predictor:\n    model:\n      storageUri: models:/churn/3\n"
    ),
}

BINARY_ONLY = {
    "train.py": "import pickle\nmodel = fit()\npickle.dump(model, open('models/churn.pkl', 'w'))\n",
    "models/churn.pkl": b"\x80\x04\x95" + bytes(4096),
    "requirements.txt": "scikit-learn==1.5\n",
}


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack("mlops")


def scan(path: Path, pack: Pack) -> RepoScan:
    repo = GitRepo(path, source=str(path))
    try:
        return scan_repo(repo, pack.rules)
    finally:
        repo.close()


def links(chain: LineageChain) -> dict[str, LinkStatus]:
    return {x.id: x.status for x in chain.links}


def test_dvc_and_mlflow_repo_has_a_full_chain(tmp_path: Path, pack: Pack) -> None:
    repo = scan(make_repo(tmp_path / "churn-service", FULL_CHAIN), pack)
    assert pack.lineage is not None
    (chain,) = trace_lineage(pack.lineage, repo)
    assert chain.model == "churn"  # the registered model name, read from the code
    assert chain.broken_at is None
    assert set(links(chain).values()) == {LinkStatus.found}
    assert [x.id for x in chain.links] == ["code", "data", "run", "registry", "deployment"]
    evidence = {x.id: " ".join(x.evidence) for x in chain.links}
    assert "data/train.parquet.dvc" in evidence["data"] or "dvc.lock" in evidence["data"]
    assert "src/train.py:" in evidence["run"] and repo.commit[:8] in evidence["run"]
    assert "k8s/inference.yaml" in evidence["deployment"]


def test_committed_binary_without_data_version_breaks_at_the_data_link(
    tmp_path: Path, pack: Pack
) -> None:
    repo = scan(make_repo(tmp_path / "pricing-model", BINARY_ONLY), pack)
    assert pack.lineage is not None
    (chain,) = trace_lineage(pack.lineage, repo)
    assert chain.model == "pricing-model"  # no registered name: named after the repository
    assert links(chain) == {
        "code": LinkStatus.found,
        "data": LinkStatus.missing,
        "run": LinkStatus.missing,
        "registry": LinkStatus.broken,  # a file in git stands where a registered version should
        "deployment": LinkStatus.missing,
    }
    assert chain.broken_at == "data"
    registry = next(x for x in chain.links if x.id == "registry")
    assert registry.evidence and "models/churn.pkl" in registry.evidence[0]


def test_two_models_in_one_repository_get_their_own_chains(tmp_path: Path, pack: Pack) -> None:
    untagged = "".join(x for x in TRAIN_MLFLOW.splitlines(True) if "set_tags" not in x)
    files = {
        "churn/src/train.py": TRAIN_MLFLOW,
        "claims/src/train.py": untagged.replace('"churn"', '"claims"'),  # no dataset version
    }
    files["churn/data/train.parquet.dvc"] = FULL_CHAIN["data/train.parquet.dvc"]
    files["requirements.txt"] = "mlflow\n"
    repo = scan(make_repo(tmp_path / "monorepo", files), pack)
    assert pack.lineage is not None
    chains = {c.model: c for c in trace_lineage(pack.lineage, repo)}
    assert set(chains) == {"churn", "claims"}
    assert links(chains["churn"])["data"] is LinkStatus.found
    assert links(chains["claims"])["data"] is LinkStatus.missing  # churn's data is not claims'
    assert all(e.startswith("claims/") for x in chains["claims"].links for e in x.evidence)


def test_a_repository_without_ml_evidence_has_no_chain(tmp_path: Path, pack: Pack) -> None:
    repo = scan(make_repo(tmp_path / "docs", {"README.md": "# Handbook\n"}), pack)
    assert pack.lineage is not None
    assert trace_lineage(pack.lineage, repo) == ()


def test_a_nested_model_keeps_its_own_evidence(tmp_path: Path, pack: Pack) -> None:
    files = {
        "models/register.py": 'mlflow.register_model(uri, "portfolio")\n',
        "models/churn/train.py": TRAIN_MLFLOW,  # registers "churn", logs runs
    }
    repo = scan(make_repo(tmp_path / "nested", files), pack)
    assert pack.lineage is not None
    chains = {c.model: c for c in trace_lineage(pack.lineage, repo)}
    assert set(chains) == {"portfolio", "churn"}
    outer = {x.id: x for x in chains["portfolio"].links}
    assert outer["run"].status is LinkStatus.missing  # churn's runs are not the outer model's
    assert not any("models/churn/" in e for x in chains["portfolio"].links for e in x.evidence)
    assert links(chains["churn"])["run"] is LinkStatus.found
