"""The Assessment result: scores, evidence status, gaps, risks, roadmap, recommendations,
compliance, comparisons and review summaries, built by ``assess.scoring`` from the
engagement, the pack and the evidence.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from pydantic import Field

from assess.model.base import Frozen
from assess.model.engagement import (
    AnswerStatus,
    AssessmentInfo,
    ContextValue,
    QuestionDecision,
    ReviewRequest,
)
from assess.model.evidence import Finding, RepoScan
from assess.model.pack import (
    STAGE_SHARE,
    Effort,
    EvidencePolicy,
    LadderLevel,
    Licence,
    RegulationDate,
    RespondentRule,
    Risk,
    RisksConfig,
)


class RespondentAnswer(Frozen):
    respondent: str | None
    status: AnswerStatus
    choice: str | None
    choice_text: str | None
    level: int | None
    reason: str | None
    note: str | None
    from_evidence: tuple[str, ...] = Field(
        default=(), description="finding keys the interviewer confirmed this answer from"
    )
    role: str | None = Field(
        default=None, description="the title of the pack role the respondent answers for"
    )
    counted: bool = Field(
        default=True,
        description="combined into the question's level; False when respondents who own the "
        "question (their role is its owner) answered it and this one does not",
    )
    reconfirm: str | None = Field(
        default=None,
        description="carried from an older pack version by an approximate mapping, to re-confirm",
    )


class EvidenceStatus(StrEnum):
    """What the scanned repositories say about a question's answer (see ``assess.reconcile``)."""

    corroborated = "corroborated"  # the repositories show the practice at the claimed level
    partial = "partial"  # they show the practice, but only at a lower level than claimed
    understated = "understated"  # they show a higher level than the answers claim
    contradicted = "contradicted"  # a negative finding, or a recognised system lacks it
    not_evidenced = "not_evidenced"  # a claim a repository would show; nothing shows it
    evidence_only = "evidence_only"  # not answered (or "don't know"), but the repos show it
    unverified = "unverified"  # observable, but nothing found either way (or nothing scanned)
    not_observable = "not_observable"  # an organisational practice no repository can show
    upheld = "upheld"  # the assessor upheld the claim on review, with a justification


class QuestionEvidence(Frozen):
    status: EvidenceStatus
    claimed_level: float | None = Field(description="level the answers give, before any cap")
    supported_level: int | None = Field(description="highest level the positive findings show")
    cap: int | None = Field(description="level a contradiction caps the question at")
    suggested_level: int | None = Field(
        description="evidence only or understated: the level the findings suggest"
    )
    weight: float = Field(
        description="how much the evidence corroborates the answer, 0-1 (a CI step counts "
        "1, code 0.75, a dependency or file 0.5; half for partial)"
    )
    rules: tuple[str, ...] = Field(description="scan rules that can evidence this question")
    findings: tuple[Finding, ...] = ()
    explanation: str = ""


class Suggestion(Frozen):
    """The level a question's findings suggest when nobody answered it (``reconcile.suggest``)."""

    level: int = Field(description="the weakest negative finding's cap, else the best positive")
    findings: tuple[Finding, ...] = Field(
        description="the findings to show, the one that sets the level first (at most three)"
    )
    more: int = Field(description="the question's other positive or negative findings")
    unambiguous: bool = Field(
        description="no finding disagrees: no positive one above a negative one's cap, no "
        "prompt finding asking for a word with the client"
    )


class ReviewOutcome(Frozen):
    """What the assessor decided on review, as applied to a question's result."""

    decision: Literal["accept", "uphold", "request"]
    reason: str
    by: str
    at: dt.datetime | None
    original_level: float | None = Field(description="the level scored before the review")
    original_status: EvidenceStatus = Field(description="the reconciliation before the review")
    request: ReviewRequest | None = None


QuestionStatus = Literal["answered", "not_applicable", "dont_know", "unanswered", "not_in_scope"]


