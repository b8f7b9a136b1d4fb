"""What to ask next: pure functions over (pack, engagement), tested without a terminal.

The engagement is immutable; every change returns a new one that the session saves at once.

Scope: a question of the core (no ``module``) is always in scope; a module's questions are in
scope when the module runs (``modules_run``): chosen for the engagement (``Engagement.modules``,
``assess interview --module``), selected by one of its ``when`` conditions (a context answer, a
screening question answered at a level), or already answered by someone (an answer is never
silently left out of the score). Questions out of scope are neither asked nor scored ("not in
scope", never "unanswered"). The interview asks the core first, then each module in the pack's
order; ``role`` narrows it to the questions a role owns (``Pack.owner_of``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from assess.conditions import applies, asked, in_scope, modules_run
from assess.errors import InputError
from assess.model.base import LEVEL_MAX
from assess.model.engagement import Answer, AnswerStatus, Engagement, PackRef, RespondentInfo
from assess.model.pack import (
    Choice,
    ContextField,
    MigrationEntry,
    MigrationFile,
    Pack,
    Question,
)
from assess.validation import did_you_mean


def check_modules(pack: Pack, names: Iterable[str]) -> list[str]:
    """``--module`` names, checked against the pack; returned in the pack's order."""
    known = [m.id for m in pack.modules]
    for name in names:
        if name not in known:
            listed = ", ".join(known) if known else f"pack {pack.id} {pack.version} has none"
            raise InputError(
                f"unknown module {name!r}{did_you_mean(name, known)} (modules: {listed})",
                field="--module",
            )
    return [m for m in known if m in set(names)]


def check_role(pack: Pack, role: str) -> None:
    """A ``--role`` is one of the pack's roles, and owns at least one question."""
    known = [r.id for r in pack.roles]
    if not known:
        raise InputError(
            f"pack {pack.id} {pack.version} defines no roles; its owners are free text",
            field="--role",
        )
    if role not in known:
        raise InputError(
            f"unknown role {role!r}{did_you_mean(role, known)} (roles: {', '.join(known)})",
            field="--role",
        )
    if not any(pack.owner_of(q) == role for q in pack.questions):
        raise InputError(f"no question of the pack is owned by role {role!r}", field="--role")


def choose(
    pack: Pack,
    eng: Engagement,
    *,
    modules: Iterable[str] = (),
    respondent: str | None = None,
    role: str | None = None,
) -> Engagement:
    """Record modules chosen for the engagement and the role a respondent answers for."""
    chosen = check_modules(pack, [*eng.modules, *modules])
    respondents = dict(eng.respondents)
    if respondent is not None and role is not None:
        respondents[respondent] = RespondentInfo(role=role)
    return eng.model_copy(update={"modules": chosen, "respondents": respondents})


def role_of(eng: Engagement, respondent: str | None) -> str | None:
    info = eng.respondents.get(respondent) if respondent else None
    return info.role if info else None


def owned_by(pack: Pack, q: Question, role: str | None) -> bool:
    return role is None or pack.owner_of(q) == role


def applicable_questions(
    pack: Pack, eng: Engagement, area: str | None = None, *, role: str | None = None
) -> list[Question]:
    """The questions to ask, in order: in scope, not ruled out by a ``when`` gate, of ``area``
    and owned by ``role`` when given; the core first, then each module that runs."""
    run = modules_run(pack, eng)
    order = {m.id: i for i, m in enumerate(pack.modules)}
    asked = [
        q
        for q in pack.questions
        if (area is None or q.area == area)
        and in_scope(q, run)
        and owned_by(pack, q, role)
        and applies(q, eng, pack)
    ]
    return sorted(asked, key=lambda q: -1 if q.module is None else order.get(q.module, 0))


def answer_of(eng: Engagement, qid: str, respondent: str | None) -> Answer | None:
    return next((a for a in eng.answers.get(qid, []) if a.respondent == respondent), None)


def missing_context(pack: Pack, eng: Engagement) -> list[ContextField]:
    """Context fields to ask: not answered yet (an empty list counts as done) and asked on the
    answers so far (``asked_when``: no automated decisions about people asked once no model
    takes part in decisions about people)."""
    return [f for f in pack.context if f.id not in eng.context and asked(f, pack, eng.context)]


def next_question(
    pack: Pack,
    eng: Engagement,
    respondent: str | None,
    *,
    area: str | None = None,
    skipped: Iterable[str] = (),
    role: str | None = None,
) -> Question | None:
    """The first question this respondent has to re-confirm (an answer carried from an older
    pack version by an approximate mapping), else the first not answered, not skipped."""
    skip = set(skipped)
    asked = [q for q in applicable_questions(pack, eng, area, role=role) if q.id not in skip]
    for q in asked:
        a = answer_of(eng, q.id, respondent)
        if a is not None and a.reconfirm:
            return q
    for q in asked:
        if answer_of(eng, q.id, respondent) is None:
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
    removed: list[str]  # answered questions whose answers could not be carried
    added: list[str]  # questions of the new pack not answered yet
    old_version: str
    carried: list[str] = field(default_factory=list)  # new questions answered exactly as before
    reconfirm: list[str] = field(default_factory=list)  # new questions carried approximately
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (old question, why)


