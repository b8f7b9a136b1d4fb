"""What the findings alone suggest for a question (``reconcile.suggest``), the suggestion the
interview preselects and the report gives an unanswered question."""

from __future__ import annotations

import pytest

from assess.interview.engine import suggested_choice
from assess.model.pack import Question, RespondentRule
from assess.model.result import EvidenceStatus
from assess.model.rules import Strength
from assess.reconcile import finding_key, reconcile, suggest
from assess.scoring import score_question
from tests.test_reconcile import CI_RULE, FILE_RULE, NEG_RULE, REPO, RULES, finding, question, rule

LOW_NEG = rule("cicd/binaries", 0, kind="negative")
PROMPT = rule("cicd/readme-only", 3, kind="prompt")
ALL = (*RULES, LOW_NEG, PROMPT)

CASES = [
    # name, findings (rule, strength), level, unambiguous, first rule shown
    ("one positive", [(FILE_RULE, Strength.file)], 2, True, FILE_RULE),
    # the best positive sets the level and comes first, even when a stronger one is lower
    (
        "positives at two levels",
        [(FILE_RULE, Strength.ci), (CI_RULE, Strength.file)],
        3,
        True,
        CI_RULE,
    ),
    (
        "negative below a positive",
        [(NEG_RULE, Strength.file), (CI_RULE, Strength.ci)],
        1,
        False,
        NEG_RULE,
    ),
    # the weakest cap binds; a higher cap agrees with it
    ("two negatives", [(NEG_RULE, Strength.ci), (LOW_NEG, Strength.file)], 0, True, LOW_NEG),
    # a package in a requirements file says the tool is installed, not that the practice runs
    ("a declared dependency alone", [(FILE_RULE, Strength.dependency)], 2, False, FILE_RULE),
    (
        "a dependency below code that does it",
        [(FILE_RULE, Strength.dependency), (CI_RULE, Strength.code)],
        3,
        True,
        CI_RULE,
    ),
    (
        "a prompt asks for a word",
        [(PROMPT, Strength.file), (FILE_RULE, Strength.file)],
        2,
        False,
        FILE_RULE,
    ),
]


@pytest.mark.parametrize(
    ("name", "found", "level", "unambiguous", "first"), CASES, ids=[c[0] for c in CASES]
)
def test_suggestion(
    name: str, found: list[tuple[object, Strength]], level: int, unambiguous: bool, first: object
) -> None:
    findings = [finding(r, s) for r, s in found]  # type: ignore[arg-type]
    hint = suggest(question(), ALL, findings)
    assert hint is not None
    assert (hint.level, hint.unambiguous, hint.findings[0].rule) == (
        level,
        unambiguous,
        first.id,  # type: ignore[attr-defined]
    )
    assert all(f.kind.value != "prompt" for f in hint.findings)  # never a level


def test_a_prompt_finding_alone_suggests_nothing_and_reconcile_does_not_stumble() -> None:
    q = question()
    findings = [finding(PROMPT, Strength.file)]
    assert suggest(q, ALL, findings) is None
    r = reconcile(q, score_question(q, [], RespondentRule.lowest), ALL, findings, (REPO,))
    assert r.evidence and r.evidence.status is EvidenceStatus.unverified
    assert r.evidence.suggested_level is None


def test_at_most_three_are_shown_and_the_rest_counted() -> None:
    findings = [finding(FILE_RULE, Strength.file, path=f"f{i}.yml") for i in range(5)]
    hint = suggest(question(), ALL, findings)
    assert hint and [f.path for f in hint.findings] == ["f0.yml", "f1.yml", "f2.yml"]
    assert hint.more == 2
    hint = suggest(question(), ALL, findings, shown=2)
    assert hint and len(hint.findings) == 2 and hint.more == 3


def test_reconcile_cites_the_finding_that_sets_the_suggested_level() -> None:
    q = question()
    findings = [finding(FILE_RULE, Strength.ci), finding(CI_RULE, Strength.file, path="tests.yml")]
    r = reconcile(q, score_question(q, [], RespondentRule.lowest), ALL, findings, (REPO,))
    ev = r.evidence
    assert ev and ev.status is EvidenceStatus.evidence_only and ev.suggested_level == 3
    assert "'title of cicd/merge-request-trigger' (tests.yml:3" in ev.explanation


@pytest.mark.parametrize(
    "repo", ["acme/repo", "acme/repo/", "acme/repo.git", "acme/repo.git/", "acme/repo/.git"]
)
def test_finding_key_is_the_same_however_the_repository_was_named(repo: str) -> None:
    f = finding(NEG_RULE, Strength.file, path="models/x.pkl").model_copy(update={"repo": repo})
    assert finding_key(f) == "cicd/secrets:acme/repo:models/x.pkl"


def test_the_suggested_level_preselects_its_choice_or_the_highest_below() -> None:
    q = question()
    assert (c := suggested_choice(q, 2)) and c.id == "c2"
    gappy = Question.model_validate(
        {
            "id": "cicd.gappy",
            "text": "How?",
            "choices": [
                {"id": f"g{i}", "level": i, "text": f"level {i}", "plan": "p"} for i in (1, 2, 4)
            ],
        }
    )
    assert (c := suggested_choice(gappy, 3)) and c.id == "g2"
    assert suggested_choice(gappy, 0) is None