class QuestionResult(Frozen):
    id: str
    area: str
    text: str
    weight: float
    risk: Risk
    status: QuestionStatus = Field(
        description="not_in_scope: a question of a module this engagement does not run, left "
        "out of coverage and of every count"
    )
    level: float | None = Field(
        description="the level scored: the answers', capped if contradicted"
    )
    choice: str | None = Field(description="the choice scored, when a single one applies")
    choice_text: str | None
    plan: str | None
    answers: tuple[RespondentAnswer, ...]
    spread: int = Field(default=0, description="highest minus lowest level among respondents")
    evidence: QuestionEvidence | None = None
    review: ReviewOutcome | None = Field(
        default=None, description="the assessor's decision on review, when one applies"
    )


class Gap(Frozen):
    """One practice below its area's target, prioritised and placed on the roadmap."""

    question_id: str
    area: str
    question: str
    current_level: float
    target: int
    gap: float
    risk: Risk
    priority: float = Field(
        description="gap x question weight x area weight x risk factor, raised to the priority "
        "of any gap that depends on it"
    )
    plan: str = Field(description="the next step up the ladder from the current answer")
    outcome: str = Field(description="what shows it is done: the target level's choice text")
    owner: str
    effort: Effort
    weeks: int = Field(description="person-weeks of the whole climb: the sum of its steps")
    depends_on: tuple[str, ...] = Field(description="gaps that must be closed first")
    contradicted: bool = Field(description="the current level was capped by repository evidence")
    phase: str = Field(description="the roadmap phase of its first step ('later': beyond them)")
    order: int = Field(description="the roadmap position of its first step, 1 = first")
    steps: tuple[str, ...] = Field(
        default=(), description="its roadmap items, one per level step, in order"
    )


class EvidenceRequest(Frozen):
    """Evidence the client is asked for: a claim no scanned repository shows, or the
    assessor's own request made on review."""

    question: str
    area: str
    what: str = Field(description="what to show, from the question's evidence list")
    who: str | None = None
    due: dt.date | None = None
    source: Literal["not_evidenced", "assessor"]


class KeyRisk(Frozen):
    """One of the biggest risks for the executive summary: a practice below its target, stated
    as its consequence for the client (assess/gaps.py key_risks says how they are ranked)."""

    question_id: str
    area: str
    statement: str = Field(
        description="what the summary and the email print: the consequence, then the legal "
        "basis when a reference binds the client"
    )
    consequence: str = Field(
        default="",
        description="the question's consequence, its fields filled in (empty in a result "
        "written before consequences; its statement is then the answer's text)",
    )
    legal_basis: tuple[str, ...] = Field(
        default=(), description="binding references cited, e.g. 'GDPR Art. 17'"
    )
    current_level: float
    target: int
    priority: float = Field(description="the gap's roadmap priority (breaks ties)")
    exposure: float | None = Field(
        default=None, description="the regulatory exposure factor (pack risks.exposure)"
    )
    score: float | None = Field(default=None, description="risk factor x gap x exposure")


class RoadmapItem(Frozen):
    """One step on the roadmap: a practice climbed one level (or to its next choice), or a
    practice answered "don't know" to be found out first."""

    id: str = Field(description="<question id>:<level reached>, or <question id>:establish")
    question_id: str
    area: str
    kind: Literal["step", "establish"]
    from_level: int | None = Field(description="None for an establish item")
    to_level: int | None
    action: str = Field(description="what to do: the plan of the choice the step starts from")
    done_when: str = Field(description="the text of the choice the step reaches")
    owner: str
    effort: Effort
    weeks: int = Field(description="person-weeks of this step (the pack's step_weeks)")
    priority: float = Field(
        description="question weight x area weight x risk factor x levels left to the target, "
        "raised to the priority of any step that needs it"
    )
    depends_on: tuple[str, ...] = Field(description="items that must be done first")
    phase: str = Field(description="roadmap phase id, or 'later' beyond the last phase")
    start_week: float | None = Field(description="weeks from the start; None when later")
    end_week: float | None
    order: int = Field(description="position in the roadmap, 1 = first; later items last")


