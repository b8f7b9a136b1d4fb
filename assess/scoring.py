"""Score an engagement: pure functions from (pack, engagement) to one ``Assessment``.

Rules (documented in the README too):

- A question's level is the level of the chosen choice. With several respondents, the pack's
  ``scoring.respondents`` rule combines them (lowest by default).
- A question whose ``when`` gate rules it out counts as not applicable.
- An area's level is the weighted mean (question weights) of its answered questions. "Don't
  know" and unanswered questions count against coverage but not in the mean; "not applicable"
  questions leave both. An area with no answered question has no level.
- Coverage is answered / applicable questions.
- The overall level is the weighted mean (area weights) of the scored areas; the overall stage
  is the ladder name of the weakest area's level, rounded down: the weakest link bounds the whole,
  as in Google's ML Test Score.
- Levels are rounded to one decimal in the result, and stages are taken from the rounded
  values, so every output shows the same numbers.
- Improvements: for each answered question below its area's target, the plan of the chosen
  choice, with impact = (target - level) x question weight x area weight, highest first.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Sequence

import pandas as pd

from assess import __version__
from assess.engagement import LoadedEngagement
from assess.interview.engine import applies
from assess.model import (
    Answer,
    AnswerStatus,
    AreaScore,
    Assessment,
    Client,
    ContextType,
    ContextValue,
    Evidence,
    Improvement,
    Overall,
    Pack,
    Question,
    QuestionResult,
    RespondentAnswer,
    RespondentRule,
    Risk,
    RuleKind,
    Source,
)

_RISK_RANK = {Risk.high: 0, Risk.medium: 1, Risk.low: 2}


def _round(x: float) -> float:
    return round(x + 0.0, 1)


def score_question(q: Question, answers: Sequence[Answer], rule: RespondentRule) -> QuestionResult:
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
            )
        )
    scored = [r for r in rows if r.status is AnswerStatus.answered and r.level is not None]
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
    )


def targets_for(pack: Pack, context: dict[str, ContextValue]) -> dict[str, int]:
    """Target level per area: the context's ``targets`` field, else each area's default."""
    given: dict[str, int] = {}
    for f in pack.context:
        value = context.get(f.id)
        if f.type is ContextType.targets and isinstance(value, dict):
            given.update(value)
    return {a.id: given.get(a.id, a.default_target) for a in pack.areas}


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


def assess(
    pack: Pack,
    loaded: LoadedEngagement,
    *,
    targets: dict[str, int] | None = None,
    rule: RespondentRule | None = None,
    evidence: Evidence | None = None,
    now: dt.datetime | None = None,
) -> Assessment:
    """Build the Assessment result. ``targets`` overrides the engagement's per-area targets,
    ``rule`` the pack's way of combining several respondents' answers; ``evidence`` (from
    ``assess scan``) is attached per area (reconciling it with answers is a later stage)."""
    eng = loaded.engagement
    rule = rule or pack.scoring.respondents
    results = [
        score_question(q, eng.answers.get(q.id, []), rule)
        if applies(q, eng, pack)
        # a question its `when` gate rules out counts as not applicable
        else score_question(q, (), rule).model_copy(update={"status": "not_applicable"})
        for q in pack.questions
    ]
    area_targets = {**targets_for(pack, eng.context), **(targets or {})}
    repos = evidence.repos if evidence else ()

    df = pd.DataFrame(
        [
            {"area": r.area, "weight": r.weight, "level": r.level, "status": r.status}
            for r in results
        ]
    )
    df["wl"] = df["weight"] * df["level"]
    sums = df[df["status"] == "answered"].groupby("area")[["wl", "weight"]].sum()
    mean_level = {str(k): float(v) for k, v in (sums["wl"] / sums["weight"]).items()}
    counts: Counter[tuple[str, str]] = Counter((r.area, r.status) for r in results)

    areas: list[AreaScore] = []
    for area in pack.areas:

        def n(status: str, area_id: str = area.id) -> int:
            return counts[(area_id, status)]

        total = sum(n(s) for s in ("answered", "dont_know", "not_applicable", "unanswered"))
        level = _round(mean_level[area.id]) if area.id in mean_level else None
        applicable = total - n("not_applicable")
        target = area_targets[area.id]
        improvements = sorted(
            (
                Improvement(
                    question_id=r.id,
                    area=r.area,
                    question=r.text,
                    current_level=r.level,
                    target=target,
                    risk=r.risk,
                    impact=_round((target - r.level) * r.weight * area.weight),
                    plan=r.plan,
                )
                for r in results
                if r.area == area.id and r.level is not None and r.plan and r.level < target
            ),
            key=lambda i: (-i.impact, _RISK_RANK[i.risk]),
        )
        areas.append(
            AreaScore(
                id=area.id,
                title=area.title,
                description=area.description,
                weight=area.weight,
                level=level,
                stage=pack.level_name(math.floor(level)) if level is not None else None,
                target=target,
                gap=_round(max(0.0, target - level)) if level is not None else None,
                questions=total,
                answered=n("answered"),
                dont_know=n("dont_know"),
                not_applicable=n("not_applicable"),
                unanswered=n("unanswered"),
                coverage=round(n("answered") / applicable, 3) if applicable else None,
                improvements=tuple(improvements),
                findings=tuple(
                    sorted(
                        (f for r in repos for f in r.areas.get(area.id, ())),
                        key=lambda f: (f.kind is not RuleKind.negative, f.rule, f.path),
                    )
                ),
            )
        )

    return Assessment(
        tool_version=__version__,
        generated_at=(now or dt.datetime.now(dt.UTC)).replace(microsecond=0),
        source=Source(
            pack_id=pack.id,
            pack_version=pack.version,
            pack_title=pack.title,
            engagement_file=loaded.path.name,
            engagement_sha256=loaded.sha256,
            respondents_rule=rule,
        ),
        info=eng.assessment,
        client=Client(
            name=str(eng.context.get("client_name") or ""),
            context=dict(eng.context),
            context_labels=context_labels(pack, eng.context),
        ),
        ladder=pack.ladder,
        overall=_overall(pack, areas),
        areas=tuple(areas),
        questions=tuple(results),
        repos=tuple(r.model_copy(update={"areas": {}}) for r in repos),
    )


def _overall(pack: Pack, areas: list[AreaScore]) -> Overall:
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
    lowest = min(a.level or 0.0 for a in scored)
    stage_level = math.floor(lowest)
    target = _round(sum(a.weight * a.target for a in areas) / sum(a.weight for a in areas))
    return Overall(
        level=level,
        stage_level=stage_level,
        stage=pack.level_name(stage_level),
        limiting_areas=tuple(a.id for a in scored if a.level == lowest),
        target=target,
        coverage=coverage,
        unscored_areas=unscored,
    )
