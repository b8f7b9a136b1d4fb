"""Gaps and the roadmap: pure functions from scored questions to a prioritised, phased plan.

A gap is an answered question whose (reconciled) level is below its area's target.

- Priority = (target - level) x question weight x area weight x risk factor (high 1.5,
  medium 1, low 0.6). A practice others depend on (``depends_on`` in the questions, e.g. a model
  registry before automated deployment) is raised to the priority of the most urgent gap that
  waits for it: the prerequisite is as urgent as what it unlocks.
- Effort = the question's effort per level step (``effort_weeks`` in the pack's ``roadmap``)
  x the levels to climb. Owner = the question's owner, else its area's. Outcome = the text of the
  choice at the target level: what the team will be able to say when it is done.
- Phases (the pack's ``roadmap.phases``, e.g. first 90 days, 3-6 months, 6-12 months): gaps are
  split by priority rank into equal bands, one per phase; a gap then moves to at least the phase
  after each of its prerequisites (the last phase at most). The roadmap order is phase by phase,
  prerequisites always before the practices that depend on them, then by priority.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence

from assess.model import (
    AreaScore,
    EvidenceStatus,
    Gap,
    KeyRisk,
    Pack,
    QuestionResult,
    Risk,
    RoadmapPhase,
)

RISK_FACTOR = {Risk.high: 1.5, Risk.medium: 1.0, Risk.low: 0.6}


def find_gaps(
    pack: Pack, results: Sequence[QuestionResult], areas: Sequence[AreaScore]
) -> tuple[Gap, ...]:
    """Every gap, highest priority first, with its roadmap phase and order."""
    area_by_id = {a.id: a for a in areas}
    raw: dict[str, dict[str, object]] = {}
    base: dict[str, float] = {}
    for r in results:
        q = pack.question(r.id)
        area = pack.area(r.area)
        target = area_by_id[r.area].target
        if q is None or area is None or r.level is None or r.level >= target or not r.plan:
            continue
        gap = target - r.level
        base[q.id] = gap * q.weight * area.weight * RISK_FACTOR[q.risk]
        outcome = min(
            (c for c in q.choices if c.level >= target),
            key=lambda c: c.level,
            default=q.choices[-1],
        )
        raw[q.id] = {
            "question_id": q.id,
            "area": q.area,
            "question": q.text,
            "current_level": r.level,
            "target": target,
            "gap": round(gap, 1),
            "risk": q.risk,
            "plan": r.plan,
            "outcome": outcome.text,
            "owner": pack.role_title(q.owner or area.owner),
            "effort": q.effort,
            "weeks": pack.roadmap.effort_weeks[q.effort] * math.ceil(gap),
            "contradicted": bool(r.evidence and r.evidence.status is EvidenceStatus.contradicted),
        }
    deps = {
        qid: tuple(d for d in q.depends_on if d in raw)
        for qid in raw
        if (q := pack.question(qid)) is not None
    }
    priority = _propagate(base, deps)
    phase_of = _phases(priority, deps, len(pack.roadmap.phases))
    order = _order(priority, deps, phase_of)
    gaps = [
        Gap.model_validate(
            {
                **raw[qid],
                "priority": round(priority[qid], 2),
                "depends_on": deps[qid],
                "phase": pack.roadmap.phases[phase_of[qid]].id,
                "order": order.index(qid) + 1,
            }
        )
        for qid in raw
    ]
    return tuple(sorted(gaps, key=lambda g: (-g.priority, g.order)))


def key_risks(pack: Pack, gaps: Sequence[Gap], n: int = 3) -> tuple[KeyRisk, ...]:
    """The ``n`` biggest risks: high-risk gaps first, then by priority; each stated as the
    choice text at the scored level (for a capped answer, the level the evidence allows)."""
    rank = {Risk.high: 0, Risk.medium: 1, Risk.low: 2}
    out = []
    for g in sorted(gaps, key=lambda g: (rank[g.risk], -g.priority, g.order))[:n]:
        q = pack.question(g.question_id)
        if q is None:
            continue
        at_or_below = [c for c in q.choices if c.level <= g.current_level]
        now = max(at_or_below, key=lambda c: c.level) if at_or_below else q.choices[0]
        out.append(
            KeyRisk(
                question_id=g.question_id,
                area=g.area,
                statement=now.text,
                current_level=g.current_level,
                target=g.target,
                priority=g.priority,
            )
        )
    return tuple(out)


def roadmap(pack: Pack, gaps: Sequence[Gap]) -> tuple[RoadmapPhase, ...]:
    """The pack's phases with the gaps placed in each, in roadmap order."""
    out = []
    start = 0
    for phase in pack.roadmap.phases:
        items = sorted((g for g in gaps if g.phase == phase.id), key=lambda g: g.order)
        out.append(
            RoadmapPhase(
                id=phase.id,
                title=phase.title,
                start_month=start,
                end_month=phase.months,
                items=tuple(g.question_id for g in items),
            )
        )
        start = phase.months
    return tuple(out)


def _propagate(base: dict[str, float], deps: dict[str, tuple[str, ...]]) -> dict[str, float]:
    """Raise each prerequisite to the priority of the most urgent gap that (transitively) needs
    it."""
    priority = dict(base)
    changed = True
    while changed:  # the dependency graph is acyclic (checked when the pack loads)
        changed = False
        for qid, prereqs in deps.items():
            for p in prereqs:
                if priority[p] < priority[qid]:
                    priority[p] = priority[qid]
                    changed = True
    return priority


def _phases(
    priority: dict[str, float], deps: dict[str, tuple[str, ...]], n_phases: int
) -> dict[str, int]:
    depth: dict[str, int] = {}

    def deep(qid: str) -> int:
        if qid not in depth:
            depth[qid] = 1 + max((deep(p) for p in deps[qid]), default=0)
        return depth[qid]

    # equal priorities (a prerequisite takes its dependent's) rank prerequisites first
    ranked = sorted(priority, key=lambda q: (-priority[q], deep(q), q))
    band = {q: i * n_phases // len(ranked) for i, q in enumerate(ranked)}
    phase: dict[str, int] = {}

    def place(qid: str) -> int:
        if qid not in phase:
            after = max((place(p) + 1 for p in deps[qid]), default=0)
            phase[qid] = min(max(band[qid], after), n_phases - 1)
        return phase[qid]

    for qid in ranked:
        place(qid)
    return phase


def _order(
    priority: dict[str, float], deps: dict[str, tuple[str, ...]], phase: dict[str, int]
) -> list[str]:
    """Topological order (Kahn) taking the earliest phase, then the highest priority first."""
    waiting = {q: set(ps) for q, ps in deps.items()}
    dependents: dict[str, list[str]] = {q: [] for q in deps}
    for q, ps in deps.items():
        for p in ps:
            dependents[p].append(q)
    ready = [(phase[q], -priority[q], q) for q, ps in waiting.items() if not ps]
    heapq.heapify(ready)
    out: list[str] = []
    while ready:
        _, _, q = heapq.heappop(ready)
        out.append(q)
        for d in dependents[q]:
            waiting[d].discard(q)
            if not waiting[d]:
                heapq.heappush(ready, (phase[d], -priority[d], d))
    return out
