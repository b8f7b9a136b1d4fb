"""Open, migrate and save an engagement during an interview. Every save is atomic.

The session owns its changes to the file: it refuses to start when the file could not be saved
(read-only file, unwritable folder), keeps a backup before migrating to a new pack version, and
writes the whole engagement after every answer, so an interrupted interview loses at most the
question on screen. Nothing is written before the first save: a refused ``assess answer`` on a
new file leaves no file behind.

Several writers may share one file (two interviews, parallel ``assess answer`` runs). Each save
holds the file's lock (``fsio.locked``); when the file changed on disk since this session last
read or wrote it, the save re-reads it and applies only this session's changes (answers per
question and respondent, context per field, review decisions per key, the other sections
whole), so no writer loses another's answers. A file moved to another pack version meanwhile
is refused, not merged. ``dump_engagement`` writes every section of the model (the assessor's
words, review decisions), so a save keeps the sections it did not change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from assess.engagement import (
    check_engagement,
    dump_engagement,
    pack_location,
    pack_ref_for,
    parse_engagement,
)
from assess.errors import EngagementError, InputError, OutputError
from assess.fsio import atomic_write, check_writable_target, is_stdout, locked, writable
from assess.interview.engine import Migration, migrate, prune
from assess.migration import load_migration
from assess.model.engagement import Answer, Engagement
from assess.model.pack import Pack
from assess.packs import load_pack

V = TypeVar("V")


@dataclass
class Session:
    path: Path
    pack: Pack
    engagement: Engagement
    created: bool = False
    migration: Migration | None = None
    backup: Path | None = None
    saves: int = field(default=0)
    base: Engagement | None = field(default=None, repr=False)
    """The engagement as the file held it when this session last read or wrote it."""
    digest: str | None = field(default=None, repr=False)
    """The sha256 of those bytes; None while there is no file."""

    def save(self, eng: Engagement) -> None:
        """Write ``eng``, merged onto the file if another writer changed it meanwhile."""
        base = self.base if self.base is not None else self.engagement
        with locked(self.path):
            raw = _read(self.path)
            if _digest(raw) != self.digest:
                disk = base if raw is None else parse_engagement(self.path)[0]
                eng = prune(self.pack, merge(base, eng, disk))[0]
                if (eng.pack.id, eng.pack.version) != (self.pack.id, self.pack.version):
                    raise EngagementError(
                        f"the file changed on disk: it is now on pack {eng.pack.id} "
                        f"{eng.pack.version}, this session on {self.pack.version}; nothing "
                        "saved, run the command again",
                        file=self.path,
                        field="pack.version",
                    )
            data = dump_engagement(eng).encode("utf-8")
            atomic_write(self.path, data, rewrite=True)
        self.engagement = self.base = eng
        self.digest = _digest(data)
        self.saves += 1


def merge(base: Engagement, mine: Engagement, disk: Engagement) -> Engagement:
    """``disk`` with the changes ``mine`` made to ``base``: each (question, respondent) answer,
    each context field, each respondent's role and each review decision (per question id and
    finding key) this session set or removed, and each module it chose or dropped; any other
    section (pack, assessment, branding, the assessor's words, a section added to the model
    later) whole, when this session changed it. Everything else stays as on disk."""
    keyed = ("context", "answers", "respondents", "modules", "review")
    update: dict[str, object] = {
        name: getattr(mine, name)
        for name in type(mine).model_fields
        if name not in keyed and getattr(mine, name) != getattr(base, name)
    }
    context = _merge_keys(base.context, mine.context, disk.context)
    respondents = _merge_keys(base.respondents, mine.respondents, disk.respondents)
    modules = [m for m in disk.modules if m in mine.modules or m not in base.modules]
    modules += [m for m in mine.modules if m not in base.modules and m not in modules]
    review = disk.review.model_copy(
        update={
            "questions": _merge_keys(
                base.review.questions, mine.review.questions, disk.review.questions
            ),
            "findings": _merge_keys(
                base.review.findings, mine.review.findings, disk.review.findings
            ),
        }
    )
    answers = {qid: list(items) for qid, items in disk.answers.items()}
    for qid in [*mine.answers, *(q for q in base.answers if q not in mine.answers)]:
        before = _by_respondent(base.answers.get(qid, []))
        after = _by_respondent(mine.answers.get(qid, []))
        for who in [*after, *(w for w in before if w not in after)]:
            if before.get(who) == after.get(who):
                continue
            kept = [a for a in answers.get(qid, []) if a.respondent != who]
            if who in after:
                kept.append(after[who])
            if kept:
                answers[qid] = kept
            else:
                answers.pop(qid, None)
    return disk.model_copy(
        update={
            **update,
            "context": context,
            "answers": answers,
            "respondents": respondents,
            "modules": modules,
            "review": review,
        }
    )


def _merge_keys(
    base: Mapping[str, V], mine: Mapping[str, V], disk: Mapping[str, V]
) -> dict[str, V]:
    """``disk`` with the keys ``mine`` set, changed or removed since ``base``."""
    out = dict(disk)
    for key in [*mine, *(k for k in base if k not in mine)]:
        if key not in mine:
            out.pop(key, None)
        elif key not in base or mine[key] != base[key]:
            out[key] = mine[key]
    return out


def _by_respondent(answers: list[Answer]) -> dict[str | None, Answer]:
    return {a.respondent: a for a in answers}


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=path) from exc


def _digest(raw: bytes | None) -> str | None:
    return None if raw is None else hashlib.sha256(raw).hexdigest()


def check_saveable(path: Path) -> None:
    """Refuse early, before asking anything, if answers could not be saved."""
    if is_stdout(path):
        raise OutputError("answers are saved in the engagement file: give its name, not -")
    check_writable_target(path, rewrite=True)
    if path.exists() and not writable(path):
        raise OutputError("the engagement file is read-only; answers could not be saved", file=path)


def open_session(
    path: Path, pack_ref: str | Path | None, *, check: Callable[[Pack], None] | None = None
) -> Session:
    """Open an engagement for interviewing; a file that does not exist yet is created by the
    first save. ``check`` vets the command's other inputs against the pack (evidence files)
    before anything is written: its error leaves every file as it was.

    When the file was started on another version of its pack, its answers are carried by the
    pack's mapping from that version when it has one (``engine.migrate``), else to questions
    that still exist; the rest are reported, and the old file kept as ``<name>.bak-<version>``.
    """
    check_saveable(path)
    with locked(path):  # the bytes hashed are the bytes parsed
        raw = _read(path)
        parsed = None if raw is None else parse_engagement(path)
    if raw is None or parsed is None:
        pack = load_pack(pack_ref)
        if check:
            check(pack)
        eng = Engagement(pack=pack_ref_for(pack, path))
        return Session(path, pack, eng, created=True, base=eng)

    eng, loc = parsed
    pack = load_pack(pack_ref or pack_location(eng, path))
    if eng.pack.id != pack.id:
        raise EngagementError(
            f"engagement is for pack {eng.pack.id!r}, not {pack.id!r}", file=path, field="pack.id"
        )
    if check:
        check(pack)
    session = Session(path, pack, eng, base=eng, digest=_digest(raw))
    if eng.pack.version != pack.version:
        result = migrate(pack, eng, load_migration(pack, eng.pack.version))
        backup = path.with_name(f"{path.name}.bak-{eng.pack.version}")
        atomic_write(backup, raw)
        session.migration, session.backup = result, backup
        eng = result.engagement.model_copy(update={"pack": pack_ref_for(pack, path)})
        session.save(eng)
    check_engagement(eng, pack, path, loc, complete=False)
    return session
