"""Literal strings a regex cannot match without: a fast prefilter for rule patterns.

Python's ``re`` scans a long text slowly when a pattern starts with an alternation; ``str.find``
is an order of magnitude faster. For a pattern such as ``^[^#\\n]*(?:\\bDAG\\(|@flow\\b)`` every
match must contain ``DAG(`` or ``@flow``, so a file holding neither cannot match and the regex
need not run on it (``assess.scan.view.Corpus.search``).

``required_literals`` reads the pattern's parse tree (``re._parser``) and returns a *required
literal set*: strings of which at least one occurs in the text every match examines.

- A sequence requires what any one of its elements requires; of those it keeps the most
  selective set (longest shortest literal, then fewest literals). Runs of consecutive literal
  characters are joined, and so are elements that match one of a few exact strings
  (``[Cc]ategory``, ``s?``, ``(?:Tabular|Image)Dataset``), into the strings the run can be.
- A branch requires the union of its alternatives' sets: None when one alternative has none.
- Groups, atomic groups and repeats with a minimum of one or more require what their body
  requires; optional parts (``?``, ``*``, ``{0,n}``) require nothing.
- A positive lookahead's body counts: it examines text at or after the match start, in the
  same file. Lookbehinds and negative lookarounds require nothing.
- Inside ``(?i)`` or a scoped ``(?i:...)`` literals are compared with ASCII letters in lower
  case (the whole set then is); a non-ASCII character there ends a literal (``re`` folds such
  characters its own way).
- A set with a literal shorter than ``MIN_LITERAL`` characters is useless (None).
Patterns whose shape yields no set get no prefilter (None): they are searched as before.
"""

from __future__ import annotations

import re
from functools import lru_cache
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

MIN_LITERAL = 3
MAX_EXACT = 32
"""The most strings an exact run may stand for before it is cut (``(?:a|b)(?:c|d)...``)."""
GOOD_ENOUGH = 6
"""A literal this long is selective enough: past it, fewer literals (fewer passes) win."""

Literals = tuple[frozenset[str], bool]
"""Strings one of which every match examines, and whether they compare in lower case."""

_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


@lru_cache(maxsize=512)
def required_literals(pattern: str, flags: int = 0) -> tuple[tuple[str, ...], bool] | None:
    """(literals, ignore_case): one of the literals occurs in the text every match of
    ``pattern`` (compiled with ``flags``) examines, in lower case when ``ignore_case``; None
    when no such set of literals of ``MIN_LITERAL`` characters or more is known."""
    try:
        tree = sre_parse.parse(pattern, flags)
    except re.error:
        return None
    ignore = bool(tree.state.flags & re.IGNORECASE)
    found = _seq(list(tree), ignore)
    if found is None or any("\0" in lit for lit in found[0]):
        return None
    return tuple(sorted(found[0])), found[1]


def _score(lits: Literals) -> tuple[int, int, bool, int]:
    shortest = min(len(x) for x in lits[0])
    return min(shortest, GOOD_ENOUGH), -len(lits[0]), not lits[1], shortest


def _useful(strings: set[str] | frozenset[str], ignore: bool) -> Literals | None:
    """The set as literals, minimal: a string holding another one adds nothing (a text with
    ``pull_request_target`` holds ``pull_request``)."""
    if not strings or min(len(s) for s in strings) < MIN_LITERAL:
        return None
    if ignore:  # ASCII letters only, as bytes.lower folds the text they are looked for in
        strings = {s.translate(_ASCII_LOWER) for s in strings}
    keep = frozenset(s for s in strings if not any(t != s and t in s for t in strings))
    return keep, ignore


def _union(sets: list[Literals]) -> Literals | None:
    ignore = any(ig for _, ig in sets)
    return _useful({s for lits, _ in sets for s in lits}, ignore)


