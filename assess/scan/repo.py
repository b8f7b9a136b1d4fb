"""Read-only access to a git repository: the only module that touches git.

Everything goes through git plumbing on one commit: ``rev-parse`` to resolve the ref, one
``ls-tree -r -l -z`` for the files and their sizes, one persistent ``cat-file --batch`` for the
blobs we read, and one streaming ``log --name-status -z`` for history. Nothing is checked out.

Every git process starts through ``_Git._popen``, the one gate, which gives it:
- config that switches off everything that could run a program of the repository's choosing
  (hooks, fsmonitor, external diff, textconv, pager, gpg), on the command line;
- an environment in which git can reach no transport at all (``GIT_ALLOW_PROTOCOL`` empty beats
  any ``protocol.*.allow`` in the repository's own config), so a partial clone's missing blob is
  a note, never a lazy fetch, and no ``uploadpack``, ``ext::`` or ssh command can run; only
  ``cloned`` allows the one protocol of the URL the user asked to clone;
- the repository's time budget: a blocking command is killed when it runs out, and a streaming
  one (``cat-file``, ``log``) by a watchdog, so a config include that points at a FIFO or a
  ref that never ends reading cannot hang the scan;
- its own process group (killed whole), git's messages in English, and no terminal input;
- git found by absolute path (a ``.`` in PATH would find the repository's own ``git``), run
  in the git folder as a bare repository (``core.bare``: no file of the work tree, such as a
  FIFO ``.mailmap`` or one named like a commit, steers it), none of the user's ``GIT_*``
  variables (``GIT_OBJECT_DIRECTORY`` would read, even write, another store);
- blobs read through ``read_blob``, which skips one over the read limit by its header's size,
  so a partial clone whose tree gives no sizes cannot make the scan hold a huge file.

The gate is plain ``subprocess`` rather than GitPython: the scan uses five plumbing commands
and none of GitPython's object model, and GitPython's import alone (about 55 ms, with a
``git version`` run) was a fifth of a small repository's whole scan. Less code between the
client's repository and a process is also less to trust.

Before any git process starts, ``git_dir`` checks what the repository points at: a ``.git``
file must lead to a worktree or submodule folder that points back here, ``objects/info/
alternates`` (objects borrowed from another repository) is refused, and git's own files and
config includes must be regular files. Otherwise the scan would report another repository's
content under this one's name, or block on open.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import queue
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, NamedTuple

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
    "core.bare=true",  # no work tree: nothing in the folder's files steers git (.mailmap, paths)
    "mailmap.file=/dev/null",  # the committed .mailmap (mailmap.blob) only: no FIFO, no device
]
SAFE_ENV = {
    "GIT_ALLOW_PROTOCOL": "",  # no transport at all: no fetch, clone, uploadpack or ext::
    "GIT_NO_LAZY_FETCH": "1",  # git 2.45+: a partial clone never fetches (older gits: above)
    "GIT_PROTOCOL_FROM_USER": "0",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES": "",
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

DEFAULT_BUDGET = 600.0
"""Seconds a repository's scan may take (git and rules together) before it stops, incomplete."""
COMMAND_TIMEOUT = 120.0
"""Seconds one blocking git command may take (within the budget)."""
USER_TRANSPORT = ("GIT_SSH", "GIT_SSH_COMMAND", "GIT_SSH_VARIANT")
"""The user's variables a clone keeps (the key or jump host to reach the client's server)."""
GIT_LOCALE = {"LC_ALL": "C", "LANGUAGE": "C"}
"""git's messages in English, as the reasons we pass on are read from them."""
CLONE_PROTOCOLS = {"file": "file", "https": "https", "http": "http", "ssh": "ssh", "git": "git"}


class ScanTimeout(InputError):
    """The repository's time budget ran out."""


class GitError(Exception):
    """A git command exited with an error status."""

    def __init__(self, status: int, stderr: bytes | str) -> None:
        self.status = status
        self.stderr = stderr if isinstance(stderr, str) else stderr.decode("utf-8", "replace")
        super().__init__(f"git exited with status {status}: {self.stderr.strip()[:200]}")


