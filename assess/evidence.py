"""Read an evidence file written by ``assess scan --format json``."""

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
    return evidence
