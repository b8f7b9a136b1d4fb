"""The literal prefilter of rule regexes (``assess.scan.literals``) and the corpus search that
uses it (``assess.scan.view.Corpus``): the literal sets found, and the files a search finds
with the prefilter equal to those found without it for every pattern the default pack runs."""

from __future__ import annotations

import random
import re
import sys

import pytest

from assess.packs import load_pack
from assess.scan.checks import ANY_SECRET
from assess.scan.deps import _IMPORT
from assess.scan.literals import required_literals
from assess.scan.repo import Entry
from assess.scan.view import Corpus


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"^[^#\n]*(?:\bDAG\(|@flow\b)", (("@flow", "DAG("), False)),
        (r"(?i)\bbaseline_model\b|champion", (("baseline_model", "champion"), True)),
        (
            r"""^[^#\n]*(?:['"]models:/|\blink_model\()""",
            (('"models:/', "'models:/", "link_model("), False),
        ),
        (r"\bpytest\b|make test", (("make test", "pytest"), False)),
        # a literal after a class or a repeat is still required
        (r"(?:foo|\w+bar)", (("bar", "foo"), False)),
        (r"^\s*+(?:metrics|plots)\s*:", (("metrics", "plots"), False)),
        # scoped (?i:...): the whole set compares in lower case
        (r"(?:(?i:Champion)|Baseline)", (("baseline", "champion"), True)),
        (
            r"Champion",
            (("champion",), True),
        ),  # with re.IGNORECASE given (below)
        # lookaheads count, and the most selective element of a sequence wins
        (r"^(?=[^#\n]*?(?i:metadata|lineage))[^#\n]*\w+\(", (("lineage", "metadata"), True)),
        (
            r"^(?=[^#\n]*?(?:tag|key))[^#\n]*(?:\bset_tags?\(|\blog_param\()",
            (("log_param(", "set_tag(", "set_tags("), False),
        ),
        (r"\.tag\(\s*[\"'](?i:dataset|git)", ((".tag(",), False)),
        # exact runs: classes of a few characters, optional characters, small branches
        (r"[Cc]ategory\b", (("Category", "category"), False)),
        (r"\bpull_request(?:_target)?\b", (("pull_request",), False)),  # holds the longer one
        (
            r"\b(?:Tabular|Image)Dataset\.create\(",
            (("ImageDataset.create(", "TabularDataset.create("), False),
        ),
        (r"(?:abc){2}", (("abcabc",), False)),
        (r"(?:abcdef)+x", (("abcdef",), False)),
        # negative lookarounds, lookbehinds and optional parts require nothing
        (r"(?!foo)bar\w", (("bar",), False)),
        (r"(?<=dataset)\.push\(", ((".push(",), False)),
        (r"(?!dataset)\w+", None),
        (r"(?:abcdef)?\d+", None),
        (r"x(?:abcdef)*y", None),
        # an alternative without a literal: no prefilter
        (r"(?:foo|\d+)", None),
        (r"(?:foo|\w+ba)", None),  # too short to be worth it
        (r"ab|xyz", None),
        (r"(?i)caf\u00e9s", (("caf",), True)),  # re folds non-ASCII letters its own way
        (r"[", None),  # not a regex
    ],
)
def test_required_literals(pattern: str, expected: object) -> None:
    flags = re.IGNORECASE if pattern == "Champion" else 0
    assert required_literals(pattern, flags) == expected


def _entries(n: int) -> list[Entry]:
    return [Entry(f"f{i}.py", "100644", f"{i:040x}", 1) for i in range(n)]


def _found(corpus: Corpus, rx: re.Pattern[str], *, prefilter: bool) -> list[str]:
    return [e.path for e, _ in corpus.search(rx, prefilter=prefilter)]


