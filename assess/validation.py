"""Turn pydantic validation errors into one-line ``AssessError``s naming file, field and line."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from assess.errors import AssessError
from assess.yamlio import Locator, format_path

M = TypeVar("M", bound=BaseModel)


def _message(err: Any) -> str:
    kind = err["type"]
    given = err.get("input")
    if given is None:
        got = ", got nothing"
    elif isinstance(given, dict):
        got = ""
    else:
        got = f", got {given!r}"[:80]
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required field is missing"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "expected a mapping of keys to values" + got
    if kind == "string_type":
        hint = " (put it in quotes, e.g. '1.0')" if isinstance(given, int | float) else ""
        return "expected text" + hint + got
    if kind == "list_type" or kind == "tuple_type":
        return "expected a list" + got
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "expected a whole number" + got
    if kind in ("bool_type", "bool_parsing"):
        return "expected true or false" + got
    msg = str(err["msg"])
    return msg.removeprefix("Value error, ")


def _clean_loc(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    # pydantic adds pseudo-steps for unions ("str", "list[str]", "function-after[...]").
    out: list[str | int] = []
    for part in loc:
        if isinstance(part, int):
            out.append(part)
        elif isinstance(part, str) and ("[" in part or part in {"str", "int", "bool"}):
            continue
        else:
            out.append(str(part))
    return tuple(out)


def validate(
    model: type[M],
    data: Any,
    *,
    file: Path,
    locator: Locator,
    error: type[AssessError],
    prefix: tuple[str | int, ...] = (),
) -> M:
    """Validate ``data`` against ``model``; raise ``error`` for the first problem found."""
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise error(f"expected a mapping of fields, the file is {kind}", file=file, line=1)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = (*prefix, *_clean_loc(tuple(first["loc"])))
        raise error(
            _message(first), file=file, field=format_path(loc) or None, line=locator.line(loc)
        ) from None


def did_you_mean(value: str, options: Iterable[str]) -> str:
    """``; did you mean 'x'?`` when one option is close to a misspelt id, else nothing."""
    close = difflib.get_close_matches(value, list(options), n=1, cutoff=0.75)
    return f"; did you mean {close[0]!r}?" if close else ""
