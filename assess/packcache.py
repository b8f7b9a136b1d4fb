"""Validated packs kept between runs, so a command does not parse and check the same YAML again.

Loading the default pack parses 22 YAML files, validates them and checks every rule's regex,
and a scan analyses each rule pattern for its literals (``assess.scan.literals``): about
0.2 s, more than the scan of a small repository takes. ``cached(folder, load)`` keys an entry
by a SHA-256 of everything the result depends on: the relative path and bytes of every YAML
file in the folders a pack is read from (and of the default pack's ``ci.yaml``, which a pack
without one uses), and the version of assess with the size and modification time of each of
its source files. The entry holds the literal sets of its patterns, the part of the pack a
scan needs (``ScanPack``) and the validated pack, as JSON behind a SHA-256 of all three.
``cached_scan`` reads back only the scan's part, so a scan never builds the models of
questions, tools and controls (about a tenth of a small repository's scan).

An entry is used only when its checksum holds, its key is the key of the files as they are now,
and it reads back as a valid pack; anything else (missing, truncated, unreadable, another
version, a symlink, not a regular file) is ignored: the pack is loaded and checked from its
files, as without a cache, and the entry rewritten. A cache that cannot be read or written is
no error. The folder is ``$ASSESS_CACHE_DIR`` (empty: no cache), else
``$XDG_CACHE_HOME/assess``, else ``~/.cache/assess``; one entry per pack folder.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from assess import __version__
from assess.fsio import record_input
from assess.model.rules import ScanPack
from assess.resources import packs_dir
from assess.scan import literals

if TYPE_CHECKING:
    from assess.model.pack import Pack

FORMAT = b"assess pack cache 2"
PACK_FOLDERS = ("", "questions", "rules", "compliance", "compliance/frameworks", "migrations")
"""The folders of a pack whose ``*.yaml`` files ``load_pack`` reads, as it finds them (through
a symlinked folder too); any other YAML file below the pack folder counts as well, so a folder a
later loader reads is covered (a test checks that every file a load reads is)."""
MAX_ENTRY = 64 * 1024 * 1024


def cache_dir() -> Path | None:
    """Where entries live; None when ``ASSESS_CACHE_DIR`` is set empty (no cache)."""
    given = os.environ.get("ASSESS_CACHE_DIR")
    if given is not None:
        return Path(given) if given else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "assess"


def inputs(folder: Path) -> list[Path]:
    """The files a pack in ``folder`` may be loaded from, in a fixed order."""
    found = [p for sub in PACK_FOLDERS for p in sorted((folder / sub).glob("*.yaml"))]
    found += sorted(set(folder.rglob("*.yaml")) - set(found))
    if not (folder / "ci.yaml").is_file():
        found.append(packs_dir() / "mlops" / "ci.yaml")
    return found


def cached(folder: Path, load: Callable[[Path], Pack]) -> Pack:
    """``load(folder)``, or the entry that holds its result."""
    from assess.model.pack import Pack

    found, store = _lookup(folder, PACK)
    if found is not None:
        with contextlib.suppress(ValidationError):
            return Pack.model_validate_json(found).model_copy(update={"source": str(folder)})
    return store(load(folder))


def cached_scan(folder: Path, load: Callable[[Path], Pack]) -> ScanPack:
    """The scan's part of ``load(folder)``, from the entry when it holds it; else the pack is
    loaded whole, its entry written as by ``cached``, and its part returned."""
    found, store = _lookup(folder, SCAN)
    if found is not None:
        with contextlib.suppress(ValidationError):
            return ScanPack.model_validate_json(found).model_copy(update={"source": str(folder)})
    return scan_part(store(load(folder)))


def _lookup(folder: Path, part: int) -> tuple[bytes | None, Callable[[Pack], Pack]]:
    """The part's JSON from the entry of ``folder`` (None on a miss), and what keeps a pack
    loaded instead in that entry (and returns it)."""
    where = cache_dir()
    key = _key(folder) if where is not None else None
    if where is None or key is None:
        return None, lambda pack: pack
    entry = _entry(where, folder)

    def store(pack: Pack) -> Pack:
        with contextlib.suppress(OSError):
            _write(entry, key, pack)
        return pack

    return _read(entry, key, part), store


def scan_part(pack: Pack) -> ScanPack:
    """The part of a pack a scan reads, as its own model."""
    return ScanPack.model_validate_json(_scan_json(pack))


def _scan_json(pack: Pack) -> bytes:
    fields = {name: True for name in ScanPack.model_fields}
    return pack.model_dump_json(include={**fields, "areas": {"__all__": {"id", "title"}}}).encode()


def _entry(where: Path, folder: Path) -> Path:
    return where / f"pack-{hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:24]}.json"


def _key(folder: Path) -> str | None:
    """The SHA-256 of what a load of ``folder`` depends on; None when a file cannot be read
    (the loader then says what is wrong with it)."""
    digest = hashlib.sha256(FORMAT + b"\0" + __version__.encode() + b"\0")
    code = Path(__file__).resolve().parent
    try:
        for path in sorted(code.rglob("*.py")):
            st = path.stat()
            digest.update(f"{path.relative_to(code)}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
        for path in inputs(folder):
            data = path.read_bytes()
            record_input(path)  # as a load from the files would: no output may replace it
            name = path.relative_to(folder) if path.is_relative_to(folder) else f"default:{path}"
            digest.update(f"{name}\0{len(data)}\0".encode() + data)
    except (OSError, ValueError):
        return None
    return digest.hexdigest()


SCAN, PACK = 0, 1
"""Which part of an entry ``_read`` returns."""


def _read(entry: Path, key: str, part: int) -> bytes | None:
    """The part's JSON when the entry is whole and its key is ``key``, with the literal sets
    taken (``literals.prime``); else None."""
    try:
        st = entry.lstat()
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_ENTRY:
            return None
        with entry.open("rb") as fh:
            checksum, _, payload = fh.read(MAX_ENTRY).partition(b"\n")
        if checksum.decode("ascii") != hashlib.sha256(payload).hexdigest():
            return None
        stored, found, *parts = payload.split(b"\n", 3)
        if stored.decode("ascii") != key or len(parts) != 2:
            return None
        literals.prime(json.loads(found))
    except (OSError, ValueError):  # UnicodeError and JSON errors included
        return None
    return parts[part]


def _write(entry: Path, key: str, pack: Pack) -> None:
    found = [[p, 0, literals.required_literals(p)] for p in patterns(pack)]
    payload = b"\n".join(
        [
            key.encode(),
            json.dumps(found).encode(),
            _scan_json(pack),
            pack.model_dump_json().encode(),
        ]
    )
    data = hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload
    entry.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=".pack-", suffix=".tmp", dir=entry.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, entry)  # replaces a symlink there, never what it points to
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def patterns(pack: Pack) -> list[str]:
    """The patterns a scan searches file texts with (``Corpus.search``): rule content patterns
    and the CI systems' pipeline-code patterns."""
    found = [r.match.content.pattern for r in pack.rules if r.match.content]
    found += [s.content.pattern for s in pack.ci_systems if s.content]
    return list(dict.fromkeys(found))