class RoadmapPhase(Frozen):
    id: str
    title: str
    start_month: int
    end_month: int
    items: tuple[str, ...] = Field(description="roadmap item ids, in roadmap order")
    capacity_weeks: float = Field(
        default=0, description="person-weeks the team can give in this phase"
    )
    planned_weeks: float = Field(default=0, description="person-weeks of the items planned in it")


class Capacity(Frozen):
    weeks_per_quarter: float
    source: str = Field(description="where it comes from, as a phrase for the report")


class Confidence(Frozen):
    """How far an area's level can be trusted (see ``assess.reconcile.confidence``)."""

    score: float = Field(description="0-1")
    label: Literal["high", "medium", "low"]
    coverage: float | None
    corroboration: float | None = Field(description="None when no repository was scanned")
    agreement: float | None = Field(description="None with a single respondent per question")
    reason: str


class RecommendationKind(StrEnum):
    adopt = "adopt"  # a new tool
    extend = "extend"  # a tool the client already runs, used further
    migrate = "migrate"  # the client runs a deprecated or retired tool: move to its successor


class Recommendation(Frozen):
    tool: str
    name: str
    vendor: str
    licence: Licence
    kind: RecommendationKind
    areas: tuple[str, ...] = Field(
        description="the area with gaps it is recommended for (none for a migration whose "
        "successor covers no area with gaps)"
    )
    closes: tuple[str, ...] = Field(description="question ids of the gaps it helps close")
    actions: tuple[str, ...] = Field(description="what to do with it, per area")
    score: float = Field(description="its fit for the client in that area (assess.recommend)")
    reason: str = Field(description="why it fits, in one sentence")
    url: str = ""
    rank: int = Field(
        default=1, description="in its area: 1 the best fit, 2 and 3 the alternatives"
    )
    reviewed: dt.date | None = Field(
        default=None, description="when the catalog entry was last checked"
    )


class AreaScore(Frozen):
    id: str
    title: str
    description: str
    weight: float
    level: float | None = Field(
        description="mean level: the weighted mean of the answered questions; None if none"
    )
    stage_level: int | None = Field(
        default=None,
        description="the highest level at least the pack's scoring.stage_share of the answered "
        "questions' weight reaches; None if none answered",
    )
    stage: str | None = Field(description="the ladder name of stage_level")
    share_at_stage: float | None = Field(
        default=None,
        description="the share of the answered questions' weight at stage_level or above",
    )
    share_at_next: float | None = Field(
        default=None,
        description="the share at the level above the stage (less than the stage rule's share); "
        "None at the top level",
    )
    target: int
    gap: float | None
    target_source: str = Field(
        description="where the target comes from: pack default, business goal, engagement, "
        "command line"
    )
    questions: int
    answered: int
    dont_know: int
    not_applicable: int
    unanswered: int
    not_in_scope: int = Field(
        default=0, description="questions of modules not run (not counted in 'questions')"
    )
    coverage: float | None = Field(description="answered / applicable questions")
    confidence: Confidence
    contradicted: int = Field(description="questions capped by repository evidence")
    findings: tuple[Finding, ...] = Field(
        default=(), description="repository evidence for this area, problems first"
    )
    observations: str | None = Field(
        default=None,
        description="the assessor's observations on this area, as written in the engagement "
        "(plain paragraphs and '- ' bullet lists; see assess.report.prose)",
    )


class Overall(Frozen):
    level: float | None = Field(description="weighted mean of the area levels")
    stage_level: int | None = Field(description="the weakest area's stage level")
    stage: str | None
    limiting_areas: tuple[str, ...] = Field(description="the area(s) at the lowest stage")
    target: float | None
    coverage: float | None
    unscored_areas: tuple[str, ...]
    confidence: Confidence | None = Field(default=None, description="over every question")


