"""Typed, immutable data: the pack, the engagement and the Assessment result.

Pack and engagement models mirror the YAML files one to one (``extra="forbid"``: an unknown key
is an error), and ``assess schema`` publishes them as JSON Schema for editors. Cross-file checks
(ids that must exist, answers that must fit their question) live in ``packs`` and ``engagement``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from assess.report.text import MAX_TEXT

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
    owner: NonEmpty = Field(
        default="ML lead",
        description="role owning improvements in this area (a role id when the pack has roles)",
    )
    default_target: Level = 3


class ContextOption(Frozen):
    id: Slug
    label: NonEmpty
    targets: dict[Slug, Level] = Field(
        default_factory=dict,
        description="default target level per area when this option is chosen (e.g. a goal)",
    )


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


class EvidencePolicy(StrEnum):
    """What a claim no scanned repository shows does to its level (``assess.reconcile``)."""

    balanced = "balanced"  # not evidenced: confidence drops, evidence is requested, level kept
    strict = "strict"  # not evidenced: capped, as in an audit where every claim must be shown


class RespondentRule(StrEnum):
    """How answers from several respondents to one question combine into one level."""

    lowest = "lowest"
    mean = "mean"
    highest = "highest"


STAGE_SHARE = 0.7


class ScoringConfig(Frozen):
    respondents: RespondentRule = RespondentRule.lowest
    stage_share: float = Field(
        default=STAGE_SHARE,
        gt=0.5,
        le=1.0,
        description="an area's stage is the highest level that at least this share of the "
        "weight of its answered questions reaches (0.7: seven tenths; 1: every question); more "
        "than half, so a stage always describes most of the area",
    )


class Effort(StrEnum):
    """How much work a practice takes for a typical ML team (the pack's ``step_weeks`` says how
    many person-weeks each level step costs)."""

    small = "small"
    medium = "medium"
    large = "large"


LATER = "later"
"""The phase id of roadmap items that do not fit the horizon (no pack phase may use it)."""


class Phase(Frozen):
    id: Slug
    title: NonEmpty
    months: int = Field(gt=0, description="the phase ends this many months after the start")

    @field_validator("id")
    @classmethod
    def _not_later(cls, v: str) -> str:
        if v == LATER:
            raise ValueError(f"{LATER!r} is reserved for the steps beyond the last phase")
        return v


StepWeeks = tuple[
    Annotated[int, Field(gt=0)],
    Annotated[int, Field(gt=0)],
    Annotated[int, Field(gt=0)],
    Annotated[int, Field(gt=0)],
]
PositiveNumber = Annotated[float, Field(gt=0, strict=True, description="a positive number")]


class CapacityConfig(Frozen):
    """The person-weeks per quarter a client's team can give to the roadmap, beside its delivery
    work, when the engagement does not say (``capacity_weeks_per_quarter``)."""

    weeks_per_quarter: PositiveNumber = Field(
        default=13, description="when no context field says otherwise"
    )
    context_field: Slug | None = Field(
        default=None, description="a choice field (e.g. team_size) whose answer sets the default"
    )
    by_option: dict[Slug, PositiveNumber] = Field(
        default_factory=dict, description="that field's option id -> person-weeks per quarter"
    )


class RoadmapConfig(Frozen):
    """How gaps become a roadmap: the person-weeks of each level step, the phases, the team's
    capacity and prerequisites the roadmap adds to the questions' own ``depends_on``."""

    step_weeks: dict[Effort, StepWeeks] = Field(
        default_factory=lambda: {
            Effort.small: (1, 1, 2, 1),
            Effort.medium: (1, 2, 4, 3),
            Effort.large: (2, 4, 8, 6),
        },
        description="per effort class, the person-weeks to climb from level 0 to 1, 1 to 2, "
        "2 to 3 and 3 to 4",
    )
    establish_weeks: Annotated[int, Field(gt=0)] = Field(
        default=1, description="person-weeks to find out a practice answered 'don't know'"
    )
    capacity: CapacityConfig = CapacityConfig()
    depends_on: dict[QuestionId, tuple[QuestionId, ...]] = Field(
        default_factory=dict,
        description="more prerequisites per question, added to its depends_on",
    )
    phases: tuple[Phase, ...] = Field(
        default=(
            Phase(id="first_90_days", title="First 90 days", months=3),
            Phase(id="months_3_6", title="3-6 months", months=6),
            Phase(id="months_6_12", title="6-12 months", months=12),
        ),
        min_length=1,
    )

    @model_validator(mode="after")
    def _complete(self) -> RoadmapConfig:
        missing = [e.value for e in Effort if e not in self.step_weeks]
        if missing:
            raise ValueError(f"step_weeks needs a value for {', '.join(missing)}")
        months = [p.months for p in self.phases]
        if any(b <= a for a, b in itertools.pairwise(months)):
            raise ValueError(f"phases must end in increasing months, got {months}")
        return self


