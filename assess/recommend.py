"""Tool recommendations: per area with gaps, the best-fitting tool from the pack's catalog
(``tools.yaml``) and up to two alternatives, judged against the client's context (the seed
article's "top considerations": business outcomes, compatibility with the environment,
expertise).

Who may be named at all:
- active tools only: a deprecated or retired tool is never recommended; one the client runs
  points to its successor (``migrate``), which then counts as in use;
- tools that run on one of the client's clouds (``clouds``), so never a managed service of a
  cloud it does not use; a service bound to one public cloud needs that cloud recorded;
- for a client that runs on premises only, self-hostable tools only: software it installs, or
  a managed service's on-premises edition (``self_hosted``).

Fit is judged per area, so a broad suite does not win by breadth alone:
- a tool the client runs (or migrates to) that covers the area comes first, as ``extend`` (or
  ``migrate``), never ``adopt``;
- other tools score the expertise fit (a team that prefers managed platforms: managed services
  1.3, commercial software 1, open source 0.9 / 0.7 / 0.4 for the low / medium / high expertise
  it needs; a team at ease with open source: open source 1.3, managed 0.9, commercial 0.8;
  otherwise 1), x 1.25 when it integrates with a tool in use or with the best fit already
  chosen for a more urgent area (tools that talk to each other, the seed's compatibility),
  / (1 + 0.25 x each other area it covers where a tool in use, that it does not integrate
  with, already works: adopting it for one area would set it against what the client runs, as
  a suite bought for its validation would against the client's ML platform). Breadth adds
  nothing: ties go to the earlier catalog entry (each section of the catalog lists its
  established tools first).
- The best is the first tool in use, else the highest score. The alternatives (up to two) are
  the next tools in use, then the next best; the second alternative is the best of the other
  kind (open source, or paid: managed or commercial) when neither option shown so far is, so an
  open-source best comes with a paid alternative where one fits, and the other way round.
  Each option says why it fits in one sentence and lists the area's gaps it closes.

A migration whose successor covers no area with gaps is listed once, after the areas.

``Fit`` holds these rules for one client; the plan texts' catalog references
(``assess.toolref``) rank the tools of a kind with it, so a plan and the recommendations never
disagree on who may be named.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence

from assess.model.engagement import ContextValue
from assess.model.pack import Expertise, Licence, Pack, Tool, ToolStatus
from assess.model.result import Gap, Recommendation, RecommendationKind

ALTERNATIVES = 2
INTEGRATION_BONUS = 1.25
OVERLAP_COST = 0.25
# a team that prefers managed platforms: by licence, open source further by expertise needed
FIT_MANAGED = {Licence.managed: 1.3, Licence.commercial: 1.0}
FIT_MANAGED_OPEN_SOURCE = {Expertise.low: 0.9, Expertise.medium: 0.7, Expertise.high: 0.4}
FIT_OPEN_SOURCE = {Licence.open_source: 1.3, Licence.managed: 0.9, Licence.commercial: 0.8}
PUBLIC_CLOUDS = {"aws", "azure", "gcp"}


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


def can_run(tool: Tool, clouds: set[str]) -> bool:
    """Whether the client can run the tool where it runs: on one of its clouds; a service
    bound to one public cloud only when that cloud is recorded; self-hostable tools only for a
    client on premises only."""
    if clouds == {"on_prem"}:
        return tool.self_hostable
    if clouds:
        return bool(clouds & set(tool.clouds))
    bound = tool.licence is Licence.managed and set(tool.clouds) <= PUBLIC_CLOUDS
    return not (bound and len(tool.clouds) == 1)


def join_names(names: Sequence[str], word: str = "and") -> str:
    """``A``, ``A and B``, ``A, B and C`` (or ``or``): names as a sentence lists them."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" {word} " + names[-1]


