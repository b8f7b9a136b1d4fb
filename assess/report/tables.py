"""The Assessment result as flat tables, one per kind: what the XLSX sheets and CSV files hold.

Pure: the tables are derived from the result alone. Every cell is a plain Python value (str,
float, int, bool or None; the frames have ``object`` columns so an integer column with a gap
stays integer) and every number is the result's own, never rounded again. Lists inside a cell
are joined: identifiers with a space (as ``assess gaps --format csv`` does), free text with
``"; "`` (as the PDF does).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from assess.compliance import cite
from assess.model.result import Assessment, ControlRef, QuestionResult, RoadmapItem
from assess.report.render import phase_titles

TEXT_SEP = "; "
ID_SEP = " "

# The columns of ``assess score --format csv`` and ``assess gaps --format csv``: the first
# columns of the scores and gaps tables, so the two can never disagree.
AREA_COLUMNS = [
    "id",
    "title",
    "weight",
    "level",
    "stage_level",
    "stage",
    "target",
    "gap",
    "questions",
    "answered",
    "dont_know",
    "not_applicable",
    "unanswered",
    "not_in_scope",
    "coverage",
]

GAP_COLUMNS = [
    "order",
    "phase",
    "question_id",
    "area",
    "current_level",
    "target",
    "gap",
    "risk",
    "priority",
    "effort",
    "weeks",
    "owner",
    "depends_on",
    "contradicted",
    "plan",
    "outcome",
]

SCORE_COLUMNS = [
    *AREA_COLUMNS,
    "share_at_stage",
    "share_at_next",
    "target_source",
    "confidence",
    "confidence_score",
    "contradicted",
    "findings",
]

QUESTION_COLUMNS = [
    "id",
    "area",
    "text",
    "weight",
    "risk",
    "status",
    "choice",
    "choice_text",
    "level",
    "claimed_level",
    "supported_level",
    "evidence_status",
    "spread",
    "respondents",
    "notes",
    "reasons",
    "to_reconfirm",
    "explanation",
    "plan",
]


def _after(columns: Sequence[str], anchor: str, *extra: str) -> list[str]:
    """``columns`` with ``extra`` inserted right after ``anchor``."""
    i = list(columns).index(anchor) + 1
    return [*columns[:i], *extra, *columns[i:]]


GAP_TABLE_COLUMNS = _after(_after(GAP_COLUMNS, "phase", "phase_title"), "question_id", "question")

ROADMAP_COLUMNS = [
    "order",
    "phase",
    "phase_title",
    "start_week",
    "end_week",
    "item",
    "question_id",
    "area",
    "kind",
    "from_level",
    "to_level",
    "owner",
    "weeks",
    "priority",
    "depends_on",
    "action",
    "done_when",
]

RECOMMENDATION_COLUMNS = [
    "area",
    "rank",
    "role",
    "tool",
    "name",
    "vendor",
    "kind",
    "licence",
    "score",
    "closes",
    "reason",
    "action",
    "reviewed",
    "url",
]

FINDING_COLUMNS = [
    "repo",
    "commit",
    "area",
    "rule",
    "title",
    "kind",
    "strength",
    "level",
    "questions",
    "path",
    "line",
    "snippet",
    "remediation",
]

CONTROL_COLUMNS = [
    "id",
    "title",
    "applicable",
    "reason",
    "level",
    "target",
    "gap",
    "meaning",
    "questions",
    "unanswered",
    "references",
]

LINEAGE_COLUMNS = [
    "repo",
    "commit",
    "model",
    "step",
    "link",
    "title",
    "status",
    "evidence",
    "broken_at",
]

TABLE_COLUMNS: dict[str, list[str]] = {
    "scores": SCORE_COLUMNS,
    "questions": QUESTION_COLUMNS,
    "gaps": GAP_TABLE_COLUMNS,
    "roadmap": ROADMAP_COLUMNS,
    "recommendations": RECOMMENDATION_COLUMNS,
    "findings": FINDING_COLUMNS,
    "controls": CONTROL_COLUMNS,
    "lineage": LINEAGE_COLUMNS,
}
"""Every table and its columns, in sheet order (``controls`` and ``lineage`` only when the
result has a compliance section)."""


def _frame(rows: Iterable[Mapping[str, Any]], columns: list[str]) -> pd.DataFrame:
    data = [[row[c] for c in columns] for row in rows]
    return pd.DataFrame(data, columns=columns, dtype=object)


def _join(items: Iterable[str], sep: str = TEXT_SEP) -> str:
    return sep.join(items)


def _score_rows(result: Assessment) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {
            **a.model_dump(mode="json", include=set(AREA_COLUMNS)),
            "share_at_stage": a.share_at_stage,
            "share_at_next": a.share_at_next,
            "target_source": a.target_source,
            "confidence": a.confidence.label,
            "confidence_score": a.confidence.score,
            "contradicted": a.contradicted,
            "findings": len(a.findings),
        }
        for a in result.areas
    ]
    o = result.overall
    areas = result.areas
    rows.append(
        {
            "id": "overall",
            "title": "Overall",
            "weight": None,
            "level": o.level,
            "stage_level": o.stage_level,
            "stage": o.stage,
            "share_at_stage": None,
            "share_at_next": None,
            "target": o.target,
            # The result has no overall gap: computed as ``assess score --format csv`` does.
            "gap": None if o.level is None or o.target is None else round(o.target - o.level, 1),
            "questions": sum(a.questions for a in areas),
            "answered": sum(a.answered for a in areas),
            "dont_know": sum(a.dont_know for a in areas),
            "not_applicable": sum(a.not_applicable for a in areas),
            "unanswered": sum(a.unanswered for a in areas),
            "not_in_scope": sum(a.not_in_scope for a in areas),
            "coverage": o.coverage,
            "target_source": None,
            "confidence": None,
            "confidence_score": None,
            "contradicted": sum(a.contradicted for a in areas),
            "findings": sum(len(a.findings) for a in areas),
        }
    )
    return rows


def _notes(q: QuestionResult, attr: str) -> str:
    """The answers' notes (or reasons), each named by its respondent when several answered."""
    several = len(q.answers) > 1
    out = []
    for x in q.answers:
        text = getattr(x, attr)
        if text:
            out.append(f"{x.respondent}: {text}" if several and x.respondent else text)
    return _join(out)


