"""Which questions and modules apply to an engagement: the pack's conditions evaluated
against the engagement's answers and context, for the interview and scoring alike.

- ``applies``: a question's ``when`` gate (a screening question answered at a level or with a
  choice; "don't know" keeps the question, unanswered or not applicable drops it).
- ``modules_run``: the modules an engagement runs, each with why: chosen for the engagement,
  selected by one of its ``when`` conditions (a context answer, a screening question answered
  at a level), or already answered by someone (an answer is never silently left out).
- ``in_scope``: the core is always in scope; a module's question when its module runs.
- ``holds`` / ``matches`` / ``known_context``: context conditions (compliance frameworks and
  controls, the high-risk rule); ``asked`` and ``effective_context``: a context field asked
  only when its ``asked_when`` matches, its ``otherwise`` answer holding when it is not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from assess.model.engagement import AnswerStatus, ContextValue, Engagement
from assess.model.pack import (
    ContextCondition,
    ContextField,
    Module,
    ModuleCondition,
    Pack,
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


def modules_run(pack: Pack, eng: Engagement) -> dict[str, str]:
    """The modules this engagement runs, in the pack's order, each with why."""
    out: dict[str, str] = {}
    for m in pack.modules:
        why = _why_run(pack, eng, m)
        if why is not None:
            out[m.id] = why
    return out


def _why_run(pack: Pack, eng: Engagement, m: Module) -> str | None:
    if m.id in eng.modules:
        return "chosen for this engagement"
    for cond in m.when:
        why = _condition_holds(pack, eng, cond)
        if why is not None:
            return why
    answered = [q.id for q in pack.questions if q.module == m.id and eng.answers.get(q.id)]
    if answered:
        return f"{len(answered)} of its questions answered"
    return None


def _condition_holds(pack: Pack, eng: Engagement, cond: ModuleCondition) -> str | None:
    if cond.context is not None:
        value = eng.context.get(cond.context)
        given = value if isinstance(value, list) else [value]
        hit = next((v for v in given if isinstance(v, str) and v in cond.values), None)
        if hit is None:
            return None
        f = next((f for f in pack.context if f.id == cond.context), None)
        label = (f.label or f.prompt) if f else cond.context
        option = next((o.label for o in f.options if o.id == hit), hit) if f else hit
        return f"{label}: {option}"
    gate = pack.question(cond.question or "")
    if gate is None or cond.min_level is None:
        return None
    for a in eng.answers.get(gate.id, []):
        c = gate.choice(a.choice or "")
        if c is not None and c.level >= cond.min_level:
            return f"{gate.id} answered at level {c.level}"
    return None


def in_scope(q: Question, run: Iterable[str]) -> bool:
    """The core is always in scope; a module's question when its module runs."""
    return q.module is None or q.module in run


# ------------------------------------------------------------------ context conditions


def matches(
    cond: ContextCondition, context: dict[str, ContextValue]
) -> tuple[bool, tuple[str, ...]]:
    """(matches, fields assumed because they were not recorded)."""
    assumed = []
    for field_id, accepted in cond.items():
        value = context.get(field_id)
        if value is None or value == [] or value == "":
            assumed.append(field_id)
        elif isinstance(value, list):
            if not set(value) & set(accepted):
                return False, ()
        elif value not in accepted:
            return False, ()
    return True, tuple(assumed)


def holds(
    conditions: Sequence[ContextCondition], context: dict[str, ContextValue]
) -> tuple[bool, tuple[str, ...]]:
    """Whether any condition set matches; an empty list always applies. A set that matches
    without assumptions wins over one that needs them."""
    if not conditions:
        return True, ()
    results = [matches(c, context) for c in conditions]
    hits = [assumed for ok, assumed in results if ok]
    if not hits:
        return False, ()
    return True, min(hits, key=len)


def known_context(
    pack: Pack, context: dict[str, ContextValue]
) -> tuple[dict[str, ContextValue], frozenset[str]]:
    """The context with answers that say "not known" removed (conditions then treat those
    fields as not recorded), and the ids of those fields."""
    unknown = {
        f.id for f in pack.context for o in f.options if o.unknown and context.get(f.id) == o.id
    }
    return {k: v for k, v in context.items() if k not in unknown}, frozenset(unknown)


def asked(f: ContextField, pack: Pack, context: dict[str, ContextValue]) -> bool:
    """Whether the interview asks context field ``f``: always, unless its ``asked_when``
    matches none of the answers so far (one not recorded, or "not known", still matches)."""
    return not f.asked_when or holds(f.asked_when, known_context(pack, context)[0])[0]


def effective_context(pack: Pack, context: dict[str, ContextValue]) -> dict[str, ContextValue]:
    """The context with the ``otherwise`` answer of each field that is not asked, in pack
    order (a later field's condition sees it), where none is recorded: a client whose models
    take no decisions about people takes no automated decisions about them either."""
    out = dict(context)
    for f in pack.context:
        if f.id not in out and f.otherwise is not None and not asked(f, pack, out):
            out[f.id] = f.otherwise
    return out
