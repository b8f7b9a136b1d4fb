"""The sample report as a client reads it: the PDF parsed back (pypdf) for its table of
contents, bookmarks, numbers, metadata and fonts; the HTML checked for well-formedness; and the
bad inputs a real engagement brings (long names, other scripts, logos)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.conftest import ROOT, SAMPLE, dump, run_assess

EVIDENCE = ROOT / "samples" / "evidence.json"
VOID = {"meta", "br", "img", "col", "hr", "input", "link", "wbr", "source"}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[PdfReader, str, dict[str, Any]]:
    out = tmp_path_factory.mktemp("report")
    pdf, html = out / "report.pdf", out / "report.html"
    proc = run_assess("report", SAMPLE, "--evidence", EVIDENCE, "-o", pdf, "--html", html)
    assert proc.returncode == 0, proc.stderr
    score = run_assess("score", SAMPLE, "--evidence", EVIDENCE, "--format", "json")
    assert score.returncode == 0, score.stderr
    return PdfReader(pdf), html.read_text(), json.loads(score.stdout)


def flat(text: str) -> str:
    return " ".join(text.split())


def test_toc_page_numbers_match_the_bookmarked_chapters(
    sample: tuple[PdfReader, str, dict[str, Any]],
) -> None:
    reader, _, result = sample
    assert 20 <= len(reader.pages) <= 80
    bookmarks = {
        item.title: reader.get_destination_page_number(item) + 1
        for item in reader.outline
        if not isinstance(item, list)
    }
    toc = flat(reader.pages[1].extract_text()).removeprefix("Contents ")
    entries = re.findall(r"([A-Z][\w ,:/&()'-]+?) \.{3,} ?(\d+)", toc)
    assert len(entries) >= len(result["areas"]) + 5
    for title, page in entries:
        title = title.strip()
        assert title in bookmarks, (title, list(bookmarks))
        assert bookmarks[title] == int(page), title
        # and the chapter really starts there
        assert title in flat(reader.pages[int(page) - 1].extract_text()), title
    for area in result["areas"]:
        assert area["title"] in bookmarks


def test_summary_numbers_equal_the_json_result(
    sample: tuple[PdfReader, str, dict[str, Any]],
) -> None:
    reader, _, result = sample
    summary = flat(reader.pages[2].extract_text())
    assert summary.startswith("Executive summary")
    overall = result["overall"]
    kpi = f"{overall['level']:.1f} overall level (of 4), target {overall['target']:.1f}"
    assert kpi in summary
    assert result["overall"]["stage"] in summary
    for area in result["areas"]:
        row = (
            f"{area['title']} {area['stage']} {area['level']:.1f} {area['target']} "
            f"{area['confidence']['label']}"
        )
        assert row in summary, row
    for risk in result["risks"]:
        assert flat(risk["statement"])[:40] in summary
        first = sorted(result["roadmap_items"], key=lambda i: i["order"])[:5]
        for item in first:
            assert flat(item["action"])[:40] in summary
    assert result["client"]["name"] in flat(reader.pages[0].extract_text())


def test_metadata_and_embedded_fonts(sample: tuple[PdfReader, str, dict[str, Any]]) -> None:
    reader, _, _ = sample
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "MLOps maturity assessment: Lakeside Mutual Insurance"
    assert meta.author == "Dana Reyes"
    assert meta.subject and "Lakeside Mutual Insurance" in meta.subject
    assert "MLOps" in str(meta.get("/Keywords"))
    fonts: dict[str, bool] = {}
    for page in reader.pages[:6]:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            desc = font.get("/FontDescriptor")
            if desc is None and "/DescendantFonts" in font:
                desc = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            desc = desc.get_object()
            fonts[str(font["/BaseFont"])] = any(
                k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")
            )
    assert fonts and all(fonts.values()), fonts  # every font embedded
    # the bundled fonts everywhere (charts included), never a system lookalike
    assert {name.split("+")[-1] for name in fonts} <= {
        "Report-Sans",
        "Report-Sans-Bold",
        "Report-Sans-Italic",
        "Report-Sans-BoldItalic",
        "Report-Mono",
    }, fonts


def test_html_export_is_well_formed(sample: tuple[PdfReader, str, dict[str, Any]]) -> None:
    _, html, _ = sample

    class Balance(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.stack: list[str] = []
            self.problems: list[str] = []

        def handle_starttag(self, tag: str, attrs: Any) -> None:
            if tag not in VOID:
                self.stack.append(tag)

        def handle_endtag(self, tag: str) -> None:
            if tag in VOID:
                return
            if not self.stack or self.stack[-1] != tag:
                self.problems.append(f"</{tag}> at {self.getpos()}, open: {self.stack[-3:]}")
            else:
                self.stack.pop()

    checker = Balance()
    checker.feed(html)
    checker.close()
    assert not checker.problems, checker.problems[:5]
    assert checker.stack == [], checker.stack
    assert html.startswith("<!DOCTYPE html>")


def test_sample_pdf_is_small(tmp_path: Path) -> None:
    assert (ROOT / "samples" / "report.pdf").stat().st_size < 1024 * 1024


# --------------------------------------------------------------------------- hard inputs


def engagement(tmp_path: Path, **over: Any) -> Path:
    data: dict[str, Any] = {
        "pack": {"id": "tiny", "version": "1.0"},
        "assessment": {"assessor": "Dana Reyes"},
        "context": {"client_name": "Acme"},
        "answers": {"alpha.one": {"choice": "a1"}, "alpha.two": {"choice": "b3"}},
    }
    data.update(over)
    return dump(tmp_path / "eng.yaml", data)


def test_long_names_other_scripts_and_an_area_without_answers(
    tiny_pack: Path, tmp_path: Path
) -> None:
    name = "Acme " + "Very Long Holding Company Name " * 10  # 300+ characters
    notes = {
        "alpha.one": {"choice": "a1", "note": "نموذج التسعير يعمل يدويا"},  # Arabic, right to left
        "alpha.two": {"choice": "b3", "note": "模型每月重新训练一次 🚀"},  # CJK and an emoji
    }
    eng = engagement(tmp_path, context={"client_name": name}, answers=notes)  # beta: no answers
    out = tmp_path / "r.pdf"
    proc = run_assess("report", eng, "--pack", tiny_pack, "-o", out)
    assert proc.returncode == 0, proc.stderr
    reader = PdfReader(out)
    text = flat(" ".join(p.extract_text() for p in reader.pages))
    assert name.strip()[:120] in text
    assert "模型每月重新训练一次" in text
    assert "التسعير" in text or "ريعستلا" in text  # extraction may reverse RTL runs
    assert "not assessed" in text  # area beta
    page = flat(reader.pages[3].extract_text())
    assert name.strip()[:59] + "…" in page  # the running header: a shortened name
    assert name.strip()[:120] not in page


@pytest.mark.parametrize(
    ("logo", "message"),
    [(None, "no such logo file: missing.png"), (b"just text, not an image", "is not an image")],
)
def test_theme_logo_errors(
    tiny_pack: Path, tmp_path: Path, logo: bytes | None, message: str
) -> None:
    theme = tmp_path / "theme.yaml"
    name = "missing.png" if logo is None else "logo.png"
    if logo is not None:
        (tmp_path / name).write_bytes(logo)
    dump(theme, {"consultancy": "Northbeam", "logo": name})
    out = tmp_path / "r.pdf"
    proc = run_assess(
        "report", engagement(tmp_path), "--pack", tiny_pack, "-o", out, "--theme", theme
    )
    assert proc.returncode == 2
    err = proc.stderr.strip()
    assert len(err.splitlines()) == 1 and "theme.yaml" in err and "logo" in err and message in err
    assert not out.exists()


def test_engagement_branding_with_a_logo_and_colours(tiny_pack: Path, tmp_path: Path) -> None:
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
        b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff"
        b"\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    (tmp_path / "logo.png").write_bytes(png)
    branding = {
        "consultancy": "Northbeam Advisory",
        "logo": "logo.png",
        "primary_colour": "#2a4d14",
        "confidentiality": "Strictly confidential",
    }
    eng = engagement(tmp_path, branding=branding)
    out, html = tmp_path / "r.pdf", tmp_path / "r.html"
    proc = run_assess("report", eng, "--pack", tiny_pack, "-o", out, "--html", html)
    assert proc.returncode == 0, proc.stderr
    page = html.read_text()
    assert "--primary: #2a4d14" in page and 'src="data:image/png;base64,' in page
    reader = PdfReader(out)
    cover = reader.pages[0]
    assert "NORTHBEAM ADVISORY" in cover.extract_text()  # the cover's kicker is set in capitals
    assert any(
        "/Image" in str(x.get_object().get("/Subtype"))
        for x in cover["/Resources"]["/XObject"].values()
    )
    assert "Strictly confidential: prepared for Acme" in flat(reader.pages[2].extract_text())

    bad = engagement(tmp_path, branding={"primary_colour": "blue"})
    proc = run_assess("report", bad, "--pack", tiny_pack, "-o", out)
    assert proc.returncode == 2 and "branding.primary_colour" in proc.stderr


def test_a_question_two_respondents_answered_differently_shows_both_in_the_pdf(
    sample: tuple[PdfReader, str, dict[str, Any]],
) -> None:
    """The area chapter's answers table names each respondent with their level, choice and
    note: the note under its own author's answer, never under another respondent's."""
    reader, _, result = sample
    q = next(q for q in result["questions"] if q["id"] == "cicd.ci_checks")
    marta, jonas = q["answers"]  # as in the engagement file
    assert marta["level"] != jonas["level"] and jonas["note"] and not marta["note"]
    # the whole report as one line, words the layout hyphenated joined again
    text = flat(" ".join(p.extract_text() for p in reader.pages)).replace("\u2010 ", "")
    chapter = text[text.index(flat(q["text"])) :]
    first = chapter.index(f"{marta['respondent']}: level {marta['level']}: ")
    second = chapter.index(f"{jonas['respondent']}: level {jonas['level']}: ")
    note = chapter.index(f"Note: {flat(jonas['note'])}")
    assert first < second < note
    assert flat(marta["choice_text"])[:40] in chapter[first:second]
    assert "the lowest of 2 answers" in chapter
