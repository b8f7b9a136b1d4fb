"""The Assessment result as Markdown: the PDF report in text, rendered from
``templates/report.md.j2``.

Safety: every value the template prints is literal text (``md_text``, the environment's
``finalize``): ``<`` and ``>`` become ``&lt;`` and ``&gt;`` (and ``&`` before what would read as
an entity, ``&amp;``), so a note holding ``<img>``, ``<script>`` or ``<style>`` shows as typed in
every renderer; the backslash and the characters that make links, images, emphasis, code,
strikethrough, math and table cells (``[ ] * _ ` ~ $ |``) are backslash-escaped; a value cannot
start a heading, list or quote; and a line break becomes a space (``<br>`` inside a table cell,
the only HTML the Markdown holds); a control or invisible formatting character (an escape
sequence, a right-to-left override) is shown as its escape, ``\\x1b``, as on the terminal.
Values are cut as in the PDF (``assess.report.text.cap``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import jinja2
from markupsafe import Markup

from assess.model.result import Assessment, LineageLink, LinkStatus
from assess.report.prose import blocks
from assess.report.render import (
    EVIDENCE_LABELS,
    KIND_LABELS,
    LICENCE_LABELS,
    STATUS_LABELS,
    STRENGTH_LABELS,
    fmt_level,
    fmt_pct,
    shared_context,
    weeks,
)
from assess.report.tables import binding_references
from assess.report.text import cap
from assess.resources import templates_dir
from assess.safetext import printable

LINK_MARKS = {LinkStatus.found: "\u2713", LinkStatus.missing: "\u2717", LinkStatus.broken: "\u2717"}


_ENTITY = r"&(?=#[0-9]+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)"
_INLINE = re.compile(
    _ENTITY
    + r"|[<>\\`*\[\]~$|]"
    + r"|(?<![^\W_])_|_(?![^\W_])"  # an underscore not inside a word (snake_case stays)
)
_INLINE_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# what opens a heading, a list item, a setext underline or a thematic break at a line's start
_BLOCK_START = re.compile(r"^(\s*(?:[0-9]{1,9}(?=[.)](?:\s|$)))?)([#+=-]|(?<=[0-9])[.)])")
_LINE_BREAK = re.compile(r"\s*(?:\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029])\s*")


def _literal(text: str) -> Markup:
    text = _LINE_BREAK.sub(" ", text).replace("\t", " ")
    # an escape sequence or a bidi override in client text would act in a terminal that shows
    # the file (cat report.md): shown as typed escapes, as on the terminal (safetext)
    text = printable(text)
    text = _INLINE.sub(lambda m: _INLINE_ESCAPES.get(m.group(), "\\" + m.group()), text)
    return Markup(_BLOCK_START.sub(r"\1\\\2", text))


def md_text(value: Any) -> Markup:
    """A value as literal Markdown text on one line (see the module's notes). Markdown the code
    built (``Markup``, e.g. from ``cell``) is kept as it is."""
    return value if isinstance(value, Markup) else _literal(cap(str(value)))


def md_cell(value: Any) -> Markup:
    """A value for a Markdown table cell: literal text, line breaks as ``<br>``."""
    if value is None:
        return Markup("")
    if isinstance(value, Markup):
        return value
    lines = _LINE_BREAK.split(cap(str(value)).strip())
    return Markup("<br>").join(_literal(line) for line in lines)


def md_line(value: Any) -> Markup:
    """A value on one line of Markdown (a list item or a paragraph), trimmed."""
    return Markup("") if value is None else md_text(str(value).strip())


def md_join(values: Iterable[Any], sep: str = "") -> Markup:
    """Jinja's ``join`` for the Markdown: each item literal text, like a printed value."""
    return Markup(md_text(sep)).join(md_text(v) for v in values)


def md_link(url: str) -> Markup:
    """An ``http(s)`` URL as an autolink; anything else as literal text."""
    if re.fullmatch(r"https?://[^\s<>]+", url):
        return Markup(f"<{url}>")
    return md_text(url)


def _lineage_line(links: Iterable[LineageLink]) -> str:
    """``code ✓ → data ✗ → run ✓ → registry ✗ (broken) → …``"""
    return " \u2192 ".join(
        f"{x.id} {LINK_MARKS[x.status]}" + (" (broken)" if x.status is LinkStatus.broken else "")
        for x in links
    )


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        autoescape=False,  # Markdown, not HTML: every printed value goes through md_text
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=md_text,
    )
    env.filters["level"] = fmt_level
    env.filters["pct"] = fmt_pct
    env.filters["weeks"] = weeks
    env.filters["cell"] = md_cell
    env.filters["line"] = md_line
    env.filters["join"] = md_join
    env.filters["link"] = md_link
    env.globals["status_label"] = STATUS_LABELS.__getitem__
    env.globals["strength_label"] = STRENGTH_LABELS.__getitem__
    env.globals["evidence_label"] = EVIDENCE_LABELS.__getitem__
    env.globals["kind_label"] = KIND_LABELS.__getitem__
    env.globals["licence_label"] = LICENCE_LABELS.__getitem__
    env.globals["lineage_line"] = _lineage_line
    env.globals["binding_references"] = binding_references
    env.globals["prose"] = blocks
    return env


def markdown(result: Assessment) -> str:
    """The report as Markdown, in the PDF's order."""
    text = _environment().get_template("report.md.j2").render(**shared_context(result))
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
