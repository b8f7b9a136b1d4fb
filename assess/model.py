"""Typed, immutable data: the pack, the engagement and the Assessment result.

Pack and engagement models mirror the YAML files one to one (``extra="forbid"``: an unknown key
is an error), and ``assess schema`` publishes them as JSON Schema for editors. Cross-file checks
(ids that must exist, answers that must fit their question) live in ``packs`` and ``engagement``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

LEVEL_MIN = 0
LEVEL_MAX = 4

Level = Annotated[int, Field(ge=LEVEL_MIN, le=LEVEL_MAX, description="maturity level 0-4")]
Slug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", description="snake_case identifier")]
QuestionId = Annotated[
    str,
    Field(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$", description="<area>.<slug>"),
]
NonEmpty = Annotated[str, Field(min_length=1)]


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# --------------------------------------------------------------------------- pack


class LadderLevel(Frozen):
    level: Level
    name: NonEmpty
    meaning: NonEmpty


class Area(Frozen):
    id: Slug
    title: NonEmpty
    description: NonEmpty
    weight: float = Field(gt=0, default=1.0)
    default_target: Level = 3


class ContextOption(Frozen):
    id: Slug
    label: NonEmpty


class ContextType(StrEnum):
    text = "text"
    integer = "integer"
    boolean = "boolean"
    choice = "choice"
    multi = "multi"
    targets = "targets"


class ContextField(Frozen):
    """One question of the context section, asked before the maturity questions."""

    id: Slug
    prompt: NonEmpty
    label: str | None = Field(default=None, description="short name in reports (default: prompt)")
    help: str = ""
    type: ContextType
    required: bool = False
    options: tuple[ContextOption, ...] = ()

    @model_validator(mode="after")
    def _options_fit_type(self) -> ContextField:
        has_options = self.type in (ContextType.choice, ContextType.multi)
        if has_options and not self.options:
            raise ValueError(f"a {self.type.value} field needs options")
        if not has_options and self.options:
            raise ValueError(f"a {self.type.value} field takes no options")
        ids = [o.id for o in self.options]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"duplicate option id {dup[0]!r}")
        return self


class RespondentRule(StrEnum):
    """How answers from several respondents to one question combine into one level."""

    lowest = "lowest"
    mean = "mean"
    highest = "highest"


class ScoringConfig(Frozen):
    respondents: RespondentRule = RespondentRule.lowest


class PackFile(Frozen):
    """``pack.yaml``: the pack's identity, ladder, areas and context section."""

    id: Slug
    version: Annotated[str, Field(pattern=r"^\d+\.\d+(\.\d+)?$")]
    title: NonEmpty
    description: NonEmpty
    ladder: tuple[LadderLevel, ...]
    areas: tuple[Area, ...] = Field(min_length=1)
    scoring: ScoringConfig = ScoringConfig()
    context: tuple[ContextField, ...]

    @field_validator("ladder")
    @classmethod
    def _ladder_complete(cls, v: tuple[LadderLevel, ...]) -> tuple[LadderLevel, ...]:
        levels = [x.level for x in v]
        if levels != list(range(LEVEL_MIN, LEVEL_MAX + 1)):
            raise ValueError(f"the ladder must list levels 0 to 4 in order, got {levels}")
        return v


class Choice(Frozen):
    id: Slug
    level: Level
    text: NonEmpty
    plan: NonEmpty = Field(description="the next concrete step up the ladder from this choice")