class _Git:
    """The one gate every git process of a scan goes through (see the module docstring).

    ``run`` waits for a command (within ``COMMAND_TIMEOUT`` and the budget, killed with its
    process group when either runs out); ``stream`` starts one whose output we read as it comes
    (killed with the others by the budget's watchdog or ``stop``)."""

    def __init__(
        self,
        budget: float = DEFAULT_BUDGET,
        *,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
        config: Sequence[str] = SAFE_CONFIG,
        keep: Sequence[str] = (),
    ) -> None:
        self.budget = budget
        self.deadline = time.monotonic() + budget
        self._cwd = cwd
        # the user's own GIT_* settings (GIT_OBJECT_DIRECTORY, GIT_INDEX_FILE, ...) would point
        # git at other stores: none reach it but ``keep``; what our code sets (the git folder,
        # a clone's one protocol) goes over the safe base
        own = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in keep}
        self._env = {**own, **GIT_LOCALE, **SAFE_ENV, **(env or {})}
        self._git = git_program()
        self._config = [x for c in config for x in ("-c", c)]
        self._streams: list[subprocess.Popen[bytes]] = []
        self._stopped: str | None = None
        self._lock = threading.Lock()
        self._batch: subprocess.Popen[bytes] | None = None
        self._watchdog = threading.Timer(budget, self.kill_all)
        self._watchdog.daemon = True
        self._watchdog.start()

    def expired(self) -> bool:
        return self.stopped is not None or time.monotonic() >= self.deadline

    @property
    def stopped(self) -> str | None:
        """Why the scan must stop: the budget ran out, or one git command hung."""
        if time.monotonic() >= self.deadline:
            return f"stopped after {self.budget:g} s (its time budget)"
        return self._stopped

    def _popen(self, args: Sequence[str], stdin: int) -> subprocess.Popen[bytes]:
        if self.expired():
            raise ScanTimeout(self.stopped or "stopped")
        return subprocess.Popen(
            [self._git, *self._config, *args],
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=self._cwd,
            env=self._env,
            start_new_session=True,  # its own process group: a kill reaches git's children too
        )

    def run(self, *args: str, timeout: float = COMMAND_TIMEOUT) -> bytes:
        """A command's output; GitError when it fails, ScanTimeout when it does not answer."""
        proc = self._popen(args, subprocess.DEVNULL)
        limit = max(min(self.deadline - time.monotonic(), timeout), 0.001)
        try:
            out, err = proc.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            _kill(proc)
            _reap(proc)
            if not self.expired():
                self._stopped = f"a git command did not answer in {limit:.0f} s"
            raise ScanTimeout(self.stopped or "stopped") from None
        except BaseException:  # Ctrl-C: no git outlives the scan
            _kill(proc)
            raise
        if proc.returncode:
            raise GitError(proc.returncode, err)
        return out

    def stream(self, *args: str, stdin: bool = False) -> subprocess.Popen[bytes]:
        """A running command to read (and, with ``stdin``, write); its stderr is drained into
        ``stderr_tail`` as it comes (a full pipe would block git)."""
        proc = self._popen(args, subprocess.PIPE if stdin else subprocess.DEVNULL)
        with self._lock:
            self._streams.append(proc)
        setattr(proc, "stderr_tail", _drain(proc.stderr))  # noqa: B010
        return proc

    def read_object(self, sha: str, limit: int) -> Blob:
        """One blob through a ``cat-file --batch`` kept open between calls (``read_blob``);
        None also when git failed (a failed process is replaced on the next call)."""
        try:
            if self._batch is None or self._batch.poll() is not None:
                self._batch = self.stream("cat-file", "--batch", stdin=True)
            assert self._batch.stdin is not None and self._batch.stdout is not None
            self._batch.stdin.write(sha.encode() + b"\n")
            self._batch.stdin.flush()
            return read_blob(self._batch.stdout, limit)
        except (OSError, ValueError):
            if self._batch is not None:
                _kill(self._batch)
            self._batch = None
            return None

    def kill_all(self) -> None:
        """Kill every streaming git process still running (the budget ran out, or stop)."""
        with self._lock:
            streams, self._streams = self._streams, []
        for proc in streams:
            _kill(proc)

    def stop(self) -> None:
        self._watchdog.cancel()
        self.kill_all()
        self._batch = None


