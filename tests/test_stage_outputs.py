"""Stage, not assessed and several respondents, as each output shows them: the terminal, JSON,
CSV, Markdown, HTML and PDF (parsed back with pypdf), and the radar chart's SVG."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import yaml
from pypdf import PdfReader

from assess.engagement import load_engagement
from assess.model.result import Assessment
from assess.packs import load_pack
from assess.pipeline import assess
from assess.report import charts
from assess.report.data import result_csv, result_json
from assess.report.markdown import markdown
from assess.report.render import render_html, render_pdf
from assess.report.terminal import gaps_table, score_table
from tests.conftest import SAMPLE, dump

SVG_NS = {"s": "http://www.w3.org/2000/svg"}


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Assessment:
    """The sample engagement on the bundled pack with six data answers at levels 1,1,1,1,1,0
    (the 0 on a question of the lowest weight), monitoring not answered at all, and the
    sample's two questions on which two respondents disagree."""
    pack = load_pack("mlops")
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    answers = {
        k: v for k, v in data["answers"].items() if not k.startswith(("data.", "monitoring."))
    }
    six = list(pack.questions_of("data"))[:6]
    zero = min(six, key=lambda q: q.weight)
    for q in six:
        level = 0 if q is zero else 1
        answers[q.id] = {"choice": next(c.id for c in q.choices if c.level == level)}
    data["answers"] = answers
    data.pop("observations", None)
    path = dump(tmp_path_factory.mktemp("mixed") / "eng.yaml", data)
    return assess(pack, load_engagement(path, pack))


def area(result: Assessment, area_id: str) -> Any:
    return next(a for a in result.areas if a.id == area_id)


# --------------------------------------------------------------------------- stage


def test_ad_hoc_area_reads_ad_hoc_with_its_mean_in_every_output(mixed: Assessment) -> None:
    data = area(mixed, "data")
    rows = [
        (q.weight, q.level) for q in mixed.questions if q.area == "data" and q.level is not None
    ]
    assert sorted(lv for _, lv in rows) == [0, 1, 1, 1, 1, 1]
    mean = round(sum(w * (lv or 0) for w, lv in rows) / sum(w for w, _ in rows), 1)
    assert mean < 1  # floored, the old rule's "Absent"
    assert (data.stage_level, data.stage, data.level) == (1, "Ad hoc", mean)
    m = f"{mean:.1f}"

    row = next(line for line in score_table(mixed).splitlines() if line.startswith(data.title))
    assert re.search(rf"\b1 Ad hoc\s+{re.escape(m)}\s+3\s+{3 - mean:.1f}\b", row), row

    js = next(a for a in json.loads(result_json(mixed))["areas"] if a["id"] == "data")
    assert (js["stage_level"], js["stage"], js["level"]) == (1, "Ad hoc", mean)
    assert js["share_at_stage"] == pytest.approx(0.85, abs=0.05)

    rows_csv = {r["id"]: r for r in csv.DictReader(io.StringIO(result_csv(mixed)))}
    got = rows_csv["data"]
    assert (got["stage_level"], got["stage"], got["level"]) == ("1", "Ad hoc", m)

    md = markdown(mixed)
    assert f"| Data management | 1 Ad hoc | {m} | 3 | {3 - mean:.1f} |" in md
    assert "**Stage: Ad hoc** (level 1: of the answered questions' weight, " in md
    assert f"· mean level {m} vs target 3" in md

    html = flat(render_html(mixed))
    assert f"Ad hoc</span> <span>stage 1 &middot; mean level {m} &middot; target 3" in html
    assert "a stage needs 70%" in html


def test_overall_stage_is_the_weakest_areas_stage(mixed: Assessment) -> None:
    o = mixed.overall
    scored = [a for a in mixed.areas if a.stage_level is not None]
    assert o.stage_level == min(a.stage_level or 0 for a in scored)
    assert set(o.limiting_areas) == {a.id for a in scored if a.stage_level == o.stage_level}
    table = score_table(mixed)
    assert f"Overall stage {o.stage_level} {o.stage}" in table
    assert f"mean level {o.level:.1f} of 4" in table


