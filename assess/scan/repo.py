"""Read-only access to a git repository: the only module that touches git.

Everything goes through git plumbing on one commit: ``rev-parse`` to resolve the ref, one
``ls-tree -r -l -z`` for the files and their sizes, one persistent ``cat-file --batch`` for the
blobs we read, and one streaming ``log --name-status -z`` for history. Nothing is checked out,
no hook, filter, textconv, external diff or fsmonitor can run (they are switched off on every
command line), and the scan can never fetch: lazy fetches of partial clones are refused, so a
missing blob is a note, not a download or a crash.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import queue
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import git

from assess.errors import InputError

# Config that could make git run a program of the repository's choosing, neutralised.
SAFE_CONFIG = [
    "core.fsmonitor=false",
    "core.hooksPath=/dev/null",
    "core.untrackedCache=false",
    "diff.external=",
    "core.pager=cat",
    "safe.directory=*",
    "protocol.allow=never",
    "log.showSignature=false",
    "gpg.program=false",
    "gpg.ssh.program=false",
    "gpg.x509.program=false",
]
SAFE_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_OPTIONAL_LOCKS": "0",
    "GIT_NO_REPLACE_OBJECTS": "1",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_ATTR_NOSYSTEM": "1",
    "GIT_EXTERNAL_DIFF": "",
    "GIT_PAGER": "cat",
    "GIT_ASKPASS": "",
    "SSH_ASKPASS": "",
}

MODE_SYMLINK = "120000"
MODE_SUBMODULE = "160000"


@dataclass(frozen=True)
class Entry:
    path: str  # decoded for display; undecodable bytes become U+FFFD
    mode: str
    sha: str
    size: int | None  # None for submodules

    @property
    def is_file(self) -> bool:
        return self.mode not in (MODE_SYMLINK, MODE_SUBMODULE) and not self.mode.startswith("04")


@dataclass(frozen=True)
class LogCommit:
    sha: str
    time: dt.datetime
    author: str
    changes: tuple[tuple[str, str], ...]  # (status letter, path)


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


class GitRepo:
    """One repository opened read-only at one commit."""

    def __init__(self, path: Path, ref: str | None = None, *, source: str | None = None) -> None:
        self.source = source or str(path)
        if not path.exists():
            raise InputError("no such folder", file=path)
        try:
            self._repo = git.Repo(path, search_parent_directories=False)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise InputError("not a git repository", file=path) from None
        self._git = self._repo.git
        self._git.update_environment(**SAFE_ENV)
        self._git.set_persistent_git_options(c=SAFE_CONFIG)
        self.ref = ref or "HEAD"
        try:
            self.commit: str = self._git.rev_parse(
                "--verify", "--quiet", "--end-of-options", f"{self.ref}^{{commit}}"
            ).strip()
        except git.GitCommandError:
            if ref is None:
                raise InputError("the repository has no commits yet", file=path) from None
            raise InputError(
                f"unknown ref {ref!r} (no such branch, tag or commit)", file=path
            ) from None
        self.shallow = (Path(self._repo.git_dir) / "shallow").exists()
        self.notes: list[str] = []

    def close(self) -> None:
        self._git.clear_cache()
        self._repo.close()

    def tree(self) -> list[Entry]:
        try:
            raw = self._git.ls_tree(
                "-r", "-l", "-z", "--full-tree", self.commit, stdout_as_string=False
            )
        except git.GitCommandError:
            # Sizes need the blobs; a partial clone lacks them and may not fetch them.
            raw = self._git.ls_tree("-r", "-z", "--full-tree", self.commit, stdout_as_string=False)
            self.notes.append("blobs missing locally (partial clone?): file sizes unknown")
        entries = []
        for record in raw.split(b"\0"):
            if not record:
                continue
            meta, _, path = record.partition(b"\t")
            mode, _kind, sha, *rest = meta.split(None, 3)
            size_s = rest[0].strip() if rest else b""
            entries.append(
                Entry(
                    path=_decode(path),
                    mode=mode.decode(),
                    sha=sha.decode(),
                    size=int(size_s) if size_s.isdigit() else None,
                )
            )
        return entries

    def read(self, entry: Entry) -> bytes | None:
        """The blob's bytes, or None (noted) when the object is missing locally."""
        try:
            _sha, _kind, _size, stream = self._git.stream_object_data(entry.sha)
            return bytes(stream.read())
        except (ValueError, git.GitCommandError, OSError):
            # a failed batch process is restarted on the next read
            self._git.clear_cache()
            return None

    def read_many(self, entries: list[Entry]) -> dict[str, bytes | None]:
        """Read many blobs through one ``cat-file --batch`` process; missing ones map to None."""
        if not entries:
            return {}
        proc = self._git.cat_file("--batch", as_process=True, istream=subprocess.PIPE)
        assert proc.stdin is not None and proc.stdout is not None
        stdin = proc.stdin

        def feed() -> None:
            try:
                for e in entries:
                    stdin.write(e.sha.encode() + b"\n")
            except OSError:
                pass
            finally:
                with contextlib.suppress(OSError):
                    stdin.close()

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        out: dict[str, bytes | None] = {}
        try:
            for e in entries:
                header = proc.stdout.readline()
                parts = header.split()
                if len(parts) == 3 and parts[1] != b"missing":
                    size = int(parts[2])
                    out[e.path] = proc.stdout.read(size)
                    proc.stdout.read(1)  # the newline after the content
                else:
                    out[e.path] = None
        finally:
            writer.join(timeout=5)
            with contextlib.suppress(Exception):
                proc.wait()
        return out

    def log(self) -> LogStream:
        """Start the one ``git log`` of the scan. A thread drains its output from now on, so
        git walks the history on the other core while the rules run; iterate to parse."""
        proc = self._git.log(
            "--format=%x1e%H%x1f%at%x1f%aE",
            "--name-status",
            "-z",
            "--no-renames",
            "--no-textconv",
            "--no-ext-diff",
            "--no-show-signature",
            self.commit,
            as_process=True,
            stdout_as_string=False,
        )
        return LogStream(proc)

    def tag_signatures(self) -> list[tuple[str, str]]:
        """(tag, signature kind) for every annotated tag carrying a signature block. The block
        is only read, never verified: no gpg or ssh program ever runs."""
        out = self._git.for_each_ref(
            "--format=%(refname:short)%00%(contents:signature)%01",
            "refs/tags",
            stdout_as_string=False,
        )
        signed = []
        for rec in out.split(b"\x01"):
            name, _, signature = rec.strip(b"\n").partition(b"\x00")
            if name and signature.strip():
                kind = (
                    "SSH"
                    if b"SSH SIGNATURE" in signature
                    else "X.509"
                    if b"SIGNED MESSAGE" in signature
                    else "PGP"
                )
                signed.append((_decode(name), kind))
        return signed

    def tags(self) -> list[str]:
        out = self._git.for_each_ref(
            "--format=%(refname:short)", "refs/tags", stdout_as_string=False
        )
        return [_decode(t) for t in out.splitlines() if t]