class Role(Frozen):
    """Someone at the client who owns questions (``roles:`` in ``pack.yaml``): the interview can
    ask one role its own questions, and answers combine per owner role."""

    id: Slug
    title: NonEmpty
    description: str = ""


class ModuleCondition(Frozen):
    """When a module runs without being chosen: a context answer is (or, for a multi-select,
    contains) one of ``values``; or a screening question was answered at ``min_level`` or
    above. Exactly one form."""

    context: Slug | None = Field(default=None, description="a context field id")
    values: tuple[str, ...] = Field(default=(), description="context answers that select it")
    question: QuestionId | None = Field(default=None, description="a screening question")
    min_level: Level | None = Field(default=None, description="its answer at least this level")

    @model_validator(mode="after")
    def _one_form(self) -> ModuleCondition:
        by_context = self.context is not None or bool(self.values)
        by_question = self.question is not None or self.min_level is not None
        if by_context == by_question:
            raise ValueError(
                "give exactly one of 'context' with 'values', or 'question' with 'min_level'"
            )
        if by_context and (self.context is None or not self.values):
            raise ValueError("'context' and 'values' go together")
        if by_question and (self.question is None or self.min_level is None):
            raise ValueError("'question' and 'min_level' go together")
        return self


class Module(Frozen):
    """A deep-dive module: questions asked beyond the core interview when one of its ``when``
    conditions holds (a goal *or* a team size, say) or the consultant chooses the module
    (``--module``)."""

    id: Slug
    title: NonEmpty
    description: str = ""
    when: tuple[ModuleCondition, ...] = Field(
        default=(),
        description="a list of conditions; the module runs when any of them holds (empty: "
        "only when chosen with --module)",
    )


class PackFile(Frozen):
    """``pack.yaml``: the pack's identity, ladder, areas and context section."""

    id: Slug
    version: Annotated[str, Field(pattern=r"^\d+\.\d+(\.\d+)?$")]
    title: NonEmpty
    description: NonEmpty
    ladder: tuple[LadderLevel, ...]
    areas: tuple[Area, ...] = Field(min_length=1)
    scoring: ScoringConfig = ScoringConfig()
    roadmap: RoadmapConfig = RoadmapConfig()
    context: tuple[ContextField, ...]
    roles: tuple[Role, ...] = Field(
        default=(), description="when given, every question and area owner is one of these ids"
    )
    modules: tuple[Module, ...] = Field(
        default=(), description="deep-dive modules; questions without 'module' are the core"
    )

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


class SystemCheck(Frozen):
    """A claim the content of a recognised system disproves: when one of the ``system`` rules
    found the system (the CI configuration, a training pipeline) and none of the ``shows``
    rules found the practice in it, a claim at ``level`` or above is contradicted (scored at
    ``cap``, by default one level below). Unless an ``unless`` rule fired: the system's content
    is partly elsewhere (a template or workflow from another repository), so its absence
    proves nothing."""

    level: Level = Field(ge=1)
    cap: Level | None = Field(
        default=None, description="the level a disproved claim is scored at (default level - 1)"
    )
    system: tuple[str, ...] = Field(min_length=1, description="rule ids that find the system")
    shows: tuple[str, ...] = Field(
        min_length=1, description="rule ids that find the practice in it"
    )
    unless: tuple[str, ...] = Field(
        default=(), description="rule ids that say part of the system is out of sight"
    )
    says: NonEmpty = Field(description="what the absence means, for the finding's explanation")

    @model_validator(mode="after")
    def _cap_below(self) -> SystemCheck:
        if self.cap is not None and self.cap >= self.level:
            raise ValueError("'cap' must be below 'level'")
        return self

    @property
    def capped_at(self) -> int:
        return self.level - 1 if self.cap is None else self.cap