def migrate(pack: Pack, eng: Engagement, mapping: MigrationFile | None = None) -> Migration:
    """Carry an engagement to another version of its pack.

    With the pack's mapping from the engagement's version (``migrations/from-<old>.yaml``),
    each old question's answers go to the question it maps to, their choices renamed as it
    says: an exact mapping carries them as they are, an approximate one carries them with
    ``Answer.reconfirm`` set, so the interview asks them again first and the report marks them;
    a question mapped to nothing is listed as dropped, with the mapping's note. When several old
    questions feed one new question, an exact source wins, else the lowest level. A question the
    mapping does not name (or every question, without a mapping) keeps its answers when the new
    pack has the same id and choice. Answers that cannot be carried (a choice the new question
    lacks, not applicable where it no longer may be) are listed as removed."""
    old = eng.pack.version
    # new question -> respondent -> [((exact, -level), answer, "old question, choice")]
    taken: dict[str, dict[str | None, list[tuple[tuple[bool, int], Answer, str]]]] = {}
    removed: list[str] = []
    dropped: list[tuple[str, str]] = []
    for qid, answers in eng.answers.items():
        entry = mapping.questions.get(qid) if mapping else None
        if entry is not None and entry.to is None:
            dropped.append((qid, entry.note))
            continue
        target = pack.question(entry.to if entry and entry.to else qid)
        if target is None:
            removed.append(qid)
            continue
        exact = entry is None or entry.exact
        moved = [(a, _carry(a, target, entry)) for a in answers]
        if any(m is None for _, m in moved):
            removed.append(qid)
        for before, a in moved:
            if a is None:
                continue
            choice = target.choice(a.choice or "")
            rank = (exact, -(choice.level if choice else LEVEL_MAX + 1))
            was = f"{qid}, " + (
                f"choice {before.choice}"
                if before.choice
                else before.status.value.replace("_", " ")
            )
            taken.setdefault(target.id, {}).setdefault(a.respondent, []).append((rank, a, was))
    kept: dict[str, list[Answer]] = {}
    for qid, by in taken.items():
        for items in by.values():
            items.sort(key=lambda item: item[0], reverse=True)  # exact first, then the lowest
            (exact, _), best, was = items[0]
            if not exact:
                also = "".join(f"; also {w}" for _, _, w in items[1:])
                best = best.model_copy(
                    update={
                        "reconfirm": f"carried over from {old}: to re-confirm (was {was}{also}; "
                        "an approximate mapping)"
                    }
                )
            kept.setdefault(qid, []).append(best)
    kept = {q.id: kept[q.id] for q in pack.questions if q.id in kept}  # in the pack's order
    added = [q.id for q in pack.questions if q.id not in kept]
    fields = {f.id for f in pack.context}
    context = {k: v for k, v in eng.context.items() if k in fields}
    decisions = {k: d for k, d in eng.review.questions.items() if pack.question(k) is not None}
    roles = {r.id for r in pack.roles}
    migrated = eng.model_copy(
        update={
            "pack": PackRef(id=pack.id, version=pack.version, path=eng.pack.path),
            "answers": kept,
            "context": context,
            "review": eng.review.model_copy(update={"questions": decisions}),
            "modules": [m for m in eng.modules if pack.module(m) is not None],
            "respondents": {
                who: info if info.role in roles else RespondentInfo()
                for who, info in eng.respondents.items()
            },
        }
    )
    flagged = [qid for qid, items in kept.items() if any(a.reconfirm for a in items)]
    carried = [qid for qid in kept if qid not in flagged]
    return Migration(migrated, removed, added, old, carried, flagged, dropped)


def _carry(a: Answer, target: Question, entry: MigrationEntry | None) -> Answer | None:
    """``a`` as an answer to ``target``, its choice renamed by the mapping ``entry``; None when
    it cannot be (a choice the target lacks, not applicable where it no longer may be)."""
    if a.status is AnswerStatus.answered:
        choice = entry.new_choice(a.choice or "") if entry else a.choice or ""
        if target.choice(choice) is None:
            return None
        return a.model_copy(update={"choice": choice})
    if a.status is AnswerStatus.not_applicable and target.not_applicable is None:
        return None
    return a


def progress(
    pack: Pack, eng: Engagement, respondent: str | None, *, role: str | None = None
) -> tuple[int, int]:
    """(answered by this respondent and not to re-confirm, to ask) over the whole pack (the
    questions ``role`` owns, when given)."""
    qs = applicable_questions(pack, eng, role=role)
    done = sum(
        1 for q in qs if (a := answer_of(eng, q.id, respondent)) is not None and not a.reconfirm
    )
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
