"""The PDF and HTML report, parsed back and checked for content and safety."""

from __future__ import annotations

import base64
import io
import struct
import zlib
from pathlib import Path
from xml.etree import ElementTree

import pytest
from pypdf import PdfReader

from assess.engagement import load_engagement
from assess.packs import load_pack
from assess.pipeline import assess
from assess.report.render import render_html, render_pdf
from tests.conftest import dump, run_assess

NASTY_NOTE = "<script>alert(1)</script> <img src=file:///etc/passwd>"


def _png() -> bytes:
    """A valid 4x4 red PNG, written by hand so the test needs no image library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 4 for _ in range(4))
    header = struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def tiny_engagement(tmp_path: Path) -> Path:
    return dump(
        tmp_path / "eng.yaml",
        {
            "pack": {"id": "tiny", "version": "1.0"},
            "assessment": {
                "assessor": "Dana Reyes",
                "organisation": "Northbeam",
                "date": "2026-11-20",
            },
            "context": {"client_name": "Acme <b>Corp</b>", "clouds": ["aws", "gcp"]},
            "answers": {
                "alpha.one": {"choice": "a1", "note": NASTY_NOTE, "respondent": "Ana"},
                "alpha.two": {"choice": "b3"},
                "alpha.three": {"status": "not_applicable", "reason": "no personal data"},
                "beta.one": {"status": "dont_know"},
                "beta.two": {"choice": "e2"},
            },
        },
    )


def test_pdf_content_metadata_and_literal_markup(
    tiny_pack: Path, tiny_engagement: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report.pdf"
    html_out = tmp_path / "report.html"
    proc = run_assess("report", tiny_engagement, "--pack", tiny_pack, "-o", out, "--html", html_out)
    assert proc.returncode == 0, proc.stderr
    reader = PdfReader(out)
    pages = [p.extract_text() for p in reader.pages]
    text = "\n".join(pages)
    assert 5 <= len(pages) <= 12
    assert "Acme <b>Corp</b>" in pages[0]  # markup in client text prints literally
    assert "Dana Reyes" in pages[0] and "20 November 2026" in pages[0]
    flat = "".join(text.split())  # table cells wrap long notes across lines
    assert "<script>alert(1)</script>" in flat
    assert "<imgsrc=file:///etc/passwd>" in flat
    assert "root:x:0" not in text
    assert all(not p.images for p in reader.pages)  # no image was fetched for the note
    for title in ("Executive summary", "Alpha", "Beta", "Appendix"):
        assert title in text
    # numbers equal those of the result: alpha 2.5 (1*1 + 3*3)/4, overall 2.3
    assert "2.5" in pages[2] and "2.3" in pages[2]
    assert f"Page 2 of {len(pages)}" in pages[1]
    meta = reader.metadata
    assert meta is not None and meta.title == "MLOps maturity assessment: Acme <b>Corp</b>"
    assert meta.author == "Dana Reyes"
    # the HTML twin is well-formed XML-ish where it matters: the SVG chart parses
    html = html_out.read_text()
    svg = html[html.index("<svg") : html.index("</svg>") + 6]
    assert ElementTree.fromstring(svg).tag.endswith("svg")
    assert "&lt;script&gt;" in html and "<script>" not in html


def test_fetcher_serves_only_templates_and_inline_data(tmp_path: Path) -> None:
    png = _png()
    outside = tmp_path / "secret.png"
    outside.write_bytes(png)
    inline = "data:image/png;base64," + base64.b64encode(png).decode()
    blocked = render_pdf(f'<html><body><img src="{outside.as_uri()}"></body></html>')
    allowed = render_pdf(f'<html><body><img src="{inline}"></body></html>')
    assert len(PdfReader(io.BytesIO(allowed)).pages[0].images) == 1  # images do render...
    assert len(PdfReader(io.BytesIO(blocked)).pages[0].images) == 0  # ...but not local files


def test_html_render_is_pure(tiny_pack: Path, tiny_engagement: Path) -> None:
    pack = load_pack(tiny_pack)
    result = assess(pack, load_engagement(tiny_engagement, pack))
    html = render_html(result)
    assert html == render_html(result)
    assert html.count('class="chapter area"') == 2
    assert "Not applicable" in html and "no personal data" in html


def test_sample_report_has_gaps_roadmap_tools_and_compliance(tmp_path: Path) -> None:
    """The demo's report, rendered from the sample with its evidence: every chapter issues 5
    and 6 added is in the PDF, with the numbers of the result."""
    from pypdf import PdfReader

    from assess.engagement import load_engagement
    from assess.evidence import load_evidence
    from assess.packs import load_pack
    from assess.pipeline import assess
    from tests.conftest import ROOT, SAMPLE

    evidence = ROOT / "samples" / "evidence.json"
    out = tmp_path / "report.pdf"
    proc = run_assess("report", SAMPLE, "--evidence", evidence, "-o", out)
    assert proc.returncode == 0, proc.stderr
    text = " ".join(p.extract_text() for p in PdfReader(out).pages)
    text = " ".join(text.split())
    pack = load_pack("mlops")
    result = assess(pack, load_engagement(SAMPLE, pack), evidence=load_evidence(evidence, pack))
    assert result.compliance is not None
    for heading in ("Roadmap", "Tool recommendations", "Compliance controls and lineage"):
        assert heading in text
    assert "Not legal advice" in text
    for control in result.compliance.controls:
        assert control.id in text
    chain = result.compliance.lineage[0]
    assert (
        f"the chain breaks at {next(x.title for x in chain.links if x.id == chain.broken_at)}"
        in text
    )
    assert "Where the answers and the repositories disagree" in text
    assert "Assessor's summary" in text and text.count("Assessor's observations") == 2
    for rec in result.recommendations:
        assert rec.name in text
    first = result.roadmap_items[0]
    assert " ".join(first.action.split()[:6]) in text
    # the roadmap states its capacity, holds the planned steps and lists the rest as later
    assert "Capacity: 20 person-weeks per quarter, the pack's default for ML team size" in text
    roadmap = text.split("Tool recommendations For each area")[0].split(" Roadmap Each practice")[1]
    assert f"Later (beyond month 12 at this capacity: {len(result.later)} steps" in roadmap
    for phase in result.roadmap:
        assert (
            f"{phase.title} ({phase.planned_weeks:g} of {phase.capacity_weeks:g} person-weeks)"
            in roadmap
        )
    # the tool chapter: per area the best fit, then the alternatives
    tools = text.split("Tool recommendations For each area")[1]
    assert tools.count("Best fit ·") == len({r.areas[0] for r in result.recommendations})
    assert tools.count("Alternative ·") == sum(1 for r in result.recommendations if r.rank > 1)