class Risk(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


class Condition(Frozen):
    """A question applies only when an earlier question was answered a certain way."""

    question: QuestionId
    choices: tuple[Slug, ...] = Field(
        default=(), description="applies when the answer is one of these choices"
    )
    min_level: Level | None = Field(
        default=None, description="or when the answered level is at least this"
    )

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        if bool(self.choices) == (self.min_level is not None):
            raise ValueError("give exactly one of 'choices' or 'min_level'")
        return self


class Question(Frozen):
    id: QuestionId
    text: NonEmpty
    help: str = ""
    evidence: tuple[str, ...] = ()
    weight: float = Field(gt=0, default=1.0)
    risk: Risk = Risk.medium
    not_applicable: str | None = Field(
        default=None, description="when set, the question may be answered N/A; says when"
    )
    when: Condition | None = Field(
        default=None, description="ask only when an earlier question was answered so"
    )
    choices: tuple[Choice, ...] = Field(min_length=2)

    @field_validator("choices")
    @classmethod
    def _choices_ladder(cls, v: tuple[Choice, ...]) -> tuple[Choice, ...]:
        ids = [c.id for c in v]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"duplicate choice id {dup[0]!r}")
        levels = [c.level for c in v]
        if any(b <= a for a, b in itertools.pairwise(levels)):
            raise ValueError(f"choice levels must increase strictly in order, got {levels}")
        return v

    @property
    def area(self) -> str:
        return self.id.split(".", 1)[0]

    def choice(self, choice_id: str) -> Choice | None:
        return next((c for c in self.choices if c.id == choice_id), None)


class QuestionFile(Frozen):
    """``questions/<area>.yaml``: the questions of one area."""

    area: Slug
    questions: tuple[Question, ...] = Field(min_length=1)


class Pack(Frozen):
    """A loaded, cross-checked pack: ``pack.yaml`` plus its question files."""

    id: str
    version: str
    title: str
    description: str
    ladder: tuple[LadderLevel, ...]
    areas: tuple[Area, ...]
    scoring: ScoringConfig
    context: tuple[ContextField, ...]
    questions: tuple[Question, ...]
    source: str = Field(description="folder the pack was loaded from")

    def area(self, area_id: str) -> Area | None:
        return next((a for a in self.areas if a.id == area_id), None)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def questions_of(self, area_id: str) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.area == area_id)

    def level_name(self, level: int) -> str:
        return self.ladder[level].name


# --------------------------------------------------------------------------- engagement


class AnswerStatus(StrEnum):
    answered = "answered"
    not_applicable = "not_applicable"
    dont_know = "dont_know"


class Answer(Frozen):
    """One respondent's answer to one question."""

    status: AnswerStatus = AnswerStatus.answered
    choice: str | None = None
    reason: str | None = Field(default=None, description="why the question does not apply")
    note: str | None = None
    respondent: str | None = None
    answered_at: dt.datetime | None = None

    @model_validator(mode="after")
    def _fields_fit_status(self) -> Answer:
        if self.status is AnswerStatus.answered and not self.choice:
            raise ValueError("an answered question needs a 'choice'")
        if self.status is not AnswerStatus.answered and self.choice:
            raise ValueError(f"a '{self.status.value}' answer takes no 'choice'")
        if self.status is AnswerStatus.not_applicable and not (self.reason or "").strip():
            raise ValueError("a 'not_applicable' answer needs a 'reason'")
        return self


class PackRef(Frozen):
    id: Slug
    version: NonEmpty
    path: str | None = Field(
        default=None,
        description="folder of a pack that is not bundled, relative to the engagement file",
    )


class AssessmentInfo(Frozen):
    """Who ran the assessment, for the report cover."""

    assessor: str = ""
    organisation: str = ""
    date: dt.date | None = None
    title: str = "MLOps maturity assessment"


ContextValue = str | int | bool | list[str] | dict[str, int] | None


class Engagement(Frozen):
    """An engagement file: pack reference, context answers and answers per question."""

    pack: PackRef
    assessment: AssessmentInfo = AssessmentInfo()
    context: dict[str, ContextValue] = Field(default_factory=dict)
    answers: dict[str, list[Answer]] = Field(
        default_factory=dict,
        description="per question id, one answer or a list of answers (one per respondent)",
    )

    @field_validator("answers", mode="before")
    @classmethod
    def _single_answer_shorthand(cls, v: object) -> object:
        if isinstance(v, dict):
            return {k: [a] if isinstance(a, dict) else a for k, a in v.items()}
        return v


# --------------------------------------------------------------------------- scan


