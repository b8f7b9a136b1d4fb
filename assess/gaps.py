"""Gaps and the roadmap: pure functions from scored questions to a prioritised, phased plan.

A gap is an answered question whose (reconciled) level is below its area's target.

- Gap priority = (target - level) x question weight x area weight x risk factor (high 1.5,
  medium 1, low 0.6). A practice others depend on (``depends_on`` in the questions, plus the
  pack's ``roadmap.depends_on``) is raised to the priority of the most urgent gap that waits for
  it: the prerequisite is as urgent as what it unlocks.
- Steps: a gap is climbed one choice at a time, one roadmap item per step (current level ->
  next level). A step's action is the plan of the choice it starts from, its "done when" the
  text of the choice it reaches, its effort the pack's ``step_weeks`` for the question's effort
  class and that step (starting a practice costs less than automating it). The later steps of
  a practice depend on its earlier ones. A question answered "don't know" gets one item,
  "establish the current practice", owned like the practice (``establish_weeks``).
- Prerequisites between practices: a step up to level L comes after each practice it depends on
  reaches L (or that practice's own target, if lower), and after the item that establishes a
  prerequisite answered "don't know".
- Item priority = question weight x area weight x risk factor x the levels still to climb from
  the step's start (for an establish item: the whole target, as if the practice were absent),
  raised to the priority of any item that needs it.
- Capacity: person-weeks per quarter the team can give to the roadmap, from the engagement's
  ``capacity_weeks_per_quarter``, else the pack's default for the context's team size, else the
  pack's own default. A phase of m months holds capacity x m / 3 person-weeks.
- Packing: items are taken highest priority first (establish items before any step: they are
  cheap and the rest of the plan needs them), prerequisites always before what needs them,
  and each goes into the first phase where it starts after its prerequisites end, ends inside
  the phase (one person's effort; an item never sits in a phase shorter than its effort) and
  fits the phase's remaining capacity. An item that fits no phase, or whose prerequisite did
  not, goes to the "later" list, after the phases. The roadmap order is phase by phase, by start
  week, then by priority.

The biggest risks (``key_risks``, the executive summary and the email): what matters to the
client is what happens if a practice stays as it is, so a risk ranks by consequence, not by
roadmap priority.

- Candidates: every gap whose level is below ``risks.controlled_from`` (3, Automated: a practice
  enforced on every change is under control; what it lacks to its target is improvement, and
  the consequences are written for the levels below it).
- Score = risk factor (as above) x gap (target - level) x regulatory exposure. Exposure comes
  from what ``assess.compliance`` decided for this client: ``binding_high_risk`` (2) when the
  question backs a control that is applicable (a reference of a framework that applies binds
  the client) and the system is high-risk (``risks.high_risk_when`` matches the context with
  ``compliance.applies``: a high-risk AI system, or decisions about people; an unrecorded field
  counts as matching, as for the controls), ``binding`` (1.5) when it backs an applicable
  control otherwise, ``none`` (1) when it backs none. So a level-0 erasure gap of an EU credit
  model (1.5 x 3 x 2 = 9) outranks a level-2 CI gap (1.5 x 2 x 1 = 3). Ties: the higher gap
  priority, then the roadmap order.
- Spread: at most ``risks.per_area`` (2) of the ``risks.count`` (3) from one area, so the
  summary shows the client's exposure rather than one weak area three times.
- Statement: the question's ``consequence`` (its ``{client}`` filled in), then "Required by"
  the verified references that bind the client, of the controls its ``legal_basis`` names,
  grouped by framework; nothing when none binds. A pack question without a consequence is
  stated as where the practice stands.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assess.conditions import holds, known_context
from assess.model.engagement import ContextValue
from assess.model.pack import LATER, Choice, Pack, Question, Risk
from assess.model.result import (
    AreaScore,
    Capacity,
    Compliance,
    ControlStatus,
    EvidenceStatus,
    Gap,
    KeyRisk,
    QuestionResult,
    RoadmapItem,
    RoadmapPhase,
)
from assess.recommend import join_names

RISK_FACTOR = {Risk.high: 1.5, Risk.medium: 1.0, Risk.low: 0.6}
WEEKS_PER_MONTH = 52 / 12
MONTHS_PER_QUARTER = 3
EPS = 1e-9
EXAMPLES = re.compile(r"\s*\([^()]*\)")


def capacity_for(
    pack: Pack, context: dict[str, ContextValue], weeks_per_quarter: float | None
) -> Capacity:
    """The capacity to plan with, and where it comes from (a phrase the report prints)."""
    if weeks_per_quarter is not None:
        return Capacity(
            weeks_per_quarter=weeks_per_quarter,
            source="set in the engagement (capacity_weeks_per_quarter)",
        )
    cfg = pack.roadmap.capacity
    field = next((f for f in pack.context if f.id == cfg.context_field), None)
    answer = context.get(field.id) if field else None
    if field is not None and isinstance(answer, str) and answer in cfg.by_option:
        label = next((o.label for o in field.options if o.id == answer), answer)
        return Capacity(
            weeks_per_quarter=cfg.by_option[answer],
            source=f"the pack's default for {field.label or field.prompt}: {label}",
        )
    why = f" ({(field.label or field.prompt).lower()} not recorded)" if field else ""
    return Capacity(weeks_per_quarter=cfg.weeks_per_quarter, source=f"the pack's default{why}")


@dataclass(frozen=True)
class Plan:
    """The gaps and the roadmap made from them (see the module docstring)."""

    gaps: tuple[Gap, ...]
    items: tuple[RoadmapItem, ...]
    phases: tuple[RoadmapPhase, ...]
    capacity: Capacity

    @property
    def later(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.items if i.phase == LATER)


def plan(
    pack: Pack,
    results: Sequence[QuestionResult],
    areas: Sequence[AreaScore],
    capacity: Capacity,
) -> Plan:
    """Every gap (highest priority first) and the roadmap items, packed into the phases."""
    area_by_id = {a.id: a for a in areas}
    result_by_id = {r.id: r for r in results}
    target = {r.id: area_by_id[r.area].target for r in results if r.area in area_by_id}
    raw: dict[str, dict[str, Any]] = {}
    base: dict[str, float] = {}
    items: dict[str, dict[str, Any]] = {}
    steps_of: dict[str, list[str]] = {}
    for r in results:
        q = pack.question(r.id)
        area = pack.area(r.area)
        if q is None or area is None or r.id not in target:
            continue
        owner = pack.role_title(q.owner or area.owner)
        weight = q.weight * area.weight * RISK_FACTOR[q.risk]
        if r.status == "dont_know":
            item = _item(q, owner, None, None, pack.roadmap.establish_weeks)
            items[item["id"]] = {
                **item,
                "action": establish_action(q),
                "done_when": "The practice is answered with its evidence, and its steps to the "
                "target are planned.",
                "priority": weight * target[q.id],
            }
            steps_of[q.id] = [item["id"]]
            continue
        if r.level is None or r.level >= target[q.id] or not r.plan:
            continue
        steps = _steps(q, r.level, target[q.id])
        if not steps:
            continue
        for k, (lo, hi) in enumerate(steps):
            weeks = sum(pack.roadmap.step_weeks[q.effort][lo.level : hi.level])
            item = _item(q, owner, lo.level, hi.level, weeks)
            items[item["id"]] = {
                **item,
                "action": lo.plan,
                "done_when": hi.text,
                "priority": weight * (target[q.id] - (r.level if k == 0 else lo.level)),
                "depends_on": [f"{q.id}:{steps[k - 1][1].level}"] if k else [],
            }
        steps_of[q.id] = [f"{q.id}:{hi.level}" for _, hi in steps]
        gap = target[q.id] - r.level
        base[q.id] = gap * weight
        outcome = min(
            (c for c in q.choices if c.level >= target[q.id]),
            key=lambda c: c.level,
            default=q.choices[-1],
        )
        raw[q.id] = {
            "question_id": q.id,
            "area": q.area,
            "question": q.text,
            "current_level": r.level,
            "target": target[q.id],
            "gap": round(gap, 1),
            "risk": q.risk,
            "plan": steps[0][0].plan,
            "outcome": outcome.text,
            "owner": owner,
            "effort": q.effort,
            "weeks": sum(items[i]["weeks"] for i in steps_of[q.id]),
            "contradicted": bool(r.evidence and r.evidence.status is EvidenceStatus.contradicted),
        }
    _link_prerequisites(pack, items, steps_of, result_by_id, target)

    deps = {
        qid: tuple(d for d in q.depends_on if d in raw)
        for qid in raw
        if (q := pack.question(qid)) is not None
    }
    priority = _propagate(base, deps)
    item_deps = {i: tuple(x["depends_on"]) for i, x in items.items()}
    item_priority = _propagate({i: x["priority"] for i, x in items.items()}, item_deps)
    placed, phases = _pack(pack, items, item_deps, item_priority, capacity)
    order = {item_id: n for n, item_id in enumerate(placed, start=1)}
    roadmap_items = tuple(
        RoadmapItem.model_validate(
            {
                **items[i],
                "priority": round(item_priority[i], 2),
                "depends_on": item_deps[i],
                "phase": phase,
                "start_week": None if start is None else round(start, 2),
                "end_week": None if start is None else round(start + items[i]["weeks"], 2),
                "order": order[i],
            }
        )
        for i, (phase, start) in placed.items()
    )
    by_item = {i.id: i for i in roadmap_items}
    gaps = [
        Gap.model_validate(
            {
                **raw[qid],
                "priority": round(priority[qid], 2),
                "depends_on": deps[qid],
                "phase": by_item[steps_of[qid][0]].phase,
                "order": by_item[steps_of[qid][0]].order,
                "steps": tuple(steps_of[qid]),
            }
        )
        for qid in raw
    ]
    return Plan(
        gaps=tuple(sorted(gaps, key=lambda g: (-g.priority, g.order))),
        items=roadmap_items,
        phases=phases,
        capacity=capacity,
    )


def _item(q: Question, owner: str, lo: int | None, hi: int | None, weeks: int) -> dict[str, Any]:
    """The fields a roadmap item takes from its question (a step from lo to hi, or, without
    levels, the practice to establish)."""
    return {
        "id": f"{q.id}:{'establish' if hi is None else hi}",
        "question_id": q.id,
        "area": q.area,
        "kind": "establish" if hi is None else "step",
        "from_level": lo,
        "to_level": hi,
        "owner": owner,
        "effort": q.effort,
        "weeks": weeks,
        "depends_on": [],
    }


def establish_action(q: Question) -> str:
    """The action for a practice answered "don't know": the question, and the first evidence
    to ask for without its examples (file names and products the consultant recognises, not
    advice to the client: the plan texts name tools, fitted to the client)."""
    what = EXAMPLES.sub("", q.evidence[0]) if q.evidence else ""
    show = f" Ask to see {what}." if what else ""
    return f'Establish the current practice (answered "don\'t know"): "{q.text.strip()}"{show}'


def _steps(q: Question, level: float, target: int) -> list[tuple[Choice, Choice]]:
    """(from choice, to choice) for each step from the scored level to the target."""
    at_or_below = [c for c in q.choices if c.level <= level + EPS]
    cur = max(at_or_below, key=lambda c: c.level) if at_or_below else q.choices[0]
    out = []
    while cur.level < target:
        nxt = next((c for c in q.choices if c.level > cur.level), None)
        if nxt is None:
            break
        out.append((cur, nxt))
        cur = nxt
    return out


def _link_prerequisites(
    pack: Pack,
    items: dict[str, dict[str, Any]],
    steps_of: dict[str, list[str]],
    results: dict[str, QuestionResult],
    target: dict[str, int],
) -> None:
    """Add to each step the steps of its prerequisite practices it must wait for (not those
    an earlier step of the same practice already waits for)."""
    for qid, own in steps_of.items():
        q = pack.question(qid)
        waited: set[str] = set()
        for item_id in own:
            item = items[item_id]
            if item["kind"] != "step" or q is None:
                continue
            for dep in q.depends_on:
                r = results.get(dep)
                if r is None or dep not in steps_of:
                    continue
                if r.status == "dont_know":
                    reach = f"{dep}:establish"
                else:
                    need = min(item["to_level"], target[dep])
                    if r.level is not None and r.level >= need:
                        continue
                    reach = next(
                        (s for s in steps_of[dep] if items[s]["to_level"] >= need),
                        steps_of[dep][-1],
                    )
                if reach not in waited:
                    item["depends_on"].append(reach)
                    waited.add(reach)


def _pack(
    pack: Pack,
    items: dict[str, dict[str, Any]],
    deps: dict[str, tuple[str, ...]],
    priority: dict[str, float],
    capacity: Capacity,
) -> tuple[dict[str, tuple[str, float | None]], tuple[RoadmapPhase, ...]]:
    """Place each item in a phase (or later); the placements in roadmap order, and the phases."""
    windows = []
    months = 0
    for ph in pack.roadmap.phases:
        length = ph.months - months
        windows.append(
            (
                months * WEEKS_PER_MONTH,
                ph.months * WEEKS_PER_MONTH,
                capacity.weeks_per_quarter * length / MONTHS_PER_QUARTER,
            )
        )
        months = ph.months
    used = [0.0] * len(windows)
    where: dict[str, tuple[int | None, float | None]] = {}
    end: dict[str, float] = {}
    for item_id in _by_priority(items, deps, priority):
        weeks = items[item_id]["weeks"]
        if any(where[d][0] is None for d in deps[item_id]):
            where[item_id] = (None, None)
            continue
        earliest = max((end[d] for d in deps[item_id]), default=0.0)
        where[item_id] = (None, None)
        for k, (lo, hi, cap) in enumerate(windows):
            start = max(lo, earliest)
            if start + weeks <= hi + EPS and used[k] + weeks <= cap + EPS:
                used[k] += weeks
                where[item_id] = (k, start)
                end[item_id] = start + weeks
                break
    # roadmap order: phase by phase, by start week, then priority; later items last, in the
    # order they were taken
    taken = {i: n for n, i in enumerate(where)}
    last = len(windows)

    def position(i: str) -> tuple[int, float, float, int]:
        k, start = where[i]
        if k is None or start is None:
            return (last, 0.0, 0.0, taken[i])
        return (k, start, -priority[i], taken[i])

    ordered = sorted(where, key=position)
    ids = [ph.id for ph in pack.roadmap.phases]
    placed: dict[str, tuple[str, float | None]] = {}
    for i in ordered:
        at, begins = where[i]
        placed[i] = (LATER, None) if at is None else (ids[at], begins)
    phases = []
    start_month = 0
    for n, ph in enumerate(pack.roadmap.phases):
        phases.append(
            RoadmapPhase(
                id=ph.id,
                title=ph.title,
                start_month=start_month,
                end_month=ph.months,
                items=tuple(i for i in ordered if where[i][0] == n),
                capacity_weeks=round(windows[n][2], 1),
                planned_weeks=round(used[n], 1),
            )
        )
        start_month = ph.months
    return placed, tuple(phases)


def _by_priority(
    items: dict[str, dict[str, Any]], deps: dict[str, tuple[str, ...]], priority: dict[str, float]
) -> list[str]:
    """Every item: the establish items first (cheap, and the plan needs them), then the highest
    priority first among those whose prerequisites came before (Kahn); ties: the lower starting
    level, then the id."""
    waiting = {i: set(ds) for i, ds in deps.items()}
    dependents: dict[str, list[str]] = {i: [] for i in deps}
    for i, ds in deps.items():
        for d in ds:
            dependents[d].append(i)

    def key(i: str) -> tuple[bool, float, int, str]:
        lo = items[i]["from_level"]
        return (lo is not None, -priority[i], -1 if lo is None else lo, i)

    ready = [key(i) for i, ds in waiting.items() if not ds]
    heapq.heapify(ready)
    out: list[str] = []
    while ready:
        *_, i = heapq.heappop(ready)
        out.append(i)
        for d in dependents[i]:
            waiting[d].discard(i)
            if not waiting[d]:
                heapq.heappush(ready, key(d))
    return out


def key_risks(
    pack: Pack,
    gaps: Sequence[Gap],
    compliance: Compliance | None,
    context: dict[str, ContextValue],
) -> tuple[KeyRisk, ...]:
    """The biggest risks (the module docstring gives the rule), each stated as the question's
    consequence, followed by the references that make it binding for this client."""
    cfg = pack.risks
    # a "not known" answer counts as not recorded, so as matching, as in compliance
    known = known_context(pack, context)[0]
    high_risk = bool(cfg.high_risk_when) and holds(cfg.high_risk_when, known)[0]
    binding = {
        c.id: c for c in (compliance.controls if compliance else ()) if c.applicability.applicable
    }
    client = str(context.get("client_name") or "") or "the organisation"
    scored = []
    for g in gaps:
        q = pack.question(g.question_id)
        if q is None or g.current_level >= cfg.controlled_from:
            continue
        # the controls the consequence cites are the ones that weigh: one set for both
        bound = any(cid in binding for cid in q.legal_basis)
        exposure = (
            cfg.exposure.none
            if not bound
            else cfg.exposure.binding_high_risk
            if high_risk
            else cfg.exposure.binding
        )
        score = RISK_FACTOR[q.risk] * (g.target - g.current_level) * exposure
        scored.append((score, exposure, g, q))
    out: list[KeyRisk] = []
    per_area: dict[str, int] = {}
    for score, exposure, g, q in sorted(scored, key=lambda s: (-s[0], -s[2].priority, s[2].order)):
        if len(out) == cfg.count:
            break
        if per_area.get(g.area, 0) == cfg.per_area:
            continue
        per_area[g.area] = per_area.get(g.area, 0) + 1
        consequence = (
            _sentence(q.consequence.format(client=client))
            if q.consequence
            else _unstated(pack, q, g)
        )
        basis = _legal_basis(q, binding)
        required = f" Required by {join_names(basis)}." if basis else ""
        out.append(
            KeyRisk(
                question_id=g.question_id,
                area=g.area,
                statement=consequence + required,
                consequence=consequence,
                legal_basis=basis,
                current_level=g.current_level,
                target=g.target,
                priority=g.priority,
                exposure=exposure,
                score=round(score, 2),
            )
        )
    return tuple(out)


def _sentence(text: str) -> str:
    """A consequence as printed: one line, starting with a capital (a field may open it)."""
    text = " ".join(text.split())
    return text[:1].upper() + text[1:]


def _unstated(pack: Pack, q: Question, g: Gap) -> str:
    """For a pack whose question has no consequence: where the practice stands."""
    name = pack.level_name(int(g.current_level))
    return (
        f'The practice asked about in "{" ".join(q.text.split())}" stays at level '
        f"{g.current_level:.1f} ({name}), below its target of {g.target}."
    )


def _legal_basis(q: Question, binding: dict[str, ControlStatus]) -> tuple[str, ...]:
    """The references that bind the client, of the controls the question names as its legal
    basis: one entry per framework, e.g. "GDPR (Art. 17; Art. 19; Art. 21)"; one not checked
    against the legal text is marked "(expected)", as the compliance chapter marks it, so the
    list is never shorter than the provisions the ranking weighed."""
    by_framework: dict[str, list[str]] = {}
    for cid in q.legal_basis:
        control = binding.get(cid)
        for ref in control.references if control else ():
            refs = by_framework.setdefault(ref.name, [])
            shown = ref.ref if ref.verified else f"{ref.ref} (expected)"
            if ref.binding and shown not in refs:
                refs.append(shown)
    checked_first = {
        n: sorted(r, key=lambda ref: ref.endswith("(expected)")) for n, r in by_framework.items()
    }
    return tuple(f"{name} ({'; '.join(refs)})" for name, refs in checked_first.items() if refs)


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
