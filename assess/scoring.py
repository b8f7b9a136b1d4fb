"""Score an engagement: pure functions from (pack, engagement) to one ``Assessment``.

Rules (documented in the README too):

- A question's level is the level of the chosen choice. With several respondents, the pack's
  ``scoring.respondents`` rule combines them (lowest by default). When the engagement records
  respondents' roles (``respondents:``, from ``assess interview --role``) and any respondent
  whose role owns the question answered it with a level, only those answers are combined; the
  others are listed, marked as not counted.
- A question whose ``when`` gate rules it out counts as not applicable.
- A question of a module the engagement does not run (``interview.engine.modules_run``) is
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

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping, Sequence

from assess import __version__
from assess.compliance import assess_compliance
from assess.engagement import LoadedEngagement
from assess.gaps import capacity_for, key_risks, plan
from assess.interview.engine import applies, modules_run
from assess.interview.engine import in_scope as question_in_scope
from assess.model import (
    LEVEL_MAX,
    Answer,
    AnswerStatus,
    AreaScore,
    Assessment,
    Client,
    ContextType,
    ContextValue,
    Evidence,
    EvidencePolicy,
    EvidenceRequest,
    EvidenceStatus,
    ModuleScope,
    Overall,
    Pack,
    Question,
    QuestionResult,
    RepoScan,
    RespondentAnswer,
    RespondentRule,
    RuleKind,
    Source,
)
from assess.recommend import Fit, recommend
from assess.reconcile import confidence, reconcile, repo_id
from assess.review import all_findings, apply_review, merge_requests, waive
from assess.toolref import fitted


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


def assess(
    pack: Pack,
    loaded: LoadedEngagement,
    *,
    targets: dict[str, int] | None = None,
    rule: RespondentRule | None = None,
    evidence: Evidence | None = None,
    policy: EvidencePolicy | None = None,
    now: dt.datetime | None = None,
) -> Assessment:
    """Build the Assessment result. ``targets`` overrides the engagement's per-area targets,
    ``rule`` the pack's way of combining several respondents' answers, ``policy`` the
    engagement's evidence policy; ``evidence`` (from ``assess scan``) is reconciled with the
    answers."""
    eng = loaded.engagement
    rule = rule or pack.scoring.respondents
    policy = policy or eng.evidence_policy
    scanned = evidence.repos if evidence else ()
    repos = waive(scanned, eng.review)  # a waived finding counts nowhere in this engagement
    findings = all_findings(repos)
    run = modules_run(pack, eng)
    roles = {who: info.role for who, info in eng.respondents.items()}
    results = [
        score_question(q, (), rule).model_copy(update={"status": "not_in_scope"})
        if not question_in_scope(q, run)
        else reconcile(
            q,
            score_question(
                q, eng.answers.get(q.id, []), rule, roles, pack.owner_of(q), pack.role_title
            )
            if applies(q, eng, pack)
            # a question its `when` gate rules out counts as not applicable
            else score_question(q, (), rule).model_copy(update={"status": "not_applicable"}),
            pack.rules,
            findings,
            repos,
            policy=policy,
            in_scope=in_scope(repos, eng.evidence_scope, q.area),
        )
        for q in pack.questions
    ]
    review = None
    requests = evidence_requests(pack, results)  # the ones derived from not-evidenced claims
    if evidence is not None:  # review decisions are about evidence: none without it
        reviewed = apply_review(pack, results, eng.review, all_findings(scanned))
        results, review = reviewed.results, reviewed.summary
        requests = merge_requests(pack, requests, reviewed)
    area_targets = targets_for(pack, eng.context, targets)

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
                observations=eng.observations.get(area.id),
            )
        )

    roadmap = plan(
        pack, results, areas, capacity_for(pack, eng.context, eng.capacity_weeks_per_quarter)
    )
    recommendations = recommend(pack, eng.context, roadmap.gaps)
    # the one place plan texts enter the result: their catalog references, fitted to the client
    say = fitted(pack, Fit(pack, eng.context), recommendations)
    results = [r.model_copy(update={"plan": say(r.plan)}) if r.plan else r for r in results]
    gaps = tuple(g.model_copy(update={"plan": say(g.plan)}) for g in roadmap.gaps)
    items = tuple(i.model_copy(update={"action": say(i.action)}) for i in roadmap.items)
    overall = _overall(pack, areas)
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
            evidence_policy=policy,
            stage_share=pack.scoring.stage_share,
        ),
        info=eng.assessment,
        client=Client(
            name=str(eng.context.get("client_name") or ""),
            context=dict(eng.context),
            context_labels=context_labels(pack, eng.context),
        ),
        ladder=pack.ladder,
        overall=overall.model_copy(
            update={"confidence": confidence(results, overall.coverage, scanned=bool(repos))}
        ),
        areas=tuple(areas),
        questions=tuple(results),
        modules=tuple(
            ModuleScope(
                id=m.id,
                title=m.title,
                run=m.id in run,
                reason=run.get(m.id)
                or ("only when chosen (--module)" if not m.when else "its conditions do not hold"),
                questions=sum(1 for q in pack.questions if q.module == m.id),
            )
            for m in pack.modules
        ),
        repos=tuple(r.model_copy(update={"areas": {}}) for r in repos),
        gaps=gaps,
        evidence_requests=requests,
        risks=key_risks(pack, gaps),
        roadmap=roadmap.phases,
        roadmap_items=items,
        later=roadmap.later,
        capacity=roadmap.capacity,
        recommendations=recommendations,
        compliance=assess_compliance(
            pack,
            eng.context,
            results,
            # controls share the compliance area's ladder and target
            area_targets.get("compliance", (LEVEL_MAX - 1, ""))[0],
            repos,
        ),
        executive_summary=eng.executive_summary,
        review=review,
    )


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


def in_scope(
    repos: Sequence[RepoScan], scope: dict[str, list[str]] | None, area: str
) -> Sequence[RepoScan]:
    """The scanned repositories whose absence of evidence counts for ``area``: those the
    engagement's ``evidence_scope`` lists for it (by source as given or folder name), or all."""
    if scope is None or area not in scope:
        return repos
    wanted = {_repo_name(s) for s in scope[area]}
    return [r for r in repos if _repo_name(r.source) in wanted]


def _repo_name(source: str) -> str:
    """A repository's folder name: ``../repos/churn.git/`` and ``https://x/acme/churn`` ->
    ``churn``."""
    return repo_id(source).rsplit("/", 1)[-1]


def evidence_requests(pack: Pack, results: Sequence[QuestionResult]) -> tuple[EvidenceRequest, ...]:
    """One request per claim no scanned repository shows, in pack order: what to show comes
    from the question's ``evidence`` list."""
    out = []
    for r in results:
        if r.evidence is None or r.evidence.status is not EvidenceStatus.not_evidenced:
            continue
        q = pack.question(r.id)
        what = "; ".join(q.evidence) if q and q.evidence else "where this practice runs"
        out.append(EvidenceRequest(question=r.id, area=r.area, what=what, source="not_evidenced"))
    return tuple(out)


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
