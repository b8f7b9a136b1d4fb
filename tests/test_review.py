"""The assessor's review as pure functions: the items, the decisions applied to the result, stale
decisions after a rescan. On the bundled sample (Lakeside Mutual and the evidence `make demo`
scanned; compliance.lineage answered "don't know", so one claim is evidence only), with decisions
written into the engagement as `assess review` writes them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from assess.engagement import LoadedEngagement, load_engagement
from assess.evidence import load_evidence
from assess.interview.engine import migrate, set_answer
from assess.interview.session import open_session
from assess.model.engagement import (
    Answer,
    Engagement,
    FindingDecision,
    PackRef,
    QuestionDecision,
    Review,
    ReviewRequest,
)
from assess.model.evidence import Evidence, Finding
from assess.model.pack import Pack
from assess.model.result import Assessment, EvidenceRequest, EvidenceStatus, ReviewSummary
from assess.packs import load_pack
from assess.pipeline import assess
from assess.reconcile import finding_key
from assess.review import Reviewed, apply_review, merge_requests, set_decision, set_waiver
from tests.conftest import ROOT, SAMPLE, review_sample

EVIDENCE = ROOT / "samples" / "evidence.json"
REPO = "build/lakeside-churn"
BINARY = f"versioning/committed-model-binaries:{REPO}:models/churn_2026_03.pkl"
TEST_FILES = f"validation/test-files:{REPO}:tests/test_prepare.py"
AT = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def pack() -> Pack:
    return load_pack("mlops")


@pytest.fixture(scope="module")
def sample(pack: Pack, tmp_path_factory: pytest.TempPathFactory) -> LoadedEngagement:
    return load_engagement(review_sample(tmp_path_factory.mktemp("review") / "eng.yaml"), pack)


@pytest.fixture(scope="module")
def evidence(pack: Pack) -> Evidence:
    return load_evidence(EVIDENCE, pack)


def decided(
    pack: Pack,
    loaded: LoadedEngagement,
    evidence: Evidence | None,
    questions: dict[str, dict[str, Any]] | None = None,
    findings: dict[str, str] | None = None,
) -> Assessment:
    review = Review()
    for qid, d in (questions or {}).items():
        review = set_decision(review, qid, QuestionDecision(by="Dana", at=AT, **d))
    for key, reason in (findings or {}).items():
        review = set_waiver(
            review, key, FindingDecision(decision="waive", reason=reason, by="Dana")
        )
    eng = loaded.engagement.model_copy(update={"review": review})
    return assess(pack, LoadedEngagement(eng, loaded.path, loaded.sha256), evidence=evidence)


def question(result: Assessment, qid: str) -> Any:
    return next(q for q in result.questions if q.id == qid)


def area(result: Assessment, area_id: str) -> Any:
    return next(a for a in result.areas if a.id == area_id)


def test_finding_key_is_rule_repo_path_without_commit_line_or_git_suffix() -> None:
    base = {"rule": "versioning/x", "area": "versioning", "title": "t", "kind": "negative",
            "strength": "file", "level": 1, "questions": (), "path": "m/a.pkl"}  # fmt: skip
    keys = {
        finding_key(Finding(**base, repo=repo, commit=commit, line=line))
        for repo, commit, line in [
            ("acme/repo", "aaaa", None),
            ("acme/repo.git", "bbbb", 3),
            ("acme/repo/", "cccc", 9),
            ("acme/repo.git/", "dddd", None),
        ]
    }
    assert keys == {"versioning/x:acme/repo:m/a.pkl"}


def test_items_area_by_area_the_most_serious_first(
    pack: Pack, sample: LoadedEngagement, evidence: Evidence
) -> None:
    review = decided(pack, sample, evidence).review
    assert review is not None
    got = [(i.question, i.status.value, i.claimed_level, i.evidence_level) for i in review.items]
    assert got == [
        ("data.access", "not_evidenced", 3.0, 2),  # accepting it scores the strict cap
        ("versioning.model_registry", "contradicted", 2.0, 1),
        ("training.serving_package", "not_evidenced", 2.0, 1),
        ("validation.feature_code_tests", "understated", 2.0, 3),
        ("cicd.branch_protection", "not_evidenced", 3.0, 2),  # before the understated one
        ("cicd.ci_checks", "understated", 1.0, 3),  # though first in pack order
        ("monitoring.drift", "understated", 0.0, 1),
        ("compliance.lineage", "evidence_only", None, 3),
    ]
    order = [q.id for q in pack.questions]
    assert order.index("cicd.ci_checks") < order.index("cicd.branch_protection")
    binary = review.items[1]
    assert finding_key(binary.findings[0]) == BINARY
    assert not review.waived and not review.stale
    assert all(i.decision is None for i in review.items)


def test_not_evidenced_comes_after_contradicted_and_before_understated(pack: Pack) -> None:
    """Statuses the lead's reconciliation adds (not evidenced) are ordered too: results built
    by hand, in the wrong order, within one area."""
    from assess.model.result import QuestionEvidence, QuestionResult

    def result(qid: str, status: EvidenceStatus, cap: int | None, suggested: int | None) -> Any:
        return QuestionResult(
            id=qid, area="cicd", text="?", weight=1, risk="medium", status="answered",
            level=3.0, choice=None, choice_text=None, plan="p", answers=(),
            evidence=QuestionEvidence(status=status, claimed_level=3.0, supported_level=None,
                                      cap=cap, suggested_level=suggested, weight=0, rules=()),
        )  # fmt: skip

    results = [
        result("cicd.ci_checks", EvidenceStatus.understated, None, 4),
        result("cicd.pipeline_as_code", EvidenceStatus.not_evidenced, None, None),
        result("cicd.merge_request_ci", EvidenceStatus.contradicted, 1, None),
        result("cicd.deployment", EvidenceStatus.corroborated, None, None),
    ]
    items = apply_review(pack, results, Review(), []).summary.items
    assert [(i.question, i.status.value) for i in items] == [
        ("cicd.merge_request_ci", "contradicted"),
        ("cicd.pipeline_as_code", "not_evidenced"),
        ("cicd.ci_checks", "understated"),
    ]
    as_code = pack.question("cicd.pipeline_as_code")
    assert as_code is not None and as_code.expected_in_repo_from == 2
    # accepting a claim nothing shows takes it one below the level a repository would show
    assert (items[0].evidence_level, items[1].evidence_level) == (1, 1)


def test_accept_scores_the_evidence_and_keeps_the_answers(
    pack: Pack, sample: LoadedEngagement, evidence: Evidence
) -> None:
    before = decided(pack, sample, evidence)
    after = decided(
        pack,
        sample,
        evidence,
        {"cicd.ci_checks": {"decision": "accept", "level": 3, "reason": "run 4512"}},
    )
    q = question(after, "cicd.ci_checks")
    assert q.level == 3.0 and q.status == "answered"
    level_3 = next(c for c in pack.question("cicd.ci_checks").choices if c.level == 3)  # type: ignore[union-attr]
    assert (q.choice, q.choice_text, q.plan) == (level_3.id, level_3.text, level_3.plan)
    assert q.review.decision == "accept" and q.review.original_level == 1.0
    assert q.review.original_status is EvidenceStatus.understated
    assert (q.review.by, q.review.at, q.review.reason) == ("Dana", AT, "run 4512")
    assert [a.level for a in q.answers] == [2, 1]  # the respondents' answers as given
    assert area(after, "cicd").level > area(before, "cicd").level
    gap = next((g for g in after.gaps if g.question_id == "cicd.ci_checks"), None)
    assert gap is None or gap.current_level == 3.0
    assert after.review
    assert next(i for i in after.review.items if i.question == "cicd.ci_checks").decision


def test_accepting_evidence_only_answers_the_question(
    pack: Pack, sample: LoadedEngagement, evidence: Evidence
) -> None:
    before = decided(pack, sample, evidence)
    after = decided(
        pack, sample, evidence, {"compliance.lineage": {"decision": "accept", "level": 3}}
    )
    q = question(after, "compliance.lineage")
    assert (q.status, q.level) == ("answered", 3.0)
    assert q.review.original_level is None
    assert [a.status.value for a in q.answers] == ["dont_know"]
    assert area(after, "compliance").answered == area(before, "compliance").answered + 1


def test_uphold_keeps_the_claim_and_removes_the_cap(
    pack: Pack, sample: LoadedEngagement, evidence: Evidence
) -> None:
    reason = "The pkl is a rollback fixture; the registry holds the model (shown on screen)"
    after = decided(
        pack,
        sample,
        evidence,
        {"versioning.model_registry": {"decision": "uphold", "reason": reason}},
    )
    q = question(after, "versioning.model_registry")
    assert q.level == 2.0 and q.evidence.status is EvidenceStatus.upheld
    assert q.evidence.cap is None and q.review.reason == reason
    assert (q.review.original_level, q.review.original_status.value) == (1.0, "contradicted")
    claimed = pack.question(q.id).choice(q.choice)  # type: ignore[union-attr]
    assert claimed is not None and claimed.level == 2 and q.plan == claimed.plan
    assert area(after, "versioning").contradicted == 0
    assert not any(g.question_id == q.id and g.contradicted for g in after.gaps)
    # the finding still counts (it was not waived): the area still lists it
    assert any(finding_key(f) == BINARY for f in area(after, "versioning").findings)


def test_request_lists_the_assessors_evidence_request(
    pack: Pack, sample: LoadedEngagement, evidence: Evidence
) -> None:
    ask = {"who": "Marta Keller", "what": "the drift job's last run", "due": dt.date(2026, 12, 4)}
    after = decided(
        pack, sample, evidence,
        {"monitoring.drift": {"decision": "request", "request": ReviewRequest(**ask)},
         "cicd.ci_checks": {"decision": "request",
                            "request": ReviewRequest(who="Jonas", what="CI run", due=ask["due"])}},
    )  # fmt: skip
    assert tuple(r for r in after.evidence_requests if r.source == "assessor") == (
        EvidenceRequest(question="cicd.ci_checks", area="cicd", what="CI run", who="Jonas",
                        due=dt.date(2026, 12, 4), source="assessor"),
        EvidenceRequest(question="monitoring.drift", area="monitoring", source="assessor", **ask),
    )  # fmt: skip
    q = question(after, "monitoring.drift")
    assert q.level == 0.0 and q.evidence.status is EvidenceStatus.understated  # unchanged
    assert q.review.request == ReviewRequest(**ask)


def test_waived_finding_counts_nowhere_and_is_listed(
    pack: Pack, sample: LoadedEngagement, evidence: Evidence
) -> None:
    after = decided(pack, sample, evidence, findings={BINARY: "a rollback test fixture"})
    q = question(after, "versioning.model_registry")
    assert q.evidence.status is not EvidenceStatus.contradicted and q.level == 2.0
    assert all(finding_key(f) != BINARY for f in q.evidence.findings)
    assert all(finding_key(f) != BINARY for a in after.areas for f in a.findings)
    assert area(after, "versioning").contradicted == 0
    assert after.review is not None
    [waived] = after.review.waived
    assert (waived.key, waived.reason, waived.by) == (BINARY, "a rollback test fixture", "Dana")
    assert [f.path for f in waived.findings] == ["models/churn_2026_03.pkl"]
    chains = after.compliance.lineage if after.compliance else ()
    assert all(
        "churn_2026_03.pkl" not in e for c in chains for link in c.links for e in link.evidence
    )


def test_stale_decisions_are_listed_not_applied(
    pack: Pack, sample: LoadedEngagement, evidence: Evidence
) -> None:
    plain = decided(pack, sample, evidence)
    after = decided(
        pack,
        sample,
        evidence,
        {
            "cicd.pipeline_as_code": {"decision": "uphold", "reason": "x"},  # corroborated
            "cicd.ci_checks": {"decision": "accept", "level": 4},  # the evidence gives 3
        },
        {"versioning/gone:build/lakeside-churn:old.pkl": "was a fixture"},
    )
    assert after.review is not None
    assert sorted((s.key, s.kind) for s in after.review.stale) == [
        ("cicd.ci_checks", "question"),
        ("cicd.pipeline_as_code", "question"),
        ("versioning/gone:build/lakeside-churn:old.pkl", "finding"),
    ]
    why = {s.key: s.why for s in after.review.stale}
    assert "evidence now gives level 3" in why["cicd.ci_checks"]
    assert "no such finding" in why["versioning/gone:build/lakeside-churn:old.pkl"]
    assert [(q.id, q.level) for q in after.questions] == [(q.id, q.level) for q in plain.questions]
    assert all(q.review is None for q in after.questions) and not after.review.waived


def test_a_rescan_keeps_decisions_whose_finding_still_exists(
    pack: Pack, sample: LoadedEngagement, evidence: Evidence
) -> None:
    """A later scan: another commit, the model binary removed, every finding moved two lines
    down. The waiver of the test file and the accepted CI evidence still apply; the binary's
    waiver is stale."""
    [repo] = evidence.repos
    commit = "f" * 40

    def rescanned(f: Finding) -> Finding:
        return f.model_copy(update={"commit": commit, "line": (f.line or 0) + 2})

    areas = {
        a: tuple(rescanned(f) for f in fs if finding_key(f) != BINARY)
        for a, fs in repo.areas.items()
    }
    later = evidence.model_copy(
        update={"repos": (repo.model_copy(update={"commit": commit, "areas": areas}),)}
    )
    decisions = {"cicd.ci_checks": {"decision": "accept", "level": 3}}
    waivers = {BINARY: "fixture", TEST_FILES: "tests the anonymiser, not features"}
    first = decided(pack, sample, evidence, decisions, waivers)
    assert first.review is not None and not first.review.stale
    assert {w.key for w in first.review.waived} == {BINARY, TEST_FILES}
    second = decided(pack, sample, later, decisions, waivers)
    assert second.review is not None
    assert [w.key for w in second.review.waived] == [TEST_FILES]
    assert second.review.waived[0].findings[0].commit == commit
    assert [(s.key, s.kind) for s in second.review.stale] == [(BINARY, "finding")]
    assert question(second, "cicd.ci_checks").level == 3.0
    q = question(second, "validation.feature_code_tests")
    assert all(finding_key(f) != TEST_FILES for f in q.evidence.findings)


def test_accept_on_a_contradiction_keeps_the_cap(
    pack: Pack, sample: LoadedEngagement, evidence: Evidence
) -> None:
    after = decided(
        pack, sample, evidence, {"versioning.model_registry": {"decision": "accept", "level": 1}}
    )
    q = question(after, "versioning.model_registry")
    assert q.level == 1.0 and q.review.decision == "accept" and q.review.original_level == 1.0
    assert after.review and not after.review.stale


def test_without_evidence_no_decision_applies(pack: Pack, sample: LoadedEngagement) -> None:
    after = decided(pack, sample, None, {"cicd.ci_checks": {"decision": "accept", "level": 3}})
    assert after.review is None and after.evidence_requests == ()
    assert question(after, "cicd.ci_checks").level == 1.0


def test_decided_questions_drop_their_derived_evidence_requests(
    pack: Pack, sample: LoadedEngagement, evidence: Evidence
) -> None:
    """Requests derived from claims nothing shows (the lead's ``not_evidenced``) give way to the
    assessor's decision on the same question; the rest are kept, in pack order."""

    def req(q: str, source: Any, who: str | None = None) -> EvidenceRequest:
        return EvidenceRequest(question=q, area=q.split(".")[0], what="w", who=who, source=source)

    ask = ReviewRequest(who="Jonas", what="w", due=dt.date(2099, 1, 1))
    after = decided(
        pack, sample, evidence,
        {"cicd.ci_checks": {"decision": "request", "request": ask},
         "versioning.model_registry": {"decision": "uphold", "reason": "shown"}},
    )  # fmt: skip
    mine = tuple(r for r in after.evidence_requests if r.source == "assessor")
    reviewed = Reviewed(list(after.questions), ReviewSummary(), mine)
    derived = [
        req("monitoring.drift", "not_evidenced"),
        req("cicd.ci_checks", "not_evidenced"),
        req("versioning.model_registry", "not_evidenced"),
        req("data.access", "not_evidenced"),
    ]
    assert merge_requests(pack, derived, reviewed) == (
        req("data.access", "not_evidenced"),
        EvidenceRequest(question="cicd.ci_checks", area="cicd", what="w", who="Jonas",
                        due=dt.date(2099, 1, 1), source="assessor"),
        req("monitoring.drift", "not_evidenced"),
    )  # fmt: skip


def test_the_review_section_round_trips_and_survives_other_writers(
    pack: Pack, tmp_path: Path
) -> None:
    path = tmp_path / "eng.yaml"
    path.write_bytes(SAMPLE.read_bytes())
    reviewer = open_session(path, None)
    interviewer = open_session(path, None)  # read before the review decision was saved
    d = QuestionDecision(decision="uphold", reason="shown on screen", by="Dana", at=AT)
    w = FindingDecision(decision="waive", reason="fixture", by="Dana", at=AT)
    review = set_waiver(set_decision(Review(), "versioning.model_registry", d), BINARY, w)
    reviewer.save(reviewer.engagement.model_copy(update={"review": review}))
    answer = Answer(choice="code_tests", respondent="Ana")
    interviewer.save(set_answer(interviewer.engagement, "cicd.ci_checks", answer))
    eng = load_engagement(path, pack).engagement
    assert eng.review == review  # kept by the interview's save, as written
    assert any(a.respondent == "Ana" for a in eng.answers["cicd.ci_checks"])


def test_migrating_to_a_pack_without_the_question_drops_its_decision(pack: Pack) -> None:
    d = QuestionDecision(decision="uphold", reason="r", by="Dana")
    review = set_decision(set_decision(Review(), "cicd.ci_checks", d), "cicd.gone", d)
    eng = Engagement(pack=PackRef(id="mlops", version="0.9"), review=review)
    migrated = migrate(pack, eng).engagement
    assert list(migrated.review.questions) == ["cicd.ci_checks"]


def test_the_readme_review_example_is_valid(pack: Pack) -> None:
    import re

    import yaml

    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```yaml\n(review:\n.*?)```", readme, re.S)
    assert block is not None
    review = Review.model_validate(yaml.safe_load(block.group(1))["review"])
    assert [d.decision for d in review.questions.values()] == ["accept", "uphold", "request"]
    assert all(pack.question(q) for q in review.questions)
    assert list(review.findings) == ["validation/test-files:acme/churn:tests/test_prepare.py"]