class Applicability(Frozen):
    applicable: bool
    good_practice: bool = Field(
        default=False,
        description="not required, but a framework in scope has provisions for it that bind in "
        "other cases (the reason says which): shown as good practice, not as not applicable",
    )
    assumed: tuple[str, ...] = Field(
        default=(), description="context fields not recorded, assumed to match"
    )
    reason: str


class ControlRef(Frozen):
    framework: str
    name: str
    ref: str
    about: str
    verified: bool = Field(description="checked against the legal text; else shown as expected")
    source: str = Field(default="", description="where the reference was read or comes from")
    in_scope: bool = Field(description="the framework applies to this client")
    binding: bool = Field(description="binds this client; otherwise good practice only")
    note: str = Field(
        default="",
        description="why it does not bind this client, when its framework is in scope",
    )


class ControlStatus(Frozen):
    id: str
    title: str
    requirement: str
    applicability: Applicability
    level: float | None = Field(description="lowest (reconciled) level of its answered questions")
    meaning: str | None = Field(description="what that level means for this control")
    target: int
    gap: float | None
    questions: tuple[str, ...]
    unanswered: tuple[str, ...]
    evidence: tuple[str, ...] = Field(description="typical evidence to ask for")
    findings: tuple[Finding, ...]
    references: tuple[ControlRef, ...]


class FrameworkStatus(Frozen):
    id: str
    name: str
    title: str
    applicability: Applicability
    controls: int = Field(description="applicable controls it binds")
    assessed: int = Field(description="of those, with a level")
    at_least_2: int
    at_least_3: int
    dates: tuple[RegulationDate, ...]


class LinkStatus(StrEnum):
    found = "found"
    missing = "missing"
    broken = "broken"


class LineageLink(Frozen):
    id: str
    title: str
    status: LinkStatus
    evidence: tuple[str, ...] = Field(description="path:line in repo at commit")


class LineageChain(Frozen):
    repo: str
    commit: str
    model: str
    links: tuple[LineageLink, ...]
    broken_at: str | None = Field(description="the first link not found, None when complete")


class Compliance(Frozen):
    controls: tuple[ControlStatus, ...]
    frameworks: tuple[FrameworkStatus, ...]
    lineage: tuple[LineageChain, ...]


class ChangeStatus(StrEnum):
    improved = "improved"
    regressed = "regressed"
    same = "same"
    new = "new"  # scored now, not before (new question or area, or first answered)
    dropped = "dropped"  # scored before, not now


class Change(Frozen):
    id: str
    title: str
    old: float | None
    new: float | None
    delta: float | None
    status: ChangeStatus


class Comparison(Frozen):
    """What changed between two assessments of the same client (``assess compare``)."""

    old_label: str
    new_label: str
    old_pack: str
    new_pack: str
    overall: Change
    areas: tuple[Change, ...]
    questions: tuple[Change, ...]


class Milestone(Frozen):
    label: str = Field(description="the assessment date")
    level: float | None
    stage: str | None
    areas: dict[str, float | None] = Field(description="area id -> level")


class Progress(Frozen):
    """Earlier assessments (milestones) and the change since the last one, for the report."""

    milestones: tuple[Milestone, ...] = Field(description="oldest first, the current one last")
    since_last: Comparison


class Client(Frozen):
    name: str
    context: dict[str, ContextValue]
    context_labels: dict[str, str] = Field(description="context field label -> readable value")


class ModuleScope(Frozen):
    """Whether a deep-dive module of the pack ran for this engagement, and why."""

    id: str
    title: str
    run: bool
    reason: str = Field(description="why it runs (chosen, the context, answers), or why not")
    questions: int = Field(description="its questions")


