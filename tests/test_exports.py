"""XLSX, CSV and Markdown exports of the Assessment, written and read back."""

from __future__ import annotations

import io
import json
import math
import re
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from assess.engagement import load_engagement
from assess.evidence import load_evidence
from assess.model.result import Assessment
from assess.packs import load_pack
from assess.pipeline import assess
from assess.report.data import MAX_WIDTH, csv_files, xlsx_bytes
from assess.report.markdown import markdown
from assess.report.render import fmt_level
from assess.report.tables import TABLE_COLUMNS, tables
from tests.conftest import ROOT, SAMPLE
from tests.test_cli import engagement

NAMES = [
    "scores",
    "questions",
    "gaps",
    "roadmap",
    "recommendations",
    "findings",
    "controls",
    "lineage",
]
PIPE_NOTE = "manual | exports\nchecked by hand"
FORMULA_NOTE = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture(scope="module")
def sample() -> Assessment:
    pack = load_pack("mlops")
    return assess(
        pack,
        load_engagement(SAMPLE, pack),
        evidence=load_evidence(ROOT / "samples" / "evidence.json", pack),
    )


@pytest.fixture
def tiny(tiny_pack: Path, tmp_path: Path) -> Assessment:
    eng = engagement(
        tmp_path,
        answers={
            "alpha.one": {"choice": "a1", "note": PIPE_NOTE, "respondent": "Ana"},
            "alpha.two": {"choice": "b3", "note": FORMULA_NOTE},
            "beta.one": {"status": "dont_know"},
            "beta.two": {"choice": "e2"},
        },
    )
    pack = load_pack(tiny_pack)
    return assess(pack, load_engagement(eng, pack))


