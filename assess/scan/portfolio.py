"""Each area across many repositories: how many show the practice, how many show a problem.

Pure functions. ``portfolio`` reads the evidence file (findings per repository);
``portfolio_rows`` reads an Assessment, whose repositories carry no findings (they are listed
per area, each naming its repository), for the report. Both give the same rows for the same
scan. A repository counts once per area however many findings it has there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from assess.model.evidence import Evidence, Finding, PortfolioRow
from assess.model.rules import RuleKind, ScanPack

if TYPE_CHECKING:
    from assess.model.result import Assessment

TOP_RULES = 3


def _row(area: str, title: str, repos: int, findings: Iterable[Finding]) -> PortfolioRow:
    practice: set[str] = set()
    problems: set[str] = set()
    rule_repos: set[tuple[str, str]] = set()
    for f in findings:
        if f.kind is RuleKind.negative:
            problems.add(f.repo)
        else:
            practice.add(f.repo)
            rule_repos.add((f.rule, f.repo))
    counts = Counter(rule for rule, _repo in rule_repos)
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_RULES]
    return PortfolioRow(
        area=area,
        title=title,
        repos=repos,
        repos_with_practice=len(practice),
        repos_with_problems=len(problems),
        share=len(practice) / repos if repos else 0.0,
        top_rules=tuple(top),
    )


def portfolio(evidence: Evidence, pack: ScanPack) -> tuple[PortfolioRow, ...]:
    """One row per area of the pack, in pack order, over the repositories scanned (failed ones
    are not counted)."""
    return tuple(
        _row(
            area.id,
            area.title,
            len(evidence.repos),
            (f for repo in evidence.repos for f in repo.areas.get(area.id, ())),
        )
        for area in pack.areas
    )


def portfolio_rows(result: Assessment) -> tuple[PortfolioRow, ...]:
    """The same rows from an Assessment (``result.repos`` with findings under each area)."""
    scanned: Sequence[str] = [r.source for r in result.repos]
    known = set(scanned)
    return tuple(
        _row(a.id, a.title, len(scanned), (f for f in a.findings if f.repo in known))
        for a in result.areas
    )