class Fit:
    """How well each tool of the catalog fits one client (the rules above): what it runs (a
    retired tool replaced by its successor), what it can run, and each tool's score for an
    area. ``assess.recommend`` and the plan texts' catalog references (``assess.toolref``)
    both rank tools with it, so they never disagree."""

    def __init__(self, pack: Pack, context: dict[str, ContextValue]) -> None:
        self.pack = pack
        self.clouds = _ids(context.get("clouds"))
        preference = context.get("expertise")
        self.preference = preference if isinstance(preference, str) else None
        # tools in use, a retired one replaced by its successor (kind migrate, with the reason)
        self.in_use: dict[str, tuple[RecommendationKind, str]] = {}
        self.migrations: list[tuple[Tool, Tool]] = []
        for tool_id in sorted(_ids(context.get("tools"))):
            tool = pack.tool(tool_id)
            if tool is None:
                continue
            if tool.status is ToolStatus.active:
                self.in_use[tool.id] = (RecommendationKind.extend, "")
            elif tool.successor and (successor := pack.tool(tool.successor)) is not None:
                self.migrations.append((tool, successor))
        for old, successor in self.migrations:
            if successor.id not in self.in_use:
                said = f"{old.name} is {old.status.value}; {successor.name} is its successor"
                self.in_use[successor.id] = (RecommendationKind.migrate, said)
        self.running = [t for t in pack.tools if t.id in self.in_use]
        # who may be named at all: active tools the client runs or can run
        self.usable = [
            t
            for t in pack.tools
            if t.status is ToolStatus.active and (t.id in self.in_use or can_run(t, self.clouds))
        ]

    def kind(self, t: Tool) -> RecommendationKind:
        """``extend`` (in use), ``migrate`` (the successor of a retired tool in use) or
        ``adopt``."""
        return self.in_use.get(t.id, (RecommendationKind.adopt, ""))[0]

    def runs(self, t: Tool) -> bool:
        """Whether the client runs the tool itself (not only the retired tool it replaces)."""
        return self.kind(t) is RecommendationKind.extend

    def integrates(self, t: Tool, stack: Sequence[Tool] = ()) -> list[str]:
        """The names of the tools in use, then of the best fits in ``stack``, it works with."""
        return [
            u.name
            for u in sorted(self.running, key=lambda u: u.name) + list(stack)
            if u.id != t.id and _linked(t, u)
        ]

    def score(self, t: Tool, area: str, stack: Sequence[Tool] = ()) -> float:
        score = expertise_fit(t, self.preference)
        score *= INTEGRATION_BONUS if self.integrates(t, stack) else 1.0
        if t.id in self.in_use:
            return score
        rivals = {
            a
            for a in t.capabilities
            if a != area and any(a in u.capabilities and not _linked(t, u) for u in self.running)
        }
        return score / (1 + OVERLAP_COST * len(rivals))

    def ranked(
        self, area: str, among: Collection[str] | None = None, stack: Sequence[Tool] = ()
    ) -> tuple[list[Tool], list[Tool]]:
        """The usable tools for ``area`` (those that cover it, or those of ``among``), best
        first: the tools in use (or migrated to), then the others."""
        fits = [
            t for t in self.usable if (area in t.capabilities if among is None else t.id in among)
        ]
        ours = sorted(
            (t for t in fits if t.id in self.in_use), key=lambda t: -self.score(t, area, stack)
        )
        others = sorted(
            (t for t in fits if t.id not in self.in_use), key=lambda t: -self.score(t, area, stack)
        )
        return ours, others


def _linked(t: Tool, u: Tool) -> bool:
    return u.id in t.integrates_with or t.id in u.integrates_with


