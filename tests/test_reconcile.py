"""Reconciliation rules, one by one, on hand-built questions, rules and findings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from assess.model.engagement import Answer
from assess.model.evidence import Finding, RepoScan
from assess.model.pack import EvidencePolicy, Question, RespondentRule
from assess.model.result import EvidenceStatus, QuestionResult
from assess.model.rules import Rule, Strength
from assess.reconcile import confidence, reconcile
from assess.scoring import score_question

Q = "cicd.merge_request_ci"


def question(**kw: Any) -> Question:
    choices = [
        {"id": f"c{i}", "level": i, "text": f"level {i}", "plan": f"go {i + 1}"} for i in range(5)
    ]
    return Question.model_validate({"id": Q, "text": "How?", "choices": choices, **kw})


def rule(rid: str, level: int, kind: str = "positive", questions: tuple[str, ...] = (Q,)) -> Rule:
    return Rule.model_validate(
        {
            "id": rid,
            "title": f"title of {rid}",
            "kind": kind,
            "questions": list(questions),
            "level": level,
            "remediation": "fix it",
            "match": {"paths": ["x"]},
        }
    )


def finding(r: Rule, strength: Strength, path: str = "ci.yml") -> Finding:
    return Finding(
        repo="client/repo",
        rule=r.id,
        area=r.area,
        title=r.title,
        kind=r.kind,
        strength=strength,
        level=r.level,
        questions=r.questions,
        path=path,
        line=3,
        commit="0123456789abcdef",
    )


REPO = RepoScan(
    source="client/repo",
    ref="HEAD",
    commit="0123456789abcdef",
    scanned_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    files=10,
    bytes_read=100,
    history=None,
    areas={},
)
CI_RULE = rule("cicd/merge-request-trigger", 3)
FILE_RULE = rule("cicd/ci-config", 2)
NEG_RULE = rule("cicd/secrets", 1, kind="negative")
RULES = (CI_RULE, FILE_RULE, NEG_RULE)


def answered(q: Question, *levels: int) -> QuestionResult:
    answers = [Answer(choice=f"c{lv}", respondent=f"r{i}") for i, lv in enumerate(levels)]
    return score_question(q, answers, RespondentRule.lowest)


def check(
    q: Question,
    levels: tuple[int, ...],
    findings: list[Finding],
    rules: tuple[Rule, ...] = RULES,
    repos: tuple[RepoScan, ...] = (REPO,),
) -> QuestionResult:
    result = reconcile(q, answered(q, *levels), rules, findings, repos)
    assert result.evidence is not None
    return result


def test_a_question_no_rule_speaks_to_is_not_observable() -> None:
    r = check(question(), (3,), [], rules=(rule("cicd/other", 2, questions=("cicd.other",)),))
    assert r.evidence and r.evidence.status is EvidenceStatus.not_observable
    assert r.level == 3.0 and r.evidence.rules == ()


def test_nothing_scanned_leaves_every_answer_unverified() -> None:
    r = check(question(expected_in_repo_from=3), (4,), [], repos=())
    assert r.evidence and r.evidence.status is EvidenceStatus.unverified
    assert r.level == 4.0  # no evidence, no cap
    assert "No repository was scanned" in r.evidence.explanation


def test_negative_finding_contradicts_and_caps_with_path_and_commit() -> None:
    r = check(question(), (3,), [finding(NEG_RULE, Strength.code, "src/settings.py")])
    ev = r.evidence
    assert ev and ev.status is EvidenceStatus.contradicted
    assert (ev.claimed_level, ev.cap, r.level) == (3.0, 1, 1.0)
    assert "src/settings.py:3" in ev.explanation and "01234567" in ev.explanation


def test_negative_finding_agrees_with_a_low_claim() -> None:
    r = check(question(), (1,), [finding(NEG_RULE, Strength.file)])
    assert r.evidence and r.evidence.status is EvidenceStatus.corroborated
    assert r.level == 1.0 and r.evidence.cap is None


def test_missing_trace_is_not_evidenced_and_keeps_its_level_under_the_balanced_policy() -> None:
    r = check(question(expected_in_repo_from=3), (3,), [])
    ev = r.evidence
    assert ev and ev.status is EvidenceStatus.not_evidenced
    assert (ev.cap, r.level) == (None, 3.0)  # absence of evidence is not evidence of absence
    # the consultant sees what was looked for, and where
    assert CI_RULE.title in ev.explanation and "client/repo at 01234567" in ev.explanation
    assert "stands until the client shows the evidence" in ev.explanation


def test_missing_trace_is_capped_under_the_strict_policy() -> None:
    q = question(expected_in_repo_from=3)
    r = reconcile(q, answered(q, 4), RULES, [], (REPO,), policy=EvidencePolicy.strict)
    ev = r.evidence
    assert ev and ev.status is EvidenceStatus.not_evidenced
    assert (ev.cap, r.level, r.plan) == (2, 2.0, "go 3")  # the next step starts from the cap
    assert "strict evidence policy" in ev.explanation


INCOMPLETE = REPO.model_copy(update={"incomplete": "time budget of 600 s ran out"})
CI_SYSTEM = rule("cicd/ci-system", 2, questions=("cicd.other",))
TESTS_IN_CI = rule("cicd/tests-run-in-ci", 3, questions=("cicd.other",))
EXTERNAL = rule("cicd/ci-external-pipelines", 2, kind="prompt", questions=("cicd.other",))
CHECK = {
    "level": 3,
    "system": [CI_SYSTEM.id],
    "shows": [TESTS_IN_CI.id],
    "unless": [EXTERNAL.id],
    "says": "is CI configuration the scan read in full, and none of its steps runs a test suite",
}
SYSTEM_RULES = (*RULES, CI_SYSTEM, TESTS_IN_CI, EXTERNAL)


@pytest.mark.parametrize(
    ("case", "claim", "found", "repos", "in_scope", "balanced", "strict"),
    [
        # status and scored level under (balanced, strict)
        ("nothing found", 3, [], (REPO,), None, ("not_evidenced", 3), ("not_evidenced", 2)),
        ("below the threshold", 2, [], (REPO,), None, ("unverified", 2), ("unverified", 2)),
        ("scan cut short", 4, [], (INCOMPLETE,), None, ("unverified", 4), ("unverified", 4)),
        ("repo out of scope", 4, [], (REPO,), (), ("unverified", 4), ("unverified", 4)),
        ("nothing scanned", 4, [], (), None, ("unverified", 4), ("unverified", 4)),
        ("CI runs no tests", 3, [CI_SYSTEM], (REPO,), None, ("contradicted", 2), ("contradicted", 2)),  # noqa: E501
        ("CI runs no tests, low claim", 2, [CI_SYSTEM], (REPO,), None, ("unverified", 2), ("unverified", 2)),  # noqa: E501
        ("CI partly elsewhere", 3, [CI_SYSTEM, EXTERNAL], (REPO,), None, ("not_evidenced", 3), ("not_evidenced", 2)),  # noqa: E501
        ("CI runs tests", 4, [CI_SYSTEM, TESTS_IN_CI], (REPO,), None, ("not_evidenced", 4), ("not_evidenced", 2)),  # noqa: E501
        ("CI seen only out of scope", 3, [CI_SYSTEM], (REPO,), (), ("unverified", 3), ("unverified", 3)),  # noqa: E501
        ("negative finding", 3, [NEG_RULE], (REPO,), None, ("contradicted", 1), ("contradicted", 1)),  # noqa: E501
        ("positive finding", 3, [CI_RULE], (REPO,), None, ("corroborated", 3), ("corroborated", 3)),
        ("lower finding", 3, [FILE_RULE], (REPO,), None, ("partial", 3), ("partial", 3)),
    ],
)  # fmt: skip
def test_every_status_under_both_policies(
    case: str,
    claim: int,
    found: list[Rule],
    repos: tuple[RepoScan, ...],
    in_scope: tuple[RepoScan, ...] | None,
    balanced: tuple[str, int],
    strict: tuple[str, int],
) -> None:
    q = question(expected_in_repo_from=3, absent_in_system=[CHECK])
    findings = [finding(r, Strength.ci if r is CI_RULE else Strength.file) for r in found]
    for policy, (status, level) in (
        (EvidencePolicy.balanced, balanced),
        (EvidencePolicy.strict, strict),
    ):
        r = reconcile(
            q, answered(q, claim), SYSTEM_RULES, findings, repos, policy=policy, in_scope=in_scope
        )
        assert r.evidence is not None
        assert (r.evidence.status.value, r.level) == (status, level), (case, policy)


def test_a_recognised_system_without_the_practice_says_what_it_read() -> None:
    q = question(expected_in_repo_from=3, absent_in_system=[{**CHECK, "cap": 0, "level": 1}])
    r = reconcile(q, answered(q, 4), SYSTEM_RULES, [finding(CI_SYSTEM, Strength.file)], (REPO,))
    ev = r.evidence
    assert ev and ev.status is EvidenceStatus.contradicted and (ev.cap, r.level) == (0, 0.0)
    assert "'title of cicd/ci-system' (ci.yml:3 in client/repo at 01234567) is CI" in (
        ev.explanation
    )
    assert "runs a test suite. Capped at 0." in ev.explanation


def test_missing_trace_below_the_threshold_is_only_unverified() -> None:
    r = check(question(expected_in_repo_from=3), (2,), [])
    assert r.evidence and r.evidence.status is EvidenceStatus.unverified
    assert r.level == 2.0


def test_questions_without_a_threshold_are_never_contradicted_by_absence() -> None:
    r = check(question(), (4,), [])
    assert r.evidence and r.evidence.status is EvidenceStatus.unverified


@pytest.mark.parametrize(
    ("strength", "weight"),
    [(Strength.ci, 1.0), (Strength.code, 0.75), (Strength.dependency, 0.5), (Strength.file, 0.5)],
)
def test_corroboration_weighs_a_ci_step_above_a_file(strength: Strength, weight: float) -> None:
    r = check(question(), (3,), [finding(CI_RULE, strength)])
    assert r.evidence and r.evidence.status is EvidenceStatus.corroborated
    assert r.evidence.weight == weight


def test_a_claim_above_what_any_rule_can_show_is_corroborated_at_the_reachable_level() -> None:
    r = check(question(), (4,), [finding(CI_RULE, Strength.ci)])
    assert r.evidence and r.evidence.status is EvidenceStatus.corroborated
    assert r.level == 4.0


def test_evidence_below_the_claim_is_partial_and_counts_half() -> None:
    r = check(question(), (3,), [finding(FILE_RULE, Strength.file)])
    ev = r.evidence
    assert ev and ev.status is EvidenceStatus.partial
    assert ev.supported_level == 2 and ev.weight == 0.25 and r.level == 3.0  # not capped


def test_code_or_ci_above_the_claim_is_understated_and_suggests_a_level() -> None:
    r = check(question(), (1,), [finding(CI_RULE, Strength.ci)])
    ev = r.evidence
    assert ev and ev.status is EvidenceStatus.understated
    assert ev.suggested_level == 3 and r.level == 1.0  # listed, not rescored


def test_a_file_above_the_claim_does_not_overrule_it() -> None:
    r = check(question(), (1,), [finding(FILE_RULE, Strength.file)])
    assert r.evidence and r.evidence.status is EvidenceStatus.corroborated


@pytest.mark.parametrize("status", ["dont_know", None])
def test_unanswered_with_findings_is_evidence_only_with_a_suggested_level(
    status: str | None,
) -> None:
    q = question()
    answers = [Answer(status="dont_know")] if status else []
    base = score_question(q, answers, RespondentRule.lowest)
    r = reconcile(q, base, RULES, [finding(FILE_RULE, Strength.file)], (REPO,))
    ev = r.evidence
    assert ev and ev.status is EvidenceStatus.evidence_only
    assert ev.suggested_level == 2 and r.level is None  # suggested, never scored
    assert "confirm with the client" in ev.explanation


def test_findings_for_other_questions_are_ignored() -> None:
    other = rule("cicd/other", 3, questions=("cicd.other",))
    r = check(
        question(expected_in_repo_from=3),
        (3,),
        [finding(other, Strength.ci)],
        rules=(*RULES, other),
    )
    assert r.evidence and r.evidence.status is EvidenceStatus.not_evidenced


def test_confidence_combines_coverage_corroboration_and_agreement() -> None:
    q = question()
    good = [check(q, (3, 3), [finding(CI_RULE, Strength.ci)]) for _ in range(3)]
    high = confidence(good, coverage=1.0, scanned=True)
    assert (high.label, high.score, high.corroboration, high.agreement) == ("high", 1.0, 1.0, 1.0)
    assert "3 of 3 checkable answers corroborated" in high.reason

    split = [check(q, (0, 4), [])]  # respondents 4 levels apart, nothing found
    low = confidence(split, coverage=0.5, scanned=True)
    assert low.agreement == 0.0 and low.corroboration == 0.0
    assert low.label == "low" and "respondents differ on 1 of 1" in low.reason


def test_without_a_scan_confidence_is_at_most_medium() -> None:
    q = question()
    results = [reconcile(q, answered(q, 3), RULES, [], ()) for _ in range(2)]
    c = confidence(results, coverage=1.0, scanned=False)
    assert c.corroboration is None and c.score == 1.0  # coverage alone
    assert c.label == "medium" and "no repository scanned" in c.reason


def test_contradictions_and_missing_evidence_lower_confidence() -> None:
    q = question(expected_in_repo_from=3)
    fine = confidence([check(q, (3,), [finding(CI_RULE, Strength.ci)])], 1.0, scanned=True)
    missing = confidence([check(q, (3,), [])], 1.0, scanned=True)
    bad = confidence([check(q, (3,), [finding(NEG_RULE, Strength.file)])], 1.0, scanned=True)
    assert missing.score < fine.score and "1 not evidenced" in missing.reason
    assert bad.score < fine.score and "1 contradicted" in bad.reason


def test_confidence_reason_counts_evidence_for_unanswered_questions() -> None:
    q = question()
    unanswered = reconcile(
        q, score_question(q, [], RespondentRule.lowest), RULES, [finding(FILE_RULE, Strength.file)],
        (REPO,),
    )  # fmt: skip
    c = confidence([unanswered, unanswered], coverage=0.0, scanned=True)
    assert "no answered question a repository could check" in c.reason
    assert "the repositories suggest a level for 2 unanswered" in c.reason


def test_a_prompt_finding_alone_suggests_nothing_for_an_unanswered_question() -> None:
    q = question()
    ask = rule("cicd/ask", 2, kind="prompt")
    base = score_question(q, [], RespondentRule.lowest)
    r = reconcile(q, base, (*RULES, ask), [finding(ask, Strength.file)], (REPO,))
    assert r.evidence and r.evidence.status is EvidenceStatus.unverified
    assert r.evidence.suggested_level is None and r.level is None


def test_a_tool_found_by_its_import_does_not_overrule_a_lower_claim() -> None:
    dep = Rule.model_validate(
        {**rule("cicd/ci-tooling-deps", 3).model_dump(), "match": {"dependencies": ["tox"]}}
    )
    r = check(question(), (1,), [finding(dep, Strength.code)], rules=(*RULES, dep))
    assert r.evidence and r.evidence.status is EvidenceStatus.corroborated
    assert r.evidence.suggested_level is None and r.level == 1.0
