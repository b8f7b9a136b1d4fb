"""Every file ``assess`` writes goes through ``atomic_write``; every file it reads is recorded.

What a write does depends on what the path is now:

- ``-``: standard output.
- a regular file, or nothing yet: temp file in the same folder, fsync, ``os.replace``, so a
  reader sees the old file or the new one, never half of one.
- a symlink: the same, on the file it points to; the link stays a link.
- a character device or a FIFO (``/dev/null``, ``/dev/tty``, a named pipe): opened and written
  through, never replaced (a rename over ``/dev/null`` would break the machine as root).
- anything else (a folder, a socket, a block device): refused.

An output is never one of the command's inputs: ``record_input`` remembers every file read
(``yamlio.read_text`` calls it for each file the core reads; the CLI for each file named on the
command line), by device and inode, so a hard link or a symlink to an input is the same input.
``check_writable_target`` (before any work) and ``atomic_write`` (at the end) refuse such a path.
The one writer whose point is to replace its input, a session saving its engagement, says so
with ``rewrite=True``, for that path only.

``locked`` serialises writers of one file across processes (``flock``), so a writer can re-read
the file, merge, and write without losing another's change.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from assess.errors import OutputError

_inputs: dict[tuple[int, int], Path] = {}
"""Files the running command read: (st_dev, st_ino) -> the name it was read by."""


def record_input(path: Path) -> None:
    """Remember ``path`` as an input of the running command: no output may replace it."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return
    if stat.S_ISREG(st.st_mode):
        _inputs.setdefault((st.st_dev, st.st_ino), path)


def forget_inputs() -> None:
    """Start a new command: nothing has been read yet."""
    _inputs.clear()


def is_stdout(path: Path) -> bool:
    """``-o -`` means standard output."""
    return str(path) == "-"


def writable(path: Path) -> bool:
    """Writable by us, and not marked read-only (root passes ``os.access`` for every file, but a
    file or folder with no write bit was made read-only on purpose: respect that)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return os.access(path, os.W_OK) and bool(mode & 0o222)


def _target(path: Path) -> Path:
    """The file a write to ``path`` lands in: what a symlink points to (through every link),
    else ``path`` itself."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _stat(target: Path, path: Path) -> os.stat_result | None:
    """``target``'s status, or None when there is no such file yet."""
    try:
        return os.stat(target)
    except FileNotFoundError:
        return None
    except OSError as exc:  # a symlink loop, a folder we may not search
        raise OutputError(f"cannot write: {exc.strerror or exc}", file=path) from exc


def _writes_through(st: os.stat_result) -> bool:
    return stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode)


def _kind(st: os.stat_result) -> str:
    if stat.S_ISSOCK(st.st_mode):
        return "a socket"
    if stat.S_ISBLK(st.st_mode):
        return "a block device"
    return "a special file"


def check_writable_target(path: Path, *, rewrite: bool = False) -> None:
    """Fail early, before any work, when ``path`` cannot or must not be written.

    ``rewrite=True``: ``path`` is the input this command updates in place (a session saving
    its engagement), so being an input is the point, not a mistake."""
    if is_stdout(path):
        return
    target = _target(path)
    st = _stat(target, path)
    if st is not None:
        source = _inputs.get((st.st_dev, st.st_ino))
        if source is not None and not rewrite:
            same = "" if os.path.abspath(source) == os.path.abspath(path) else f" ({source})"
            raise OutputError(
                f"is an input of this command{same}; refusing to overwrite it: "
                "choose another output name",
                file=path,
            )
        if stat.S_ISDIR(st.st_mode):
            raise OutputError("is a directory, expected a file path", file=path)
        if _writes_through(st):
            if not os.access(target, os.W_OK):
                raise OutputError("is not writable", file=path)
            return
        if not stat.S_ISREG(st.st_mode):
            raise OutputError(f"is {_kind(st)}, not a regular file; not replaced", file=path)
    parent = target.parent
    if not parent.exists():
        raise OutputError(f"folder {str(parent)!r} does not exist", file=path)
    if not parent.is_dir():
        raise OutputError(f"{str(parent)!r} is not a folder", file=path)
    if not writable(parent):
        raise OutputError(f"folder {str(parent)!r} is not writable", file=path)


def atomic_write(path: Path, data: bytes, *, rewrite: bool = False) -> None:
    """Write ``data`` to ``path`` as the module docstring says (``-``, regular file, symlink,
    device or FIFO); ``rewrite`` as for ``check_writable_target``."""
    if is_stdout(path):
        _write_stdout(data)
        return
    check_writable_target(path, rewrite=rewrite)
    target = _target(path)
    st = _stat(target, path)
    if st is not None and _writes_through(st):
        _write_through(target, data, path)
        return
    parent = target.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if st is not None:
            with contextlib.suppress(OSError):
                os.chmod(tmp, st.st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(f"cannot write: {exc.strerror or exc}", file=path) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if st is not None:  # that inode is gone; a new file may reuse its number
        _inputs.pop((st.st_dev, st.st_ino), None)
    with contextlib.suppress(OSError):
        dfd = os.open(parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def _write_through(target: Path, data: bytes, path: Path) -> None:
    """Open and write a device or FIFO in place (a FIFO waits here for its reader)."""
    try:
        fd = os.open(target, os.O_WRONLY | os.O_NOCTTY)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
    except OSError as exc:  # /dev/full: ENOSPC
        raise OutputError(f"cannot write: {exc.strerror or exc}", file=path) from exc


def _write_stdout(data: bytes) -> None:
    try:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror or exc}", file="standard output") from exc


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock for updating ``path``, waiting for any other holder.

    The lock is ``flock`` on the file's folder: a lock on the file itself would not survive
    the first ``os.replace`` (the next writer would lock the new inode while another still
    holds the old one), and a lock file would be left next to the client's file. Do not nest:
    a second ``locked`` on the same folder in one process waits for ever."""
    folder = _target(path).parent
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise OutputError(f"cannot lock folder {str(folder)!r}: {exc.strerror}", file=path) from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock
