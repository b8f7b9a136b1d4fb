"""The pack: areas, questions and their choices, context, scoring and roadmap settings,
modules, roles, tools, compliance controls and frameworks, migrations. The models mirror the
pack's YAML files one to one (``extra="forbid"``: an unknown key is an error); ``assess.packs``
loads them and checks what spans files (ids that must exist).
"""

from __future__ import annotations

import datetime as dt
import itertools
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BeforeValidator, ConfigDict, Field, field_validator, model_validator

from assess.model.base import LEVEL_MAX, LEVEL_MIN, Frozen, Level, NonEmpty, QuestionId, Slug
from assess.model.rules import AreaTitle, ScanPack


class LadderLevel(Frozen):
    level: Level
    name: NonEmpty
    meaning: NonEmpty


class Area(AreaTitle):
    description: NonEmpty
    weight: float = Field(gt=0, default=1.0)
    owner: NonEmpty = Field(
        default="ML lead",
        description="role owning improvements in this area (a role id when the pack has roles)",
    )
    default_target: Level = 3


ContextCondition = dict[Slug, tuple[str | bool, ...]]
"""Context fields and the values any one of which matches; a field not recorded (or answered
"not known") counts as matching."""


class ContextOption(Frozen):
    id: Slug
    label: NonEmpty
    unknown: bool = Field(
        default=False,
        description="this answer says the fact is not known: a compliance condition on the field "
        "counts it as matching and names the assumption, as for a field not recorded",
    )
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
    asked_when: tuple[ContextCondition, ...] = Field(
        default=(),
        description="asked only when one of these matches the fields asked before it (e.g. "
        "automated decisions only when a model takes part in decisions about people)",
    )
    otherwise: str | bool | None = Field(
        default=None,
        description="the answer that holds when it is not asked (required with asked_when)",
    )

    @model_validator(mode="after")
    def _options_fit_type(self) -> ContextField:
        if bool(self.asked_when) != (self.otherwise is not None):
            raise ValueError("'asked_when' and 'otherwise' go together")
        has_options = self.type in (ContextType.choice, ContextType.multi)
        if has_options and not self.options:
            raise ValueError(f"a {self.type.value} field needs options")
        if not has_options and self.options:
            raise ValueError(f"a {self.type.value} field takes no options")
        ids = [o.id for o in self.options]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"duplicate option id {dup[0]!r}")
        if sum(o.unknown for o in self.options) > 1:
            raise ValueError("only one option may be the 'unknown' answer")
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


"""Context field id -> accepted values; every field of one condition must match. A list of
conditions applies when any of them does (an unrecorded field counts as matching, flagged as an
assumption)."""

CONSEQUENCE_FIELDS = {"client": 'the client\'s name ("the organisation" when not recorded)'}
"""The fields a question's ``consequence`` may name in braces, e.g. ``{client}``."""


class Exposure(Frozen):
    """How much a risk's regulatory exposure multiplies its score (assess/gaps.py key_risks)."""

    binding_high_risk: PositiveNumber = Field(
        default=2.0,
        description="the question backs a control a framework that applies to the client "
        "makes binding, and the system is high-risk (risks.high_risk_when)",
    )
    binding: PositiveNumber = Field(
        default=1.5, description="it backs a binding control; the system is not high-risk"
    )
    none: PositiveNumber = Field(default=1.0, description="it backs no binding control")


class RisksConfig(Frozen):
    """How the executive summary picks the biggest risks: score = the question's risk factor x
    its gap (target - level) x its regulatory exposure; at most ``per_area`` from one area."""

    count: Annotated[int, Field(gt=0)] = Field(default=3, description="how many to show")
    per_area: Annotated[int, Field(gt=0)] = Field(
        default=2, description="at most this many from one area"
    )
    high_risk_when: tuple[ContextCondition, ...] = Field(
        default=(),
        description="context conditions under which the client's system is high-risk (any "
        "matches; an unrecorded field counts as matching); none: never high-risk",
    )
    high_risk_means: str = Field(
        default="",
        description="what high_risk_when means, in words for the report's method section",
    )
    exposure: Exposure = Exposure()
    controlled_from: Level = Field(
        default=3,
        description="a practice at or above this level is enforced on every change and is "
        "not one of the biggest risks (the consequences describe the levels below it)",
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
    risks: RisksConfig = RisksConfig()
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
    consequence: str | None = Field(
        default=None,
        description="what happens to the client if the practice stays below its target: one "
        "or two complete sentences that read on their own (may name {client})",
    )
    legal_basis: tuple[str, ...] = Field(
        default=(),
        description="control ids (compliance/controls.yaml) listing this question whose binding "
        "references are cited after the consequence",
    )
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


def _verified(value: object) -> object:
    if value is False or isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(
        f"expected the date it was checked against the legal text (YYYY-MM-DD) or false, "
        f"got {value!r}"
    )


Verified = Annotated[
    dt.date | Literal[False],
    BeforeValidator(_verified),
    Field(
        description="the date it was checked against the legal text (YYYY-MM-DD), or false: "
        "client-facing text then shows it as expected, with its source"
    ),
]


class LegalRef(Frozen):
    ref: NonEmpty = Field(description="article or section as cited, e.g. 'Art. 5(1)(a)'")
    about: NonEmpty
    source: NonEmpty = Field(description="where the reference was read or comes from")
    verified: Verified
    applies_when: tuple[ContextCondition, ...] = Field(
        default=(), description="binds only in these cases (e.g. providers of high-risk AI)"
    )
    scope: str = Field(
        default="",
        description="whom or what it binds, in words ('solely automated decisions with legal "
        "effects'), shown when it does not bind the client; default: from applies_when",
    )


class RegulationDate(Frozen):
    date: dt.date
    event: NonEmpty
    source: NonEmpty = Field(description="where the date was read")
    verified: Verified


class Framework(Frozen):
    """A regulation mapped onto the controls (``compliance/frameworks/<id>.yaml``)."""

    id: Slug
    name: NonEmpty
    title: NonEmpty
    url: str = ""
    applies_when: tuple[ContextCondition, ...] = ()
    not_applicable: str = ""
    not_applicable_because: dict[Slug, NonEmpty] = Field(
        default_factory=dict,
        description="the reason shown when this context field of applies_when rules the "
        "framework out (e.g. personal_data: no personal data is used); else not_applicable",
    )
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


class Pack(ScanPack):
    """A loaded, cross-checked pack: ``pack.yaml``, its questions, scan rules, tools and
    compliance catalog (the scan's part, ``ScanPack``, first)."""

    title: str
    description: str
    ladder: tuple[LadderLevel, ...]
    areas: tuple[Area, ...]
    scoring: ScoringConfig
    roadmap: RoadmapConfig
    risks: RisksConfig = RisksConfig()
    context: tuple[ContextField, ...]
    roles: tuple[Role, ...] = ()
    modules: tuple[Module, ...] = ()
    questions: tuple[Question, ...]
    tools: tuple[Tool, ...] = ()
    tool_kinds: tuple[ToolKind, ...] = Field(
        default=(), description="the kinds of tool plan texts refer to (tools.yaml kinds)"
    )
    controls: tuple[Control, ...] = ()
    frameworks: tuple[Framework, ...] = ()
    lineage: LineageConfig | None = None

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
