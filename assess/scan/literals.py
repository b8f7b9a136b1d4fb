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


def required_literals(pattern: str, flags: int = 0) -> tuple[tuple[str, ...], bool] | None:
    """(literals, ignore_case): one of the literals occurs in the text every match of
    ``pattern`` (compiled with ``flags``) examines, in lower case when ``ignore_case``; None
    when no such set of literals of ``MIN_LITERAL`` characters or more is known."""
    key = (pattern, flags)
    if key not in _results:
        _results[key] = _analyse(pattern, flags)
    return _results[key]


_results: dict[tuple[str, int], tuple[tuple[str, ...], bool] | None] = {}


def prime(rows: object) -> None:
    """Take ``[[pattern, flags, result], ...]`` as ``required_literals`` results, as
    ``assess.packcache`` stored them (``result`` a ``[[literals...], ignore_case]`` pair or
    null). Raises ValueError, taking none of them, when ``rows`` is not of that shape."""
    found: dict[tuple[str, int], tuple[tuple[str, ...], bool] | None] = {}
    for row in rows if isinstance(rows, list) else [None]:
        match row:
            case [str(pattern), int(flags), None]:
                found[pattern, flags] = None
            case [str(pattern), int(flags), [list(lits), bool(ignore)]] if lits and all(
                isinstance(x, str) for x in lits
            ):
                found[pattern, flags] = tuple(lits), ignore
            case _:
                raise ValueError(f"not a literal set: {row!r:.80}")
    _results.update(found)


def _analyse(pattern: str, flags: int) -> tuple[tuple[str, ...], bool] | None:
    try:
        tree = sre_parse.parse(pattern, flags)
    except re.error:
        return None
    _exact, found = _seq(list(tree), bool(tree.state.flags & re.IGNORECASE))
    if found is None or any("\0" in lit for lit in found[0]):
        return None
    return tuple(sorted(found[0])), found[1]


Info = tuple[Literals | None, Literals | None]
"""What a part of a pattern can match, when it is one of a few exact strings, and what every
match of it requires."""


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


def _product(left: Literals, right: Literals) -> Literals | None:
    if len(left[0]) * len(right[0]) > MAX_EXACT:
        return None
    return frozenset(a + b for a in left[0] for b in right[0]), left[1] or right[1]


_EMPTY: Literals = (frozenset({""}), False)


def _seq(items: list[Any], ignore: bool) -> Info:
    """A sequence: exact when every element is and the strings stay few; it requires the
    best of its elements' sets and of its runs of exact elements joined."""
    options: list[Literals] = []
    run: Literals = _EMPTY
    whole: Literals | None = _EMPTY
    chars = ""  # literal characters not yet joined to the run (one product per stretch)

    def close() -> None:
        if run != _EMPTY and (lits := _useful(*run)) is not None:
            options.append(lits)

    for op, av in (*items, (None, None)):
        if op is sre.AT:
            continue  # zero width: the characters on both sides are adjacent
        if op is sre.LITERAL and (ch := chr(av)).isascii():
            chars += ch.translate(_ASCII_LOWER) if ignore else ch
            continue
        if chars:
            stretch = (frozenset({chars}), ignore)
            whole = _product(whole, stretch) if whole is not None else None
            run = _product(run, stretch) or stretch
            chars = ""
        if op is None:
            break
        exact, required = _node(op, av, ignore)
        whole = _product(whole, exact) if whole is not None and exact is not None else None
        if exact is not None:
            joined = _product(run, exact)
            if joined is None:  # too many strings to join: a run of its own
                close()
                joined = exact
            run = joined
            continue
        close()
        run = _EMPTY
        if required is not None:
            options.append(required)
    close()
    return whole, max(options, key=_score) if options else None


def _node(op: Any, av: Any, ignore: bool) -> Info:
    """One element of a sequence."""
    if op is sre.LITERAL:
        ch = chr(av)
        if ignore and not ch.isascii():
            return None, None  # re folds such characters its own way, not as bytes.lower
        return (frozenset({ch.translate(_ASCII_LOWER) if ignore else ch}), ignore), None
    if op is sre.IN:
        if len(av) > 8 or any(o is not sre.LITERAL for o, _ in av):
            return None, None
        chars = [_node(o, a, ignore)[0] for o, a in av]
        if not chars or any(c is None for c in chars):
            return None, None
        return (frozenset(x for c in chars if c for x in c[0]), ignore), None
    if op is sre.SUBPATTERN:
        return _seq(list(av[3]), _flags(ignore, av[1], av[2]))
    if op is sre.ATOMIC_GROUP:
        return None, _seq(list(av), ignore)[1]
    if op is sre.BRANCH:
        alts = [_seq(list(alt), ignore) for alt in av[1]]
        exact: Literals | None = None
        if all(e is not None for e, _ in alts):
            strings = {x for e, _ in alts if e for x in e[0]}
            if len(strings) <= MAX_EXACT:
                exact = frozenset(strings), any(e[1] for e, _ in alts if e)
        required = None
        if all(r is not None for _, r in alts):  # else an alternative needs no known literal
            required = _useful(
                {x for _, r in alts if r for x in r[0]}, any(r[1] for _, r in alts if r)
            )
        return exact, required
    if op in _REPEATS:
        body_exact, body_required = _seq(list(av[2]), ignore)
        return _repeat(body_exact, av[0], av[1]), body_required if av[0] >= 1 else None
    if op is sre.ASSERT and av[0] == 1:  # a lookahead examines text from the match on
        return None, _seq(list(av[1]), ignore)[1]
    return None, None  # lookbehinds, negative lookarounds, classes, back references


def _repeat(body: Literals | None, least: int, most: int) -> Literals | None:
    """The strings ``body{least,most}`` can be, for a body of exact strings repeated at most
    three times."""
    if body is None or most > 3:
        return None
    out: set[str] = set()
    part: Literals | None = _EMPTY
    for n in range(most + 1):
        if n >= least and part is not None:
            out |= part[0]
        if n < most:
            part = _product(part, body) if part is not None else None
    if part is None or len(out) > MAX_EXACT:
        return None
    return frozenset(out), body[1]


def _flags(ignore: bool, add: int, remove: int) -> bool:
    if add & re.IGNORECASE:
        return True
    if remove & re.IGNORECASE:
        return False
    return ignore


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
