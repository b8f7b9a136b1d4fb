"""Text from a client's repository made safe to show: no control characters.

A file name can hold escape sequences (``\\x1b]0;OWNED\\x07`` sets a terminal's title,
``\\x1b[2J`` clears it) or a newline that forges a line of output. ``printable`` shows every
such character as an escape (``\\x1b``, ``\\n``, ``\\u202e``), so what a terminal, a CSV cell or a
PDF line shows is exactly the text, and nothing in it acts.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and the format characters that reorder or hide text (bidi
# embeddings and isolates, line and paragraph separators, zero-width marks).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff"
    "\ufff9-\ufffb\U000e0000-\U000e007f]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(m: re.Match[str]) -> str:
    ch = m.group()
    code = ord(ch)
    if ch in _NAMED:
        return _NAMED[ch]
    return (
        f"\\x{code:02x}"
        if code < 0x100
        else f"\\u{code:04x}"
        if code < 0x10000
        else f"\\U{code:08x}"
    )


def printable(text: str) -> str:
    """``text`` with every control or invisible formatting character shown as an escape."""
    return _UNSAFE.sub(_escape, text)


def printable_lines(text: str) -> str:
    """``printable`` for each line of ``text``: its line breaks stay, nothing else acts."""
    return "\n".join(printable(line) for line in text.split("\n"))


def one_line(text: str) -> str:
    """Every line break, control or invisible formatting character (a right-to-left override
    would reverse the rest of the line) and run of spaces becomes one space (for a value printed
    inside a line: an email header or body line)."""
    return " ".join(_UNSAFE.sub(" ", text).split())
