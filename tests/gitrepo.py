"""Build real git repositories for tests (no mocks): files in, commits out."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "HOME": "/nonexistent",
}


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args],
        check=True,
        capture_output=True,
        text=True,
        env={**ENV, **(env or {})},
    ).stdout


def make_repo(
    path: Path,
    files: dict[str, str | bytes],
    *,
    message: str = "initial",
    author: str | None = None,
    date: str | None = None,
) -> Path:
    """Create (or add a commit to) a repository holding ``files``."""
    if not (path / ".git").exists():
        path.mkdir(parents=True, exist_ok=True)
        git(path, "init", "-q", "-b", "main")
    for name, content in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)
    git(path, "add", "-A")
    env = {}
    if author:
        env["GIT_AUTHOR_EMAIL"] = author
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    git(path, "commit", "-q", "--allow-empty", "-m", message, env=env)
    return path


def remove(path: Path, *names: str, message: str = "remove") -> None:
    git(path, "rm", "-q", "-r", *names)
    git(path, "commit", "-q", "-m", message)


FAKE_SIGNATURE = (
    "-----BEGIN PGP SIGNATURE-----\n\niQEzBAABCAAdFiEEfakefakefakefakefakefake\n=abcd\n"
    "-----END PGP SIGNATURE-----\n"
)


def make_tag(repo: Path, name: str, *, signed: bool) -> None:
    """An annotated tag on HEAD, built with ``git mktag``; ``signed`` appends a signature block
    (structurally a signature, cryptographically meaningless: assess only reads it)."""
    head = git(repo, "rev-parse", "HEAD").strip()
    body = (
        f"object {head}\ntype commit\ntag {name}\n"
        "tagger Test <test@example.com> 1700000000 +0000\n\nrelease\n"
    )
    if signed:
        body += FAKE_SIGNATURE
    obj = subprocess.run(
        ["git", "-C", str(repo), "mktag"],
        input=body,
        capture_output=True,
        text=True,
        check=True,
        env=ENV,
    ).stdout.strip()
    git(repo, "update-ref", f"refs/tags/{name}", obj)
