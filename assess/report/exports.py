"""The Assessment result as a workbook, CSV files and Markdown: pure writers returning bytes or
text (the caller writes them, atomically).

The XLSX and CSV files hold the tables of ``assess.report.tables``; the Markdown is the PDF
report in text, rendered from ``templates/report.md.j2``.

Safety: a text cell that starts with ``=`` is stored in the workbook as text, never as a
formula, so a note such as ``=HYPERLINK(...)`` cannot run when the file is opened. The Markdown
is not HTML-escaped (Markdown has no such escaping); inside a table cell ``|`` is escaped and a
line break becomes ``<br>`` so a client's text cannot break the table.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from typing import Any

import jinja2
import pandas as pd

from assess.export import csv_text
from assess.model import Assessment, LineageLink, LinkStatus
from assess.report.render import (
    EVIDENCE_LABELS,
    KIND_LABELS,
    LICENCE_LABELS,
    STATUS_LABELS,
    STRENGTH_LABELS,
    fmt_level,
    fmt_pct,
    shared_context,
)
from assess.report.tables import binding_references, tables
from assess.resources import templates_dir

MAX_WIDTH = 60  # column width cap in the workbook, in characters; longer text wraps
MAX_CELL = 32767  # Excel's limit on the characters in one cell

# --------------------------------------------------------------------------- XLSX


def _sheet_name(name: str) -> str:
    return name[:31]


def _text_width(value: Any) -> int:
    if value is None:
        return 0
    return max((len(line) for line in str(value).splitlines()), default=0)


def _clean(value: Any, illegal: re.Pattern[str]) -> Any:
    """Text the workbook can hold: no control characters XML forbids, at most Excel's limit."""
    if not isinstance(value, str):
        return value
    value = illegal.sub("\ufffd", value)
    return value if len(value) <= MAX_CELL else value[: MAX_CELL - 1] + "\u2026"


def xlsx_bytes(result: Assessment) -> bytes:
    """One sheet per table, header row bold and frozen, columns fitted to their content (at
    most ``MAX_WIDTH`` characters; longer text wraps)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        for name, table in tables(result).items():
            sheet = _sheet_name(name)
            cleaned = table.map(_clean, illegal=ILLEGAL_CHARACTERS_RE)
            cleaned.to_excel(writer, sheet_name=sheet, index=False)
            ws = writer.sheets[sheet]
            ws.freeze_panes = "A2"
            if len(table):
                ws.auto_filter.ref = ws.dimensions
            for col, column in enumerate(table.columns, start=1):
                header = ws.cell(row=1, column=col)
                header.font = Font(bold=True)
                header.alignment = Alignment(vertical="top")
                widest = max([_text_width(column), *(_text_width(v) for v in table[column])])
                wrap = widest > MAX_WIDTH
                ws.column_dimensions[get_column_letter(col)].width = min(widest, MAX_WIDTH) + 2
                for row in range(2, len(table) + 2):
                    cell = ws.cell(row=row, column=col)
                    if cell.data_type == "f":  # text that looks like a formula stays text
                        cell.data_type = "s"
                    cell.alignment = Alignment(vertical="top", wrap_text=wrap)
    return buf.getvalue()


# --------------------------------------------------------------------------- CSV


def csv_files(result: Assessment) -> dict[str, bytes]:
    """``"<table>.csv"`` -> UTF-8 CSV bytes with ``\\n`` line ends, one file per table."""
    return {
        f"{name}.csv": csv_text(table).encode("utf-8") for name, table in tables(result).items()
    }


# --------------------------------------------------------------------------- Markdown

LINK_MARKS = {LinkStatus.found: "\u2713", LinkStatus.missing: "\u2717", LinkStatus.broken: "\u2717"}


def md_cell(value: Any) -> str:
    """A value for a Markdown table cell: ``|`` escaped, line breaks as ``<br>``."""
    if value is None:
        return ""
    text = str(value).replace("|", "\\|")
    return re.sub(r"\r\n|\r|\n", "<br>", text.strip())


def md_line(value: Any) -> str:
    """A value on one line of Markdown (a list item or a paragraph): line breaks as spaces."""
    if value is None:
        return ""
    return re.sub(r"\s*(?:\r\n|\r|\n)\s*", " ", str(value).strip())


def _lineage_line(links: Iterable[LineageLink]) -> str:
    """``code ✓ → data ✗ → run ✓ → registry ✗ (broken) → …``"""
    return " \u2192 ".join(
        f"{x.id} {LINK_MARKS[x.status]}" + (" (broken)" if x.status is LinkStatus.broken else "")
        for x in links
    )


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        autoescape=False,  # Markdown, not HTML: table cells are escaped with the 'cell' filter
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["level"] = fmt_level
    env.filters["pct"] = fmt_pct
    env.filters["cell"] = md_cell
    env.filters["line"] = md_line
    env.globals["status_label"] = STATUS_LABELS.__getitem__
    env.globals["strength_label"] = STRENGTH_LABELS.__getitem__
    env.globals["evidence_label"] = EVIDENCE_LABELS.__getitem__
    env.globals["kind_label"] = KIND_LABELS.__getitem__
    env.globals["licence_label"] = LICENCE_LABELS.__getitem__
    env.globals["lineage_line"] = _lineage_line
    env.globals["binding_references"] = binding_references
    return env


def markdown(result: Assessment) -> str:
    """The report as Markdown, in the PDF's order."""
    text = _environment().get_template("report.md.j2").render(**shared_context(result))
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