# --------------------------------------------------------------------------- not assessed


def test_an_area_without_answers_reads_not_assessed(mixed: Assessment) -> None:
    mon = area(mixed, "monitoring")
    assert mon.level is None and mon.stage is None
    n = mon.dont_know + mon.unanswered
    text = f"Model monitoring: not assessed: {n} questions to find out"
    assert text in score_table(mixed)
    assert text in gaps_table(mixed)
    assert f"Model monitoring: not assessed: {n} questions to find out." in markdown(mixed)


def _radar(labels: list[str], current: list[float | None]) -> ElementTree.Element:
    return ElementTree.fromstring(charts.radar(labels, current, [3] * len(labels)))


def _points(el: ElementTree.Element) -> list[tuple[float, float]]:
    return [tuple(map(float, p.split(","))) for p in el.get("points", "").split()]  # type: ignore[misc]


def test_radar_leaves_a_gap_at_an_area_without_a_level() -> None:
    labels = ["A", "B", "C", "D", "E", "F"]
    svg = _radar(labels, [2, 2, None, 2, 2, 2])
    # no closed "current" polygon through every spoke, and no drawn point on C's spoke
    shapes = [
        e
        for e in svg.iter()
        if (e.get("class") or "").startswith("current") and e.tag.endswith(("polygon", "polyline"))
    ]
    assert shapes and not any(
        e.tag.endswith("polygon") and e.get("class") == "current" for e in shapes
    )
    size = 360
    cx = cy = size / 2
    angle_c = -math.pi / 2 + 2 * math.pi * 2 / len(labels)
    for e in shapes:
        for x, y in _points(e):
            if (round(x, 1), round(y, 1)) == (cx, cy):
                continue  # the fill wedges start at the centre
            assert abs(math.atan2(y - cy, x - cx) - angle_c) > 0.01, (e.get("class"), x, y)
    assert len(svg.findall(".//s:circle[@class='level']", SVG_NS)) == 5
    # C's label says so, its spoke is dashed, and the chart's description names it
    spans = {"".join(t.itertext()) for t in svg.iter(f"{{{SVG_NS['s']}}}text")}
    assert "Cnot assessed" in spans
    dashed = [ln for ln in svg.findall(".//s:line", SVG_NS) if ln.get("stroke-dasharray")]
    assert len(dashed) == 1
    assert "not assessed: C" in (svg.get("aria-label") or "")


def test_radar_with_no_level_at_all_draws_no_shape() -> None:
    svg = _radar(["A", "B", "C"], [None, None, None])
    assert not [e for e in svg.iter() if (e.get("class") or "").startswith("current")]
    assert not svg.findall(".//s:circle", SVG_NS)
    texts = ["".join(t.itertext()) for t in svg.iter(f"{{{SVG_NS['s']}}}text")]
    assert texts.count("not assessed") == 1  # in the middle
    assert sum(t.endswith("not assessed") for t in texts) == 4  # and under each label


def test_level_bar_without_a_level_is_empty() -> None:
    bar = ElementTree.fromstring(charts.level_bar(None, 3))
    rects = bar.findall(".//s:rect", SVG_NS)
    assert len(rects) == 1 and rects[0].get("fill") == "#fff" and rects[0].get("stroke-dasharray")
    assert bar.get("aria-label") == "not assessed, target 3"


@pytest.fixture(params=["no answers", "only don't know"])
def unscored(request: pytest.FixtureRequest, tiny_pack: Path, tmp_path: Path) -> Assessment:
    qs = ("alpha.one", "alpha.two", "alpha.three", "beta.one", "beta.two")
    answers = {} if request.param == "no answers" else {q: {"status": "dont_know"} for q in qs}
    eng = dump(
        tmp_path / "eng.yaml",
        {
            "pack": {"id": "tiny", "version": "1.0"},
            "context": {"client_name": "Acme"},
            "answers": answers,
        },
    )
    pack = load_pack(tiny_pack)
    return assess(pack, load_engagement(eng, pack))


