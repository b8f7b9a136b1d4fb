"""Read an evidence file written by ``assess scan --format json``."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from assess.errors import InputError
from assess.model import Evidence, Pack
from assess.yamlio import format_path, read_text


def load_evidence(path: Path, pack: Pack) -> Evidence:
    text = read_text(path, "evidence file")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", file=path, line=exc.lineno) from None
    try:
        evidence = Evidence.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = format_path(tuple(x for x in err["loc"] if isinstance(x, str | int)))
        raise InputError(
            f"not an assess evidence file: {err['msg']}", file=path, field=field or None
        ) from None
    if evidence.pack_id != pack.id:
        raise InputError(
            f"evidence was scanned with pack {evidence.pack_id!r}, the engagement uses {pack.id!r}",
            file=path,
            field="pack_id",
        )
    return evidence