Blob = bytes | int | None
"""A blob read by ``cat-file --batch``: its bytes; its size (an int) when it is over the read
limit and was skipped; None when it is missing."""


def read_blob(stdout: IO[bytes], limit: int) -> Blob:
    """The next blob of a ``cat-file --batch`` output. One over ``limit`` bytes is read past in
    chunks, never held: the size the header gives bounds memory even when the tree's sizes are
    unknown (a partial clone)."""
    parts = stdout.readline().split()
    if len(parts) != 3 or parts[1] == b"missing":
        if not parts:
            raise OSError("cat-file stopped")
        return None
    size = int(parts[2])
    if size > limit:
        left = size + 1
        while left > 0:
            chunk = stdout.read(min(left, 1 << 20))
            if not chunk:
                raise OSError("cat-file stopped")
            left -= len(chunk)
        return size
    data = stdout.read(size + 1)  # the content, then a newline
    if len(data) != size + 1:
        raise OSError("cat-file stopped")
    return data[:size]


def git_program() -> str:
    """git's absolute path, looked up in the absolute folders of PATH only: a relative entry
    (``.``, or an empty one) would find the scanned repository's own ``git`` first."""
    folders = [d for d in os.environ.get("PATH", os.defpath).split(os.pathsep) if os.path.isabs(d)]
    found = shutil.which("git", path=os.pathsep.join(folders))
    if found is None:
        raise InputError("git is not installed (no git in PATH)")
    return found


def _reap(proc: subprocess.Popen[bytes]) -> None:
    """Collect a killed process's output, within seconds: a child that left its group may
    hold the pipes open (an ssh master, say); then they are closed under it."""
    try:
        proc.communicate(timeout=5)
    except (subprocess.TimeoutExpired, OSError, ValueError):
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            with contextlib.suppress(OSError, ValueError):
                if pipe is not None:
                    pipe.close()


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """Kill a git process that is still running, with its process group, and reap it."""
    if proc.poll() is None:  # a reaped process's id may belong to another one by now
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            proc.kill()
    with contextlib.suppress(Exception):
        proc.wait(timeout=5)


def _drain(stream: Any) -> list[str]:
    """Read a streaming process's stderr as it comes (a full pipe would block git), keeping
    its last lines for a note."""
    tail: list[str] = []

    def run() -> None:
        with contextlib.suppress(OSError, ValueError):
            for raw in stream:
                line = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
                tail.append(line.strip())
                del tail[:-5]

    if stream is not None:
        threading.Thread(target=run, daemon=True).start()
    return tail


# ----------------------------------------------------------------- what the repository points at

_GIT_FILES = ("HEAD", "config", "config.worktree", "commondir", "gitdir", "packed-refs", "shallow")
_INCLUDE_SECTION = re.compile(r"^\s*\[\s*include(?:if\s+\"[^\"]*\")?\s*\]", re.IGNORECASE)
_SECTION = re.compile(r"^\s*\[")
_PATH_KEY = re.compile(r"^\s*path\s*=\s*(.*?)\s*$", re.IGNORECASE)


SMALL_FILE = 64 * 1024
"""Most bytes read of a git bookkeeping file (.git, commondir, gitdir): a few dozen in practice."""
CONFIG_FILE = 1024 * 1024
"""Most bytes read of a config file or an include (git's own are a few KB)."""


def _regular(path: Path, what: str, repo: Path) -> None:
    """Refuse a git file that is not a regular file (a FIFO or device blocks on open)."""
    with contextlib.suppress(FileNotFoundError):
        st = path.stat()
        if not (st.st_mode & 0o170000 == 0o100000 or path.is_dir()):
            raise InputError(
                f"{what} {str(path)!r} is not a regular file; refusing to read it", file=repo
            )


