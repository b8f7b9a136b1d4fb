"""Each rule family against a passing and a failing fixture repository (Checkov-style: one
generic test over a table of fixtures and the rule ids expected to fire)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assess.model.evidence import Evidence
from assess.packs import load_pack
from assess.scan.engine import scan_repo
from assess.scan.repo import GitRepo
from tests.conftest import dump
from tests.gitrepo import make_repo

RULES: dict[str, Any] = {
    "area": "alpha",
    "rules": [
        {
            "id": "alpha/dvc",
            "title": "DVC",
            "level": 2,
            "match": {"paths": ["dvc.yaml", "**/*.dvc"]},
        },
        {
            "id": "alpha/mlflow-dep",
            "title": "MLflow",
            "level": 2,
            "match": {"dependencies": ["mlflow"]},
        },
        {
            "id": "alpha/register",
            "title": "Registers models",
            "level": 3,
            "match": {
                "content": {"files": ["**/*.py", "**/*.ipynb"], "pattern": r"register_model\("}
            },
        },
        {
            "id": "alpha/hashing",
            "title": "Hashes identifiers",
            "level": 2,
            "match": {
                "content": {
                    "files": ["**/*.py"],
                    "exclude": ["**/tests/**", "test_*.py"],
                    "pattern": r"hashlib\.sha256\(",
                    "also": [r"^def\s+pseudonymise\b"],
                }
            },
        },
        {
            "id": "alpha/k8s-deploy",
            "title": "Kubernetes deployment",
            "level": 2,
            "match": {
                "yaml_key": {"files": ["**/*.yaml"], "key": "kind", "equals": ["Deployment"]}
            },
        },
        {
            "id": "alpha/tests-in-ci",
            "title": "Tests in CI",
            "level": 3,
            "match": {"ci_step": {"pattern": r"\bpytest\b"}},
        },
        {
            "id": "alpha/binaries",
            "title": "Model binaries in git",
            "kind": "negative",
            "level": 1,
            "remediation": "Use a registry.",
            "match": {"check": "committed_binaries"},
        },
        {
            "id": "alpha/secrets",
            "title": "Secrets",
            "kind": "negative",
            "level": 1,
            "remediation": "Rotate and remove.",
            "match": {"check": "secrets"},
        },
    ],
}

NOTEBOOK_CODE = json.dumps(
    {
        "cells": [
            {
                "cell_type": "code",
                "source": ["import mlflow\n", "mlflow.register_model(uri, 'm')\n"],
            }
        ]
    }
)
NOTEBOOK_MARKDOWN = json.dumps(
    {"cells": [{"cell_type": "markdown", "source": ["We should call register_model( one day"]}]}
)
AWS_KEY = "AKIA" + "ABCDEFGHIJKLMNOP"
PRIVATE_KEY = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    + "MIIEpAIBAAKCAQEA"
    + "x" * 48
    + "\n-----END RSA PRIVATE KEY-----\n"
)
PSEUDONYMISE = (
    "import hashlib\n\n\ndef pseudonymise(x):\n    return hashlib.sha256(x).hexdigest()\n"
)

FIXTURES: list[tuple[str, dict[str, str | bytes], set[str]]] = [
    # name, files, rule ids expected to fire (every other rule must stay silent)
    ("paths pass", {"dvc.yaml": "stages: {}\n", "data/raw.csv.dvc": "outs: []\n"}, {"alpha/dvc"}),
    ("paths fail", {"docs/dvc.md": "we plan to use DVC\n"}, set()),
    (
        "requirements",
        {"requirements-dev.txt": "pandas\nMLflow[extras]>=2.0  # tracking\n"},
        {"alpha/mlflow-dep"},
    ),
    (
        "pyproject",
        {
            "pyproject.toml": '[project]\nname="x"\ndependencies=["mlflow-skinny", "ml_flow"]\n[project.optional-dependencies]\nt=["mlflow==2.1"]\n'
        },
        {"alpha/mlflow-dep"},
    ),
    (
        "setup.cfg",
        {"setup.cfg": "[options]\ninstall_requires =\n    numpy\n    mlflow\n"},
        {"alpha/mlflow-dep"},
    ),
    (
        "conda",
        {
            "environment.yml": "dependencies:\n  - python=3.11\n  - conda-forge::mlflow\n  - pip:\n    - evidently\n"
        },
        {"alpha/mlflow-dep"},
    ),
    ("Pipfile", {"Pipfile": '[packages]\nmlflow = "*"\n'}, {"alpha/mlflow-dep"}),
    (
        "dependency fail",
        {"requirements.txt": "# mlflow\nmlflow-skinny\n", "README.md": "uses mlflow\n"},
        set(),
    ),
    ("content pass", {"train.py": "client.register_model(name)\n"}, {"alpha/register"}),
    # the import counts as use of the package too
    (
        "notebook code cell",
        {"nb/train.ipynb": NOTEBOOK_CODE},
        {"alpha/register", "alpha/mlflow-dep"},
    ),
    ("notebook markdown only", {"nb/train.ipynb": NOTEBOOK_MARKDOWN}, set()),
    # content "also": every other regex matches some line of the same file; "exclude": files
    # not to count (a practice shown only in a test is not the practice)
    ("content also pass", {"src/prep.py": PSEUDONYMISE}, {"alpha/hashing"}),
    ("content also missing", {"src/prep.py": "import hashlib\nh = hashlib.sha256(b)\n"}, set()),
    ("content only in tests", {"tests/test_prep.py": PSEUDONYMISE}, set()),
    (
        "yaml key pass",
        {"k8s/app.yaml": "apiVersion: apps/v1\nkind: Deployment\n---\nkind: Service\n"},
        {"alpha/k8s-deploy"},
    ),
    (
        "yaml key fail",
        {"k8s/app.yaml": "kind: Service\n", "bad.yaml": "kind: [Deployment\n"},
        set(),
    ),
    (
        "ci step pass",
        {
            ".github/workflows/ci.yml": "jobs:\n  t:\n    steps:\n      - run: |\n          pip install .\n          python -m pytest -q\n"
        },
        {"alpha/tests-in-ci"},
    ),
    ("gitlab ci", {".gitlab-ci.yml": "test:\n  script:\n    - pytest\n"}, {"alpha/tests-in-ci"}),
    (
        "jenkins",
        {"Jenkinsfile": "pipeline { stages { stage('t') { steps { sh 'pytest -q' } } } }\n"},
        {"alpha/tests-in-ci"},
    ),
    (
        "ci step commented out",
        {
            ".github/workflows/ci.yml": "jobs:\n  t:\n    steps:\n      - run: pip install .\n      # - run: pytest\n      - run: |\n          # pytest disabled\n          echo ok\n"
        },
        set(),
    ),
    (
        "only funding in .github",
        {".github/FUNDING.yml": "github: someone\n", "tox.ini": "[testenv]\ncommands = pytest\n"},
        set(),
    ),
    ("binary pass", {"models/model.pkl": b"\x80\x04binary" * 200}, {"alpha/binaries"}),
    (
        "binary via LFS is fine",
        {
            "models/model.pkl": "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 123\n"
        },
        set(),
    ),
    ("secret pass", {"config/settings.py": f'AWS = "{AWS_KEY}"\n'}, {"alpha/secrets"}),
    ("secret fail", {"config/settings.py": 'password = os.environ["DB_PASSWORD"]\n'}, set()),
    # third-party code committed with the project holds its vendors' examples, not credentials
    (
        "secret in vendored code",
        {"node_modules/pkg/types.d.ts": f'const k = "{AWS_KEY}";\n'},
        set(),
    ),
    # a private key is reported when key material follows its header, not for a placeholder
    ("private key", {"deploy/id_rsa": PRIVATE_KEY}, {"alpha/secrets"}),
    (
        "private key placeholder",
        {
            "tests/test_cfg.py": 'KEY = "-----BEGIN PRIVATE KEY-----\\nfixture\\n-----END PRIVATE KEY-----"\n'
        },
        set(),
    ),
]


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from tests.conftest import tiny_pack_data, write_pack

    head, questions = tiny_pack_data()
    folder = write_pack(tmp_path_factory.mktemp("pack") / "tiny", head, questions)
    dump(folder / "rules" / "alpha.yaml", RULES)
    return load_pack(folder).rules


@pytest.mark.parametrize(("name", "files", "expected"), FIXTURES, ids=[f[0] for f in FIXTURES])
def test_rule_family(
    tmp_path: Path, rules: Any, name: str, files: dict[str, str | bytes], expected: set[str]
) -> None:
    repo_path = make_repo(tmp_path / "repo", files)
    repo = GitRepo(repo_path)
    try:
        result = scan_repo(repo, rules, with_history=False)
    finally:
        repo.close()
    fired = {f.rule for fs in result.areas.values() for f in fs}
    assert fired == expected
    for f in (f for fs in result.areas.values() for f in fs):
        assert f.commit == repo.commit and f.path in files
        assert AWS_KEY not in (f.snippet or "")  # a secret is never reported by value
        if f.rule == "alpha/secrets":
            kind = "private key" if name.startswith("private") else "AWS access key id"
            assert f.line == 1 and f.snippet == f"{kind} (value not shown)"
        if f.rule == "alpha/hashing":
            assert (f.line, f.snippet) == (5, "return hashlib.sha256(x).hexdigest()")
        if f.rule == "alpha/tests-in-ci":
            assert f.strength.value == "ci" and "pytest" in (f.snippet or "")
    Evidence(tool_version="t", pack_id="tiny", pack_version="1.0", repos=(result,))


def test_indexed_glob_lookup_equals_plain_matching(tmp_path: Path) -> None:
    from assess.scan.view import RepoView, matches

    files = [
        "dvc.yaml", "a/b/DVC.yaml", "x.dvc", "deep/er/data.csv.dvc", "requirements.txt",
        "requirements-dev.txt", "req/requirements/base.txt", "Dockerfile", "svc/Dockerfile.gpu",
        ".github/workflows/ci.yml", "sub/.github/workflows/ci.yml", "Jenkinsfile", "nb/a.ipynb",
        "README.md", "docs/README.rst", ".py", "x.tar.gz", "k8s/app.yaml",
    ]  # fmt: skip
    repo = GitRepo(make_repo(tmp_path / "r", {f: "x\n" for f in files}))
    try:
        view = RepoView(repo, repo.tree(), 1 << 20)
        for globs in [
            ("dvc.yaml", "**/*.dvc"), ("requirements*.txt", "**/requirements/*.txt"),
            ("Dockerfile*", "*.Dockerfile"), (".github/workflows/*.yml",), ("Jenkinsfile*",),
            ("**/*.ipynb", "README*"), ("*.py",), ("*.gz",), ("**/*.yaml", "**/*.yml"),
        ]:  # fmt: skip
            expected = [e.path for e in view.entries if matches(e.path, globs)]
            assert [e.path for e in view.files(globs)] == expected, globs
    finally:
        repo.close()


def test_one_entry_list_and_one_corpus_per_set_of_files(tmp_path: Path) -> None:
    """Glob tuples that pick the same files get the same entry list, and so one corpus
    (``corpus_of`` recognises a set by its list); different sets never share one."""
    from assess.scan.view import RepoView

    files = {"a.py": "import x\n", "b/c.py": "import y\n", "d.yml": "k: v\n", "e.md": "# e\n"}
    repo = GitRepo(make_repo(tmp_path / "r", files))
    try:
        view = RepoView(repo, repo.tree(), 1 << 20)
        py = view.files(("*.py",))
        assert view.files(("**/*.py", "b/*.py")) is py  # b/*.py adds nothing to **/*.py
        assert view.files(("*.py", "*.nothing")) is py  # a glob that matches nothing
        both = view.files(("*.py", "*.yml"))
        assert view.files(("*.yml", "**/*.py")) is both  # the same union, another order
        assert both is not py and [e.path for e in both] == ["a.py", "b/c.py", "d.yml"]
        assert view.corpus(("*.py",)) is view.corpus(("**/*.py", "b/*.py"))
        assert view.corpus(("*.py", "*.yml")) is not view.corpus(("*.py",))
        assert [e.path for e, _ in view.corpus(("*.py", "*.yml")).items] == [
            "a.py", "b/c.py", "d.yml"
        ]  # fmt: skip
    finally:
        repo.close()


def test_each_glob_answered_once_and_alike_in_every_combination(tmp_path: Path) -> None:
    """``RepoView.files`` answers each glob once per tree and unions them: the files of a
    tuple equal plain matching whether its globs were seen before alone, in another tuple or
    not at all, for globs answered from the name or extension index and for globs found by
    their literal part (``*dpia*``, ``Dockerfile.*``, ``**/model_cards/**``)."""
    from assess.scan.view import RepoView, matches

    files = [
        "docs/DPIA-2025.pdf", "legal/churn_dpia.md", "dpia", "Dockerfile", "Dockerfile.gpu",
        "svc/dockerfile.CPU", "svc/Dockerfile", "a/model_cards/churn.md", "model_cards/x/y.json",
        "not_model_cards/z.md", ".github/workflows/ci.yml", ".github/workflows/sub/x.yml",
        "sub/.github/workflows/CD.YML", "src/app.py", "src/app.py.tmpl", "README.md",
    ]  # fmt: skip
    tuples = [
        ("*dpia*",), ("Dockerfile.*",), ("**/model_cards/**",), (".github/workflows/*.yml",),
        ("*dpia*", "*.md"), ("Dockerfile", "Dockerfile.*", "*.py"), ("*.md", "*dpia*"),
        ("**/model_cards/**", "**/*.json", "*dpia*"), ("*.py", "*.py.tmpl", "*.tmpl"),
        ("**/.github/workflows/*.yml", ".github/workflows/*.yml"), ("nothing*here",),
    ]  # fmt: skip
    repo = GitRepo(make_repo(tmp_path / "r", {f: "x\n" for f in files}))
    try:
        for order in (tuples, tuples[::-1]):
            view = RepoView(repo, repo.tree(), 1 << 20)
            for globs in order:
                expected = [e.path for e in view.entries if matches(e.path, globs)]
                assert [e.path for e in view.files(globs)] == expected, globs
                assert view.files(globs) is view.files(globs)  # kept per tuple
        assert [e.path for e in view.files(("*dpia*",))] == [
            "docs/DPIA-2025.pdf", "dpia", "legal/churn_dpia.md"
        ]  # fmt: skip
    finally:
        repo.close()
    # a name with a long s, which the glob regex takes for s: every name is matched
    repo = GitRepo(make_repo(tmp_path / "r", {"\u017fpec-dpia.txt": "x\n"}, message="more"))
    try:
        view = RepoView(repo, repo.tree(), 1 << 20)
        for globs in (("*dpia*",), ("*spec*",), (".github/workflows/*.yml",)):
            expected = [e.path for e in view.entries if matches(e.path, globs)]
            assert [e.path for e in view.files(globs)] == expected, globs
        assert "\u017fpec-dpia.txt" in [e.path for e in view.files(("*spec*",))]
    finally:
        repo.close()


def test_corpus_search_ends_on_patterns_matching_at_the_end(tmp_path: Path) -> None:
    import re

    from assess.scan.view import Corpus

    repo = GitRepo(make_repo(tmp_path / "r", {"a.py": "x\n", "b.py": "y\n"}))
    try:
        entries = [e for e in repo.tree() if e.is_file]
    finally:
        repo.close()
    corpus = Corpus([(e, "x\n") for e in entries])
    assert [e.path for e, _ in corpus.search(re.compile("x*", re.M))] == ["a.py", "b.py"]
