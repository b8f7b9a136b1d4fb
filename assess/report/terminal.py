"""The Assessment result and comparisons for the terminal: plain-text tables and lines (no colour
codes, so they pipe cleanly into files and emails), every table drawn by ``text_table``."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path

from assess.model.engagement import QuestionDecision
from assess.model.result import (
    AreaScore,
    Assessment,
    ChangeStatus,
    Comparison,
    EvidenceStatus,
    ReviewSummary,
)
from assess.model.rules import RuleKind
from assess.reconcile import finding_key
from assess.report.render import (
    EVIDENCE_LABELS,
    KIND_LABELS,
    LICENCE_LABELS,
    POLICY_TEXT,
    capacity_text,
    disagreements,
    fmt_level,
    fmt_pct,
    later_heading,
    not_assessed,
    phase_heading,
    phase_titles,
    respondent_answer,
    respondent_disagreements,
    review_note,
    scored_of,
    stage_limit,
    stage_rule,
    step_label,
    to_find_out,
    tool_areas,
)
from assess.review import level_text

WIDTH = 100  # text output wraps here (it is often piped into files and emails)


def _evidence_cell(area: AreaScore) -> str:
    neg = sum(1 for f in area.findings if f.kind is RuleKind.negative)
    pos = len(area.findings) - neg
    return f"{pos} found" + (f", {neg} problems" if neg else "")


def text_table(header: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    """Lines of a plain-text table: columns as wide as their widest cell, the ``right``
    columns right-aligned, a dashed line under the header."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    out = []
    for r in [header, ["-" * w for w in widths], *rows]:
        cells = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
    return out


def score_table(result: Assessment) -> str:
    """A plain-text table for the terminal (no colour codes, so it pipes cleanly)."""
    header = ["Area", "Stage", "Mean", "Target", "Gap", "Coverage", "Confidence", "N/A"]
    if result.repos:
        header.append("Evidence")
    rows = [
        [
            a.title,
            f"{a.stage_level} {a.stage}" if a.stage is not None else "not assessed",
            fmt_level(a.level),
            str(a.target),
            fmt_level(a.gap),
            fmt_pct(a.coverage),
            a.confidence.label,
            str(a.not_applicable),
            *([_evidence_cell(a)] if result.repos else []),
        ]
        for a in result.areas
    ]
    o = result.overall
    src = result.source
    title = f"{result.client.name}: {src.pack_title} ({src.pack_id} {src.pack_version})"
    lines = [title, "", *text_table(header, rows, right={2, 3, 4, 5, 7}), ""]
    if o.level is None:
        lines.append(f"Overall: {not_assessed(to_find_out(result.areas))}")
    else:
        lines.append(
            f"Overall stage {o.stage_level} {o.stage}, {stage_limit(result)}; mean level "
            f"{fmt_level(o.level)} of 4 (target {fmt_level(o.target)})"
        )
        lines.append(f"Coverage {fmt_pct(o.coverage)} of applicable questions answered")
    if o.unscored_areas:
        lines.append("Not scored: " + ", ".join(o.unscored_areas))
    lines += module_lines(result)
    if n := sum(1 for q in result.questions for x in q.answers if x.reconfirm):
        lines.append(
            f"To re-confirm: {n} answers carried over from an earlier pack version by an "
            "approximate mapping (assess interview asks them first)"
        )
        lines += _wrap(f"Stage rule: {stage_rule(result)}.", "")
    for a in result.areas:
        if a.level is None:
            lines.append(f"{a.title}: {not_assessed(to_find_out([a]))}")
    for repo in result.repos:
        lines.append(f"Evidence from {repo.source} @ {repo.commit[:12]}")
    if result.repos:
        lines.append(f"Evidence policy: {POLICY_TEXT[src.evidence_policy.value]}")
    lines += _compliance_summary(result)
    lines += _respondents(result)
    lines += _disagreements(result)
    lines += _waived(result)
    lines += _suggested(result)
    lines += _requests(result)
    return "\n".join(lines) + "\n"


def module_lines(result: Assessment) -> list[str]:
    """The pack's modules, run or not and why (none when the pack has no modules)."""
    out = []
    for m in result.modules:
        state = "run" if m.run else f"not run, its {m.questions} questions not in scope"
        out.append(f"Module {m.title}: {state} ({m.reason})")
    return out


def _respondents(result: Assessment) -> list[str]:
    """Questions the respondents answered differently: each answer and note, attributed."""
    rows = respondent_disagreements(result)
    if not rows:
        return []
    rule = result.source.respondents_rule.value
    out = ["", f"Where respondents disagree ({len(rows)}):"]
    for q in rows:
        out.append(f"- {q.id}: {scored_of(q, rule)}")
        for x in q.answers:
            out += _wrap(f"{x.respondent or '(unnamed)'}: {respondent_answer(x)}", "    ", "      ")
            if x.note:
                out += _wrap(f"Note: {x.note}", "      ")
    return out