class Source(Frozen):
    pack_id: str
    pack_version: str
    pack_title: str
    engagement_file: str
    engagement_sha256: str
    respondents_rule: RespondentRule
    evidence_policy: EvidencePolicy = EvidencePolicy.balanced
    stage_share: float = Field(
        default=STAGE_SHARE, description="the pack's scoring.stage_share the stages were set with"
    )
    risks: RisksConfig = Field(
        default=RisksConfig(), description="the pack's rule the biggest risks were picked with"
    )


class ReviewItem(Frozen):
    """A claim for the assessor to review: contradicted, not evidenced, understated or
    evidence only (``assess.review``)."""

    question: str
    area: str
    status: EvidenceStatus = Field(description="the reconciliation, before any decision")
    claimed_level: float | None
    evidence_level: int | None = Field(description="the level accepting the evidence gives")
    explanation: str
    findings: tuple[Finding, ...]
    decision: QuestionDecision | None = Field(description="the decision that applies, if any")


class WaivedFinding(Frozen):
    key: str = Field(description="rule:repository:path")
    findings: tuple[Finding, ...] = Field(description="the findings the key stands for")
    reason: str
    by: str
    at: dt.datetime | None


class StaleDecision(Frozen):
    """A decision kept in the engagement file but not applied: its finding is no longer in
    the evidence, or its question is no longer a review item (or its evidence changed)."""

    key: str = Field(description="question id or finding key")
    kind: Literal["question", "finding"]
    decision: str
    reason: str
    why: str


class ReviewSummary(Frozen):
    """The assessor's review as applied to this result (with evidence only)."""

    items: tuple[ReviewItem, ...] = Field(
        default=(), description="claims to review, area by area, the most serious first"
    )
    waived: tuple[WaivedFinding, ...] = ()
    stale: tuple[StaleDecision, ...] = ()


class Assessment(Frozen):
    """The one result every output (terminal, JSON, CSV, HTML, PDF) is rendered from."""

    schema_version: Literal[1] = 1
    tool_version: str
    generated_at: dt.datetime
    source: Source
    info: AssessmentInfo
    client: Client
    ladder: tuple[LadderLevel, ...]
    overall: Overall
    areas: tuple[AreaScore, ...]
    questions: tuple[QuestionResult, ...]
    modules: tuple[ModuleScope, ...] = Field(
        default=(), description="the pack's deep-dive modules, run or not (none: no modules)"
    )
    repos: tuple[RepoScan, ...] = Field(
        default=(), description="repositories scanned (findings are listed per area)"
    )
    gaps: tuple[Gap, ...] = Field(default=(), description="highest priority first")
    evidence_requests: tuple[EvidenceRequest, ...] = Field(
        default=(), description="what the client is asked to show, area by area"
    )
    risks: tuple[KeyRisk, ...] = Field(default=(), description="the three biggest, first first")
    roadmap: tuple[RoadmapPhase, ...] = ()
    roadmap_items: tuple[RoadmapItem, ...] = Field(
        default=(), description="every step, in roadmap order: the phases' items, then later"
    )
    later: tuple[str, ...] = Field(
        default=(), description="ids of the items that do not fit the phases at this capacity"
    )
    capacity: Capacity | None = Field(default=None, description="the capacity planned with")
    recommendations: tuple[Recommendation, ...] = Field(
        default=(),
        description="per area with gaps (most urgent first) the best fit, then up to two "
        "alternatives; a migration away from a retired tool with no gap area last",
    )
    compliance: Compliance | None = Field(default=None, description="when the pack has controls")
    progress: Progress | None = Field(
        default=None, description="with --milestone: earlier results and the change since"
    )
    executive_summary: str | None = Field(
        default=None,
        description="the assessor's summary, as written in the engagement (plain paragraphs "
        "and '- ' bullet lists; see assess.report.prose)",
    )
    review: ReviewSummary | None = Field(
        default=None,
        description="with evidence: the review items, waived findings, stale "
        "decisions (assess review)",
    )