class Question(Frozen):
    id: QuestionId
    text: NonEmpty
    help: str = ""
    evidence: tuple[str, ...] = ()
    weight: float = Field(gt=0, default=1.0)
    risk: Risk = Risk.medium
    effort: Effort = Effort.medium
    owner: str | None = Field(
        default=None,
        description="role owning it (default: the area's); a role id when the pack has roles",
    )
    module: Slug | None = Field(
        default=None, description="the pack module it belongs to (none: the core interview)"
    )
    depends_on: tuple[QuestionId, ...] = Field(
        default=(), description="practices that must be in place before this one can mature"
    )
    expected_in_repo_from: Level | None = Field(
        default=None,
        description="a claim at this level or above would show in a scanned repository (one "
        "of the question's positive rules fires); when none does it is 'not evidenced'",
    )
    absent_in_system: tuple[SystemCheck, ...] = Field(
        default=(),
        description="where the repository's own systems show the practice is missing: a "
        "claim that the scanner can read in a system it recognised, and does not find there, "
        "is contradicted",
    )
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


class Licence(StrEnum):
    open_source = "open_source"
    commercial = "commercial"
    managed = "managed"  # a cloud service


class Expertise(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


class ToolStatus(StrEnum):
    active = "active"
    deprecated = "deprecated"
    retired = "retired"


class Tool(Frozen):
    id: Slug
    name: NonEmpty
    vendor: NonEmpty
    licence: Licence
    clouds: tuple[Slug, ...] = Field(min_length=1, description="where it runs (context clouds)")
    expertise: Expertise = Field(description="expertise needed to adopt and operate it")
    capabilities: dict[Slug, NonEmpty] = Field(
        min_length=1, description="area id -> what to do with the tool to raise that area"
    )
    integrates_with: tuple[Slug, ...] = ()
    status: ToolStatus = ToolStatus.active
    successor: Slug | None = None
    self_hosted: str = Field(
        default="",
        description="for a managed service: the edition a client runs on its own servers "
        "(then clouds lists on_prem)",
    )
    last_reviewed: dt.date
    url: str = ""
    note: str = ""

    @model_validator(mode="after")
    def _successor_when_replaced(self) -> Tool:
        if self.status is not ToolStatus.active and not self.successor:
            raise ValueError(f"a {self.status.value} tool needs a 'successor'")
        on_prem = "on_prem" in self.clouds
        if self.licence is Licence.managed and on_prem and not self.self_hosted:
            raise ValueError(
                "a managed service that lists on_prem needs 'self_hosted': the edition that "
                "runs on the client's own servers"
            )
        if self.self_hosted and not (on_prem and self.licence is Licence.managed):
            raise ValueError("'self_hosted' is for a managed service that lists on_prem")
        return self

    @property
    def self_hostable(self) -> bool:
        """Runs on the client's own servers: software it installs, or a service's on-premises
        edition."""
        return "on_prem" in self.clouds and (
            self.licence is not Licence.managed or bool(self.self_hosted)
        )


class ToolKind(Frozen):
    """A kind of tool (an orchestrator, a model registry) that plan texts name through a
    catalog reference, ``{tools:<id>}``, resolved per client (``assess.toolref``)."""

    id: Slug
    name: NonEmpty = Field(description="the kind as a noun, singular: 'model registry'")
    article: Literal["a", "an"] | None = Field(
        default=None, description="'a' or 'an' before the name (default: by its first letter)"
    )
    area: Slug = Field(description="the area whose fit rules rank the tools (assess.recommend)")
    tools: tuple[Slug, ...] = Field(min_length=1, description="ids of the catalog's tools")

    @property
    def indefinite(self) -> str:
        """The kind with its article: 'an orchestrator'."""
        article = self.article or ("an" if self.name[:1].lower() in "aeiou" else "a")
        return f"{article} {self.name}"


class ToolFile(Frozen):
    """``tools.yaml``: the tool catalog recommendations are drawn from, and the kinds of tool
    plan texts refer to."""

    tools: tuple[Tool, ...] = Field(min_length=1)
    kinds: tuple[ToolKind, ...] = ()


ControlId = Annotated[str, Field(pattern=r"^[A-Z]+-\d{2,}$", description="e.g. CL-01")]
ContextCondition = dict[Slug, tuple[str | bool, ...]]
"""Context field id -> accepted values; every field of one condition must match. A list of
conditions applies when any of them does (an unrecorded field counts as matching, flagged as an
assumption)."""


class ControlLevel(Frozen):
    level: Level
    meaning: NonEmpty


class Control(Frozen):
    """A compliance control (``compliance/controls.yaml``)."""

    id: ControlId
    title: NonEmpty
    requirement: NonEmpty
    ladder: tuple[ControlLevel, ...]
    questions: tuple[QuestionId, ...] = Field(
        min_length=1, description="questions that assess it; its level is their lowest"
    )
    rules: tuple[str, ...] = Field(default=(), description="scan rules that evidence it")
    evidence: tuple[str, ...] = ()
    applies_when: tuple[ContextCondition, ...] = Field(
        default=(), description="narrower than its frameworks: applies only when one matches"
    )
    not_applicable: str | None = Field(default=None, description="reason shown when it does not")

    @model_validator(mode="after")
    def _complete(self) -> Control:
        if [x.level for x in self.ladder] != list(range(LEVEL_MIN, LEVEL_MAX + 1)):
            raise ValueError("the ladder must give a meaning for levels 0 to 4 in order")
        if bool(self.applies_when) != bool(self.not_applicable):
            raise ValueError(
                "give 'not_applicable' (the reason) exactly when 'applies_when' is set"
            )
        return self


class ControlFile(Frozen):
    controls: tuple[Control, ...] = Field(min_length=1)


class LegalRef(Frozen):
    ref: NonEmpty = Field(description="article or section as cited, e.g. 'Art. 5(1)(a)'")
    about: NonEmpty
    verified: bool = Field(default=True, description="false until checked against the text")
    applies_when: tuple[ContextCondition, ...] = Field(
        default=(), description="binds only in these cases (e.g. providers of high-risk AI)"
    )


class RegulationDate(Frozen):
    date: dt.date
    event: NonEmpty
    verified: bool = True


class Framework(Frozen):
    """A regulation mapped onto the controls (``compliance/frameworks/<id>.yaml``)."""

    id: Slug
    name: NonEmpty
    title: NonEmpty
    url: str = ""
    applies_when: tuple[ContextCondition, ...] = ()
    not_applicable: str = ""
    dates: tuple[RegulationDate, ...] = ()
    references: dict[ControlId, tuple[LegalRef, ...]] = Field(min_length=1)


class ModelNameSource(Frozen):
    rule: str
    pattern: NonEmpty = Field(description="regex over the finding's snippet; group 1 is the name")


class LineageLinkDef(Frozen):
    id: Slug
    title: NonEmpty
    description: NonEmpty
    rules: tuple[str, ...] = Field(min_length=1, description="findings that establish the link")
    broken_by: tuple[str, ...] = Field(
        default=(), description="negative findings that break it (e.g. a model file in git)"
    )


class LineageConfig(Frozen):
    """``compliance/lineage.yaml``: how a model's lineage chain is traced from scan findings."""

    models: tuple[ModelNameSource, ...] = ()
    links: tuple[LineageLinkDef, ...] = Field(min_length=1)


class Pack(Frozen):
    """A loaded, cross-checked pack: ``pack.yaml``, its questions, scan rules, tools and
    compliance catalog."""

    id: str
    version: str
    title: str
    description: str
    ladder: tuple[LadderLevel, ...]
    areas: tuple[Area, ...]
    scoring: ScoringConfig
    roadmap: RoadmapConfig
    context: tuple[ContextField, ...]
    roles: tuple[Role, ...] = ()
    modules: tuple[Module, ...] = ()
    questions: tuple[Question, ...]
    rules: tuple[Rule, ...] = ()
    ci_systems: tuple[CiSystem, ...] = Field(
        default=(), description="CI systems the scan recognises (ci.yaml)"
    )
    tools: tuple[Tool, ...] = ()
    tool_kinds: tuple[ToolKind, ...] = Field(
        default=(), description="the kinds of tool plan texts refer to (tools.yaml kinds)"
    )
    controls: tuple[Control, ...] = ()
    frameworks: tuple[Framework, ...] = ()
    lineage: LineageConfig | None = None
    source: str = Field(description="folder the pack was loaded from")

    def area(self, area_id: str) -> Area | None:
        return next((a for a in self.areas if a.id == area_id), None)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def questions_of(self, area_id: str) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.area == area_id)

    def level_name(self, level: int) -> str:
        return self.ladder[level].name

    def tool(self, tool_id: str) -> Tool | None:
        return next((t for t in self.tools if t.id == tool_id), None)

    def tool_kind(self, kind_id: str) -> ToolKind | None:
        return next((k for k in self.tool_kinds if k.id == kind_id), None)

    def role(self, role_id: str) -> Role | None:
        return next((r for r in self.roles if r.id == role_id), None)

    def role_title(self, owner_or_id: str) -> str:
        """What to print for an owner: its role's title, or the owner as written (packs
        without roles keep free text)."""
        role = self.role(owner_or_id)
        return role.title if role is not None else owner_or_id

    def module(self, module_id: str) -> Module | None:
        return next((m for m in self.modules if m.id == module_id), None)

    def owner_of(self, question: Question) -> str:
        """The owner (role id or free text) of a question: its own, else its area's."""
        if question.owner:
            return question.owner
        area = self.area(question.area)
        return area.owner if area is not None else ""