def _seq(items: list[Any], ignore: bool) -> Literals | None:
    """What a sequence requires: the best of its elements' sets and of its exact runs."""
    options: list[Literals] = []
    run: set[str] = {""}
    run_ignore = False

    def close() -> None:
        nonlocal run, run_ignore
        if run != {""} and (lits := _useful(run, run_ignore)) is not None:
            options.append(lits)
        run, run_ignore = {""}, False

    for op, av in items:
        if op is sre.AT:
            continue  # zero width: the characters on both sides are adjacent
        exact = _exact(op, av, ignore)
        if exact is not None and len(run) * len(exact[0]) <= MAX_EXACT:
            run = {r + e for r in run for e in exact[0]}
            run_ignore = run_ignore or exact[1]
            continue
        close()
        if exact is not None:  # too many strings to join: a run of its own
            run, run_ignore = set(exact[0]), exact[1]
            continue
        if (lits := _element(op, av, ignore)) is not None:
            options.append(lits)
    close()
    return max(options, key=_score) if options else None


def _element(op: Any, av: Any, ignore: bool) -> Literals | None:
    """What one element that is not an exact run requires."""
    if op is sre.SUBPATTERN:
        return _seq(list(av[3]), _flags(ignore, av[1], av[2]))
    if op is sre.ATOMIC_GROUP:
        return _seq(list(av), ignore)
    if op is sre.BRANCH:
        sets = []
        for alt in av[1]:
            lits = _seq(list(alt), ignore)
            if lits is None:
                return None  # this alternative can match without any known literal
            sets.append(lits)
        return _union(sets)
    if op in _REPEATS:
        return _seq(list(av[2]), ignore) if av[0] >= 1 else None
    if op is sre.ASSERT and av[0] == 1:  # a lookahead examines text from the match on
        return _seq(list(av[1]), ignore)
    return None  # lookbehinds, negative lookarounds, classes, back references


def _flags(ignore: bool, add: int, remove: int) -> bool:
    if add & re.IGNORECASE:
        return True
    if remove & re.IGNORECASE:
        return False
    return ignore


def _exact(op: Any, av: Any, ignore: bool) -> Literals | None:
    """The few strings an element can match, when it matches nothing else: ``a``, ``[Cc]``,
    ``s?``, ``(?:ab|cd)``; None otherwise."""
    if op is sre.LITERAL:
        ch = chr(av)
        if ignore and not ch.isascii():
            return None  # re folds such characters its own way, not as str.lower does
        return frozenset({ch.translate(_ASCII_LOWER) if ignore else ch}), ignore
    if op is sre.IN:
        if not av or any(o is not sre.LITERAL for o, _ in av) or len(av) > 8:
            return None
        chars = [_exact(o, a, ignore) for o, a in av]
        if any(c is None for c in chars):
            return None
        return frozenset(s for c in chars if c for s in c[0]), ignore
    if op is sre.SUBPATTERN:
        return _exact_seq(list(av[3]), _flags(ignore, av[1], av[2]))
    if op is sre.BRANCH:
        alts = [_exact_seq(list(alt), ignore) for alt in av[1]]
        if any(a is None for a in alts):
            return None
        strings = {s for a in alts if a for s in a[0]}
        if len(strings) > MAX_EXACT:
            return None
        return frozenset(strings), any(a[1] for a in alts if a)
    if op in _REPEATS and av[1] <= 3:
        body = _exact_seq(list(av[2]), ignore)
        if body is None:
            return None
        out: set[str] = set()
        for n in range(av[0], av[1] + 1):
            part = {""}
            for _ in range(n):
                part = {p + b for p in part for b in body[0]}
                if len(part) > MAX_EXACT:
                    return None
            out |= part
        return (frozenset(out), body[1]) if len(out) <= MAX_EXACT else None
    return None


def _exact_seq(items: list[Any], ignore: bool) -> Literals | None:
    strings = {""}
    lowered = False
    for op, av in items:
        if op is sre.AT:
            continue
        exact = _exact(op, av, ignore)
        if exact is None or len(strings) * len(exact[0]) > MAX_EXACT:
            return None
        strings = {s + e for s in strings for e in exact[0]}
        lowered = lowered or exact[1]
    return frozenset(strings), lowered


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