def _suggested(result: Assessment) -> list[str]:
    rows = [
        q
        for q in result.questions
        if q.evidence and q.evidence.status is EvidenceStatus.evidence_only
    ]
    if not rows:
        return []
    out = ["", f"Not answered, but the repositories suggest a level ({len(rows)}):"]
    for q in rows:
        assert q.evidence is not None
        out.append(f"- {q.id}: suggests level {q.evidence.suggested_level}")
        out += _wrap(q.evidence.explanation, "    ")
    return out


def _requests(result: Assessment) -> list[str]:
    if not result.evidence_requests:
        return []
    out = ["", f"Evidence to request ({len(result.evidence_requests)}):"]
    for e in result.evidence_requests:
        who = f" (from {e.who}" + (f", by {e.due}" if e.due else "") + ")" if e.who else ""
        out += _wrap(f"- {e.question}{who}: {e.what}", "", "    ")
    return out


def _compliance_summary(result: Assessment) -> list[str]:
    if result.compliance is None:
        return []
    out = ["", "Compliance controls (level >= 2 / >= 3 of the applicable ones; not legal advice):"]
    for fw in result.compliance.frameworks:
        if fw.applicability.applicable:
            out.append(
                f"- {fw.name}: {fw.at_least_2} / {fw.at_least_3} of {fw.controls} "
                f"({fw.controls - fw.assessed} not assessed)"
            )
        else:
            out.append(f"- {fw.name}: not in scope ({fw.applicability.reason.rstrip('.')})")
    for chain in result.compliance.lineage:
        where = f"breaks at {chain.broken_at}" if chain.broken_at else "complete"
        out.append(f"- lineage of {chain.model} ({chain.repo}): {where}")
    return out


def _wrap(text: str, indent: str, hanging: str | None = None) -> list[str]:
    return textwrap.wrap(
        text, WIDTH, initial_indent=indent, subsequent_indent=indent if hanging is None else hanging
    )


def _disagreements(result: Assessment) -> list[str]:
    rows = disagreements(result)
    if not rows:
        return []
    out = ["", f"Answers the repositories disagree with ({len(rows)}):"]
    for q in rows:
        assert q.evidence is not None
        status = EVIDENCE_LABELS[q.evidence.status.value].lower()
        if q.review and q.review.decision == "accept":
            level = f"scored {fmt_level(q.level)} on review"
        else:
            level = f"scored {fmt_level(q.level)}" if q.evidence.cap is not None else "not capped"
        out.append(f"- {q.id}: {status}, {level}")
        out += _wrap(q.evidence.explanation, "    ")
        if q.review:
            out += _wrap(review_note(q), "    ")
    return out


def _waived(result: Assessment) -> list[str]:
    if not result.review or not result.review.waived:
        return []
    out = ["", f"Findings waived by the assessor ({len(result.review.waived)}):"]
    for w in result.review.waived:
        out += _wrap(f"- {w.key}: {w.reason} ({w.by})", "", "    ")
    return out


def _roadmap_lines(result: Assessment, titles: dict[str, str]) -> list[str]:
    """The roadmap's phases and its later list, one wrapped entry per step."""
    items = {i.id: i for i in result.roadmap_items}
    lines = ["", "Roadmap", *_wrap(capacity_text(result), "")]

    def entry(item_id: str, done_when: bool) -> list[str]:
        i = items[item_id]
        after = ", ".join(f"#{items[d].order}" for d in i.depends_on)
        out = _wrap(
            f"{i.order}. [{titles[i.area]}] {i.action} ({i.owner}, ~{i.weeks} week"
            + ("s" if i.weeks != 1 else "")
            + f", {step_label(i, '->')}"
            + (f", after {after}" if after else "")
            + ")",
            "  ",
            "     ",
        )
        return out + (_wrap(f"Done when: {i.done_when}", "     ") if done_when else [])

    for phase in result.roadmap:
        if not phase.items:
            continue
        lines += ["", phase_heading(phase)]
        for item_id in phase.items:
            lines += entry(item_id, True)
    if result.later:
        lines += ["", later_heading(result)]
        for item_id in result.later:
            lines += entry(item_id, False)
    return lines


def _tool_lines(result: Assessment, titles: dict[str, str]) -> list[str]:
    """Per area with gaps: the best fit and its alternatives; then migrations."""
    lines = ["", "Tool recommendations"]
    for area, options in tool_areas(result):
        lines += ["", *_wrap(f"{titles[area]} (gaps: {', '.join(options[0].closes)})", "", "  ")]
        for t in options:
            role = "Best fit" if t.rank == 1 else "Alternative"
            lines += _wrap(
                f"{role}: {t.name} ({KIND_LABELS[t.kind.value]}, "
                f"{LICENCE_LABELS[t.licence.value]}, {t.vendor})",
                "  ",
                "    ",
            )
            lines += _wrap(t.reason, "    ")
            lines += _wrap(f"How: {t.actions[0]}", "    ", "      ")
    migrations = [t for t in result.recommendations if not t.areas]
    if migrations:
        lines += ["", "Tools to migrate"]
        for t in migrations:
            lines += _wrap(f"{t.name}: {t.reason}", "  ", "    ")
    return lines


