"""Read an evidence file written by ``assess scan --format json``.

An evidence file may come from the client's own CI, so it is cleaned as the scanner cleans
what it reports (secrets masked, control characters escaped: ``assess.scan.redact``) before any
of it reaches a report or a terminal."""

from __future__ import annotations

from pathlib import Path

from assess.errors import InputError
from assess.model import Evidence, Pack
from assess.validation import load_json


def load_evidence(path: Path, pack: Pack) -> Evidence:
    evidence = load_json(Evidence, path, "evidence file", not_a="not an assess evidence file")
    if evidence.pack_id != pack.id:
        raise InputError(
            f"evidence was scanned with pack {evidence.pack_id!r}, the engagement uses {pack.id!r}",
            file=path,
            field="pack_id",
        )
    from assess.scan.redact import clean_failure, clean_scan

    return evidence.model_copy(
        update={
            "repos": tuple(clean_scan(r) for r in evidence.repos),
            "failed": tuple(clean_failure(f) for f in evidence.failed),
        }
    )
