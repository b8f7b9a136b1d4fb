"""Mapping files between versions of a pack: ``migrations/from-<old version>.yaml``.

A mapping file lists every question of the older version and says where its answers go::

    from: "1.1.0"
    questions:
      cicd.merge_request_ci:
        to: cicd.change_checks       # the new question (null: dropped, with a 'note' saying why)
        exact: true                  # true: carried as it is; false: carried, flagged reconfirm
        choices: {ci_blocking: blocking}   # old choice -> new; an unlisted choice keeps its id

Validation (``load_migration``): the ``from`` version is the file's; every target question and
target choice exists in this pack; when the older version's ids are given (``old``: question
id -> its choice ids), every old question and choice named exists and every old choice has a
counterpart (listed, or the same id in the target); a new question that several old ones feed
(a merge) has at most one exact source, so an exact answer is never overruled. Applying the
mapping to an engagement is the interview's job, not this module's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from assess.errors import PackError
from assess.model.pack import MigrationFile, Pack
from assess.validation import did_you_mean, validate
from assess.yamlio import format_path, load_yaml

MIGRATIONS_DIR = "migrations"


def migration_path(pack: Pack, from_version: str) -> Path:
    return Path(pack.source) / MIGRATIONS_DIR / f"from-{from_version}.yaml"


def check_migrations(pack: Pack) -> None:
    """Every mapping file of the pack (``migrations/from-*.yaml``) is valid for it."""
    folder = Path(pack.source) / MIGRATIONS_DIR
    for path in sorted(folder.glob("from-*.yaml")) if folder.is_dir() else ():
        load_migration(pack, path.stem.removeprefix("from-"))


def load_migration(
    pack: Pack, from_version: str, *, old: Mapping[str, Iterable[str]] | None = None
) -> MigrationFile | None:
    """The pack's mapping from ``from_version``, checked against the pack (and against the
    older version's ids when ``old`` gives them); None when the pack has no such file."""
    path = migration_path(pack, from_version)
    if not path.exists():
        return None
    data, loc = load_yaml(path, "migration file")
    mig = validate(MigrationFile, data, file=path, locator=loc, error=PackError)

    def fail(msg: str, *at: str | int) -> PackError:
        return PackError(msg, file=path, field=format_path(at), line=loc.line(at))

    if mig.from_version != from_version:
        raise fail(f"the file maps {mig.from_version!r}, its name says {from_version!r}", "from")
    old_choices = {qid: tuple(ids) for qid, ids in (old or {}).items()}
    exact_source: dict[str, str] = {}
    for old_id, entry in mig.questions.items():
        at = ("questions", old_id)
        if old is not None and old_id not in old_choices:
            hint = did_you_mean(old_id, old_choices)
            raise fail(f"no question {old_id!r} in version {from_version}{hint}", *at)
        if entry.to is None:
            continue
        target = pack.question(entry.to)
        if target is None:
            hint = did_you_mean(entry.to, [q.id for q in pack.questions])
            raise fail(f"no question {entry.to!r} in version {pack.version}{hint}", *at, "to")
        new_ids = [c.id for c in target.choices]
        for old_choice, new_choice in entry.choices.items():
            if old is not None and old_choice not in old_choices[old_id]:
                hint = did_you_mean(old_choice, old_choices[old_id])
                raise fail(f"{old_id} has no choice {old_choice!r}{hint}", *at, "choices")
            if target.choice(new_choice) is None:
                hint = did_you_mean(new_choice, new_ids)
                raise fail(
                    f"{entry.to} has no choice {new_choice!r}{hint}", *at, "choices", old_choice
                )
        for old_choice in old_choices.get(old_id, ()):
            if target.choice(entry.new_choice(old_choice)) is None:
                raise fail(
                    f"choice {old_choice!r} of {old_id} is not in {entry.to}: map it in 'choices'",
                    *at,
                    "choices",
                )
        if entry.exact:
            other = exact_source.get(entry.to)
            if other is not None:
                raise fail(
                    f"{entry.to} already takes {other}'s answer exactly: with two exact sources "
                    "a carried answer is ambiguous (make one 'exact: false')",
                    *at,
                    "exact",
                )
            exact_source[entry.to] = old_id
    return mig
