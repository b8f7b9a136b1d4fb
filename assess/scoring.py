"""Scoring: each question's level from its answers, each area's level, stage, target, coverage
and confidence, the overall level and stage. Pure functions; ``assess.pipeline.assess``
composes them with the reconciliation, the review, the roadmap, compliance, the risks and the
recommendations into one ``Assessment``.

The rules of the whole result (documented in the README too):

- A question's level is the level of the chosen choice. With several respondents, the pack's
  ``scoring.respondents`` rule combines them (lowest by default). When the engagement records
  respondents' roles (``respondents:``, from ``assess interview --role``) and any respondent
  whose role owns the question answered it with a level, only those answers are combined; the
  others are listed, marked as not counted.
- A question whose ``when`` gate rules it out counts as not applicable.
- A question of a module the engagement does not run (``conditions.modules_run``) is
  "not in scope": out of every count and of coverage, never "unanswered".
- An area's level is the weighted mean (question weights) of its answered questions. "Don't
  know" and unanswered questions count against coverage but not in the mean; "not applicable"
  questions leave both. An area with no answered question has no level.
- Coverage is answered / applicable questions.
- An area's stage is the highest level the area has largely achieved: the highest level that
  at least the pack's ``scoring.stage_share`` (70% by default) of the weight of its
  answered questions reaches (``stage_of``). The mean is shown beside it: the stage says what
  most of the area does, the mean what its missing practices cost.
- The overall level is the weighted mean (area weights) of the scored areas; the overall stage
  is the weakest area's stage: the weakest link bounds the whole, as in Google's ML Test Score.
- Levels are rounded to one decimal in the result, so every output shows the same numbers.
- Targets: the area's default, raised or lowered by the chosen business goal (context options
  may carry ``targets``), then the engagement's ``targets`` field, then ``--target``.
- Scan evidence is reconciled with the answers first (``assess.reconcile``): a contradicted
  answer is scored at its cap; a claim no scanned repository shows ("not evidenced") keeps its
  level under the balanced evidence policy and is capped under the strict one, and either way
  becomes a request for evidence. The engagement's ``evidence_scope`` says which scanned
  repositories' silence counts per area. Gaps, the roadmap (``assess.gaps``) and tool
  recommendations (``assess.recommend``) follow from the reconciled levels.
- Plan texts name kinds of tool through catalog references (``{tools:orchestrator}``); they
  are resolved for the client once, when the result is built (``assess.toolref``), so every
  output prints the same fitted text.
- The assessor's own words (the engagement's ``executive_summary`` and ``observations`` per
  area) are carried into the result as written, so every output prints the same text.
- The assessor's review decisions (``assess.review``) apply with evidence: waived findings are
  removed before reconciliation, accepted, upheld and requested claims after it, before the
  areas, gaps and compliance are computed, so every output shows the reviewed levels.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence

from assess.conditions import applies
from assess.conditions import in_scope as question_in_scope
from assess.model.base import LEVEL_MAX
from assess.model.engagement import Answer, AnswerStatus, ContextValue, Engagement
from assess.model.evidence import RepoScan
from assess.model.pack import ContextType, Pack, Question, RespondentRule
from assess.model.result import (
    AreaScore,
    EvidenceStatus,
    Overall,
    QuestionResult,
    RespondentAnswer,
)
from assess.model.rules import RuleKind
from assess.reconcile import confidence


def _round(x: float) -> float:
    return round(x + 0.0, 1)


def score_question(
    q: Question,
    answers: Sequence[Answer],
    rule: RespondentRule,
    roles: Mapping[str, str | None] | None = None,
    owner: str | None = None,
    role_title: Callable[[str], str] = str,
) -> QuestionResult:
    """One question's result. ``roles`` (respondent -> role id) and ``owner`` (the question's
    owner role): when a respondent of that role answered with a level, only such answers are
    combined. ``role_title`` names a role for the result."""
    roles = roles or {}
    owning = {
        a.respondent
        for a in answers
        if owner is not None
        and a.respondent is not None
        and roles.get(a.respondent) == owner
        and a.status is AnswerStatus.answered
    }
    rows = []
    for a in answers:
        choice = q.choice(a.choice) if a.choice else None
        rows.append(
            RespondentAnswer(
                respondent=a.respondent,
                status=a.status,
                choice=a.choice,
                choice_text=choice.text if choice else None,
                level=choice.level if choice else None,
                reason=a.reason,
                note=a.note,
                from_evidence=a.from_evidence,
                role=role_title(r) if a.respondent and (r := roles.get(a.respondent)) else None,
                counted=not owning or a.respondent in owning,
                reconfirm=a.reconfirm,
            )
        )
    scored = [
        r for r in rows if r.status is AnswerStatus.answered and r.level is not None and r.counted
    ]
    level: float | None = None
    chosen = None
    if scored:
        levels = [r.level for r in scored if r.level is not None]
        if rule is RespondentRule.mean:
            level = _round(sum(levels) / len(levels))
        else:
            level = float(min(levels) if rule is RespondentRule.lowest else max(levels))
        # The plan shown is the next step from the weakest account unless "highest" was asked.
        pick = max if rule is RespondentRule.highest else min
        chosen = q.choice(pick(scored, key=lambda r: r.level or 0).choice or "")
        status = "answered"
    elif any(r.status is AnswerStatus.dont_know for r in rows):
        status = "dont_know"
    elif rows:
        status = "not_applicable"
    else:
        status = "unanswered"
    same_choice = len({r.choice for r in scored}) == 1
    # the spread is every account's, counted or not: a disagreement is still one
    levels_given = [
        r.level for r in rows if r.status is AnswerStatus.answered and r.level is not None
    ]
    return QuestionResult(
        id=q.id,
        area=q.area,
        text=q.text,
        weight=q.weight,
        risk=q.risk,
        status=status,
        level=level,
        choice=chosen.id if chosen and (same_choice or rule is not RespondentRule.mean) else None,
        choice_text=chosen.text if chosen and same_choice else (chosen.text if chosen else None),
        plan=chosen.plan if chosen else None,
        answers=tuple(rows),
        spread=max(levels_given) - min(levels_given) if levels_given else 0,
    )


def targets_for(
    pack: Pack, context: dict[str, ContextValue], override: dict[str, int] | None = None
) -> dict[str, tuple[int, str]]:
    """Target level per area and where it comes from: the area's default, a chosen context
    option's ``targets`` (the business goal), the context's ``targets`` field, ``override``."""
    out = {a.id: (a.default_target, "pack default") for a in pack.areas}
    for f in pack.context:
        value = context.get(f.id)
        if f.type is ContextType.choice:
            option = next((o for o in f.options if o.id == value), None)
            if option is not None:
                label = f.label or f.prompt
                for area, level in option.targets.items():
                    out[area] = (level, f"{label.lower()}: {option.label}")
    for f in pack.context:
        value = context.get(f.id)
        if f.type is ContextType.targets and isinstance(value, dict):
            out.update({k: (v, "engagement") for k, v in value.items() if k in out})
    out.update({k: (v, "command line") for k, v in (override or {}).items() if k in out})
    return out


def context_labels(pack: Pack, context: dict[str, ContextValue]) -> dict[str, str]:
    """Readable context answers keyed by field label, for the report (client name excluded)."""
    out: dict[str, str] = {}
    for f in pack.context:
        value = context.get(f.id)
        if f.id == "client_name" or value is None or value == [] or value == "":
            continue
        labels = {o.id: o.label for o in f.options}
        if isinstance(value, bool):
            out[f.label or f.prompt] = "Yes" if value else "No"
        elif isinstance(value, list):
            out[f.label or f.prompt] = ", ".join(labels.get(v, v) for v in value)
        elif isinstance(value, dict):
            out[f.label or f.prompt] = ", ".join(f"{k} {v}" for k, v in value.items())
        else:
            out[f.label or f.prompt] = labels.get(str(value), str(value))
    return out


def question_results(
    pack: Pack, eng: Engagement, rule: RespondentRule, run: Mapping[str, str]
) -> list[QuestionResult]:
    """Every question's result from the answers alone, in pack order: "not in scope" when its
    module does not run, "not applicable" when its ``when`` gate rules it out."""
    roles = {who: info.role for who, info in eng.respondents.items()}
    return [
        score_question(q, (), rule).model_copy(update={"status": "not_in_scope"})
        if not question_in_scope(q, run)
        else score_question(
            q, eng.answers.get(q.id, []), rule, roles, pack.owner_of(q), pack.role_title
        )
        if applies(q, eng, pack)
        # a question its `when` gate rules out counts as not applicable
        else score_question(q, (), rule).model_copy(update={"status": "not_applicable"})
        for q in pack.questions
    ]


def score_areas(
    pack: Pack,
    results: Sequence[QuestionResult],
    area_targets: Mapping[str, tuple[int, str]],
    repos: Sequence[RepoScan],
    observations: Mapping[str, str],
) -> list[AreaScore]:
    """Each area's level, stage, target, gap, counts, coverage and confidence from its
    questions' (reconciled) results; ``repos``: the scanned repositories, whose findings each
    area lists; ``observations``: the assessor's words per area."""
    # (weight, level) of the answered questions per area (plain Python: importing pandas here
    # would cost every `assess report` a third of a second for five lines of arithmetic)
    scored: dict[str, list[tuple[float, float]]] = {}
    for r in results:
        if r.status == "answered" and r.level is not None:
            scored.setdefault(r.area, []).append((r.weight, r.level))
    mean_level = {
        area: sum(w * lv for w, lv in rows) / sum(w for w, _ in rows)
        for area, rows in scored.items()
    }
    counts: Counter[tuple[str, str]] = Counter((r.area, r.status) for r in results)

    areas: list[AreaScore] = []
    for area in pack.areas:

        def n(status: str, area_id: str = area.id) -> int:
            return counts[(area_id, status)]

        total = sum(n(s) for s in ("answered", "dont_know", "not_applicable", "unanswered"))
        level = _round(mean_level[area.id]) if area.id in mean_level else None
        applicable = total - n("not_applicable")
        target, target_source = area_targets[area.id]
        coverage = round(n("answered") / applicable, 3) if applicable else None
        own = [r for r in results if r.area == area.id]
        stage = stage_of(scored[area.id], pack.scoring.stage_share) if level is not None else None
        areas.append(
            AreaScore(
                id=area.id,
                title=area.title,
                description=area.description,
                weight=area.weight,
                level=level,
                stage_level=stage[0] if stage else None,
                stage=pack.level_name(stage[0]) if stage else None,
                share_at_stage=stage[1] if stage else None,
                share_at_next=stage[2] if stage else None,
                target=target,
                gap=_round(max(0.0, target - level)) if level is not None else None,
                target_source=target_source,
                questions=total,
                answered=n("answered"),
                dont_know=n("dont_know"),
                not_applicable=n("not_applicable"),
                unanswered=n("unanswered"),
                not_in_scope=n("not_in_scope"),
                coverage=coverage,
                confidence=confidence(own, coverage, scanned=bool(repos)),
                contradicted=sum(
                    1
                    for r in own
                    if r.evidence and r.evidence.status is EvidenceStatus.contradicted
                ),
                findings=tuple(
                    sorted(
                        (f for r in repos for f in r.areas.get(area.id, ())),
                        key=lambda f: (f.kind is not RuleKind.negative, f.rule, f.path),
                    )
                ),
                observations=observations.get(area.id),
            )
        )

    return areas