NO_GAPS = "No gaps"


def test_nothing_answered_reads_not_assessed_never_no_gaps(unscored: Assessment) -> None:
    for text in (score_table(unscored), gaps_table(unscored)):
        assert "Overall: not assessed: 5 questions to find out" in text
        assert "Alpha: not assessed: 3 questions to find out" in text
        assert "Beta: not assessed: 2 questions to find out" in text
        assert NO_GAPS not in text
    md = markdown(unscored)
    assert "> Not assessed: 5 questions to find out." in md
    assert "Alpha: not assessed: 3 questions to find out." in md
    assert "every answered question" not in md.lower()


def test_only_dont_know_pdf_reads_not_assessed(tiny_pack: Path, tmp_path: Path) -> None:
    qs = ("alpha.one", "alpha.two", "alpha.three", "beta.one", "beta.two")
    eng = dump(
        tmp_path / "eng.yaml",
        {
            "pack": {"id": "tiny", "version": "1.0"},
            "context": {"client_name": "Acme"},
            "answers": {q: {"status": "dont_know"} for q in qs},
        },
    )
    pack = load_pack(tiny_pack)
    result = assess(pack, load_engagement(eng, pack))
    reader = PdfReader(io.BytesIO(render_pdf(render_html(result))))
    text = flat(" ".join(p.extract_text() for p in reader.pages))
    assert "Overall, Acme is not assessed: 5 questions to find out." in text
    assert text.count("Alpha: not assessed: 3 questions to find out.") == 1  # the summary
    assert text.count("Not assessed: 3 questions to find out.") == 1  # Alpha's chapter
    assert "Not assessed: 2 questions to find out." in text  # Beta's
    assert NO_GAPS not in text and "meets the target" not in text


# --------------------------------------------------------------------------- respondents


def test_score_lists_where_respondents_disagree(mixed: Assessment) -> None:
    table = score_table(mixed)
    block = table.split("Where respondents disagree (2):\n", 1)[1]
    ci = flat(block.split("\n- ", 2)[1])
    assert ci.startswith("cicd.ci_checks: scored 1.0, the lowest of 2 answers")
    assert "Marta Keller (Head of Data Science): level 2: Lint and unit tests" in ci
    assert "Jonas Weber (Lead ML Engineer): level 1: Lint or a few unit tests run" in ci
    # the note is Jonas Weber's, printed under his answer, not under Marta Keller's
    jonas = ci.index("Jonas Weber")
    assert ci.index("Note: Data scientists say notebooks are not tested in CI at all.") > jonas


def test_markdown_shows_each_respondents_answer_and_note(mixed: Assessment) -> None:
    md = markdown(mixed)
    cicd = md.split("\n## CI/CD\n", 1)[1].split("\n## ", 1)[0]
    block = cicd.split("### Where respondents disagree\n", 1)[1].split("\n### ", 1)[0]
    lines = [ln for ln in block.splitlines() if ln.startswith("  - ")]
    assert len(lines) == 2
    assert lines[0].startswith("  - **Marta Keller (Head of Data Science):** level 2: ")
    assert "Note:" not in lines[0]
    assert lines[1].startswith("  - **Jonas Weber (Lead ML Engineer):** level 1: ")
    assert lines[1].endswith("Note: Data scientists say notebooks are not tested in CI at all.")


def test_html_answers_table_attributes_each_answer(mixed: Assessment) -> None:
    html = render_html(mixed)
    q = next(x for x in mixed.questions if x.id == "cicd.ci_checks")
    row = next(r for r in html.split("<tr>") if f"<td>{q.text}</td>" in r)
    marta, jonas = row.index("<strong>Marta Keller"), row.index("<strong>Jonas Weber")
    note = row.index("Note: Data scientists say notebooks")
    assert marta < jonas < note  # Jonas Weber's note under Jonas Weber's answer
    assert "level 2: Lint and unit tests" in row[marta:jonas]
    assert "level 1: Lint or a few unit tests run" in row[jonas:]
    assert "the lowest of 2 answers" in row