def gaps_table(result: Assessment) -> str:
    """The gap list, the roadmap and the tool recommendations as plain text."""
    titles = {a.id: a.title for a in result.areas}
    lines = [f"{result.client.name}: gaps, roadmap and tools", ""]
    unscored = [a for a in result.areas if a.level is None]
    if result.overall.level is None:
        lines.append(f"Overall: {not_assessed(to_find_out(result.areas))}")
    elif not result.gaps:
        every = "every" if not unscored else "in the assessed areas, every"
        lines.append(f"No gaps: {every} answered question meets its area's target.")
    lines += [f"{a.title}: {not_assessed(to_find_out([a]))}" for a in unscored]
    if result.gaps:
        if unscored:
            lines.append("")
        lines.append(f"Gaps by priority ({len(result.gaps)})")
        header = ["Priority", "Area", "Question", "Now", "Target", "Starts"]
        phases = phase_titles(result)
        rows = [
            [
                fmt_level(g.priority),
                titles[g.area],
                g.question_id + (" (contradicted)" if g.contradicted else ""),
                fmt_level(g.current_level),
                str(g.target),
                phases[g.phase],
            ]
            for g in result.gaps
        ]
        lines += text_table(header, rows, right={0, 3, 4})
    if result.roadmap_items:
        lines += _roadmap_lines(result, titles)
    if result.recommendations:
        lines += _tool_lines(result, titles)
    return "\n".join(lines) + "\n"


def _delta(d: float | None) -> str:
    return "" if d is None else f"{d:+.1f}"


def comparison_table(c: Comparison, client: str) -> str:
    """What changed between two assessments, as plain text."""
    o = c.overall
    lines = [
        f"{client}: {c.old_label} -> {c.new_label}"
        + (f" (packs {c.old_pack} -> {c.new_pack})" if c.old_pack != c.new_pack else ""),
        "",
        f"Overall {fmt_level(o.old)} -> {fmt_level(o.new)} {_delta(o.delta)} {o.status.value}",
        "",
    ]
    header = ["Area", "Before", "Now", "Change", ""]
    rows = [
        [a.title, fmt_level(a.old), fmt_level(a.new), _delta(a.delta), a.status.value]
        for a in c.areas
    ]
    lines += text_table(header, rows, right={1, 2, 3})
    tally = {s: sum(1 for q in c.questions if q.status is s) for s in ChangeStatus}
    lines += [
        "",
        "Questions: " + ", ".join(f"{n} {s.value}" for s, n in tally.items() if n),
    ]
    for status, mark in ((ChangeStatus.improved, "+"), (ChangeStatus.regressed, "-")):
        moved = [q for q in c.questions if q.status is status]
        if moved:
            lines += ["", f"{status.value.capitalize()}:"]
            width = max(len(q.id) for q in moved)
            lines += [
                f"  {mark} {q.id.ljust(width)}  {fmt_level(q.old)} -> {fmt_level(q.new)}"
                for q in moved
            ]
    return "\n".join(lines) + "\n"


def _decision_text(d: QuestionDecision | None) -> str:
    if d is None:
        return "-"
    said = {"accept": f"accepted {level_text(d.level)}", "uphold": "upheld", "request": "requested"}
    return f"{said[d.decision]} ({d.by})"


def review_table(result: Assessment, engagement: Path, evidence: Sequence[Path]) -> str:
    """The review as it stands, for the terminal: the claims with their decisions, the finding
    keys to waive, the waived findings and the stale decisions."""
    summary = result.review or ReviewSummary()
    items = summary.items
    done = sum(1 for i in items if i.decision)
    lines = [
        f"{result.client.name or engagement.name}: {len(items)} claims to review, {done} decided, "
        f"{len(summary.waived)} finding(s) waived, {len(summary.stale)} stale decision(s)",
        "",
    ]
    if items:
        header = ["Question", "Status", "Claimed", "Evidence", "Decision"]
        rows = [
            [
                i.question,
                i.status.value.replace("_", " "),
                level_text(i.claimed_level),
                level_text(i.evidence_level),
                _decision_text(i.decision),
            ]
            for i in items
        ]
        lines += text_table(header, rows, right={2, 3})
        lines += ["", "Findings (keys for --waive):"]
        for i in items:
            for key in dict.fromkeys(finding_key(f) for f in i.findings):
                lines.append(f"  {i.question}  {key}")
    else:
        lines.append("Nothing to review: the repositories disagree with no answer.")
    if summary.waived:
        lines += ["", f"Waived findings ({len(summary.waived)}):"]
        for w in summary.waived:
            lines += [f"  {w.key}", f"    by {w.by}: {w.reason}"]
    if summary.stale:
        ev = " ".join(str(p) for p in evidence)
        lines += ["", f"Stale decisions, kept in the file but not applied ({len(summary.stale)}):"]
        for st in summary.stale:
            lines += [f"  {st.key} ({st.decision}): {st.why}"]
        lines.append(f"  remove one with: assess review {engagement} --evidence {ev} --clear KEY")
    return "\n".join(lines) + "\n"
