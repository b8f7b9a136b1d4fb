"""Scan many repositories: find them, then scan them in parallel processes.

``sources`` turns the command line (REPO arguments, ``--from`` list files, ``--under`` folders)
into one ordered list. ``scan_many`` scans it with ``--jobs`` worker processes
(``ProcessPoolExecutor``, spawn start method on every platform, so it behaves on Linux as on a
macOS laptop) or, with one job or one repository, in this process. Each worker runs
``scan_one``: a top-level function taking plain arguments that loads the pack itself (once per
process) and never raises: a repository that cannot be scanned becomes a ``ScanFailure`` and the
others carry on. Results keep the input order whatever order the workers finish in.

Nothing here prints: progress goes to a callback the CLI turns into its status line.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from assess.errors import AssessError, InputError
from assess.model.evidence import RepoScan, ScanFailure
from assess.model.rules import ScanPack
from assess.scan.redact import clean_failure
from assess.scan.repo import DEFAULT_BUDGET, is_url

if TYPE_CHECKING:
    from concurrent.futures import Future

    from assess.model.pack import Pack

Progress = Callable[[int, int, int, str], None]
"""(done, total, failed, detail): repositories finished, of how many, how many failed, and in
sequential mode what the current one is doing (else "")."""


# --------------------------------------------------------------------------- finding repos


def read_list(path: Path) -> list[str]:
    """Sources in a list file: one path or URL per line; blank lines and ``#`` comments (whole
    lines, or after whitespace) are ignored. Relative paths are relative to the list file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("no such list file", file=path) from None
    except IsADirectoryError:
        raise InputError("a folder, not a list file (--under takes folders)", file=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the list file: {exc}", file=path) from None
    out: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#"):
            continue
        for sep in (" #", "\t#"):
            line = line.split(sep, 1)[0].strip()
        if not line:
            continue
        if is_url(line):
            out.append(line)
        else:
            local = Path(line).expanduser()
            out.append(str(local if local.is_absolute() else path.parent / local))
    return out


def _is_repo(folder: Path) -> bool:
    """A working tree (holds ``.git``, a folder or a worktree's file) or a bare repository."""
    if (folder / ".git").exists():
        return True
    return (
        (folder / "HEAD").is_file() and (folder / "objects").is_dir() and (folder / "refs").is_dir()
    )


def find_repos(root: Path) -> list[Path]:
    """Every git repository at or under ``root``, sorted. A found repository is not searched
    further (its submodules and vendored checkouts are its own business); hidden folders and
    symbolic links to folders are skipped."""
    if not root.is_dir():
        raise InputError("no such folder", file=root)
    found: list[Path] = []
    for here, dirs, _files in os.walk(root, followlinks=False):
        folder = Path(here)
        if _is_repo(folder):
            found.append(folder)
            dirs.clear()
            continue
        dirs[:] = [d for d in dirs if not d.startswith(".")]
    if not found:
        raise InputError("no git repositories found in this folder", file=root)
    return sorted(found, key=lambda p: p.parts)


def sources(
    repos: Sequence[str], lists: Sequence[Path] = (), under: Sequence[Path] = ()
) -> list[str]:
    """REPO arguments, then each list file's entries, then each folder's repositories; the same
    repository named twice (the same URL, or paths to the same folder) is scanned once."""
    candidates = list(repos)
    for path in lists:
        candidates += read_list(path)
    for root in under:
        candidates += [str(p) for p in find_repos(root)]
    seen: set[str] = set()
    out: list[str] = []
    for source in candidates:
        key = source if is_url(source) else os.path.realpath(os.path.expanduser(source))
        if key not in seen:
            seen.add(key)
            out.append(source)
    if not out:
        raise InputError("no repositories to scan: give REPO arguments, --from FILE or --under DIR")
    return out


# --------------------------------------------------------------------------- scanning

_packs: dict[str, ScanPack] = {}


def load_scan_pack(folder: Path) -> ScanPack:
    """The scan's part of the pack in ``folder`` (``assess.packcache``; its files count as the
    command's inputs). The pack's question, tool and control models are loaded only when its
    cache entry is not there yet: the pack is then loaded and checked whole."""
    from assess.packcache import cached_scan

    return cached_scan(folder, _load_whole)


def _scan_pack(folder: str) -> ScanPack:
    """``load_scan_pack``, once per worker process."""
    if folder not in _packs:
        _packs[folder] = load_scan_pack(Path(folder))
    return _packs[folder]


def _load_whole(folder: Path) -> Pack:
    from assess.packs import load_pack_files  # only when the cache has no entry

    return load_pack_files(folder)


def _message(err: AssessError, *places: str) -> str:
    """The error without its file when that file is the repository itself (the CLI already
    names the repository); a temporary clone folder is never shown."""
    if err.file is None or err.file in places:
        return f"{err.field}: {err.message}" if err.field else err.message
    return str(err)


def scan_one(
    source: str,
    ref: str | None,
    pack_dir: str,
    max_file_size: int,
    with_history: bool,
    budget: float = DEFAULT_BUDGET,
    progress: Callable[[str], None] | None = None,
) -> RepoScan | ScanFailure:
    """Scan one repository (cloning a URL first). The worker of ``scan_many``: it takes plain
    arguments so it runs under any start method, and it never raises for a bad repository or
    a bug, it returns a ``ScanFailure`` saying why."""
    from assess.scan.engine import scan_repo
    from assess.scan.repo import GitRepo, cloned

    places = {source, os.path.expanduser(source)}
    try:
        pack = _scan_pack(pack_dir)
        if is_url(source) and progress:
            progress("cloning")
        local = nullcontext(Path(source).expanduser())
        with cloned(source, budget) if is_url(source) else local as path:
            places.add(str(path))
            repo = GitRepo(path, ref, source=source, budget=budget)
            try:
                return scan_repo(
                    repo,
                    pack.rules,
                    ci_systems=pack.ci_systems,  # the pack's own ci.yaml, or the default's
                    max_file_size=max_file_size,
                    with_history=with_history,
                    progress=progress,
                )
            finally:
                repo.close()
    except AssessError as err:
        return clean_failure(ScanFailure(source=source, message=_message(err, *places)))
    except Exception as exc:  # a bug must not stop the other repositories
        message = f"internal error: {type(exc).__name__}: {exc}"
        return clean_failure(ScanFailure(source=source, message=message))


def scan_many(
    sources: Sequence[str],
    *,
    ref: str | None,
    pack_dir: Path,
    max_file_size: int,
    with_history: bool,
    budget: float = DEFAULT_BUDGET,
    jobs: int | None = None,
    progress: Progress | None = None,
    pack: ScanPack | None = None,
) -> tuple[tuple[RepoScan, ...], tuple[ScanFailure, ...]]:
    """Scan every source, ``jobs`` at a time (default: one per CPU); scans and failures in
    input order. ``pack``, when the caller has loaded it already, is not loaded again in this
    process (worker processes load their own)."""
    if pack is not None:
        _packs[str(pack_dir)] = pack
    total = len(sources)
    jobs = max(1, min(jobs or os.cpu_count() or 1, total))
    results: list[RepoScan | ScanFailure | None] = [None] * total
    args = (ref, str(pack_dir), max_file_size, with_history, budget)

    def failed() -> int:
        return sum(isinstance(r, ScanFailure) for r in results)

    if progress:
        progress(0, total, 0, "")
    if jobs == 1:
        for i, source in enumerate(sources):

            def detail(msg: str, source: str = source, i: int = i) -> None:
                if progress:
                    progress(i, total, failed(), f"{source}: {msg}")

            results[i] = scan_one(source, *args, progress=detail if progress else None)
            if progress:
                progress(i + 1, total, failed(), "")
    else:  # imported here: a scan in this process does without them
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=_worker_init) as pool:
            futures: dict[Future[RepoScan | ScanFailure], int] = {}
            try:
                for i, source in enumerate(sources):
                    futures[pool.submit(scan_one, source, *args)] = i
                for done, future in enumerate(as_completed(futures), 1):
                    i = futures[future]
                    try:
                        results[i] = future.result()
                    except Exception as exc:  # the worker died (killed, out of memory)
                        message = f"internal error: {type(exc).__name__}: {exc}"
                        results[i] = clean_failure(ScanFailure(source=sources[i], message=message))
                    if progress:
                        progress(done, total, failed(), "")
            except BaseException:  # Ctrl-C: stop now; workers clean up their clones on TERM
                processes = list((pool._processes or {}).values())
                pool.shutdown(wait=False, cancel_futures=True)
                for process in processes:
                    process.terminate()
                raise
    scans = tuple(r for r in results if isinstance(r, RepoScan))
    failures = tuple(r for r in results if isinstance(r, ScanFailure))
    return scans, failures


def _worker_init() -> None:
    """Ctrl-C is the parent's to handle (it stops the pool); TERM unwinds the scan, so a
    temporary clone is removed, instead of killing the worker outright."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_on_term)


def _exit_on_term(_signum: int, _frame: object) -> None:
    raise SystemExit(1)