def _question_rows(result: Assessment) -> list[dict[str, Any]]:
    rows = []
    for q in result.questions:
        ev = q.evidence
        rows.append(
            {
                "id": q.id,
                "area": q.area,
                "text": q.text,
                "weight": q.weight,
                "risk": q.risk.value,
                "status": q.status,
                "choice": q.choice,
                "choice_text": q.choice_text,
                "level": q.level,
                "claimed_level": ev.claimed_level if ev else None,
                "supported_level": ev.supported_level if ev else None,
                "evidence_status": ev.status.value if ev else None,
                "spread": q.spread,
                "respondents": _join(x.respondent for x in q.answers if x.respondent),
                "notes": _notes(q, "note"),
                "reasons": _notes(q, "reason"),
                "to_reconfirm": _notes(q, "reconfirm"),
                "explanation": ev.explanation if ev else "",
                "plan": q.plan,
            }
        )
    return rows


def _gap_rows(result: Assessment) -> list[dict[str, Any]]:
    titles = phase_titles(result)
    return [
        {
            **g.model_dump(mode="json", include=set(GAP_COLUMNS)),
            "phase_title": titles.get(g.phase, g.phase),
            "question": g.question,
            "depends_on": _join(g.depends_on, ID_SEP),
        }
        for g in sorted(result.gaps, key=lambda g: g.order)
    ]


