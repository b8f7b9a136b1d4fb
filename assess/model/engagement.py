"""The engagement file: the client's context, its respondents' answers, the assessor's words
and the review decisions; ``assess.engagement`` loads it and checks it against the pack.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from assess.model.base import LEVEL_MAX, LEVEL_MIN, Frozen, NonEmpty, QuestionId, Slug
from assess.model.pack import EvidencePolicy, PositiveNumber
from assess.report.text import MAX_TEXT


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
