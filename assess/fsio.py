"""Writes that must never leave a half-written file: temp file, fsync, ``os.replace``."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from assess.errors import OutputError


def writable(path: Path) -> bool:
    """Writable by us, and not marked read-only (root passes ``os.access`` for every file, but a
    file or folder with no write bit was made read-only on purpose: respect that)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return os.access(path, os.W_OK) and bool(mode & 0o222)


def check_writable_target(path: Path) -> None:
    """Fail early, before any work, when ``path`` cannot be written."""
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise OutputError("is a directory, expected a file path", file=path)
    if not parent.exists():
        raise OutputError(f"folder {str(parent)!r} does not exist", file=path)
    if not parent.is_dir():
        raise OutputError(f"{str(parent)!r} is not a folder", file=path)
    if not writable(parent):
        raise OutputError(f"folder {str(parent)!r} is not writable", file=path)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: readers see the old file or the new one."""
    check_writable_target(path)
    parent = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(f"cannot write: {exc.strerror or exc}", file=path) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dfd = os.open(parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