def recommend(
    pack: Pack, context: dict[str, ContextValue], gaps: Sequence[Gap], fit: Fit | None = None
) -> tuple[Recommendation, ...]:
    """Per area with gaps (the most urgent first): the best fit, then the alternatives;
    ``fit`` is the client's ``Fit`` when the caller has it already (the plan texts use it too)."""
    fit = fit or Fit(pack, context)
    clouds, preference = fit.clouds, fit.preference
    need: dict[str, float] = defaultdict(float)
    closes: dict[str, list[str]] = defaultdict(list)
    for g in gaps:
        need[g.area] += g.priority
        closes[g.area].append(g.question_id)
    # area titles inside a sentence: "model monitoring", but "CI/CD" stays as written
    title = {a.id: a.title if a.title[:2].isupper() else a.title.lower() for a in pack.areas}
    where = {o.id: o.label for f in pack.context if f.id == "clouds" for o in f.options}
    where["on_prem"] = "on-premises servers"
    names_in_use = {t.name for t in fit.running}

    stack: list[Tool] = []  # the best fits chosen so far, for areas more urgent

    def why(t: Tool, area: str) -> str:
        kind, because = fit.in_use.get(t.id, (RecommendationKind.adopt, ""))
        if kind is RecommendationKind.migrate:
            return f"{because} and covers {title[area]}."
        if kind is RecommendationKind.extend:
            return f"Already in use: build on {t.name} to close the gaps in {title[area]}."
        bits = [f"closes gaps in {title[area]}"]
        if clouds == {"on_prem"}:
            bits.append(f"runs on premises as {t.self_hosted}" if t.self_hosted else "self-hosted")
        elif fits := sorted(clouds & set(t.clouds)):
            bits.append("runs on " + join_names([where.get(c, c) for c in fits]))
        linked = fit.integrates(t, stack)
        if used := [n for n in linked if n in names_in_use]:
            bits.append(f"works with {join_names(used)}, already in use")
        if advised := [n for n in linked if n not in names_in_use]:
            bits.append(f"works with {join_names(advised)}, advised above")
        if preference == "managed" and t.licence is Licence.managed:
            bits.append("a managed service suits a team that prefers vendor support")
        elif preference == "managed" and t.licence is Licence.commercial:
            bits.append("vendor-supported software suits a team that prefers vendor support")
        elif preference == "open_source" and t.licence is Licence.open_source:
            bits.append("open source suits a team that runs its own tools")
        sentence = "; ".join(bits)
        return sentence[0].upper() + sentence[1:] + "."

    def option(t: Tool, area: str, rank: int) -> Recommendation:
        score = fit.score(t, area, stack)
        return _recommendation(t, fit.kind(t), area, closes[area], score, why(t, area), rank)

    out: list[Recommendation] = []
    for area in sorted(need, key=lambda a: (-need[a], a)):
        chosen = _pick(*fit.ranked(area, stack=stack))
        out += [option(t, area, rank) for rank, t in enumerate(chosen, start=1)]
        if chosen and chosen[0].id not in fit.in_use and chosen[0] not in stack:
            stack.append(chosen[0])
    covered = {r.tool for r in out}
    for old, successor in fit.migrations:
        if successor.id not in covered and fit.kind(successor) is RecommendationKind.migrate:
            said = f"{old.name} is {old.status.value}; {successor.name} is its successor."
            out.append(
                _recommendation(successor, RecommendationKind.migrate, None, [], 0.0, said, 1)
            )
            covered.add(successor.id)
    return tuple(out)


def _recommendation(
    t: Tool,
    kind: RecommendationKind,
    area: str | None,
    closes: Sequence[str],
    score: float,
    reason: str,
    rank: int,
) -> Recommendation:
    return Recommendation(
        tool=t.id,
        name=t.name,
        vendor=t.vendor,
        licence=t.licence,
        kind=kind,
        areas=(area,) if area else (),
        closes=tuple(closes),
        actions=(t.capabilities[area],) if area else (),
        score=round(score, 2),
        reason=reason,
        url=t.url,
        rank=rank,
        reviewed=t.last_reviewed,
    )


def _pick(ours: list[Tool], others: list[Tool]) -> list[Tool]:
    """The best (a tool in use first) and up to two alternatives: the next best (tools in use
    first), and last the best of the other kind (open source or paid) if none is shown yet."""
    ranked = [*ours, *others]
    chosen = ranked[:ALTERNATIVES]
    rest = ranked[ALTERNATIVES:]
    if rest:
        kinds = {t.licence is Licence.open_source for t in chosen}
        other = [t for t in rest if (t.licence is Licence.open_source) not in kinds]
        chosen.append((other or rest)[0])
    return chosen
