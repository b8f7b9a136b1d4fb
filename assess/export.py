"""Machine and terminal renderings of the Assessment result (JSON, CSV, text table)."""

from __future__ import annotations

import io

from assess.model import AreaScore, Assessment, RuleKind
from assess.report.render import fmt_level, fmt_pct

AREA_COLUMNS = [
    "id",
    "title",
    "weight",
    "level",
    "stage",
    "target",
    "gap",
    "questions",
    "answered",
    "dont_know",
    "not_applicable",
    "unanswered",
    "coverage",
]


def result_json(result: Assessment) -> str:
    return result.model_dump_json(indent=2) + "\n"


def result_csv(result: Assessment) -> str:
    """One row per area, then an ``overall`` row."""
    import pandas as pd

    rows = [a.model_dump(include=set(AREA_COLUMNS)) for a in result.areas]
    o = result.overall
    rows.append(
        {
            "id": "overall",
            "title": "Overall",
            "weight": None,
            "level": o.level,
            "stage": o.stage,
            "target": o.target,
            "gap": None if o.level is None or o.target is None else round(o.target - o.level, 1),
            "questions": sum(a.questions for a in result.areas),
            "answered": sum(a.answered for a in result.areas),
            "dont_know": sum(a.dont_know for a in result.areas),
            "not_applicable": sum(a.not_applicable for a in result.areas),
            "unanswered": sum(a.unanswered for a in result.areas),
            "coverage": o.coverage,
        }
    )
    buf = io.StringIO()
    pd.DataFrame(rows, columns=AREA_COLUMNS).to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def _evidence_cell(area: AreaScore) -> str:
    neg = sum(1 for f in area.findings if f.kind is RuleKind.negative)
    pos = len(area.findings) - neg
    return f"{pos} found" + (f", {neg} problems" if neg else "")


def score_table(result: Assessment) -> str:
    """A plain-text table for the terminal (no colour codes, so it pipes cleanly)."""
    header = ["Area", "Level", "Target", "Gap", "Stage", "Coverage", "Don't know", "N/A"]
    if result.repos:
        header.append("Evidence")
    rows = [
        [
            a.title,
            fmt_level(a.level),
            str(a.target),
            fmt_level(a.gap),
            a.stage or "not assessed",
            fmt_pct(a.coverage),
            str(a.dont_know),
            str(a.not_applicable),
            *([_evidence_cell(a)] if result.repos else []),
        ]
        for a in result.areas
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    right = {1, 2, 3, 5, 6, 7}

    def line(cells: list[str]) -> str:
        out = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(out).rstrip()

    o = result.overall
    src = result.source
    title = f"{result.client.name}: {src.pack_title} ({src.pack_id} {src.pack_version})"
    lines = [title, "", line(header), line(["-" * w for w in widths])]
    lines += [line(r) for r in rows]
    lines.append("")
    if o.level is None:
        lines.append("Overall: not scored (no question answered with a level)")
    else:
        limiting = ", ".join(a.title for a in result.areas if a.id in o.limiting_areas)
        lines.append(
            f"Overall level {fmt_level(o.level)} of 4 (target {fmt_level(o.target)}), "
            f"stage {o.stage_level} {o.stage}, bounded by: {limiting}"
        )
        lines.append(f"Coverage {fmt_pct(o.coverage)} of applicable questions answered")
    if o.unscored_areas:
        lines.append("Not scored: " + ", ".join(o.unscored_areas))
    for repo in result.repos:
        lines.append(f"Evidence from {repo.source} @ {repo.commit[:12]}")
    return "\n".join(lines) + "\n"