def stage_of(rows: Sequence[tuple[float, float]], share: float) -> tuple[int, float, float | None]:
    """An area's stage from its answered questions' (weight, level): the highest level that at
    least ``share`` of their weight reaches, the share of the weight at that level or above, and
    the share at the level above it (None at the top).

    The rule a consultant can say in one sentence: "at least 70% of this area's practices, by
    weight, are at Ad hoc or better, so the area is Ad hoc". It mirrors how process assessments
    rate a capability level: reached when it is largely achieved (ISO/IEC 33020, the SPICE
    family, rates an attribute "largely achieved" above 50% and "fully" above 85%), not when
    every practice is there. So an area where five of six practices are ad hoc and one is absent
    is Ad hoc, not Absent, while its mean (0.8) shows what the missing practice costs. Requiring
    every question (``share`` 1) would let one missing practice sink a whole area; a mean rounded
    down does the same more quietly. Level 0 is always reached, so an area with answers always
    has a stage."""
    total = sum(w for w, _ in rows)
    reached = [sum(w for w, lv in rows if lv >= level) / total for level in range(LEVEL_MAX + 1)]
    stage = max(level for level, r in enumerate(reached) if r >= share - 1e-9 or level == 0)
    above = round(reached[stage + 1], 3) if stage < LEVEL_MAX else None
    return stage, round(reached[stage], 3), above


def overall(pack: Pack, areas: Sequence[AreaScore]) -> Overall:
    """The weighted mean of the scored areas, the weakest area's stage, coverage and target."""
    scored = [a for a in areas if a.level is not None]
    answered = sum(a.answered for a in areas)
    applicable = sum(a.questions - a.not_applicable for a in areas)
    coverage = round(answered / applicable, 3) if applicable else None
    unscored = tuple(a.id for a in areas if a.level is None)
    if not scored:
        return Overall(
            level=None,
            stage_level=None,
            stage=None,
            limiting_areas=(),
            target=None,
            coverage=coverage,
            unscored_areas=unscored,
        )
    wsum = sum(a.weight for a in scored)
    level = _round(sum(a.weight * (a.level or 0.0) for a in scored) / wsum)
    stage_level = min(a.stage_level or 0 for a in scored)
    target = _round(sum(a.weight * a.target for a in areas) / sum(a.weight for a in areas))
    return Overall(
        level=level,
        stage_level=stage_level,
        stage=pack.level_name(stage_level),
        limiting_areas=tuple(a.id for a in scored if a.stage_level == stage_level),
        target=target,
        coverage=coverage,
        unscored_areas=unscored,
    )
