"""Tool recommendations: pure ranking of the pack's tool catalog (``tools.yaml``) against the
client's gaps and context (the seed article's "top considerations": business outcomes,
compatibility with the environment, expertise).

1. Migrate: a tool the client runs that is deprecated or retired points to its successor.
2. Extend: a tool the client already runs that covers an area with gaps is recommended for
   further use (its catalog sentence for that area says how), never for adoption; those areas
   count as covered.
3. Adopt: the remaining areas with gaps are covered greedily by active tools the client does not
   run, that run on at least one of the client's clouds (every tool when no cloud is given).
   A tool's score is the sum of the gap priorities in the uncovered areas it covers, x 1.25 when
   it integrates with a tool the client runs, x an expertise fit: a team that prefers managed
   platforms gets managed services at 1.3, commercial software at 1, open-source at 0.9 / 0.7 /
   0.4 for low / medium / high expertise needed; a team at ease with open-source gets
   open-source at 1.3, managed at 0.9, commercial at 0.8. The best tool is taken, its areas are
   marked covered, and so on until every area with gaps is covered. Deprecated or retired tools
   are never candidates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from assess.model import (
    ContextValue,
    Expertise,
    Gap,
    Licence,
    Pack,
    Recommendation,
    RecommendationKind,
    Tool,
    ToolStatus,
)

MAX_ADOPT = 6
INTEGRATION_BONUS = 1.25
# a team that prefers managed platforms: by licence, open source further by expertise needed
FIT_MANAGED = {Licence.managed: 1.3, Licence.commercial: 1.0}
FIT_MANAGED_OPEN_SOURCE = {Expertise.low: 0.9, Expertise.medium: 0.7, Expertise.high: 0.4}
FIT_OPEN_SOURCE = {Licence.open_source: 1.3, Licence.managed: 0.9, Licence.commercial: 0.8}


def _ids(value: ContextValue) -> set[str]:
    return {str(v) for v in value} if isinstance(value, list) else set()


def expertise_fit(tool: Tool, preference: str | None) -> float:
    if preference == "managed":
        if tool.licence is Licence.open_source:
            return FIT_MANAGED_OPEN_SOURCE[tool.expertise]
        return FIT_MANAGED[tool.licence]
    if preference == "open_source":
        return FIT_OPEN_SOURCE[tool.licence]
    return 1.0


def _join(names: Sequence[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def recommend(
    pack: Pack, context: dict[str, ContextValue], gaps: Sequence[Gap]
) -> tuple[Recommendation, ...]:
    in_use = _ids(context.get("tools"))
    clouds = _ids(context.get("clouds"))
    preference = context.get("expertise")
    preference = preference if isinstance(preference, str) else None
    need: dict[str, float] = defaultdict(float)
    closes: dict[str, list[str]] = defaultdict(list)
    for g in gaps:
        need[g.area] += g.priority
        closes[g.area].append(g.question_id)
    # area titles inside a sentence: "model monitoring", but "CI/CD" stays as written
    title = {a.id: a.title if a.title[:2].isupper() else a.title.lower() for a in pack.areas}

    def rec(
        tool: Tool, kind: RecommendationKind, areas: list[str], score: float, reason: str
    ) -> Recommendation:
        areas = sorted(areas, key=lambda a: -need[a])
        return Recommendation(
            tool=tool.id,
            name=tool.name,
            vendor=tool.vendor,
            licence=tool.licence,
            kind=kind,
            areas=tuple(areas),
            closes=tuple(q for a in areas for q in closes[a]),
            actions=tuple(tool.capabilities[a] for a in areas),
            score=round(score, 2),
            reason=reason,
            url=tool.url,
        )

    out: list[Recommendation] = []
    covered: set[str] = set()
    for tool_id in sorted(in_use):
        tool = pack.tool(tool_id)
        if tool is None:
            continue
        if tool.status is not ToolStatus.active and tool.successor:
            successor = pack.tool(tool.successor)
            if successor is not None and successor.id not in in_use:  # else: extended below
                areas = [a for a in successor.capabilities if a in need]
                covered.update(areas)
                out.append(
                    rec(
                        successor,
                        RecommendationKind.migrate,
                        areas,
                        sum(need[a] for a in areas),
                        f"{tool.name} is {tool.status.value}; {successor.name} is its successor"
                        + (f" and covers {_join([title[a] for a in areas])}." if areas else "."),
                    )
                )
                in_use.add(successor.id)
            continue
        areas = [a for a in tool.capabilities if a in need]
        if areas:
            covered.update(areas)
            out.append(
                rec(
                    tool,
                    RecommendationKind.extend,
                    areas,
                    sum(need[a] for a in areas),
                    f"Build on {tool.name}, already in use, to close the gaps in "
                    f"{_join([title[a] for a in sorted(areas, key=lambda a: -need[a])])}.",
                )
            )

    out.sort(key=lambda r: (r.kind is not RecommendationKind.migrate, -r.score, r.tool))
    candidates = [
        t
        for t in pack.tools
        if t.status is ToolStatus.active
        and t.id not in in_use
        and (not clouds or clouds & set(t.clouds))
    ]
    adopted = 0
    while adopted < MAX_ADOPT:
        best: tuple[float, Tool, list[str]] | None = None
        for t in candidates:
            areas = [a for a in t.capabilities if a in need and a not in covered]
            if not areas:
                continue
            integrates = bool(in_use & set(t.integrates_with)) or any(
                (u := pack.tool(i)) is not None and t.id in u.integrates_with for i in in_use
            )
            score = sum(need[a] for a in areas) * expertise_fit(t, preference)
            score *= INTEGRATION_BONUS if integrates else 1.0
            # ties: the earlier catalog entry, so the ranking never depends on set order
            if best is None or score > best[0]:
                best = (score, t, areas)
        if best is None:
            break
        score, tool, areas = best
        covered.update(areas)
        candidates.remove(tool)
        adopted += 1
        out.append(
            rec(
                tool,
                RecommendationKind.adopt,
                areas,
                score,
                _why(tool, areas, pack, in_use, clouds, preference, title),
            )
        )
    return tuple(out)


def _why(
    tool: Tool,
    areas: list[str],
    pack: Pack,
    in_use: set[str],
    clouds: set[str],
    preference: str | None,
    title: dict[str, str],
) -> str:
    bits = [f"closes gaps in {_join([title[a] for a in areas])}"]
    cloud_labels = {o.id: o.label for f in pack.context if f.id == "clouds" for o in f.options}
    fits = sorted(clouds & set(tool.clouds)) if clouds else []
    if fits:
        bits.append("runs on " + _join([cloud_labels.get(c, c) for c in fits]))
    partners = sorted(
        (pack.tool(i) for i in in_use),
        key=lambda t: t.name if t else "",
    )
    linked = [
        t.name
        for t in partners
        if t is not None and (t.id in tool.integrates_with or tool.id in t.integrates_with)
    ]
    if linked:
        bits.append(f"works with {_join(linked)}, already in use")
    if preference == "managed" and tool.licence is Licence.managed:
        bits.append("a managed service suits a team that prefers vendor support")
    elif preference == "open_source" and tool.licence is Licence.open_source:
        bits.append("open source suits a team that runs its own tools")
    sentence = "; ".join(bits)
    return sentence[0].upper() + sentence[1:] + "."
