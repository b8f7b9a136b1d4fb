"""Scan outputs: the evidence JSON, SARIF 2.1.0 and a terminal summary per area."""

from __future__ import annotations

import json
from typing import Any

from assess.model.evidence import Evidence
from assess.model.rules import Rule, RuleKind, ScanPack

STRENGTH_LABEL = {
    "file": "file exists",
    "dependency": "dependency",
    "code": "in code",
    "ci": "runs in CI",
}


def evidence_json(evidence: Evidence) -> str:
    return evidence.model_dump_json(indent=2) + "\n"


def sarif(evidence: Evidence, rules: tuple[Rule, ...]) -> str:
    """SARIF 2.1.0: one run per repository; positives as notes, negatives as warnings. A
    repository that could not be scanned is a run whose invocation failed, with the reason."""
    runs: list[dict[str, Any]] = []
    rule_meta = [
        {
            "id": r.id,
            "name": r.id.replace("/", "_").replace("-", "_"),
            "shortDescription": {"text": r.title},
            "help": {"text": r.remediation or r.title},
            "properties": {"area": r.area, "kind": r.kind.value, "questions": list(r.questions)},
        }
        for r in rules
    ]
    for repo in evidence.repos:
        results = []
        for findings in repo.areas.values():
            for f in findings:
                location: dict[str, Any] = {"artifactLocation": {"uri": f.path}}
                if f.line:
                    location["region"] = {"startLine": f.line}
                results.append(
                    {
                        "ruleId": f.rule,
                        "level": "warning" if f.kind is RuleKind.negative else "note",
                        "message": {"text": f.title + (f": {f.snippet}" if f.snippet else "")},
                        "locations": [{"physicalLocation": location}],
                        "properties": {"strength": f.strength.value, "commit": f.commit},
                    }
                )
        runs.append(
            {
                "tool": {
                    "driver": {
                        "name": "assess",
                        "version": evidence.tool_version,
                        "informationUri": "https://example.invalid/assess",
                        "rules": rule_meta,
                    }
                },
                "versionControlProvenance": [
                    {"repositoryUri": repo.source, "revisionId": repo.commit}
                ],
                "results": results,
            }
        )
    for failure in evidence.failed:  # a run that did not execute, saying why
        runs.append(
            {
                "tool": {"driver": {"name": "assess", "version": evidence.tool_version}},
                "invocations": [
                    {
                        "executionSuccessful": False,
                        "toolExecutionNotifications": [
                            {"level": "error", "message": {"text": failure.message}}
                        ],
                    }
                ],
                "versionControlProvenance": [{"repositoryUri": failure.source}],
                "results": [],
            }
        )
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": runs,
    }
    return json.dumps(doc, indent=2) + "\n"


def summary(evidence: Evidence, pack: ScanPack) -> str:
    lines: list[str] = []
    for repo in evidence.repos:
        h = repo.history
        lines.append(f"{repo.source} @ {repo.commit[:12]} ({repo.ref}): {repo.files} files")
        if repo.incomplete:
            lines.append(f"  INCOMPLETE: {repo.incomplete}")
        if h:
            lines.append(
                f"  history: {h.commits} commits, {h.contributors} contributors, "
                f"{h.commits_last_90_days} in the last 90 days, {len(h.release_tags)} release tags"
            )
            if h.removed_tools:
                lines.append(f"  in history but gone at this commit: {', '.join(h.removed_tools)}")
        for area in pack.areas:
            found = repo.areas.get(area.id, ())
            pos = [f for f in found if f.kind is RuleKind.positive]
            neg = [f for f in found if f.kind is RuleKind.negative]
            ask = [f for f in found if f.kind is RuleKind.prompt]
            lines.append(
                f"  {area.title}: {len(pos)} evidence, {len(neg)} problems"
                + (f", {len(ask)} to ask about" if ask else "")
            )
            for f in neg + ask + pos:
                mark = {RuleKind.negative: "!", RuleKind.prompt: "?"}.get(f.kind, "+")
                where = f"{f.path}:{f.line}" if f.line else f.path
                lines.append(
                    f"    {mark} {f.title} [{STRENGTH_LABEL[f.strength.value]}] {where}"
                    + (f"  {f.snippet}" if f.snippet and f.kind is not RuleKind.positive else "")
                )
        for note in repo.notes:
            lines.append(f"  note: {note}")
        lines.append("")
    if len(evidence.repos) > 1:
        lines += portfolio_table(evidence, pack)
    for failure in evidence.failed:
        lines.append(f"not scanned: {failure.source}: {failure.message}")
    if evidence.failed:
        lines.append("")
    return "\n".join(lines)


def portfolio_table(evidence: Evidence, pack: ScanPack) -> list[str]:
    """Each area across the repositories: how many show the practice, how many a problem,
    and the evidence found in most of them."""
    from assess.scan.portfolio import portfolio

    rows = portfolio(evidence, pack)
    n = len(evidence.repos)
    head = f"Portfolio: {n} repositories scanned"
    if evidence.failed:
        head += f", {len(evidence.failed)} could not be"
    width = max([len("Area"), *(len(r.title) for r in rows)])
    lines = [
        head,
        f"  {'Area':<{width}}  {'Practice':>12}  {'Problems':>8}  Found in most repositories",
    ]
    for r in rows:
        practice = f"{r.repos_with_practice}/{n} {r.share * 100:3.0f}%"
        top = ", ".join(f"{rule} ({count})" for rule, count in r.top_rules) or "-"
        lines.append(f"  {r.title:<{width}}  {practice:>12}  {r.repos_with_problems:>8}  {top}")
    lines.append("")
    return lines
