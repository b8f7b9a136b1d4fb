"""Bounds on the text a report renders, applied where every value enters a report template.

A client's note, a repository path or a pack's text can be of any length. WeasyPrint takes
minutes to lay out one unbroken 40,000-character word (it tries every break point), and a
megabyte note is no report. So every value printed by ``report.html.j2`` or ``report.md.j2``
(each environment's ``finalize``, and its ``join`` filter, which builds text from several
values) is first cut to ``MAX_TEXT`` characters with a visible ``… (N characters cut)`` marker,
and in the HTML a word longer than ``MAX_WORD`` characters gets an invisible break opportunity
(a zero-width space, which WeasyPrint also uses for ``<wbr>``) every ``MAX_WORD`` characters.
Text within both bounds, which is all normal text, is printed unchanged.
"""

from __future__ import annotations

import re

MAX_TEXT = 5_000
"""Characters one value may print (a long consultant's note is 2,000)."""
MAX_WORD = 200
"""Characters a word may run without a break opportunity (a long file path has 150)."""
ZWSP = "\u200b"

_LONG_WORD = re.compile(rf"\S{{{MAX_WORD}}}(?=\S)")


def cap(text: str) -> str:
    """``text`` cut to ``MAX_TEXT`` characters, followed by how many were cut."""
    if len(text) <= MAX_TEXT:
        return text
    return f"{text[:MAX_TEXT]}\u2026 ({len(text) - MAX_TEXT:,} characters cut)"


def breakable(text: str) -> str:
    """``text`` with a zero-width space after every ``MAX_WORD`` characters of one word."""
    return _LONG_WORD.sub(lambda m: m.group() + ZWSP, text)