def test_literals_outside_the_matched_text_pick_their_file() -> None:
    """A lookahead's literal may lie past the match, and ``\\s*`` may cross lines: each file
    holding its literals is searched whole, so the match is found."""
    rx = re.compile(r"^(?=[^#\n]*?(?i:lineage))[^#\n]*\bx\(|\bresource\s+\"aws_x\"", re.M)
    texts = ["a = 1\n", "y = x(1, 'LINEAGE')\n", "b\n", 'resource\n\n  "aws_x" {}\n', "x(2)\n"]
    corpus = Corpus(list(zip(_entries(len(texts)), texts, strict=True)))
    assert required_literals(rx.pattern) is not None
    assert _found(corpus, rx, prefilter=True) == ["f1.py", "f3.py"]
    assert _found(corpus, rx, prefilter=False) == ["f1.py", "f3.py"]


def test_folding_that_bytes_lower_cannot_see_searches_everything() -> None:
    """``re`` matches the long s (U+017F) to ``s`` and the Kelvin sign to ``k``; a text holding
    either is searched whole. No other non-ASCII character folds onto an ASCII letter."""
    rx = re.compile(r"(?i)\bsha\w*\(|kelvin", re.M)
    texts = ["x\n", "h = \u017fha256(x)\n", "t = \u212aelvin\n", "SHA1(y)\n"]
    corpus = Corpus(list(zip(_entries(len(texts)), texts, strict=True)))
    assert _found(corpus, rx, prefilter=True) == ["f1.py", "f2.py", "f3.py"]
    folds = re.compile(r"(?i)[a-z]")
    others = {chr(c) for c in range(128, sys.maxunicode + 1) if folds.fullmatch(chr(c))}
    assert others == set(Corpus.FOLDS_TO_ASCII)


def _patterns() -> list[re.Pattern[str]]:
    pack = load_pack(None)
    found = [r.match.content.pattern for r in pack.rules if r.match.content]
    found += [s.content.pattern for s in pack.ci_systems if s.content]
    found += [r.match.ci_step.pattern for r in pack.rules if r.match.ci_step]
    return [re.compile(p, re.M) for p in found] + [_IMPORT, ANY_SECRET]


def _texts() -> list[str]:
    """Every example file of the default pack's rules and CI systems."""
    pack = load_pack(None)
    examples = [r.examples for r in pack.rules if r.examples]
    examples += [s.examples for s in pack.ci_systems]
    return sorted(
        {
            text
            for ex in examples
            for files in (ex.match, ex.no_match)
            for text in files.values()
            if not text.startswith("@zeros:")
        }
    )


def test_prefilter_finds_the_files_a_full_search_finds() -> None:
    """For every pattern the default pack runs over file texts, on corpora of the pack's own
    example files (as written; varied and in another order; with texts whose non-ASCII letters
    fold), searching only the files that hold the literals finds exactly the files one search
    over everything finds."""
    texts = _texts()
    rng = random.Random(13)
    variants = [  # upper case, no final newline, Windows line ends; in another order
        rng.choice([t.upper(), t.rstrip("\n"), t.replace("\n", "\r\n")]) for t in texts
    ]
    rng.shuffle(variants)
    corpora = [texts, variants, ["caf\u00e9 \u0130stanbul\n", *texts[::3], "\u017f\n"]]
    prefiltered = found = skipped = 0
    for rx in _patterns():
        prefiltered += required_literals(rx.pattern) is not None
        for texts_ in corpora:
            corpus = Corpus(list(zip(_entries(len(texts_)), texts_, strict=True)))
            files = _found(corpus, rx, prefilter=True)
            assert files == _found(corpus, rx, prefilter=False), rx.pattern
            assert corpus.may_match(rx.pattern, rx.flags) or not files  # skips only no match
            found += len(files)
            skipped += not corpus.may_match(rx.pattern, rx.flags)
    assert prefiltered >= 55  # the analysis gives nearly every pattern a prefilter
    assert found > 400  # the examples match: the comparison is not between empty lists
    assert skipped >= 5  # and some patterns need no regex at all on some corpora