class MigrationEntry(Frozen):
    """Where one question of the older pack version goes."""

    to: QuestionId | None = Field(description="the new question id; null: the question is dropped")
    exact: bool = Field(
        default=False,
        description="true: the answer carries over as it is; false: it is carried and flagged "
        "for re-confirmation",
    )
    choices: dict[Slug, Slug] = Field(
        default_factory=dict,
        description="old choice id -> new choice id; an old choice not listed keeps its id, "
        "which must then exist in the new question",
    )
    note: str = Field(default="", description="why (required when the question is dropped)")

    def new_choice(self, old_choice: str) -> str:
        """The choice id an old answer's choice becomes (listed, else the same id)."""
        return self.choices.get(old_choice, old_choice)

    @model_validator(mode="after")
    def _dropped_explained(self) -> MigrationEntry:
        if self.to is None:
            if self.exact or self.choices:
                raise ValueError("a dropped question ('to: null') takes no 'exact' or 'choices'")
            if not self.note.strip():
                raise ValueError("a dropped question ('to: null') needs a 'note' saying why")
        return self


class MigrationFile(Frozen):
    """``migrations/from-<old version>.yaml``: every question of the older pack version mapped
    to a question of this one (with its choices), or dropped."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    from_version: NonEmpty = Field(alias="from", description="the older pack version")
    questions: dict[QuestionId, MigrationEntry] = Field(min_length=1)


# --------------------------------------------------------------------------- engagement


class AnswerStatus(StrEnum):
    answered = "answered"
    not_applicable = "not_applicable"
    dont_know = "dont_know"


class Answer(Frozen):
    """One respondent's answer to one question."""

    status: AnswerStatus = AnswerStatus.answered
    choice: str | None = None
    reason: str | None = Field(
        default=None,
        description="why the question does not apply (or, with dont_know, is not known)",
    )
    note: str | None = None
    reconfirm: str | None = Field(
        default=None,
        description="set when the answer was carried from an older pack version by an "
        "approximate mapping (says from what); cleared when the answer is given again",
    )
    respondent: str | None = None
    answered_at: dt.datetime | None = None
    from_evidence: tuple[NonEmpty, ...] = Field(
        default=(),
        description="the scan findings (finding keys, rule:repo:path) the interviewer "
        "confirmed this answer from; empty for an answer given without them",
    )

    @model_validator(mode="after")
    def _fields_fit_status(self) -> Answer:
        if self.status is AnswerStatus.answered and not self.choice:
            raise ValueError("an answered question needs a 'choice'")
        if self.status is not AnswerStatus.answered and self.choice:
            raise ValueError(f"a '{self.status.value}' answer takes no 'choice'")
        if self.status is not AnswerStatus.answered and self.from_evidence:
            raise ValueError(f"a '{self.status.value}' answer takes no 'from_evidence'")
        if self.status is AnswerStatus.not_applicable and not (self.reason or "").strip():
            raise ValueError("a 'not_applicable' answer needs a 'reason'")
        return self


