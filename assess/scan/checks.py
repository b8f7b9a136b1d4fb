"""Checks that need code, registered under the name a rule's ``match.check`` gives.

Each takes the repository view and returns hits (path, line, snippet). Secrets are reported
by kind and location only: the snippet never holds the value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assess.model.rules import Strength
from assess.scan.deps import dependencies
from assess.scan.view import RepoView


@dataclass(frozen=True)
class Hit:
    path: str
    line: int | None = None
    snippet: str | None = None
    strength: Strength | None = None  # this hit's own, when it differs from the rule kind's


Check = Callable[[RepoView], list[Hit]]
CHECKS: dict[str, Check] = {}


def register(name: str) -> Callable[[Check], Check]:
    def deco(fn: Check) -> Check:
        CHECKS[name] = fn
        return fn

    return deco


MODEL_BINARIES = (
    "*.pkl", "*.pickle", "*.joblib", "*.pt", "*.pth", "*.onnx", "*.h5", "*.hdf5", "*.keras",
    "*.ckpt", "*.safetensors", "*.sav", "*.pb", "*.tflite", "*.mlmodel",
)  # fmt: skip
LFS_POINTER = b"version https://git-lfs.github.com/spec/"
LARGE_FILE_BYTES = 50 * 1024 * 1024


def _size(n: int | None) -> str:
    if n is None:
        return "a"
    if n < 1000:
        return f"{n} bytes"
    return f"{n / 1e3:.1f} KB" if n < 1e6 else f"{n / 1e6:.1f} MB"


def _is_lfs_pointer(view: RepoView, path: str) -> bool:
    entry = view.file_at(path)
    if entry is None or entry.size is None or entry.size > 1024:
        return False
    data = view.repo.read(entry, 1024)
    return isinstance(data, bytes) and data.startswith(LFS_POINTER)


TEST_FOLDERS = re.compile(
    r"(?:^|/)(?:tests?|testing|test_?data|fixtures?|__fixtures__|testdata|mocks?)/", re.IGNORECASE
)
MIN_MODEL_BYTES = 1024
"""Smaller than this, a "model" file is a placeholder or a fixture, not a model worth a registry."""


@register("committed_binaries")
def committed_binaries(view: RepoView) -> list[Hit]:
    """Model artefacts committed to git (Git LFS pointers are fine, and so are test fixtures and
    files too small to be a model)."""
    return [
        Hit(e.path, None, f"{_size(e.size)} model file in git")
        for e in view.files(MODEL_BINARIES)
        if not TEST_FOLDERS.search(e.path)
        and (e.size is None or e.size >= MIN_MODEL_BYTES)
        and not _is_lfs_pointer(view, e.path)
    ]


@register("large_files")
def large_files(view: RepoView) -> list[Hit]:
    """Files over 50 MB stored in git itself (data belongs in a data store or DVC/LFS)."""
    return [
        Hit(e.path, None, f"{_size(e.size)} file in git")
        for e in view.all_files
        if e.size is not None and e.size > LARGE_FILE_BYTES
    ]


SECRET_PATTERNS = [
    ("AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("private key", re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP )?PRIVATE KEY")),
    (
        "GitHub token",
        re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{50,})\b"),
    ),
    ("GitLab token", re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}")),
    ("API token", re.compile(r"\bsk-(?:proj-|live-|test-|ant-)?[A-Za-z0-9_-]{24,}")),
    ("Slack token", re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}")),
    ("Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("Azure storage key", re.compile(r"AccountKey=[A-Za-z0-9+/]{60,}={0,2}")),
    (
        "hard-coded password or secret",
        re.compile(
            r"""(?i:\b(?:password|passwd|secret|api_?key|access_?token)\b\s*[:=]\s*['"][^'"\s${}<>]{8,}['"])"""
        ),
    ),
]
TEXT_FILES = (
    "*.py", "*.ipynb", "*.yaml", "*.yml", "*.json", "*.cfg", "*.ini", "*.toml", "*.env", ".env",
    "*.sh", "*.txt", "*.tf", "*.tfvars", "*.conf", "*.properties", "*.r", "*.scala", "*.java",
    "*.js", "*.ts", "Dockerfile*", "*.sql", "*.pem", "*.key", "id_rsa", "id_dsa", "id_ecdsa",
    "id_ed25519",
)  # fmt: skip


ANY_SECRET = re.compile("|".join(f"(?:{rx.pattern})" for _, rx in SECRET_PATTERNS))
KEY_BODY = re.compile(r"[A-Za-z0-9+/]{40}")
"""Base64 key material: a private key header followed by none (``...``, ``fixture``, ``<your
key>``) is a placeholder, not a key."""


VENDORED = re.compile(
    r"(?:^|/)(?:node_modules|bower_components|site-packages|vendor|\.?venv)/", re.IGNORECASE
)
"""Third-party code committed with the project: its documentation examples (GitHub's sample
private key in @octokit's types) are not the client's credentials."""


@register("secrets")
def secrets(view: RepoView) -> list[Hit]:
    hits = []
    for e, text in view.corpus(TEXT_FILES).search(ANY_SECRET):
        if VENDORED.search(e.path):
            continue
        lines = text.splitlines()
        for n, line in enumerate(lines, 1):
            for kind, rx in SECRET_PATTERNS:
                m = rx.search(line)
                if m and kind == "private key":
                    after = line[m.end() :] + "\n" + (lines[n] if n < len(lines) else "")
                    if not KEY_BODY.search(after[:400]):
                        continue  # the header of a placeholder: no key material follows
                if m:
                    hits.append(Hit(e.path, n, f"{kind} (value not shown)"))
                    break
    return hits


# tool named in a README -> (its package, files or folders only it leaves)
TOOLS_IN_READMES = {
    "mlflow": ("mlflow", ("MLproject", "mlruns/**")),
    "dvc": ("dvc", ("dvc.yaml", "dvc.lock", ".dvc/config", "*.dvc")),
    "kubeflow": ("kfp", ()),
    "airflow": ("apache-airflow", ("airflow.cfg",)),
    "evidently": ("evidently", ()),
    "great expectations": (
        "great-expectations",
        ("great_expectations.yml", "gx/great_expectations.yml"),
    ),
    "feast": ("feast", ("feature_store.yaml",)),
    "bentoml": ("bentoml", ("bentofile.yaml",)),
    "wandb": ("wandb", ()),
    "whylogs": ("whylogs", ()),
    "prefect": ("prefect", ("prefect.yaml",)),
}
README_FILES = ("README*",)
# where use of a tool shows: code, configuration, scripts, CI (not documentation)
USE_FILES = (
    "*.py", "*.ipynb", "*.yml", "*.yaml", "*.toml", "*.cfg", "*.ini", "*.txt", "*.in", "*.lock",
    "*.json", "*.sh", "Dockerfile*", "*.Dockerfile", "Makefile", "*.tf", "*.tmpl", "Jenkinsfile*",
    "*.gocd.yaml", "*.kts", "*.r", "*.R", "*.scala", "*.sql",
)  # fmt: skip


@register("readme_only_tools")
def readme_only_tools(view: RepoView) -> list[Hit]:
    """Tools a README names that nothing else in the repository shows: no dependency, no
    import, no CI step, no configuration file, no mention in code or config. A question for the
    interview ("where does it run?"), not evidence either way."""
    named: dict[str, str] = {}
    for e in view.files(README_FILES):
        text = (view.text(e) or "").lower()
        for tool in TOOLS_IN_READMES:
            if tool not in named and re.search(rf"\b{re.escape(tool)}\b", text):
                named[tool] = e.path
    if not named:
        return []
    declared = dependencies(view)
    corpus = view.corpus(USE_FILES)
    hits = []
    for tool, path in named.items():
        package, traces = TOOLS_IN_READMES[tool]
        if package in declared or (traces and view.files(traces)):
            continue
        words = {tool, package, tool.replace(" ", "_"), package.replace("-", "_")}
        rx = re.compile(r"(?i:\b(?:" + "|".join(map(re.escape, sorted(words))) + r")\b)")
        if next(corpus.search(rx), None) is not None:
            continue
        hits.append(Hit(path, None, f"names {tool}; nothing else in the repository shows it"))
    return hits


@register("signed_tags")
def signed_tags(view: RepoView) -> list[Hit]:
    """Annotated tags that carry a signature (read only; assess never runs gpg or ssh)."""
    return [
        Hit(path=f"refs/tags/{name}", snippet=f"{kind}-signed tag (signature not verified)")
        for name, kind in view.repo.tag_signatures()
    ]