class RuleKind(StrEnum):
    positive = "positive"  # shows a practice exists
    negative = "negative"  # shows a problem (committed binaries, secrets, huge files)


class Strength(StrEnum):
    """How strong a finding is: a file that exists < a dependency < code using it < a CI step
    that runs it (ML Test Score: automated beats documented)."""

    file = "file"
    dependency = "dependency"
    code = "code"
    ci = "ci"


# --------------------------------------------------------------------------- scan results


class Finding(Frozen):
    repo: str = Field(description="the repository scanned (path or URL as given)")
    rule: str
    area: str
    title: str
    kind: RuleKind
    strength: Strength
    level: int
    questions: tuple[str, ...]
    path: str
    line: int | None = None
    commit: str
    snippet: str | None = Field(default=None, description="never a secret's value")
    remediation: str = ""


class History(Frozen):
    commits: int
    contributors: int
    commits_last_90_days: int
    commits_last_365_days: int
    first_commit: dt.datetime | None
    last_commit: dt.datetime | None
    tags: tuple[str, ...]
    release_tags: tuple[str, ...] = Field(description="tags named like name@v1.2.3 or v1.2.3")
    first_seen: dict[str, str] = Field(description="evidence path -> date it first appeared")
    removed_tools: tuple[str, ...] = Field(
        description="rules matched by paths in history but not at the scanned commit"
    )


class RepoScan(Frozen):
    source: str
    ref: str
    commit: str
    scanned_at: dt.datetime
    files: int
    bytes_read: int
    history: History | None
    notes: tuple[str, ...] = ()
    areas: dict[str, tuple[Finding, ...]]


class Evidence(Frozen):
    """The evidence file ``assess scan --format json`` writes and score/report read."""

    schema_version: Literal[1] = 1
    tool_version: str
    pack_id: str
    pack_version: str
    repos: tuple[RepoScan, ...]


# --------------------------------------------------------------------------- result


class RespondentAnswer(Frozen):
    respondent: str | None
    status: AnswerStatus
    choice: str | None
    choice_text: str | None
    level: int | None
    reason: str | None
    note: str | None


class QuestionResult(Frozen):
    id: str
    area: str
    text: str
    weight: float
    risk: Risk
    status: Literal["answered", "not_applicable", "dont_know", "unanswered"]
    level: float | None
    choice: str | None = Field(description="the choice scored, when a single one applies")
    choice_text: str | None
    plan: str | None
    answers: tuple[RespondentAnswer, ...]


class Improvement(Frozen):
    question_id: str
    area: str
    question: str
    current_level: float
    target: int
    risk: Risk
    impact: float = Field(description="(target - level) x question weight x area weight")
    plan: str


class AreaScore(Frozen):
    id: str
    title: str
    description: str
    weight: float
    level: float | None = Field(description="weighted mean of answered questions; None if none")
    stage: str | None
    target: int
    gap: float | None
    questions: int
    answered: int
    dont_know: int
    not_applicable: int
    unanswered: int
    coverage: float | None = Field(description="answered / applicable questions")
    improvements: tuple[Improvement, ...]
    findings: tuple[Finding, ...] = Field(
        default=(), description="repository evidence for this area, problems first"
    )


class Overall(Frozen):
    level: float | None = Field(description="weighted mean of the area levels")
    stage_level: int | None = Field(description="floor of the weakest area's level")
    stage: str | None
    limiting_areas: tuple[str, ...] = Field(description="the area(s) with the lowest level")
    target: float | None
    coverage: float | None
    unscored_areas: tuple[str, ...]


class Client(Frozen):
    name: str
    context: dict[str, ContextValue]
    context_labels: dict[str, str] = Field(description="context field label -> readable value")


class Source(Frozen):
    pack_id: str
    pack_version: str
    pack_title: str
    engagement_file: str
    engagement_sha256: str
    respondents_rule: RespondentRule


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
    repos: tuple[RepoScan, ...] = Field(
        default=(), description="repositories scanned (findings are listed per area)"
    )