class LogStream:
    """Commits newest first from a running ``git log`` (see ``GitRepo.log``)."""

    def __init__(self, proc: Any) -> None:
        self._proc = proc
        self._chunks: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        try:
            stdout = self._proc.stdout
            while chunk := stdout.read(1 << 16):
                self._chunks.put(chunk)
        except (OSError, ValueError):
            pass
        finally:
            self._chunks.put(None)

    def __iter__(self) -> Iterator[LogCommit]:
        buf = b""
        try:
            while (chunk := self._chunks.get()) is not None:
                buf += chunk
                *records, buf = buf.split(b"\x1e")
                for rec in records:
                    if rec:
                        yield _parse_commit(rec)
            if buf:
                yield _parse_commit(buf)
        finally:
            self.close()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            if self._proc.proc:
                self._proc.proc.kill()
            self._proc.wait()


def _parse_commit(rec: bytes) -> LogCommit:
    tokens = rec.split(b"\0")
    sha, at, author = tokens[0].split(b"\x1f")
    rest = [t.lstrip(b"\n") for t in tokens[1:]]
    rest = [t for t in rest if t]
    changes = tuple(
        (rest[i].decode(errors="replace")[:1], _decode(rest[i + 1]))
        for i in range(0, len(rest) - 1, 2)
    )
    return LogCommit(
        sha=sha.decode(),
        time=dt.datetime.fromtimestamp(int(at), dt.UTC),
        author=_decode(author).lower(),
        changes=changes,
    )


def is_url(text: str) -> bool:
    return "://" in text or (text.startswith("git@") and ":" in text)


@contextlib.contextmanager
def cloned(url: str) -> Iterator[Path]:
    """Clone ``url`` (bare, no checkout) into a temporary folder removed afterwards."""
    tmp = Path(tempfile.mkdtemp(prefix="assess-scan-"))
    try:
        env = {**SAFE_ENV, "GIT_CONFIG_NOSYSTEM": "1"}
        try:
            git.Repo.clone_from(
                url,
                tmp / "repo.git",
                bare=True,
                env=env,
                multi_options=["-c core.hooksPath=/dev/null", "--quiet"],
                allow_unsafe_options=True,  # our own -c, not the user's
            )
        except git.GitCommandError as exc:
            reason = (exc.stderr or "").strip().splitlines()
            detail = reason[-1].removeprefix("stderr: ").strip(" '") if reason else "clone failed"
            raise InputError(f"cannot clone: {detail}", file=url) from None
        yield tmp / "repo.git"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