def _read(path: Path, what: str, repo: Path, limit: int = SMALL_FILE) -> str | None:
    """A small git file's text (None when missing), refused when it is not a regular file or
    larger than ``limit``: nothing the repository points at may block or exhaust memory."""
    _regular(path, what, repo)
    try:
        if path.stat().st_size > limit:
            raise InputError(
                f"{what} {str(path)!r} is over {limit // 1024} KB; refusing it", file=repo
            )
        with path.open("rb") as fh:
            return fh.read(limit + 1).decode("utf-8", errors="replace")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def _includes(config: Path, repo: Path, depth: int = 0) -> None:
    """Every ``include.path`` / ``includeIf.*.path`` reachable from ``config`` must be a
    regular file (or missing, which git ignores)."""
    if depth > 10:
        raise InputError("config includes nest more than 10 deep", file=repo)
    text = _read(config, "config file", repo, CONFIG_FILE)
    in_include = False
    for line in (text or "").splitlines():
        if _SECTION.match(line):
            in_include = bool(_INCLUDE_SECTION.match(line))
            line = line.split("]", 1)[1] if "]" in line else ""  # [include] path = x
        m = _PATH_KEY.match(line) if in_include else None
        if not m:
            continue
        value = m.group(1).split(" #", 1)[0].split(" ;", 1)[0].strip().replace('"', "")
        target = Path(os.path.expanduser(value))
        if not target.is_absolute():
            target = config.parent / target
        _regular(target, "config include", repo)
        if target.is_file():
            _includes(target, repo, depth + 1)


def _points_back(gitdir: Path, folder: Path, repo: Path) -> bool:
    """A linked worktree's git folder (``<common>/worktrees/<name>``) records its ``.git``
    file; a submodule's records its folder as ``core.worktree``. Either must lead back to
    ``folder``: git wrote that record in the other repository, which a hostile folder cannot."""
    here = folder.resolve()
    recorded_text = _read(gitdir / "gitdir", "git file", repo)
    if recorded_text is not None and gitdir.parent.name == "worktrees":
        recorded = Path(recorded_text.strip())
        if not recorded.is_absolute():
            recorded = gitdir / recorded
        if recorded.resolve() == (here / ".git"):
            return True
    for line in (_read(gitdir / "config", "config file", repo, CONFIG_FILE) or "").splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip().lower() == "worktree":
            tree = Path(value.strip().strip('"'))
            if (tree if tree.is_absolute() else gitdir / tree).resolve() == here:
                return True
    return False


def _inside(path: Path, root: Path) -> bool:
    real = path.resolve()
    return real == root or root in real.parents


def _contained(common: Path, root: Path, repo: Path) -> None:
    """Every store git reads objects and refs from must resolve (symbolic links followed)
    inside ``root``: a symlinked ``objects`` or pack would show another repository's content."""
    stores = [common, common / "objects", common / "refs", common / "packed-refs"]
    objects = common / "objects"
    for folder in (objects, objects / "pack", objects / "info"):
        with contextlib.suppress(OSError):
            stores += list(folder.iterdir())
    for store in stores:
        if (store.exists() or store.is_symlink()) and not _inside(store, root):
            raise InputError(
                f"{str(store)!r} leads to {str(store.resolve())!r}, outside the repository; "
                "refusing to report another repository's content",
                file=repo,
            )