class RespondentInfo(Frozen):
    """What the engagement knows about one respondent (keyed by the respondent's name)."""

    role: Slug | None = Field(default=None, description="the pack role id they answer for")


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

Colour = Annotated[str, Field(pattern=r"^#(?:[0-9a-fA-F]{3}){1,2}$", description="#rgb or #rrggbb")]


class Branding(Frozen):
    """How the report looks: in the engagement (``branding:``) or a theme file (``--theme``)."""

    consultancy: str = Field(default="", description="shown on the cover (default: organisation)")
    logo: str | None = Field(
        default=None, description="PNG, JPEG, GIF or SVG file, relative to the file naming it"
    )
    primary_colour: Colour = "#12355b"
    accent_colour: Colour = "#1f5fa8"
    confidentiality: str = Field(
        default="Confidential", description="footer line, followed by the client's name"
    )


def _assessor_text(text: str) -> str:
    """Bounded, with whitespace that means nothing removed (line ends as ``\\n``, spaces at
    the end of a line, blank lines before and after), so a save writes it as a YAML block."""
    text = "\n".join(line.rstrip() for line in text.splitlines()).strip("\n")
    if not text.strip():
        raise ValueError("empty: write the text or remove the field")
    if len(text) > MAX_TEXT:
        raise ValueError(
            f"{len(text):,} characters; the report prints at most {MAX_TEXT:,} of one text: "
            "shorten it"
        )
    return text


