"""Open, migrate and save an engagement during an interview. Every save is atomic.

The session owns the file: it refuses to start when the file could not be saved (read-only
file, unwritable folder), keeps a backup before migrating to a new pack version, and writes
the whole engagement after every answer, so an interrupted interview loses at most the
question on screen.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from assess.engagement import (
    check_engagement,
    dump_engagement,
    pack_location,
    pack_ref_for,
    parse_engagement,
)
from assess.errors import EngagementError, OutputError
from assess.fsio import atomic_write, check_writable_target, writable
from assess.interview.engine import Migration, migrate
from assess.model import Engagement, Pack
from assess.packs import load_pack


@dataclass
class Session:
    path: Path
    pack: Pack
    engagement: Engagement
    created: bool = False
    migration: Migration | None = None
    backup: Path | None = None
    saves: int = field(default=0)

    def save(self, eng: Engagement) -> None:
        atomic_write(self.path, dump_engagement(eng).encode("utf-8"), rewrite=True)
        self.engagement = eng
        self.saves += 1


def check_saveable(path: Path) -> None:
    """Refuse early, before asking anything, if answers could not be saved."""
    check_writable_target(path, rewrite=True)
    if path.exists() and not writable(path):
        raise OutputError("the engagement file is read-only; answers could not be saved", file=path)


def open_session(path: Path, pack_ref: str | Path | None) -> Session:
    """Open an engagement for interviewing, creating it if it does not exist yet.

    When the file was started on another version of its pack, answers to questions that still
    exist are kept, the rest reported, and the old file kept as ``<name>.bak-<version>``.
    """
    check_saveable(path)
    if not path.exists():
        pack = load_pack(pack_ref)
        eng = Engagement(pack=pack_ref_for(pack, path))
        session = Session(path, pack, eng, created=True)
        session.save(eng)
        return session

    eng, loc = parse_engagement(path)
    pack = load_pack(pack_ref or pack_location(eng, path))
    if eng.pack.id != pack.id:
        raise EngagementError(
            f"engagement is for pack {eng.pack.id!r}, not {pack.id!r}", file=path, field="pack.id"
        )
    session = Session(path, pack, eng)
    if eng.pack.version != pack.version:
        result = migrate(pack, eng)
        backup = path.with_name(f"{path.name}.bak-{eng.pack.version}")
        shutil.copy2(path, backup)
        session.migration, session.backup = result, backup
        eng = result.engagement.model_copy(update={"pack": pack_ref_for(pack, path)})
        session.save(eng)
    check_engagement(eng, pack, path, loc, complete=False)
    return session
