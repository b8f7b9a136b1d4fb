"""Build large benchmark repositories fast: one `git fast-import` stream, no per-commit process."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path


def fast_import(
    repo: Path,
    commits: Iterable[Sequence[tuple[str, str]]],
    *,
    authors: int = 5,
    seconds_apart: int = 3600,
) -> None:
    """A new repository at ``repo`` with one commit per batch of (path, content) files on
    main, by ``authors`` rotating committers, then a checkout of the result."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    out: list[bytes] = []
    for c, batch in enumerate(commits):
        msg = f"commit {c}".encode()
        who = f"Dev{c % authors} <dev{c % authors}@example.com>"
        out.append(b"commit refs/heads/main\n")
        out.append(f"mark :{c + 1}\n".encode())
        out.append(f"committer {who} {1_700_000_000 + c * seconds_apart} +0000\n".encode())
        out.append(b"data %d\n%s\n" % (len(msg), msg))
        if c:
            out.append(f"from :{c}\n".encode())
        for path, content in batch:
            data = content.encode()
            out.append(f"M 644 inline {path}\n".encode())
            out.append(b"data %d\n%s\n" % (len(data), data))
        out.append(b"\n")
    subprocess.run(
        ["git", "-C", str(repo), "fast-import", "--quiet"], input=b"".join(out), check=True
    )
    subprocess.run(["git", "-C", str(repo), "reset", "-q", "--hard"], check=True)
