"""Read an evidence file written by ``assess scan --format json``.

An evidence file may come from the client's own CI, so it is cleaned as the scanner cleans
what it reports (secrets masked, control characters escaped: ``assess.scan.redact``) before any
of it reaches a report or a terminal."""

from __future__ import annotations

from pathlib import Path

from assess.errors import InputError
from assess.model.evidence import Evidence, RepoScan, ScanFailure
from assess.model.pack import Pack
from assess.validation import load_json


def read_evidence(path: Path) -> Evidence:
    """An evidence file, cleaned (see the module docstring), whatever its pack."""
    from assess.scan.redact import clean_failure, clean_scan

    evidence = load_json(Evidence, path, "evidence file", not_a="not an assess evidence file")
    return evidence.model_copy(
        update={
            "repos": tuple(clean_scan(r) for r in evidence.repos),
            "failed": tuple(clean_failure(f) for f in evidence.failed),
        }
    )


def load_evidence(path: Path, pack: Pack) -> Evidence:
    evidence = read_evidence(path)
    if evidence.pack_id != pack.id:
        raise InputError(
            f"evidence was scanned with pack {evidence.pack_id!r}, the engagement uses {pack.id!r}",
            file=path,
            field="pack_id",
        )
    return evidence


def merge_evidence(files: list[tuple[Path, Evidence]], tool_version: str) -> Evidence:
    """One evidence file from many (a client's CI scanning each repository on its own): one
    entry per repository and commit (the first file's wins), failures only for repositories
    no file scanned. Files of another pack, or another pack version, are refused."""
    if not files:
        raise InputError("no evidence files to merge")
    first_path, first = files[0]
    repos: dict[tuple[str, str], RepoScan] = {}
    failed: dict[str, ScanFailure] = {}
    for path, ev in files:
        for field, mine, theirs in (
            ("pack_id", ev.pack_id, first.pack_id),
            ("pack_version", ev.pack_version, first.pack_version),
        ):
            if mine != theirs:
                raise InputError(
                    f"scanned with {field.replace('_', ' ')} {mine!r}, but {first_path} with "
                    f"{theirs!r}; rescan with one pack",
                    file=path,
                    field=field,
                )
        for repo in ev.repos:
            repos.setdefault((repo.source, repo.commit), repo)
        for failure in ev.failed:
            failed.setdefault(failure.source, failure)
    scanned = {source for source, _commit in repos}
    return Evidence(
        tool_version=tool_version,
        pack_id=first.pack_id,
        pack_version=first.pack_version,
        repos=tuple(repos.values()),
        failed=tuple(f for source, f in failed.items() if source not in scanned),
    )