AssessorText = Annotated[
    str,
    AfterValidator(_assessor_text),
    Field(
        description=f"the assessor's own words, printed as written and marked as the "
        f"assessor's: plain paragraphs (separated by a blank line) and bullet lists (lines "
        f"starting with '- '); no Markdown or HTML; at most {MAX_TEXT:,} characters",
        json_schema_extra={"minLength": 1, "maxLength": MAX_TEXT},
    ),
]


class ReviewRequest(Frozen):
    """Evidence the assessor asked the client for on review: of whom, what, by when."""

    who: NonEmpty
    what: NonEmpty
    due: dt.date


class QuestionDecision(Frozen):
    """The assessor's decision on a claim the repositories disagree with (``assess review``):
    accept the evidence (the question is scored at ``level``), uphold the claim (with the
    justification in ``reason``) or request evidence from the client (``request``)."""

    decision: Literal["accept", "uphold", "request"]
    reason: str = ""
    by: NonEmpty
    at: dt.datetime | None = None
    level: float | None = Field(
        default=None, ge=LEVEL_MIN, le=LEVEL_MAX, description="accept: the level taken"
    )
    request: ReviewRequest | None = Field(default=None, description="request: what is asked")

    @model_validator(mode="after")
    def _fields_fit_decision(self) -> QuestionDecision:
        if self.decision == "uphold" and not self.reason.strip():
            raise ValueError("an 'uphold' decision needs a 'reason' (the justification)")
        if (self.decision == "accept") != (self.level is not None):
            raise ValueError("give 'level' (the level taken) exactly for an 'accept' decision")
        if (self.decision == "request") != (self.request is not None):
            raise ValueError("give 'request' (who, what, due) exactly for a 'request' decision")
        return self


class FindingDecision(Frozen):
    """A finding the assessor waived as a false positive: it no longer counts in this
    engagement, and is listed as waived with the reason."""

    decision: Literal["waive"]
    reason: NonEmpty
    by: NonEmpty
    at: dt.datetime | None = None

    @field_validator("reason")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("a waiver needs a 'reason'")
        return v


class Review(Frozen):
    """``review:`` in the engagement file: the assessor's decisions, by question id and by
    finding key (``assess.reconcile.finding_key``: rule, repository and path, stable across
    rescans)."""

    questions: dict[QuestionId, QuestionDecision] = Field(default_factory=dict)
    findings: dict[NonEmpty, FindingDecision] = Field(default_factory=dict)


