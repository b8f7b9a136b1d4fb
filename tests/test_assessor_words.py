"""The assessor's own words: the engagement's ``executive_summary`` and ``observations``.

Parsed by one parser (``assess.report.prose``), carried in the Assessment result, printed in
the PDF (read back with pypdf), the HTML and the Markdown (rendered with a CommonMark parser)
in the right chapter, marked as the assessor's and escaped; refused with one line when
malformed; kept by every command that saves the engagement.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from markdown_it import MarkdownIt
from pydantic import Field
from pypdf import PdfReader

from assess.engagement import dump_engagement, load_engagement, parse_engagement
from assess.errors import EngagementError
from assess.interview.session import merge, open_session
from assess.model.engagement import Engagement, PackRef
from assess.model.result import Assessment
from assess.packs import load_pack
from assess.pipeline import assess
from assess.report.email import render_body
from assess.report.markdown import markdown
from assess.report.prose import Block, blocks
from assess.report.render import render_html, render_pdf
from assess.report.text import MAX_TEXT
from tests.conftest import SAMPLE, run_assess
from tests.test_cli import assert_clean_failure, engagement
from tests.test_interview_tty import menu, pick, spawn
from tests.test_report_text import _text

LOOKS_LIKE_MARKUP = "**bold** <b>raw</b> [link](http://evil.example) `code`"
SUMMARY = (
    "Acme runs the right tools by hand.\n"
    "This line continues the first paragraph.\n"
    "\n"
    "- # not a heading\n"
    f"- {LOOKS_LIKE_MARKUP}\n"
    "  and a continued item\n"
    "\n"
    "Closing paragraph: start with the registry."
)
ALPHA = "Alpha observation: the registry exists.\n\n- 1. not a numbered list\n- <script>x</script>"


# --------------------------------------------------------------------------- the parser


def P(text: str) -> Block:
    return Block("paragraph", text=text)


def L(*items: str) -> Block:
    return Block("list", items=items)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("One paragraph.", [P("One paragraph.")]),
        ("wrapped\nlines join", [P("wrapped lines join")]),
        ("first\n\nsecond", [P("first"), P("second")]),
        ("first\n   \n\n\nsecond", [P("first"), P("second")]),  # blank runs: one break
        ("\n\n  padded  \n\n", [P("padded")]),
        ("- a\n- b", [L("a", "b")]),
        ("intro\n- a\n- b\nmore of b\n\nafter", [P("intro"), L("a", "b more of b"), P("after")]),
        ("- a\n\n- b", [L("a", "b")]),  # items apart stay one list
        ("  - indented\n    - nested reads flat", [L("indented", "nested reads flat")]),
        ("a\r\nb\r\rc", [P("a b"), P("c")]),
        ("-5% churn\n-\n- ", [P("-5% churn - -")]),  # no text after '-': not an item
        ("* star\n+ plus\n1. one\n# hash", [P("* star + plus 1. one # hash")]),
        (LOOKS_LIKE_MARKUP, [P(LOOKS_LIKE_MARKUP)]),
        ("- " + LOOKS_LIKE_MARKUP, [L(LOOKS_LIKE_MARKUP)]),
        ("", []),
        (None, []),
    ],
)
def test_blocks(text: str | None, want: list[Block]) -> None:
    assert list(blocks(text)) == want


# --------------------------------------------------------------------------- the engagement


def _words(tmp_path: Path, **over: Any) -> Path:
    return engagement(tmp_path, executive_summary=SUMMARY, observations={"alpha": ALPHA}, **over)


def test_loaded_scored_and_in_the_result_json(tiny_pack: Path, tmp_path: Path) -> None:
    eng = _words(tmp_path)
    proc = run_assess("score", eng, "--pack", tiny_pack, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["executive_summary"] == SUMMARY
    assert {a["id"]: a["observations"] for a in result["areas"]} == {"alpha": ALPHA, "beta": None}
    Assessment.model_validate(result)  # and a result file reads back


def test_whitespace_that_means_nothing_is_dropped() -> None:
    eng = Engagement(
        pack=PackRef(id="tiny", version="1.0"),
        executive_summary="\n\n  first   \r\nsecond\t\n\n",
    )
    assert eng.executive_summary == "  first\nsecond"


def test_schema_describes_both_fields() -> None:
    proc = run_assess("schema", "engagement")
    assert proc.returncode == 0, proc.stderr
    props = json.loads(proc.stdout)["properties"]
    assert "executive summary" in props["executive_summary"]["description"]
    assert "'- ' bullet lists" in props["executive_summary"]["description"]
    assert "per area id" in props["observations"]["description"]
    item = props["observations"]["additionalProperties"]
    assert item["type"] == "string" and item["maxLength"] == MAX_TEXT
    assert "no Markdown or HTML" in item["description"]


BAD_WORDS: list[tuple[str, dict[str, Any], tuple[str, ...]]] = [
    (
        "unknown area",
        {"observations": {"alpha": "fine", "gama": "x"}},
        ("observations.gama", "no area 'gama' in pack tiny 1.0", "(areas: alpha, beta)"),
    ),
    ("misspelt area", {"observations": {"alpah": "x"}}, ("observations.alpah", "'alpha'?")),
    ("not text", {"observations": {"alpha": ["a"]}}, ("observations.alpha", "expected text")),
    ("a number", {"observations": {"beta": 3}}, ("observations.beta", "expected text")),
    ("not a mapping", {"observations": ["alpha"]}, ("observations:", "expected a mapping")),
    ("summary mapping", {"executive_summary": {"a": "b"}}, ("executive_summary", "expected text")),
    ("summary blank", {"executive_summary": "  \n "}, ("executive_summary", "empty")),
    (
        "summary too long",
        {"executive_summary": "word " * (MAX_TEXT // 5 + 1)},
        ("executive_summary", "at most 5,000"),
    ),
]


@pytest.mark.parametrize(("name", "over", "words"), BAD_WORDS, ids=[c[0] for c in BAD_WORDS])
def test_bad_words_name_file_field_and_line(
    tiny_pack: Path, tmp_path: Path, name: str, over: dict[str, Any], words: tuple[str, ...]
) -> None:
    eng = engagement(tmp_path, **over)
    field = words[0].rstrip(":")
    key = field.split(".")
    line = next(
        i
        for i, text in enumerate(eng.read_text().splitlines(), 1)
        if text.lstrip().startswith(key[-1] + ":")
    )
    with pytest.raises(EngagementError) as err:
        load_engagement(eng, load_pack(tiny_pack))
    assert err.value.file == str(eng) and err.value.field == field
    assert err.value.line in (line, line + 1)  # the key's line, or its value's below it
    assert all(w in str(err.value) for w in words)


def test_bad_words_fail_every_command_cleanly(tiny_pack: Path, tmp_path: Path) -> None:
    eng = engagement(tmp_path, observations={"gamma": "x"})
    before = eng.read_bytes()
    out = tmp_path / "report.pdf"
    for argv in (
        ("report", eng, "--pack", tiny_pack, "-o", out),
        ("validate", eng, "--pack", tiny_pack),
        ("answer", eng, "alpha.one", "a2", "--pack", tiny_pack),
    ):
        assert_clean_failure(run_assess(*argv), "eng.yaml:", "observations.gamma")
    assert not out.exists() and eng.read_bytes() == before  # nothing written


# --------------------------------------------------------------------------- the reports


@pytest.fixture
def result(tiny_pack: Path, tmp_path: Path) -> Assessment:
    pack = load_pack(tiny_pack)
    return assess(pack, load_engagement(_words(tmp_path), pack))


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_pdf_prints_them_in_their_chapters_marked_and_literal(result: Assessment) -> None:
    pages = [
        _flat(p.extract_text())
        for p in PdfReader(io.BytesIO(render_pdf(render_html(result)))).pages
    ]
    summary = [p for p in pages if "Assessor's summary" in p]
    observed = [p for p in pages if "Assessor's observations" in p]
    assert len(summary) == 1 and len(observed) == 1  # beta has none: no empty box
    assert "Executive summary Acme Corp" in summary[0]  # the running header: that chapter
    assert "Alpha Acme Corp" in observed[0]
    for want in (
        "Acme runs the right tools by hand. This line continues the first paragraph.",
        "# not a heading",
        LOOKS_LIKE_MARKUP + " and a continued item",  # typed markup prints as typed
        "Closing paragraph: start with the registry.",
        "— Dana Reyes",
    ):
        assert want in summary[0], want
    head = summary[0].index("Assessor's summary")
    assert head < summary[0].index("Acme runs") < summary[0].index("Closing paragraph")
    assert "1. not a numbered list" in observed[0] and "<script>x</script>" in observed[0]
    assert observed[0].index("Assessor's observations") < observed[0].index("Alpha observation")


def test_html_marks_and_escapes_them(result: Assessment) -> None:
    html = render_html(result)
    chapters = {
        m.group(1): m.group(0)
        for m in re.finditer(r'<section id="([\w-]+)".*?</section>', html, re.S)
    }
    summary, alpha, beta = chapters["summary"], chapters["area-alpha"], chapters["area-beta"]
    assert '<aside class="assessor">' in summary and "Assessor&#39;s summary" in summary
    assert '<aside class="assessor">' in alpha and "Assessor&#39;s observations" in alpha
    assert "assessor" not in beta
    assert (
        '<li dir="auto">**bold** &lt;b&gt;raw&lt;/b&gt; [link](http://evil.example) `code`'
        in summary
    )
    assert "&lt;script&gt;x&lt;/script&gt;" in alpha
    assert "<b>raw" not in html and "<script>x" not in html
    assert summary.count("<ul>") == 1 and summary.count('<p dir="auto">') == 2


def test_the_email_carries_the_summary_after_the_numbers_escaped(result: Assessment) -> None:
    text, html = render_body("report.pdf", result)
    plain = text.split("ASSESSOR'S SUMMARY", 1)
    assert len(plain) == 2 and "EXECUTIVE SUMMARY" in plain[0]  # after the numbers
    words = plain[1]
    for want in (
        "Acme runs the right tools by hand. This line continues the first paragraph.\n",
        "\n- # not a heading\n",
        f"\n- {LOOKS_LIKE_MARKUP} and a continued item\n",
        "\nClosing paragraph: start with the registry.\n",
    ):
        assert want in words, want
    assert words.index("Acme runs") < words.index("Closing paragraph") < words.index("Kind regards")
    assert "Assessor's summary</h3>" in html
    assert "<li>**bold** &lt;b&gt;raw&lt;/b&gt; [link](http://evil.example) `code` and a" in html
    assert "<b>raw" not in html


def test_an_email_without_the_assessors_words_has_no_empty_section(
    tiny_pack: Path, tmp_path: Path
) -> None:
    pack = load_pack(tiny_pack)
    bare = assess(pack, load_engagement(engagement(tmp_path), pack))
    assert bare.executive_summary is None
    text, html = render_body("report.pdf", bare)
    assert "ASSESSOR'S SUMMARY" not in text and "Assessor's summary" not in html


def test_markdown_quotes_them_in_their_sections_literally(result: Assessment) -> None:
    md = markdown(result)
    sections = dict(re.findall(r"^## (.+?)\n(.*?)(?=^## |\Z)", md, re.S | re.M))
    summary, alpha, beta = sections["Executive summary"], sections["Alpha"], sections["Beta"]
    assert "### Assessor's summary\n\n> Acme runs the right tools by hand." in summary
    assert "### Assessor's observations\n\n> Alpha observation" in alpha
    assert "Assessor" not in beta
    tokens = MarkdownIt("commonmark").parse(md)
    kinds = [t.type for t in tokens]
    quoted = kinds[kinds.index("blockquote_open") : kinds.index("blockquote_close")]
    assert quoted.count("paragraph_open") == 5  # two paragraphs, two items, the signature
    assert quoted.count("bullet_list_open") == 1 and quoted.count("list_item_open") == 2
    rendered = MarkdownIt("commonmark").render(md)
    assert "<strong>bold" not in rendered and "<b>" not in rendered and "<a href" not in rendered
    assert "<li># not a heading</li>" in rendered and "<li>1. not a numbered list</li>" in rendered
    text = _text(rendered)
    assert LOOKS_LIKE_MARKUP + " and a continued item" in text
    assert "# not a heading" in text and "<script>x</script>" in text
    assert "— Dana Reyes" in text


def test_the_sample_reads_as_written() -> None:
    pack = load_pack("mlops")
    loaded = load_engagement(SAMPLE, pack)
    eng = loaded.engagement
    assert eng.executive_summary and len(eng.observations) >= 2
    md = markdown(assess(pack, loaded))
    for area, text in eng.observations.items():
        title = next(a.title for a in pack.areas if a.id == area)
        section = md.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]
        first = blocks(text)[0].text
        assert "### Assessor's observations" in section and first[:60] in section


# --------------------------------------------------------------------------- saving


def _texts(path: Path) -> tuple[str | None, dict[str, str]]:
    eng = parse_engagement(path)[0]
    return eng.executive_summary, eng.observations


def test_answer_keeps_them_as_written(tiny_pack: Path, tmp_path: Path) -> None:
    eng = _words(tmp_path)
    proc = run_assess("answer", eng, "alpha.one", "a3", "--respondent", "Ana", "--pack", tiny_pack)
    assert proc.returncode == 0, proc.stderr
    assert _texts(eng) == (SUMMARY, {"alpha": ALPHA})
    raw = eng.read_text()
    assert "executive_summary: |" in raw and "  - # not a heading\n" in raw  # a YAML block
    saved = yaml.safe_load(raw)["answers"]["alpha.one"]
    assert [(x.get("respondent"), x["choice"]) for x in saved] == [(None, "a1"), ("Ana", "a3")]


def test_interview_keeps_them(tiny_pack: Path, tmp_path: Path) -> None:
    context = {"client_name": "Acme Corp", "clouds": ["aws"], "targets": {}}
    eng = _words(tmp_path, answers={}, context=context)
    child = spawn(tiny_pack, eng)
    menu(child, "Alpha, question 1 of 3")
    pick(child, "2", "seen in the pipeline")
    menu(child, "Alpha, question 2 of 3")
    child.send("q\r")
    child.expect_exact("Saved")
    child.wait()
    saved = parse_engagement(eng)[0]
    assert saved.answers["alpha.one"][0].note == "seen in the pipeline"
    assert (saved.executive_summary, saved.observations) == (SUMMARY, {"alpha": ALPHA})


def test_a_save_keeps_words_edited_on_disk_meanwhile(tiny_pack: Path, tmp_path: Path) -> None:
    """The assessor edits her observations in an editor while an interview runs."""
    path = _words(tmp_path)
    session = open_session(path, tiny_pack)
    data = yaml.safe_load(path.read_text())
    data["observations"]["beta"] = "Written while the interview ran."
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    mine = session.engagement.model_copy(update={"context": {"client_name": "Acme Ltd"}})
    session.save(mine)
    summary, observations = _texts(path)
    assert observations == {"alpha": ALPHA, "beta": "Written while the interview ran."}
    assert summary == SUMMARY and parse_engagement(path)[0].context["client_name"] == "Acme Ltd"


class WithSectionsAddedLater(Engagement):
    """Sections a later version of the engagement model adds."""

    later_policy: str = "balanced"
    later_review: dict[str, dict[str, str]] = Field(default_factory=dict)


def test_dump_and_merge_keep_a_section_they_do_not_name() -> None:
    base = WithSectionsAddedLater(
        pack=PackRef(id="tiny", version="1.0"),
        context={"client_name": "Acme"},
        executive_summary=SUMMARY,
    )
    decided = base.model_copy(
        update={
            "later_policy": "strict",
            "later_review": {"cicd.merge_request_ci": {"decision": "uphold"}},
        }
    )
    text = dump_engagement(decided)
    assert WithSectionsAddedLater.model_validate(yaml.safe_load(text)) == decided
    assert "later_policy: strict" in text and "decision: uphold" in text
    assert "later_review" not in dump_engagement(base)  # defaults are left out
    # another writer's save keeps the decisions; this one's decisions survive its merge
    answered = base.model_copy(update={"context": {"client_name": "Acme Ltd"}})
    assert merge(base, answered, decided).later_review == decided.later_review
    merged = merge(base, decided, answered)
    assert (merged.later_review, merged.later_policy) == (decided.later_review, "strict")
    assert merged.context["client_name"] == "Acme Ltd"


def test_sample_round_trips_through_a_save() -> None:
    eng = parse_engagement(SAMPLE)[0]
    again = Engagement.model_validate(yaml.safe_load(dump_engagement(eng)))
    assert again == eng
