"""Literal strings a regex cannot match without: a fast prefilter for rule patterns.

Python's ``re`` scans a long text slowly when a pattern starts with an alternation; ``str.find``
is an order of magnitude faster. For a pattern such as ``^[^#\\n]*(?:\\bDAG\\(|@flow\\b)`` every
match must contain ``DAG(`` or ``@flow``, so a corpus holding neither cannot match and the
regex need not run. Patterns whose shape we do not recognise get no prefilter (None).
"""

from __future__ import annotations

import re
from functools import lru_cache
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

MIN_LITERAL = 3


@lru_cache(maxsize=512)
def required_literals(pattern: str) -> tuple[tuple[str, ...], bool] | None:
    """(literals, ignore_case): one of the literals occurs in every match; None if unknown."""
    try:
        tree = sre_parse.parse(pattern)
    except re.error:
        return None
    lits = _node(list(tree))
    if lits is None:
        return None
    # a scoped (?i:...) group counts too: compare case-insensitively whenever one appears
    ignore = bool(tree.state.flags & re.IGNORECASE) or "(?i" in pattern
    return tuple(x.lower() for x in lits) if ignore else tuple(lits), ignore


def _node(items: list[Any]) -> list[str] | None:
    if len(items) == 1 and items[0][0] is sre.BRANCH:
        out: list[str] = []
        for alt in items[0][1][1]:
            lits = _seq(list(alt))
            if lits is None:
                return None
            out += lits
        return out
    return _seq(items)


def _seq(items: list[Any]) -> list[str] | None:
    """The literal run a sequence must start with (after anchors and optional prefixes)."""
    out = ""
    for op, av in items:
        if op is sre.LITERAL:
            out += chr(av)
            continue
        if out:
            break
        if op is sre.AT:
            continue
        if op is sre.MAX_REPEAT and av[0] == 0:
            continue  # an optional prefix such as [^#\n]*
        if op in (sre.IN, sre.ANY, sre.NOT_LITERAL):
            continue  # one character of a class: the literal run after it is still required
        if op is sre.SUBPATTERN:
            return _node(list(av[3]))
        if op is sre.BRANCH:
            return _node([(op, av)])
        break
    return [out] if len(out) >= MIN_LITERAL else None


_UNBOUNDED = (sre.MAX_REPEAT, sre.MIN_REPEAT)


def nested_repeat(pattern: str) -> bool:
    """Whether an unbounded repetition holds another one (``(a+)+``, ``(?:\\w*,)*``): such
    nesting can backtrack exponentially on a long line that almost matches. Possessive
    repetitions (``*+``) never backtrack and do not count."""
    try:
        tree = sre_parse.parse(pattern)
    except re.error:
        return False
    return _nested(list(tree), inside=False)


def _nested(items: list[Any], *, inside: bool) -> bool:
    for op, av in items:
        if op in _UNBOUNDED and av[1] == sre.MAXREPEAT:
            if inside or _nested(list(av[2]), inside=True):
                return True
        elif any(_nested(sub, inside=inside) for sub in _subpatterns(op, av)):
            return True
    return False


def _subpatterns(op: Any, av: Any) -> list[list[Any]]:
    if op is sre.SUBPATTERN:
        return [list(av[3])]
    if op is sre.BRANCH:
        return [list(alt) for alt in av[1]]
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        return [list(av[1])]
    if op in _UNBOUNDED:
        return [list(av[2])]
    if op is sre.ATOMIC_GROUP:
        return [list(av)]
    if op is sre.GROUPREF_EXISTS:
        return [list(x) for x in av[1:] if x is not None]
    return []  # possessive repetitions never backtrack: what they hold cannot blow up