def _roadmap_rows(result: Assessment) -> list[dict[str, Any]]:
    """One row per step, in roadmap order: the phases' items, then the later ones."""
    titles = phase_titles(result)
    return [
        {
            **i.model_dump(
                mode="json", include=set(ROADMAP_COLUMNS) & set(RoadmapItem.model_fields)
            ),
            "phase_title": titles.get(i.phase, i.phase),
            "item": i.id,
            "depends_on": _join(i.depends_on, ID_SEP),
        }
        for i in sorted(result.roadmap_items, key=lambda i: i.order)
    ]


def _recommendation_rows(result: Assessment) -> list[dict[str, Any]]:
    """One row per option: per area, the best fit (rank 1) and its alternatives."""
    return [
        {
            "area": t.areas[0] if t.areas else None,
            "rank": t.rank,
            "role": ("best fit" if t.rank == 1 else "alternative") if t.areas else "migrate",
            "tool": t.tool,
            "name": t.name,
            "vendor": t.vendor,
            "kind": t.kind.value,
            "licence": t.licence.value,
            "score": t.score,
            "closes": _join(t.closes, ID_SEP),
            "reason": t.reason,
            "action": _join(t.actions),
            "reviewed": t.reviewed.isoformat() if t.reviewed else None,
            "url": t.url,
        }
        for t in result.recommendations
    ]


def _finding_rows(result: Assessment) -> list[dict[str, Any]]:
    return [
        {
            **f.model_dump(mode="json", include=set(FINDING_COLUMNS)),
            "questions": _join(f.questions, ID_SEP),
        }
        for a in result.areas
        for f in a.findings
    ]


def binding_references(refs: Iterable[ControlRef]) -> str:
    """``"GDPR Art. 5(2); EU AI Act Art. 10(2) (expected)"``: the references that bind the
    client, one not yet checked against the legal text marked expected (as in the PDF)."""
    return _join(cite(x.name, [x]) for x in refs if x.binding)


def _control_rows(result: Assessment) -> list[dict[str, Any]]:
    if result.compliance is None:
        return []
    return [
        {
            "id": s.id,
            "title": s.title,
            "applicable": s.applicability.applicable,
            "reason": s.applicability.reason,
            "level": s.level,
            "target": s.target,
            "gap": s.gap,
            "meaning": s.meaning,
            "questions": _join(s.questions, ID_SEP),
            "unanswered": _join(s.unanswered, ID_SEP),
            "references": binding_references(s.references),
        }
        for s in result.compliance.controls
    ]


def _lineage_rows(result: Assessment) -> list[dict[str, Any]]:
    if result.compliance is None:
        return []
    return [
        {
            "repo": chain.repo,
            "commit": chain.commit,
            "model": chain.model,
            "step": step,
            "link": link.id,
            "title": link.title,
            "status": link.status.value,
            "evidence": _join(link.evidence),
            "broken_at": chain.broken_at,
        }
        for chain in result.compliance.lineage
        for step, link in enumerate(chain.links, start=1)
    ]


def tables(result: Assessment) -> dict[str, pd.DataFrame]:
    """One table per kind, in report order: ``scores`` (the areas, then an ``overall`` row),
    ``questions``, ``gaps`` (roadmap order), ``roadmap`` (one row per item), ``recommendations``,
    ``findings`` (every area's), and with a compliance section ``controls`` and ``lineage`` (one
    row per model and link)."""
    out = {
        "scores": _frame(_score_rows(result), SCORE_COLUMNS),
        "questions": _frame(_question_rows(result), QUESTION_COLUMNS),
        "gaps": _frame(_gap_rows(result), GAP_TABLE_COLUMNS),
        "roadmap": _frame(_roadmap_rows(result), ROADMAP_COLUMNS),
        "recommendations": _frame(_recommendation_rows(result), RECOMMENDATION_COLUMNS),
        "findings": _frame(_finding_rows(result), FINDING_COLUMNS),
    }
    if result.compliance is not None:
        out["controls"] = _frame(_control_rows(result), CONTROL_COLUMNS)
        out["lineage"] = _frame(_lineage_rows(result), LINEAGE_COLUMNS)
    return out
