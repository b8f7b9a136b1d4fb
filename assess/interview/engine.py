"""What to ask next: pure functions over (pack, engagement), tested without a terminal.

The engagement is immutable; every change returns a new one that the session saves at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from assess.model import (
    Answer,
    AnswerStatus,
    Choice,
    ContextField,
    Engagement,
    Pack,
    PackRef,
    Question,
)


def applies(q: Question, eng: Engagement, pack: Pack) -> bool:
    """A question applies unless its ``when`` gate was answered otherwise.

    A gate answered "don't know" keeps the question (it cannot be ruled out); an unanswered or
    not-applicable gate drops it.
    """
    cond = q.when
    if cond is None:
        return True
    gate = pack.question(cond.question)
    if gate is None or not applies(gate, eng, pack):
        return False
    for a in eng.answers.get(cond.question, []):
        if a.status is AnswerStatus.dont_know:
            return True
        if a.status is AnswerStatus.answered and a.choice:
            choice = gate.choice(a.choice)
            if choice is None:
                continue
            if cond.choices and choice.id in cond.choices:
                return True
            if cond.min_level is not None and choice.level >= cond.min_level:
                return True
    return False


def applicable_questions(pack: Pack, eng: Engagement, area: str | None = None) -> list[Question]:
    return [q for q in pack.questions if (area is None or q.area == area) and applies(q, eng, pack)]


def answer_of(eng: Engagement, qid: str, respondent: str | None) -> Answer | None:
    return next((a for a in eng.answers.get(qid, []) if a.respondent == respondent), None)


def missing_context(pack: Pack, eng: Engagement) -> list[ContextField]:
    """Context fields not answered yet (a field answered with an empty list counts as done)."""
    return [f for f in pack.context if f.id not in eng.context]


def next_question(
    pack: Pack,
    eng: Engagement,
    respondent: str | None,
    *,
    area: str | None = None,
    skipped: Iterable[str] = (),
) -> Question | None:
    """The first applicable question this respondent has not answered or skipped."""
    skip = set(skipped)
    for q in applicable_questions(pack, eng, area):
        if q.id not in skip and answer_of(eng, q.id, respondent) is None:
            return q
    return None


def suggested_choice(q: Question, level: int) -> Choice | None:
    """The choice a suggested level preselects: the (first) choice at that level, else the
    highest below it (a pack whose ladder skips the level); None when every choice is above."""
    below = [c for c in q.choices if c.level <= level]
    return next(
        (c for c in below if c.level == level), max(below, key=lambda c: c.level, default=None)
    )


def set_answer(eng: Engagement, qid: str, answer: Answer) -> Engagement:
    """Record ``answer``, replacing the same respondent's earlier answer to ``qid``."""
    others = [a for a in eng.answers.get(qid, []) if a.respondent != answer.respondent]
    answers = dict(eng.answers)
    answers[qid] = [*others, answer]
    return eng.model_copy(update={"answers": answers})


def set_context(eng: Engagement, field_id: str, value: object) -> Engagement:
    context = dict(eng.context)
    context[field_id] = value  # type: ignore[assignment]
    return eng.model_copy(update={"context": context})


def prune(pack: Pack, eng: Engagement) -> tuple[Engagement, list[str]]:
    """Drop answers to questions that no longer apply (a gate answer changed)."""
    cleared = [
        qid
        for qid in eng.answers
        if (q := pack.question(qid)) is not None and not applies(q, eng, pack)
    ]
    if not cleared:
        return eng, []
    answers = {k: v for k, v in eng.answers.items() if k not in cleared}
    return eng.model_copy(update={"answers": answers}), cleared


@dataclass(frozen=True)
class Migration:
    engagement: Engagement
    removed: list[str]  # answered questions the new pack no longer has
    added: list[str]  # questions of the new pack not answered yet
    old_version: str


def migrate(pack: Pack, eng: Engagement) -> Migration:
    """Carry an engagement to another version of its pack: keep answers (and review decisions)
    on questions that still exist (dropping choices that no longer exist), report removed and
    new questions."""
    kept: dict[str, list[Answer]] = {}
    removed: list[str] = []
    for qid, answers in eng.answers.items():
        q = pack.question(qid)
        if q is None:
            removed.append(qid)
            continue
        valid = [
            a
            for a in answers
            if (a.status is not AnswerStatus.answered or (a.choice and q.choice(a.choice)))
            and (a.status is not AnswerStatus.not_applicable or q.not_applicable is not None)
        ]
        if len(valid) < len(answers):
            removed.append(qid)
        if valid:
            kept[qid] = valid
    added = [q.id for q in pack.questions if q.id not in kept]
    fields = {f.id for f in pack.context}
    context = {k: v for k, v in eng.context.items() if k in fields}
    decisions = {k: d for k, d in eng.review.questions.items() if pack.question(k) is not None}
    migrated = eng.model_copy(
        update={
            "pack": PackRef(id=pack.id, version=pack.version, path=eng.pack.path),
            "answers": kept,
            "context": context,
            "review": eng.review.model_copy(update={"questions": decisions}),
        }
    )
    return Migration(migrated, removed, added, eng.pack.version)


def progress(pack: Pack, eng: Engagement, respondent: str | None) -> tuple[int, int]:
    """(answered by this respondent, applicable) over the whole pack."""
    qs = applicable_questions(pack, eng)
    done = sum(1 for q in qs if answer_of(eng, q.id, respondent) is not None)
    return done, len(qs)


ANSWER_TEXT = {"dont_know": "don't know", "not_applicable": "not applicable"}
"""An answer without a level, as the terminal prints it."""


@dataclass(frozen=True)
class RespondentsSummary:
    counts: dict[str, int]  # respondent -> answers given
    # question -> [(respondent, answer)], the answer as "level 2 (choice_id)" or "don't know"
    disagreements: dict[str, list[tuple[str, str]]]
    confirmed: dict[str, int]  # respondent -> answers confirmed from scan findings


def respondents_summary(eng: Engagement, pack: Pack) -> RespondentsSummary:
    """Who answered how many questions, and where respondents gave different answers (another
    choice, or don't know beside a level), each answer with its level."""
    counts: dict[str, int] = {}
    confirmed: dict[str, int] = {}
    disagreements: dict[str, list[tuple[str, str]]] = {}
    for qid, answers in eng.answers.items():
        q = pack.question(qid)
        views = []
        for a in answers:
            who = a.respondent or "(unnamed)"
            counts[who] = counts.get(who, 0) + 1
            if a.from_evidence:
                confirmed[who] = confirmed.get(who, 0) + 1
            choice = q.choice(a.choice) if q and a.choice else None
            if choice is not None:
                said = f"level {choice.level} ({choice.id})"
            else:
                said = a.choice or ANSWER_TEXT.get(a.status.value, a.status.value)
            views.append((who, said))
        if len({v for _, v in views}) > 1:
            disagreements[qid] = views
    return RespondentsSummary(dict(sorted(counts.items())), disagreements, confirmed)
