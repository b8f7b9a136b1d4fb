"""Client text in the reports: literal in the Markdown (no HTML, no forged structure), and
bounded in the PDF (an unbroken 40,000-character word neither stalls the layout nor prints in
full). Each report is written by the real command and read back: the Markdown through a
CommonMark renderer with GFM tables, the PDF through pypdf."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from pypdf import PdfReader

from assess.report.markdown import md_text
from assess.report.text import MAX_TEXT, MAX_WORD, ZWSP
from tests.conftest import run_assess
from tests.test_cli import engagement

FORGED_NOTE = (
    "fine\n# Forged heading\n| forged | row |\n<script>alert(1)</script>"
    " <img src=https://evil.example/pixel.png> ![pixel](https://evil.example/p.png)"
    " [click](javascript:alert(1)) **loud** ends with a backslash\\"
)
FORGED_REASON = "- forged list item\n> forged quote\n    indented code"


def _render(md: str) -> tuple[str, list[Token]]:
    parser = MarkdownIt("commonmark").enable("table")
    return parser.render(md), parser.parse(md)


def _text(rendered: str) -> str:
    """What a reader sees: the rendered HTML without its tags, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", rendered))


def _inline(source: str) -> str:
    """Inline Markdown as rendered, entities decoded (tags such as ``<br>`` kept)."""
    return html.unescape(MarkdownIt("commonmark").renderInline(source))


def test_markdown_report_prints_client_text_literally(tiny_pack: Path, tmp_path: Path) -> None:
    eng = engagement(
        tmp_path,
        assessment={
            "assessor": "<style>body{display:none}</style>",
            "organisation": "Northbeam & <b>Partners</b>",
            "date": "2026-11-20",
        },
        context={"client_name": "# Acme <img src=x onerror=alert(1)> 1. Corp", "clouds": ["aws"]},
        answers={
            "alpha.one": {"choice": "a1", "note": FORGED_NOTE, "respondent": "Ana | Bob"},
            "alpha.two": {"choice": "b3"},
            "alpha.three": {"status": "not_applicable", "reason": FORGED_REASON},
            "beta.one": {"status": "dont_know", "note": "&lt;b&gt; stays as typed"},
            "beta.two": {"choice": "e2", "note": "y" * (MAX_TEXT + 1000)},
        },
    )
    out = tmp_path / "report.md"
    proc = run_assess("report", eng, "--pack", tiny_pack, "-o", out)
    assert proc.returncode == 0, proc.stderr
    md = out.read_text(encoding="utf-8")
    rendered, tokens = _render(md)

    # no HTML of the client's reaches the page
    for tag in ("<script", "<img", "<style", "<b>", "<a "):
        assert tag not in rendered, tag
    # the structure is the template's: one title, no forged heading, list or quote
    headings = [
        _inline(tokens[i + 1].content) for i, t in enumerate(tokens) if t.type == "heading_open"
    ]
    assert headings[0] == "MLOps maturity assessment: # Acme <img src=x onerror=alert(1)> 1. Corp"
    assert not any("Forged" in h for h in headings)
    assert "<blockquote>\n<p>forged" not in rendered and "<li>forged" not in rendered
    assert "<pre><code>indented" not in rendered
    # every table row has its header's number of cells
    for table in _tables(tokens):
        assert len({len(row) for row in table}) == 1, table
    rows = [row for table in _tables(tokens) for row in table]
    note_row = next(row for row in rows if row[0] == "alpha.one")
    assert note_row[3] == "Ana | Bob"
    assert note_row[4].startswith("fine<br># Forged heading<br>| forged | row |<br>")
    assert note_row[4].endswith(" **loud** ends with a backslash\\")
    long_row = next(row for row in rows if row[0] == "beta.two")
    assert long_row[4] == "y" * MAX_TEXT + "\u2026 (1,000 characters cut)"  # cut as in the PDF
    reason_row = next(row for row in rows if row[0] == "alpha.three")
    assert reason_row[2] == "- forged list item<br>> forged quote<br>indented code"
    # and the reader sees every character as typed
    seen = _text(rendered)
    assert "<script>alert(1)</script> <img src=https://evil.example/pixel.png>" in seen
    assert "![pixel](https://evil.example/p.png) [click](javascript:alert(1)) **loud**" in seen
    assert "Assessor: <style>body{display:none}</style>" in seen
    assert "Northbeam & <b>Partners</b>" in seen
    assert "&lt;b&gt; stays as typed" in seen
    assert "# Acme <img src=x onerror=alert(1)> 1. Corp operates at the" in seen


