"""The assessor's own words (an engagement's ``executive_summary`` and ``observations``) as
blocks every report renders the same way.

The text is plain: paragraphs separated by a blank line, and bullet lists whose items start
with ``- ``. That is all the structure there is. Nothing else is interpreted: ``**x**``,
``<b>``, ``[a](b)``, ``# heading``, ``* item`` or ``1. item`` stay the characters typed, which
each renderer escapes like every other client text (Jinja autoescape in the HTML and PDF,
``md_text`` in the Markdown).

- Lines of one paragraph are joined with a space (a YAML block wraps long lines); a blank line
  (or one of spaces) ends the paragraph.
- A line starting with ``- `` (after any indentation) starts a list item, also straight after a
  paragraph line. Following lines that are not items continue the item; a blank line ends it.
  Items separated only by blank lines stay one list. Lists are not nested: an indented item is
  an item of the same list.
- Every line is stripped of surrounding whitespace; ``\\r\\n`` and ``\\r`` count as line ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

_ITEM = re.compile(r"-[ \t]+(?=\S)")


@dataclass(frozen=True)
class Block:
    """A paragraph (``text``) or a bullet list (``items``)."""

    kind: Literal["paragraph", "list"]
    text: str = ""
    items: tuple[str, ...] = ()


def blocks(text: str | None) -> tuple[Block, ...]:
    """``text`` as paragraphs and bullet lists, in order (see the module's notes)."""
    out: list[Block] = []
    paragraph: list[str] = []
    items: list[list[str]] = []
    open_item = False  # the last line was part of an item (no blank line since)

    def end_paragraph() -> None:
        if paragraph:
            out.append(Block("paragraph", text=" ".join(paragraph)))
            paragraph.clear()

    def end_list() -> None:
        if items:
            out.append(Block("list", items=tuple(" ".join(lines) for lines in items)))
            items.clear()

    for raw in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        item = _ITEM.match(line)
        if not line:
            end_paragraph()
            open_item = False
        elif item:
            end_paragraph()
            items.append([line[item.end() :]])
            open_item = True
        elif open_item:
            items[-1].append(line)
        else:
            end_list()
            paragraph.append(line)
    end_paragraph()
    end_list()
    return tuple(out)
