"""Turn pydantic validation errors into one-line ``AssessError``s naming file, field and line;
``load_json`` reads the JSON files assess writes (evidence, results) the same way.

JSON from elsewhere can hold what Python's parser turns into a crash rather than an error: a
whole number of thousands of digits (``ValueError`` past 4,300 digits; below that, a number no
writer can convert to a float), or nesting thousands of levels deep (``RecursionError``).
``load_json`` reads whole numbers of at most ``MAX_DIGITS`` digits and turns each such problem
into an ``InputError`` naming the file and, for a number, the line. (``NaN`` and infinite
numbers are refused by the models, which allow finite numbers only.)
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from assess.errors import AssessError, InputError
from assess.yamlio import Locator, format_path, read_text

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
    if kind in ("float_type", "float_parsing", "finite_number"):
        return "expected a number" + got
    if kind == "greater_than":
        bound = err["ctx"]["gt"]
        return f"expected a number greater than {bound:g}" + got
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


MAX_DIGITS = 19
"""Digits a whole number in a JSON file may have (a 64-bit integer has 19)."""


class _BadNumber(ValueError):
    def __init__(self, literal: str, problem: str) -> None:
        super().__init__(problem)
        self.literal = literal


def _int(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_DIGITS:
        digits = len(literal.lstrip("-"))
        raise _BadNumber(literal, f"a number of {digits:,} digits (at most {MAX_DIGITS} are read)")
    return int(literal)


def load_json(model: type[M], path: Path, what: str, *, not_a: str) -> M:
    """The JSON file at ``path`` as ``model``; any problem is an ``InputError`` naming the file
    and the line or field, its message starting with ``not_a`` when the file is JSON but not
    ``model``."""
    text = read_text(path, what)
    try:
        data = json.loads(text, parse_int=_int)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", file=path, line=exc.lineno) from None
    except _BadNumber as exc:
        line = text.count("\n", 0, max(text.find(exc.literal), 0)) + 1
        raise InputError(f"cannot be read: {exc}", file=path, line=line) from None
    except RecursionError:
        raise InputError("cannot be read: nested too deeply", file=path) from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = format_path(tuple(x for x in err["loc"] if isinstance(x, str | int)))
        raise InputError(f"{not_a}: {err['msg']}", file=path, field=field or None) from None