@pytest.mark.parametrize(
    ("typed", "markdown"),
    [
        ("<b>x</b> & &amp;", "&lt;b&gt;x&lt;/b&gt; & &amp;amp;"),
        ("# not a heading", "\\# not a heading"),
        ("1. not a list", "1\\. not a list"),
        ("- not a list", "\\- not a list"),
        ("a | b \\", "a \\| b \\\\"),
        ("*x* __y__ `z` [l](u) ~s~ $5", "\\*x\\* \\_\\_y\\_\\_ \\`z\\` \\[l\\](u) \\~s\\~ \\$5"),
        # normal text stays as typed
        (".github/workflows/ci.yml", ".github/workflows/ci.yml"),
        ("cicd.merge_request_ci R&D 3.5 2026-05-01", "cicd.merge_request_ci R&D 3.5 2026-05-01"),
    ],
)
def test_markdown_text_is_escaped_only_where_markdown_would_act(typed: str, markdown: str) -> None:
    assert md_text(typed) == markdown
    assert _inline(markdown) == typed  # and a renderer shows it as typed


def test_markdown_shows_control_characters_as_escapes() -> None:
    """A file someone may print in a terminal (cat report.md) holds no escape sequence or
    bidi override from client text: each shows as its escape, as the terminal output does."""
    out = md_text("Acme\x1b]0;OWNED\x07 Corp\u202eevil\tend")
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out and "\t" not in out
    assert _inline(out) == "Acme\\x1b]0;OWNED\\x07 Corp\\u202eevil end"


def _tables(tokens: list[Token]) -> list[list[list[str]]]:
    """Each table as rows of cells, each as rendered."""
    tables: list[list[list[str]]] = []
    for i, t in enumerate(tokens):
        if t.type == "table_open":
            tables.append([])
        elif t.type == "tr_open":
            tables[-1].append([])
        elif t.type in ("th_open", "td_open"):
            inline = tokens[i + 1]
            tables[-1][-1].append(_inline(inline.content if inline.type == "inline" else ""))
    return tables


def test_pdf_cuts_an_unbroken_word_and_keeps_normal_text(tiny_pack: Path, tmp_path: Path) -> None:
    """A 40,000-character word in a note took WeasyPrint 312 s to lay out (4 s without)."""
    word = "Start" + "0123456789" * 3999 + "Finish"  # 40,001 characters, no space
    path = "/".join(["models"] * MAX_WORD)[:MAX_WORD]  # a word of MAX_WORD characters: kept
    eng = engagement(
        tmp_path,
        answers={
            "alpha.one": {"choice": "a1", "note": word},
            "alpha.two": {"choice": "b3", "note": f"Written to {path} by hand."},
        },
    )
    out, html_out = tmp_path / "report.pdf", tmp_path / "report.html"
    proc = run_assess("report", eng, "--pack", tiny_pack, "-o", out, "--html", html_out)
    assert proc.returncode == 0, proc.stderr
    marker = f"\u2026 ({len(word) - MAX_TEXT:,} characters cut)"

    page = html_out.read_text(encoding="utf-8")
    assert f"Written to {path} by hand." in page  # normal text as it was
    assert word[:MAX_WORD] + ZWSP + word[MAX_WORD : 2 * MAX_WORD] + ZWSP in page
    shown = page[page.index(word[:MAX_WORD]) :]
    assert shown[: shown.index(marker)].replace(ZWSP, "") == word[:MAX_TEXT]
    assert "Finish" not in page

    text = "".join(p.extract_text() for p in PdfReader(out).pages)
    flat = re.sub(rf"[\s{ZWSP}]", "", text)  # the PDF breaks the word across lines
    assert word[:MAX_WORD] in flat  # the note is shown, broken into lines...
    assert flat.count(re.sub(r"\s", "", marker)) == 2  # ...and cut, in its area and the appendix
    assert "Finish" not in flat