def git_dir(path: Path) -> Path:
    """The repository's git folder, after checking it only shows this repository's content."""
    dotgit = path / ".git"
    if dotgit.is_symlink() or (dotgit.exists() and not (dotgit.is_dir() or dotgit.is_file())):
        raise InputError(".git is neither a folder nor a gitdir file; refusing it", file=path)
    linked = False
    if dotgit.is_dir():
        gitdir = dotgit.resolve()
    elif dotgit.is_file():
        text = (_read(dotgit, ".git file", path) or "").strip()
        if not text.startswith("gitdir:"):
            raise InputError(".git file does not name a gitdir", file=path)
        gitdir = Path(text.removeprefix("gitdir:").strip())
        gitdir = (gitdir if gitdir.is_absolute() else path / gitdir).resolve()
        linked = not _inside(gitdir, path.resolve())
        if not gitdir.is_dir() or (linked and not _points_back(gitdir, path, path)):
            raise InputError(
                f"the .git file points to {str(gitdir)!r}, which is not this folder's worktree "
                "or submodule; refusing to report another repository's content",
                file=path,
            )
    elif (path / "HEAD").is_file() and (path / "objects").is_dir():
        gitdir = path.resolve()  # bare
    else:
        raise InputError("not a git repository", file=path)
    common = gitdir
    rel = _read(gitdir / "commondir", "git file", path)
    if rel is not None:
        common = (gitdir / rel.strip()).resolve()
        if linked and gitdir.parent != common / "worktrees":
            raise InputError(
                f"the worktree's commondir {str(common)!r} is not the repository that records "
                "it; refusing to report another repository's content",
                file=path,
            )
    # a linked worktree or submodule reads its own repository's stores; anything else, its own
    _contained(common, common if linked else path.resolve(), path)
    for folder in dict.fromkeys((gitdir, common)):
        for name in _GIT_FILES:
            _regular(folder / name, "git file", path)
        _includes(folder / "config", path)
        _includes(folder / "config.worktree", path)
    alternates = _read(common / "objects" / "info" / "alternates", "git file", path)
    borrowed = [
        line.strip()
        for line in (alternates or "").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    if borrowed:
        raise InputError(
            f"objects/info/alternates borrows objects from {borrowed[0]!r}: the scan would "
            "report that repository's content as this one's; make the repository "
            "self-contained first (git repack -a -d, then delete objects/info/alternates)",
            file=path,
        )
    return gitdir


MODE_SYMLINK = "120000"
MODE_SUBMODULE = "160000"


class Entry(NamedTuple):
    """One tree entry (a tuple: a tree of 20,000 files makes 20,000 of them)."""

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
    time: dt.datetime | None  # None: a date no calendar holds (a forged or broken commit)
    author: str
    changes: tuple[tuple[str, str], ...]  # (status letter, path)


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


class GitRepo:
    """One repository opened read-only at one commit."""

    def __init__(
        self,
        path: Path,
        ref: str | None = None,
        *,
        source: str | None = None,
        budget: float = DEFAULT_BUDGET,
    ) -> None:
        self.source = source or str(path)
        if not path.exists():
            raise InputError("no such folder", file=path)
        if not path.is_dir():
            raise InputError("not a folder, expected a git repository", file=path)
        gitdir = git_dir(path)
        self._git = _Git(budget, cwd=gitdir, env={"GIT_DIR": str(gitdir)})
        self.ref = ref or "HEAD"
        try:
            self.commit: str = _decode(
                self._git.run("rev-parse", "--verify", "--quiet", "--end-of-options",
                              f"{self.ref}^{{commit}}")
            ).strip()  # fmt: skip
        except ScanTimeout as exc:
            self.close()
            raise ScanTimeout(f"{exc.message} resolving {self.ref}", file=path) from None
        except GitError as exc:
            if "not a git repository" in exc.stderr:  # HEAD or the folder's layout is broken
                why = "not a git repository"
            elif "config" in exc.stderr or exc.status != 1:  # e.g. a config git cannot parse
                why = f"git cannot read it: {_reason(exc)}"
            else:  # --quiet: a ref that resolves to no commit exits 1, saying nothing
                why = self._no_commit(ref)
            self.close()
            raise InputError(why, file=path) from None
        self.shallow = (gitdir / "shallow").exists()
        self.notes: list[str] = []

    def _no_commit(self, ref: str | None) -> str:
        """Why ``ref`` (HEAD when None) names no commit: nothing, another kind of object, or an
        object the repository does not hold."""
        name = "HEAD" if ref is None else repr(ref)
        try:
            sha = _decode(self._git.run("rev-parse", "--verify", "--quiet", "--end-of-options",
                                        self.ref)).strip()  # fmt: skip
        except (GitError, ScanTimeout):
            if ref is None:
                return "the repository has no commits yet"
            return f"unknown ref {ref!r} (no such branch, tag or commit)"
        try:
            kind = _decode(self._git.run("cat-file", "-t", sha)).strip()
        except (GitError, ScanTimeout):
            return f"{name} points at {sha[:12]}, which the repository does not hold"
        return f"{name} names a {kind}, not a commit"

    def expired(self) -> bool:
        """The time budget ran out (or git hung): what is not read yet will not be."""
        return self._git.expired()

    @property
    def stopped(self) -> str | None:
        """Why the scan stopped early, or None."""
        return self._git.stopped

    def remaining(self) -> float:
        """Seconds left of the time budget."""
        return max(0.0, self._git.deadline - time.monotonic())

    def close(self) -> None:
        self._git.stop()

    def tree(self) -> list[Entry]:
        try:
            raw = self._git.run("ls-tree", "-r", "-l", "-z", "--full-tree", self.commit)
        except GitError:
            # Sizes need the blobs; a partial clone lacks them and may not fetch them.
            try:
                raw = self._git.run("ls-tree", "-r", "-z", "--full-tree", self.commit)
            except GitError as exc:
                raise InputError(
                    f"cannot read the files of commit {self.commit[:12]}: {_reason(exc)}",
                    file=self.source,
                ) from None
            self.notes.append("blobs missing locally (partial clone?): file sizes unknown")
        entries: list[Entry] = []
        add = entries.append
        for record in raw.split(b"\0"):
            if not record:
                continue
            meta, _, path = record.partition(b"\t")
            mode, _kind, sha, *rest = meta.split(None, 3)
            size_s = rest[0].strip() if rest else b""
            size = int(size_s) if size_s.isdigit() else None
            add(Entry(path.decode("utf-8", "replace"), mode.decode(), sha.decode(), size))
        return entries

    def read(self, entry: Entry, limit: int) -> Blob:
        """The blob (``Blob``: its size when over ``limit``, None when missing locally)."""
        return self._git.read_object(entry.sha, limit)

    def read_many(self, entries: list[Entry], limit: int) -> dict[str, Blob]:
        """Read many blobs through one ``cat-file --batch`` process (``Blob`` each)."""
        if not entries:
            return {}
        proc = self._git.stream("cat-file", "--batch", stdin=True)
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
        out: dict[str, Blob] = {}
        stdout = proc.stdout
        try:
            for e in entries:
                out[e.path] = read_blob(stdout, limit)
        except (OSError, ValueError):
            pass  # git stopped (the budget ran out): what was not read is missing
        finally:
            _kill(proc)  # done, stopped or Ctrl-C: never a wait on a git blocked writing
            writer.join(timeout=5)
        return out

    def log(self) -> LogStream:
        """Start the one ``git log`` of the scan. A thread drains its output from now on, so
        git walks the history on the other core while the rules run; iterate to parse."""
        proc = self._git.stream(
            "log",
            "--format=%x1e%H%x1f%at%x1f%aE",
            "--name-status",
            "-z",
            "--no-renames",
            "--no-textconv",
            "--no-ext-diff",
            "--no-show-signature",
            "--end-of-options",
            self.commit,
            "--",  # a revision, whatever file of the same name the folder holds
        )
        return LogStream(proc)

    def tag_signatures(self) -> list[tuple[str, str]]:
        """(tag, signature kind) for every annotated tag carrying a signature block. The block
        is only read, never verified: no gpg or ssh program ever runs."""
        out = self._refs("--format=%(refname:short)%00%(contents:signature)%01")
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
        return [_decode(t) for t in self._refs("--format=%(refname:short)").splitlines() if t]

    def _refs(self, fmt: str) -> bytes:
        """``for-each-ref`` over the tags; a tag git cannot read (its object missing) is a
        note and no tags, not a failed scan."""
        try:
            return self._git.run("for-each-ref", fmt, "refs/tags")
        except GitError as exc:
            self.notes.append(f"tags not read: {_reason(exc)}")
            return b""


class LogStream:
    """Commits newest first from a running ``git log`` (see ``GitRepo.log``)."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self._proc = proc
        self._chunks: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        try:
            stdout = self._proc.stdout
            while stdout is not None and (chunk := stdout.read(1 << 16)):
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

    @property
    def failure(self) -> str | None:
        """Why git's history walk ended early (its exit status and last words), or None."""
        code = self._proc.poll()
        if not code or code < 0:  # still running, fine, or killed by us
            return None
        words = [w for w in getattr(self._proc, "stderr_tail", []) if w]
        return f"git log stopped (status {code}): {words[-1] if words else 'no reason given'}"

    def close(self) -> None:
        _kill(self._proc)


def _parse_commit(rec: bytes) -> LogCommit:
    tokens = rec.split(b"\0")
    sha, at, author = [*tokens[0].split(b"\x1f", 2), b"", b""][:3]
    rest = [t.lstrip(b"\n") for t in tokens[1:]]
    rest = [t for t in rest if t]
    changes = tuple(
        (rest[i].decode(errors="replace")[:1], _decode(rest[i + 1]))
        for i in range(0, len(rest) - 1, 2)
    )
    try:
        time: dt.datetime | None = dt.datetime.fromtimestamp(int(at), dt.UTC)
    except (ValueError, OverflowError, OSError):
        time = None
    return LogCommit(
        sha=sha.decode(errors="replace"),
        time=time,
        author=_decode(author).lower(),
        changes=changes,
    )


def _reason(exc: GitError) -> str:
    """git's first complaint, without its ``fatal:``."""
    lines = [x.strip() for x in exc.stderr.splitlines()]
    fatal = [x for x in lines if x.startswith(("fatal:", "error:"))]
    chosen = fatal[0] if fatal else next((x for x in reversed(lines) if x), "")
    chosen = chosen.removeprefix("fatal:").removeprefix("error:").strip()
    return chosen or f"git exited with status {exc.status}"


def is_url(text: str) -> bool:
    return "://" in text or (text.startswith("git@") and ":" in text)


@contextlib.contextmanager
def cloned(url: str, budget: float = DEFAULT_BUDGET) -> Iterator[Path]:
    """Clone ``url`` (bare, no checkout) into a temporary folder removed afterwards. A
    ``file://`` source is checked like a local scan first (``git_dir``), and the clone has its
    own time budget."""
    tmp = Path(tempfile.mkdtemp(prefix="assess-scan-"))
    try:
        scheme = "ssh" if url.startswith("git@") else url.split("://", 1)[0].lower()
        if scheme not in CLONE_PROTOCOLS:
            raise InputError(
                f"cannot clone {scheme}:// URLs (use https://, ssh://, git@host:path or file://)",
                file=url,
            )
        source = url
        if scheme == "file":
            parts = urllib.parse.urlsplit(url)
            if parts.netloc not in ("", "localhost"):
                raise InputError(
                    f"cannot clone: a file:// URL names a folder on this machine, not on "
                    f"{parts.netloc!r} (file:///path/to/repo)",
                    file=url,
                )
            local = Path(urllib.parse.unquote(parts.path))
            if not local.is_absolute() or not local.exists():
                raise InputError("cannot clone: no such folder", file=url)
            git_dir(local)
            source = local.as_uri()  # exactly the folder checked

        # the URL's one protocol beats SAFE_CONFIG's protocol.allow=never (GIT_ALLOW_PROTOCOL
        # overrides any protocol config); the clone may take its whole budget
        clone = _Git(
            budget,
            cwd=tmp,
            env={"GIT_ALLOW_PROTOCOL": CLONE_PROTOCOLS[scheme]},
            keep=USER_TRANSPORT,  # the consultant's own ssh set-up reaches the clone
        )
        try:
            clone.run(
                "clone", "--bare", "--quiet", "--", source, str(tmp / "repo.git"), timeout=budget
            )
        except ScanTimeout:
            raise InputError(f"cannot clone: no answer within {budget:g} s", file=url) from None
        except GitError as exc:
            raise InputError(f"cannot clone: {_reason(exc)}", file=url) from None
        finally:
            clone.stop()  # Ctrl-C or done: no git of the clone outlives it
        yield tmp / "repo.git"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
