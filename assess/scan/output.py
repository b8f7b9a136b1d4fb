"""Scan outputs: the evidence JSON, SARIF 2.1.0 and a terminal summary per area."""

from __future__ import annotations

import json
from typing import Any

from assess.model import Evidence, Pack, Rule, RuleKind

STRENGTH_LABEL = {
    "file": "file exists",
    "dependency": "dependency",
    "code": "in code",
    "ci": "runs in CI",
}


def evidence_json(evidence: Evidence) -> str:
    return evidence.model_dump_json(indent=2) + "\n"


def sarif(evidence: Evidence, rules: tuple[Rule, ...]) -> str:
    """SARIF 2.1.0: one run per repository; positives as notes, negatives as warnings."""
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
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": runs,
    }
    return json.dumps(doc, indent=2) + "\n"


def summary(evidence: Evidence, pack: Pack) -> str:
    lines: list[str] = []
    for repo in evidence.repos:
        h = repo.history
        lines.append(f"{repo.source} @ {repo.commit[:12]} ({repo.ref}): {repo.files} files")
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
            lines.append(f"  {area.title}: {len(pos)} evidence, {len(neg)} problems")
            for f in neg + pos:
                mark = "!" if f.kind is RuleKind.negative else "+"
                where = f"{f.path}:{f.line}" if f.line else f.path
                lines.append(
                    f"    {mark} {f.title} [{STRENGTH_LABEL[f.strength.value]}] {where}"
                    + (f"  {f.snippet}" if f.snippet and f.kind is RuleKind.negative else "")
                )
        for note in repo.notes:
            lines.append(f"  note: {note}")
        lines.append("")
    return "\n".join(lines)