def plain(value: Any) -> Any:
    """A value read back from a file: NaN (an empty cell) as None."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return value.item() if hasattr(value, "item") else value


def column(frame: pd.DataFrame, name: str) -> list[Any]:
    return [plain(v) for v in frame[name]]


# --------------------------------------------------------------------------- tables


def test_tables_are_plain_and_in_order(sample: Assessment) -> None:
    t = tables(sample)
    assert list(t) == NAMES
    for name, frame in t.items():
        assert list(frame.columns) == TABLE_COLUMNS[name], name
        for value in frame.to_numpy().ravel():
            assert value is None or type(value) in (str, float, int, bool), (name, value)
    assert len(t["scores"]) == len(sample.areas) + 1
    assert len(t["questions"]) == len(sample.questions)
    scheduled = sum(len(p.items) for p in sample.roadmap)
    assert len(t["roadmap"]) == scheduled + len(sample.later) == len(sample.roadmap_items)
    assert column(t["roadmap"], "order") == list(range(1, len(sample.roadmap_items) + 1))
    assert set(column(t["roadmap"], "phase")[scheduled:]) == {"later"}
    assert column(t["roadmap"], "phase_title")[-1] == "Later"
    assert len(t["recommendations"]) == len(sample.recommendations)
    assert set(column(t["recommendations"], "role")) == {"best fit", "alternative"}
    assert sample.compliance is not None
    assert len(t["lineage"]) == sum(len(c.links) for c in sample.compliance.lineage)
    cl01 = t["controls"].iloc[0]
    assert cl01["references"].startswith(
        "EU AI Act Art. 10(2)(b); GDPR Art. 5(1)(a)-(b); GDPR Art. 6(1)"
    )
    # a question scored below its claim keeps both numbers
    capped = next(q for q in sample.questions if q.evidence and q.evidence.cap is not None)
    assert capped.evidence is not None
    row = t["questions"].set_index("id").loc[capped.id]
    assert (row["level"], row["claimed_level"]) == (capped.level, capped.evidence.claimed_level)
    assert row["evidence_status"] == "contradicted"


def test_tables_without_compliance_or_evidence(tiny: Assessment) -> None:
    t = tables(tiny)
    assert list(t) == NAMES[:6]  # no compliance section, so no controls or lineage
    assert t["findings"].empty and list(t["findings"].columns) == TABLE_COLUMNS["findings"]
    notes = t["questions"].set_index("id")["notes"]
    assert notes["alpha.one"] == PIPE_NOTE and notes["beta.one"] == ""


# --------------------------------------------------------------------------- XLSX


def test_xlsx_round_trip(sample: Assessment) -> None:
    data = xlsx_bytes(sample)
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None)
    assert list(sheets) == NAMES

    scores = sheets["scores"]
    assert column(scores, "id") == [*(a.id for a in sample.areas), "overall"]
    assert column(scores, "level") == [*(a.level for a in sample.areas), sample.overall.level]
    assert column(scores, "target")[:-1] == [a.target for a in sample.areas]
    assert column(scores, "confidence")[:-1] == [a.confidence.label for a in sample.areas]
    assert column(scores, "contradicted")[:-1] == [a.contradicted for a in sample.areas]

    gaps = sheets["gaps"]
    by_order = sorted(sample.gaps, key=lambda g: g.order)
    assert column(gaps, "order") == [g.order for g in by_order]
    assert column(gaps, "question_id") == [g.question_id for g in by_order]
    assert column(gaps, "priority") == [g.priority for g in by_order]
    assert column(gaps, "current_level") == [g.current_level for g in by_order]
    assert column(gaps, "phase_title")[0] == sample.roadmap[0].title

    findings = sheets["findings"]
    assert len(findings) == sum(len(a.findings) for a in sample.areas) > 0
    assert column(findings, "rule") == [f.rule for a in sample.areas for f in a.findings]
    assert column(findings, "line") == [f.line for a in sample.areas for f in a.findings]

    controls = sheets["controls"]
    assert sample.compliance is not None
    assert column(controls, "id") == [c.id for c in sample.compliance.controls]
    assert column(controls, "level") == [c.level for c in sample.compliance.controls]
    assert column(controls, "applicable") == [
        c.applicability.applicable for c in sample.compliance.controls
    ]

    assert column(sheets["lineage"], "status")[:2] == ["found", "missing"]
    recs = sheets["recommendations"]
    assert column(recs, "tool") == [t.tool for t in sample.recommendations]
    assert column(recs, "area") == [t.areas[0] for t in sample.recommendations]
    assert column(recs, "rank") == [t.rank for t in sample.recommendations]
    roadmap = sheets["roadmap"]
    assert column(roadmap, "item") == [i.id for i in sample.roadmap_items]
    assert column(roadmap, "weeks") == [i.weeks for i in sample.roadmap_items]


def test_xlsx_layout(sample: Assessment) -> None:
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(sample)))
    assert book.sheetnames == NAMES
    for ws in book.worksheets:
        assert len(ws.title) <= 31
        assert ws.freeze_panes == "A2"
        assert all(cell.font.b for cell in ws[1]), ws.title
        widths = [d.width for d in ws.column_dimensions.values()]
        assert widths and max(widths) <= MAX_WIDTH + 2
    questions = book["questions"]
    header = [c.value for c in questions[1]]
    text = questions.cell(row=2, column=header.index("text") + 1)
    assert text.alignment.wrap_text  # long text wraps in a capped column
    ident = questions.cell(row=2, column=header.index("id") + 1)
    assert not ident.alignment.wrap_text


def test_xlsx_keeps_formula_like_text_as_text(tiny: Assessment) -> None:
    data = xlsx_bytes(tiny)
    ws = openpyxl.load_workbook(io.BytesIO(data))["questions"]
    header = [c.value for c in ws[1]]
    cells = [row[header.index("notes")] for row in ws.iter_rows(min_row=2)]
    formula = next(c for c in cells if c.value == FORMULA_NOTE)
    assert formula.data_type == "s"
    notes = pd.read_excel(io.BytesIO(data), sheet_name="questions")["notes"].tolist()
    assert PIPE_NOTE in notes and FORMULA_NOTE in notes


# --------------------------------------------------------------------------- CSV


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.map(lambda v: "" if v is None else str(v))


def test_csv_round_trip(sample: Assessment) -> None:
    files = csv_files(sample)
    t = tables(sample)
    assert list(files) == [f"{name}.csv" for name in NAMES]
    for name, frame in t.items():
        data = files[f"{name}.csv"]
        assert b"\r\n" not in data and data.endswith(b"\n")
        back = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8")
        pd.testing.assert_frame_equal(back, as_text(frame), check_dtype=False, obj=name)
    # typed read-back: numbers equal the result's
    scores = pd.read_csv(io.BytesIO(files["scores.csv"]))
    assert column(scores, "level")[:-1] == [a.level for a in sample.areas]
    assert column(scores, "coverage")[-1] == sample.overall.coverage


def test_csv_keeps_line_breaks_in_cells(tiny: Assessment) -> None:
    data = csv_files(tiny)["questions.csv"]
    back = pd.read_csv(io.BytesIO(data), keep_default_na=False)
    assert back.set_index("id")["notes"]["alpha.one"] == PIPE_NOTE


# --------------------------------------------------------------------------- Markdown


def table_rows_consistent(md: str) -> None:
    """Every row of every Markdown table has as many cells as its header."""
    cells = None
    for line in md.splitlines():
        if not line.startswith("|"):
            cells = None
            continue
        n = len(re.findall(r"(?<!\\)\|", line))
        if cells is None:
            cells = n
        assert n == cells, line


def test_markdown_sample(sample: Assessment) -> None:
    md = markdown(sample)
    assert md.startswith(f"# {sample.info.title}: {sample.client.name}\n")
    assert "20 November 2026" in md.splitlines()[2]
    table_rows_consistent(md)
    o = sample.overall
    assert f"**Overall level {fmt_level(o.level)}** of 4" in md
    assert f"**Stage: {o.stage}**" in md
    for a in sample.areas:
        assert f"\n## {a.title}\n" in md
        stage = f"{a.stage_level} {a.stage}"
        row = f"| {a.title} | {stage} | {fmt_level(a.level)} | {a.target} | {fmt_level(a.gap)} |"
        assert row in md
        assert f"· mean level {fmt_level(a.level)} vs target {a.target}" in md
    assert "| Model versioning and storage | 1 Ad hoc | 1.4 | 4 | 2.6 |" in md  # as in the PDF
    assert sample.compliance is not None
    for c in sample.compliance.controls:
        assert f"| {c.id} | {c.title} |" in md
    first = sample.roadmap_items[0]
    assert f"| 1 | {first.action}<br>Done when: {first.done_when} |" in md
    later = md.split("\n### Later (beyond month 12 at this capacity: ")[1]
    assert later.startswith(f"{len(sample.later)} steps")
    last = sample.roadmap_items[-1]
    assert f"| {last.order} | {last.action}<br>Done when: {last.done_when} |" in later
    assert "Capacity: 20 person-weeks per quarter" in md
    assert "code ✓ → data ✗ → run ✓ → registry ✗ (broken) → deployment ✗" in md
    contradicted = next(q for q in sample.questions if q.evidence and q.evidence.cap is not None)
    assert contradicted.evidence is not None
    assert contradicted.evidence.explanation in md
    tools = md.split("\n## Tool recommendations\n")[1]
    for t in sample.recommendations:
        role = "Best fit" if t.rank == 1 else "Alternative"
        kind = "Extend (already in use)" if t.kind.value == "extend" else "Adopt"
        assert f"- **{role}: {t.name}** ({kind} · " in tools
    # the PDF's order
    headings = [
        "## Executive summary",
        *(f"## {a.title}\n" for a in sample.areas),
        "## Compliance controls and lineage",
        "### Control matrix",
        "### Lineage per model",
        "## Roadmap",
        "### First 90 days",
        "### Later",
        "## Tool recommendations",
        "## Appendix: every answer",
    ]
    positions = [md.index(h) for h in headings]
    assert positions == sorted(positions)
    assert "\n\n\n" not in md


def test_markdown_escapes_table_cells(tiny: Assessment) -> None:
    md = markdown(tiny)
    assert "Acme Corp" in md
    table_rows_consistent(md)
    assert "| manual \\| exports<br>checked by hand |" in md
    assert PIPE_NOTE not in md
    assert "## Compliance" not in md and "## Tool recommendations" not in md
    for a in tiny.areas:
        assert f"**Stage: {a.stage}** (level {a.stage_level}: " in md


def test_exports_of_an_unscored_engagement(tiny_pack: Path, tmp_path: Path) -> None:
    pack = load_pack(tiny_pack)
    result = assess(
        pack,
        load_engagement(
            engagement(tmp_path, answers={"beta.one": {"status": "dont_know", "note": "bell\x07"}}),
            pack,
        ),
    )
    md = markdown(result)
    assert "> Not assessed: 5 questions to find out." in md
    # nothing to score, but the practice answered "don't know" is to be found out first
    assert "## Roadmap" in md
    assert "| 1 | Establish the current practice" in md and "current level to find out" in md
    table_rows_consistent(md)
    data = xlsx_bytes(result)
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None)
    assert list(sheets) == NAMES[:6]
    assert list(sheets["gaps"].columns) == TABLE_COLUMNS["gaps"] and sheets["gaps"].empty
    # a control character XML cannot hold is replaced, not an error
    assert "bell\ufffd" in sheets["questions"]["notes"].tolist()
    assert "bell\x07" in csv_files(result)["questions.csv"].decode("utf-8")


def test_report_command_writes_every_format_from_one_result(tmp_path: Path) -> None:
    """`assess report -o` picks the format from the name; every format holds the same numbers."""
    from tests.conftest import ROOT, SAMPLE, run_assess

    evidence = ROOT / "samples" / "evidence.json"
    outs = {fmt: tmp_path / f"report.{fmt}" for fmt in ("md", "json", "xlsx", "html")}
    for out in outs.values():
        proc = run_assess("report", SAMPLE, "--evidence", evidence, "-o", out)
        assert proc.returncode == 0, proc.stderr
    proc = run_assess(
        "report", SAMPLE, "--evidence", evidence, "--format", "csv", "-o", tmp_path / "csv"
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(outs["json"].read_text())
    sheets = pd.read_excel(outs["xlsx"], sheet_name=None)
    csv_scores = pd.read_csv(tmp_path / "csv" / "scores.csv")
    md = outs["md"].read_text()
    html = outs["html"].read_text()
    for area in result["areas"]:
        level = f"{area['level']:.1f}"
        row = sheets["scores"].set_index("id").loc[area["id"]]
        assert row["level"] == area["level"] == csv_scores.set_index("id").loc[area["id"], "level"]
        stage = f"{area['stage_level']} {area['stage']}"
        assert f"| {area['title']} | {stage} | {level} | {area['target']} |" in md
        assert area["title"] in html
    assert list(sheets["gaps"]["question_id"]) == [
        g["question_id"] for g in sorted(result["gaps"], key=lambda g: g["order"])
    ]
    for risk in result["risks"]:
        assert risk["statement"].split()[0] in md


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "report.txt"], "cannot tell the format from the name"),
        (["--format", "csv", "-o", "existing.md"], "--format csv does not match the file name"),
        (["--format", "csv", "-o", "existing"], "csv writes one file per table: give a folder"),
        (["--format", "md"], "--format md needs -o FILE"),
        (["-o", "missing/report.md"], "does not exist"),
    ],
)
def test_report_format_errors_are_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    from tests.conftest import SAMPLE, run_assess

    (tmp_path / "existing.md").write_text("keep me\n")
    (tmp_path / "existing").write_text("keep me too\n")
    proc = run_assess("report", SAMPLE, *args, cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert (tmp_path / "existing.md").read_text() == "keep me\n"
    assert not (tmp_path / "report.txt").exists()


def test_csv_cells_a_spreadsheet_would_run_are_neutralised() -> None:
    from assess.report.data import csv_text

    frame = pd.DataFrame(
        {"note": ['=HYPERLINK("http://x.example")', "+1 call", "@SUM(A1)", "fine", None],
         "level": [1, 2.5, 3, 4, None]}
    )  # fmt: skip
    back = pd.read_csv(io.StringIO(csv_text(frame)), keep_default_na=False)
    assert list(back["note"]) == [
        "'=HYPERLINK(\"http://x.example\")", "'+1 call", "'@SUM(A1)", "fine", ""
    ]  # fmt: skip
    assert list(back["level"])[:4] == ["1.0", "2.5", "3.0", "4.0"]  # numbers untouched
