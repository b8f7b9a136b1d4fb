"""The Assessment result as data: JSON, CSV (text and one file per table) and an XLSX workbook;
pure writers returning text or bytes (the caller writes them, atomically).

The CSV files and the workbook hold the tables of ``assess.report.tables``; ``assess score`` and
``assess gaps --format csv`` print their first columns. pandas is imported only by the writers
that need it, so ``assess score --format json`` does not pay for it.

Safety: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
prefixed with ``'`` in CSV and stored as text in the workbook, never as a formula, so a note such
as ``=HYPERLINK(...)`` cannot run when the file is opened (OWASP CSV injection).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assess.model.result import Assessment, Comparison, ReviewSummary
from assess.reconcile import finding_key

if TYPE_CHECKING:
    import pandas as pd

MAX_WIDTH = 60  # column width cap in the workbook, in characters; longer text wraps
MAX_CELL = 32767  # Excel's limit on the characters in one cell


def result_json(result: Assessment) -> str:
    return result.model_dump_json(indent=2) + "\n"


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(df: pd.DataFrame) -> str:
    """CSV with ``\n`` line ends; a text cell that a spreadsheet would run as a formula (client
    notes, scanned snippets) is prefixed with ``'`` so it opens as text (OWASP CSV injection)."""
    safe = df.copy()
    for col in safe.columns:
        risky = [isinstance(v, str) and v.startswith(FORMULA_START) for v in df[col]]
        if any(risky):
            safe.loc[risky, col] = "'" + df.loc[risky, col]
    return str(safe.to_csv(index=False, lineterminator="\n"))


def result_csv(result: Assessment) -> str:
    """One row per area, then an ``overall`` row (the first columns of the report's scores
    table, so the two can never disagree)."""
    from assess.report.tables import AREA_COLUMNS, tables

    return csv_text(tables(result)["scores"][AREA_COLUMNS])


def gaps_json(result: Assessment) -> str:
    data = result.model_dump(
        mode="json",
        include={"gaps", "roadmap", "roadmap_items", "later", "capacity", "recommendations"},
    )
    return json.dumps(data, indent=2) + "\n"


def gaps_csv(result: Assessment) -> str:
    """One row per gap, in roadmap order (what remediation trackers import)."""
    from assess.report.tables import GAP_COLUMNS, tables

    return csv_text(tables(result)["gaps"][GAP_COLUMNS])


def comparison_csv(c: Comparison) -> str:
    import pandas as pd

    rows = [
        {"kind": kind, **x.model_dump(mode="json")}
        for kind, items in (("overall", [c.overall]), ("area", c.areas), ("question", c.questions))
        for x in items
    ]
    cols = ["kind", "id", "title", "old", "new", "delta", "status"]
    return csv_text(pd.DataFrame(rows, columns=cols))


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

    from assess.report.tables import tables

    buf = io.BytesIO()
    import pandas as pd

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


def csv_files(result: Assessment) -> dict[str, bytes]:
    """``"<table>.csv"`` -> UTF-8 CSV bytes with ``\\n`` line ends, one file per table."""
    from assess.report.tables import tables

    return {
        f"{name}.csv": csv_text(table).encode("utf-8") for name, table in tables(result).items()
    }


def review_json(result: Assessment, engagement: Path, evidence: Sequence[Path]) -> str:
    summary = result.review or ReviewSummary()
    data = summary.model_dump(mode="json")
    for item, raw in zip(summary.items, data["items"], strict=True):
        raw["finding_keys"] = list(dict.fromkeys(finding_key(f) for f in item.findings))
    return json.dumps({"engagement": str(engagement), **data}, indent=2) + "\n"