class Engagement(Frozen):
    """An engagement file: pack reference, context answers, answers per question and the
    assessor's own words (an executive summary and observations per area)."""

    pack: PackRef
    assessment: AssessmentInfo = AssessmentInfo()
    branding: Branding | None = None
    context: dict[str, ContextValue] = Field(default_factory=dict)
    answers: dict[str, list[Answer]] = Field(
        default_factory=dict,
        description="per question id, one answer or a list of answers (one per respondent)",
    )
    modules: list[Slug] = Field(
        default_factory=list,
        description="pack modules chosen for this engagement (--module); modules the context "
        "selects are computed, not stored",
    )
    respondents: dict[str, RespondentInfo] = Field(
        default_factory=dict, description="per respondent name, the role they answer for"
    )
    evidence_policy: EvidencePolicy = Field(
        default=EvidencePolicy.balanced,
        description="balanced: a claim no scanned repository shows keeps its level, with lower "
        "confidence and an evidence request; strict: it is capped (overridden by "
        "--evidence-policy)",
    )
    capacity_weeks_per_quarter: PositiveNumber | None = Field(
        default=None,
        description="person-weeks per quarter the client's team can give to the roadmap; "
        "default: the pack's, from the team size",
    )
    evidence_scope: dict[Slug, list[str]] | None = Field(
        default=None,
        description="per area id, the scanned repositories (as given to the scan, or their "
        "folder name) whose absence of evidence counts; an empty list: none does. Areas not "
        "listed: every scanned repository",
    )

    executive_summary: AssessorText | None = Field(
        default=None,
        description="the assessor's summary, printed in the report's executive summary: plain "
        "paragraphs and '- ' bullet lists, no Markdown or HTML",
    )
    observations: dict[str, AssessorText] = Field(
        default_factory=dict,
        description="per area id, the assessor's observations, printed in that area's chapter: "
        "plain paragraphs and '- ' bullet lists, no Markdown or HTML",
    )
    review: Review = Field(
        default_factory=Review, description="the assessor's review decisions (assess review)"
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
    prompt = "prompt"  # something to ask in the interview: never evidence, never caps a level


class Strength(StrEnum):
    """How strong a finding is: a file that exists < a dependency < code using it < a CI step
    that runs it (ML Test Score: automated beats documented)."""

    file = "file"
    dependency = "dependency"
    code = "code"
    ci = "ci"


# --------------------------------------------------------------------------- scan rules
# The pack's ``rules/<area>.yaml`` files; ``assess.scan.rules`` loads and checks them.

RuleId = Annotated[
    str, Field(pattern=r"^[a-z]+/[a-z0-9]+(-[a-z0-9]+)*$", description="<area>/<kebab-slug>")
]


class ContentMatch(Frozen):
    """A regex over chosen files. The finding is the first line ``pattern`` matches, in a file
    none of the ``exclude`` globs names and in which every ``also`` regex matches some line
    (another section of a model card, the orchestrator decorator around an extraction)."""

    files: tuple[str, ...] = Field(min_length=1, description="globs of files to read")
    exclude: tuple[str, ...] = Field(
        default=(), description="globs of files not to count (tests, fixtures)"
    )
    pattern: NonEmpty = Field(description="Python regex, matched per line")
    also: tuple[NonEmpty, ...] = Field(
        default=(), description="regexes that must each match some line of the same file"
    )

    @property
    def patterns(self) -> tuple[str, ...]:
        return (self.pattern, *self.also)

    @field_validator("also")
    @classmethod
    def _also_compiles(cls, also: tuple[str, ...]) -> tuple[str, ...]:
        from assess.scan.literals import nested_repeat

        for pattern in also:
            try:
                compiled = re.compile(pattern, re.MULTILINE)
            except re.error as exc:
                raise ValueError(f"invalid regex {pattern!r}: {exc}") from None
            if compiled.fullmatch(""):
                raise ValueError(f"{pattern!r} matches an empty line, so every file has it")
            if nested_repeat(pattern):
                raise ValueError(f"{pattern!r} repeats a repetition (exponential on long lines)")
        return also


class YamlKeyMatch(Frozen):
    files: tuple[str, ...] = Field(min_length=1)
    key: NonEmpty = Field(description="dotted key path, e.g. 'kind' or 'spec.predictor'")
    equals: tuple[str, ...] = Field(default=(), description="any of these values (empty: any)")


class CiStepMatch(Frozen):
    pattern: NonEmpty = Field(description="regex over the commands CI steps run")


class ItemShape(Frozen):
    under: NonEmpty = Field(
        description="dotted path to a list ('steps', 'runs.steps'); '**.steps' at any depth"
    )
    keys: tuple[str, ...] = Field(min_length=1, description="an item of it has one of these keys")


class YamlShape(Frozen):
    """What a YAML document looks like: every condition given must hold."""

    has: tuple[str, ...] = Field(default=(), description="dotted paths that must all exist")
    has_any: tuple[str, ...] = Field(default=(), description="at least one of these must exist")
    items: ItemShape | None = None
    values: dict[str, str] = Field(
        default_factory=dict,
        description="dotted path -> regex one of its values (or list items) must match",
    )

    @model_validator(mode="after")
    def _not_empty(self) -> YamlShape:
        if not (self.has or self.has_any or self.items or self.values):
            raise ValueError("a shape needs has, has_any, items or values")
        return self


class ShapeMatch(Frozen):
    files: tuple[str, ...] = Field(min_length=1, description="globs of YAML files to look at")
    exclude: tuple[str, ...] = Field(
        default=(), description="globs of files not to count (another rule's files, tests)"
    )
    any_of: tuple[YamlShape, ...] = Field(min_length=1, description="the document has one of")


class Match(Frozen):
    """Exactly one way of matching."""

    paths: tuple[str, ...] = ()
    dependencies: tuple[str, ...] = ()
    content: ContentMatch | None = None
    yaml_key: YamlKeyMatch | None = None
    ci_step: CiStepMatch | None = None
    ci_config: bool = Field(default=False, description="every CI file (the pack's ci.yaml)")
    shape: ShapeMatch | None = None
    check: Slug | None = Field(default=None, description="a check written in Python")

    @model_validator(mode="after")
    def _exactly_one(self) -> Match:
        given = [k for k in MATCH_TYPES if getattr(self, k)]
        if len(given) != 1:
            raise ValueError(f"give exactly one matcher, got {given or 'none'}")
        return self

    @property
    def type(self) -> str:
        for k in MATCH_TYPES:
            if getattr(self, k):
                return k
        raise AssertionError("validated to have one matcher")


MATCH_TYPES = (
    "paths", "dependencies", "content", "yaml_key", "ci_step", "ci_config", "shape", "check",
)  # fmt: skip


class Examples(Frozen):
    """Fixture files (path -> content) on which the rule must fire, and must not. A content of
    ``@zeros:N`` stands for N zero bytes (to test size limits without huge YAML)."""

    match: dict[str, str] = Field(min_length=1)
    no_match: dict[str, str] = Field(min_length=1)


class CommandStyle(StrEnum):
    yaml = "yaml"  # command lines under run/script/commands/... keys
    groovy = "groovy"  # sh/bat/powershell steps of a Jenkinsfile
    none = "none"  # recognised as CI; its commands are not read


class CiSystem(Frozen):
    """A CI system the scanner recognises, by file name or by what a file looks like. Files of
    any system are CI configuration for every CI rule (``ci_config``, ``ci_step``, and content
    rules reading the ``@ci`` files)."""

    id: Slug
    title: NonEmpty
    paths: tuple[str, ...] = Field(default=(), description="file globs that are this system's")
    shape: ShapeMatch | None = None
    content: ContentMatch | None = Field(
        default=None, description="code that defines a pipeline (CloudFormation, CDK, Terraform)"
    )
    commands: CommandStyle = CommandStyle.yaml
    includes: bool = Field(
        default=False,
        description="YAML files it includes (Azure 'template:', GitLab 'include: local') count "
        "as this system's files too",
    )
    examples: Examples

    @model_validator(mode="after")
    def _recognisable(self) -> CiSystem:
        if not (self.paths or self.shape or self.content):
            raise ValueError("give paths, shape or content")
        return self


class Rule(Frozen):
    id: RuleId
    title: NonEmpty
    kind: RuleKind = RuleKind.positive
    questions: tuple[QuestionId, ...] = ()
    level: Level = Field(description="level the evidence supports (negative: the level it caps)")
    remediation: str = ""
    match: Match
    examples: Examples | None = Field(
        default=None, description="test fixtures: every rule of a shipped pack has them"
    )

    @property
    def area(self) -> str:
        return self.id.split("/", 1)[0]


class CiSystemFile(Frozen):
    """``ci.yaml``: the CI systems a scan recognises, tried in this order."""

    systems: tuple[CiSystem, ...] = Field(min_length=1)


class RuleFile(Frozen):
    """``rules/<area>.yaml``: the scan rules of one area."""

    area: Slug
    rules: tuple[Rule, ...] = Field(min_length=1)


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
    incomplete: str | None = Field(
        default=None,
        description="why the scan stopped before every rule ran (its time budget); what it "
        "did not reach is unknown, not absent",
    )
    areas: dict[str, tuple[Finding, ...]]


class ScanFailure(Frozen):
    """A repository that could not be scanned (the others still are)."""

    source: str = Field(description="the repository as given (path or URL)")
    message: str = Field(description="why, in one line")


class PortfolioRow(Frozen):
    """One area across every scanned repository (``assess.scan.portfolio``)."""

    area: str
    title: str
    repos: int = Field(description="repositories scanned")
    repos_with_practice: int = Field(description="repos with at least one positive finding")
    repos_with_problems: int = Field(description="repos with at least one negative finding")
    share: float = Field(description="repos_with_practice / repos, 0-1 (0 with no repos)")
    top_rules: tuple[tuple[str, int], ...] = Field(
        description="the 3 positive rules found in most repos: (rule id, repos), most first"
    )


class Evidence(Frozen):
    """The evidence file ``assess scan --format json`` writes and score/report read."""

    schema_version: Literal[1] = 1
    tool_version: str
    pack_id: str
    pack_version: str
    repos: tuple[RepoScan, ...]
    failed: tuple[ScanFailure, ...] = Field(
        default=(), description="repositories that could not be scanned, in input order"
    )


# --------------------------------------------------------------------------- result


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
    """One of the biggest risks for the executive summary: a high-risk practice far from its
    target, stated as what is true today."""

    question_id: str
    area: str
    statement: str = Field(description="the text of the choice at the scored level")
    current_level: float
    target: int
    priority: float


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
    assumed: tuple[str, ...] = Field(
        default=(), description="context fields not recorded, assumed to match"
    )
    reason: str


class ControlRef(Frozen):
    framework: str
    name: str
    ref: str
    about: str
    verified: bool
    in_scope: bool = Field(description="the framework applies to this client")
    binding: bool = Field(description="binds this client; otherwise good practice only")


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
