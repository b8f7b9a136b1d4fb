"""Render an Assessment as HTML (Jinja2) and PDF (WeasyPrint).

Safety: Jinja2 autoescapes every value and fails on undefined names; every value is bounded
first (``assess.report.text``: a cut marker past ``MAX_TEXT`` characters, break opportunities in
long words), so no client text can make the layout run for minutes. WeasyPrint gets a URL
fetcher that serves only files inside the package's ``templates/`` folder and inline ``data:``
URLs, so text from a client (a note with ``<img src=file:///etc/passwd>``) prints literally and
can never make the renderer read a local file or the network. WeasyPrint is imported only
when a PDF is asked for.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote, urlparse

import jinja2
from markupsafe import Markup, escape

from assess.compliance import DISCLAIMER, scope_notes
from assess.errors import AssessError
from assess.model.pack import LATER, RegulationDate
from assess.model.result import (
    AreaScore,
    Assessment,
    Compliance,
    ControlStatus,
    QuestionResult,
    Recommendation,
    RespondentAnswer,
    RoadmapItem,
    RoadmapPhase,
)
from assess.report import charts
from assess.report.prose import blocks
from assess.report.text import breakable, cap
from assess.report.theme import Theme, resolve
from assess.resources import templates_dir
from assess.scan.portfolio import portfolio_rows

STATUS_LABELS = {
    "answered": "Answered",
    "not_applicable": "Not applicable",
    "dont_know": "Don't know",
    "unanswered": "Not answered",
    "not_in_scope": "Not in scope (module not run)",
}


STRENGTH_LABELS = {
    "file": "File exists",
    "dependency": "Declared dependency",
    "code": "Used in code",
    "ci": "Runs in CI",
}


EVIDENCE_LABELS = {
    "corroborated": "Corroborated",
    "partial": "Shown in part",
    "contradicted": "Contradicted",
    "understated": "Understated",
    "evidence_only": "Repository only",
    "not_evidenced": "Not evidenced",
    "unverified": "Unverified",
    "not_observable": "Not observable",
    "upheld": "Upheld by the assessor",
}

POLICY_TEXT = {
    "balanced": "balanced (a claim that would usually show in a repository but does not keeps "
    "its level, with lower confidence, and its evidence is requested)",
    "strict": "strict (a claim that would usually show in a repository but does not is scored "
    "one level below the level a repository would show, until the client shows the evidence)",
}

KIND_LABELS = {"adopt": "Adopt", "extend": "Extend (already in use)", "migrate": "Migrate to"}
LICENCE_LABELS = {
    "open_source": "Open source",
    "commercial": "Commercial",
    "managed": "Managed service",
}


WEEKS_PER_MONTH = 52 / 12
LATER_TITLE = "Later"
TIMELINE_MAX = 40  # bars in the roadmap chart; the tables list every step


def phase_titles(result: Assessment) -> dict[str, str]:
    """Phase id -> title, the steps beyond the phases included."""
    return {**{p.id: p.title for p in result.roadmap}, LATER: LATER_TITLE}


def step_label(item: RoadmapItem, arrow: str = "→") -> str:
    """``level 1 → 2``, or what an establish item does."""
    if item.kind == "establish":
        return "current level to find out"
    return f"level {item.from_level} {arrow} {item.to_level}"


def weeks(value: float) -> str:
    return f"{value:g}"


def phase_heading(p: RoadmapPhase) -> str:
    return (
        f"{p.title} (months {p.start_month}-{p.end_month}, {weeks(p.planned_weeks)} of "
        f"{weeks(p.capacity_weeks)} person-weeks)"
    )


def later_heading(result: Assessment) -> str:
    items = {i.id: i for i in result.roadmap_items}
    end = result.roadmap[-1].end_month if result.roadmap else 0
    total = sum(items[i].weeks for i in result.later)
    return (
        f"Later (beyond month {end} at this capacity: {len(result.later)} steps, "
        f"{total} person-weeks)"
    )


def capacity_text(result: Assessment) -> str:
    """The capacity the roadmap was planned with and where it comes from, and what it holds."""
    cap = result.capacity
    if cap is None:
        return ""
    phases = "; ".join(
        f"{p.title} {weeks(p.planned_weeks)} of {weeks(p.capacity_weeks)}" for p in result.roadmap
    )
    items = {i.id: i for i in result.roadmap_items}
    later = ""
    if result.later:
        n, w = len(result.later), sum(items[i].weeks for i in result.later)
        last = result.roadmap[-1].end_month if result.roadmap else 0
        later = (
            f" {n} step{'s' if n > 1 else ''} ({w} person-weeks) do{'es' if n == 1 else ''} not "
            f"fit the {last} months at this capacity and {'are' if n > 1 else 'is'} listed "
            "under Later."
        )
    return (
        f"Capacity: {weeks(cap.weeks_per_quarter)} person-weeks per quarter, {cap.source} (set "
        "capacity_weeks_per_quarter in the engagement to change it). Person-weeks planned: "
        f"{phases}.{later}"
    )


def later_groups(result: Assessment) -> list[list[RoadmapItem]]:
    """The later steps by practice (each practice's steps in order), in roadmap order of their
    first step: the PDF lists a practice's remaining climb on one row."""
    groups: dict[str, list[RoadmapItem]] = {}
    for i in result.roadmap_items:
        if i.phase == LATER:
            groups.setdefault(i.question_id, []).append(i)
    return list(groups.values())


def tool_areas(result: Assessment) -> list[tuple[str, list[Recommendation]]]:
    """(area id, its options: the best fit first) per area with gaps, the most urgent first."""
    out: dict[str, list[Recommendation]] = {}
    for t in result.recommendations:
        for area in t.areas:
            out.setdefault(area, []).append(t)
    return [(a, sorted(ts, key=lambda t: t.rank)) for a, ts in out.items()]


def fmt_level(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def fmt_pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.0f}%"


def bounded(value: Any) -> Any:
    """Every value the HTML template prints (its ``finalize``): text cut and made breakable
    (``assess.report.text``) before Jinja escapes it; markup the code built (charts, the logo's
    data URL, ``join``) is left as it is."""
    if isinstance(value, Markup):
        return value
    return breakable(cap(str(value)))


def _join(values: Any, sep: str = "") -> Markup:
    """Jinja's ``join`` for the HTML: each item bounded and escaped like a printed value."""
    return escape(sep).join(escape(bounded(v)) for v in values)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=bounded,
    )
    env.filters["join"] = _join
    env.filters["level"] = fmt_level
    env.filters["pct"] = fmt_pct
    env.filters["weeks"] = weeks
    env.globals["status_label"] = STATUS_LABELS.__getitem__
    env.globals["strength_label"] = STRENGTH_LABELS.__getitem__
    env.globals["evidence_label"] = EVIDENCE_LABELS.__getitem__
    env.globals["kind_label"] = KIND_LABELS.__getitem__
    env.globals["licence_label"] = LICENCE_LABELS.__getitem__
    env.globals["prose"] = blocks
    return env


NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}


def not_assessed(to_find_out: int) -> str:
    """How an area, or the whole engagement, without a level reads in every output: what is
    left to find out, never a score of 0 or "no gaps"."""
    if not to_find_out:
        return "not assessed: no question applies"
    return f"not assessed: {to_find_out} question{'s' if to_find_out != 1 else ''} to find out"


def risks_heading(result: Assessment) -> str:
    """The summary's heading over the risks it shows: "The three biggest risks"."""
    n = len(result.risks)
    if n == 1:
        return "The biggest risk"
    return f"The {NUMBER_WORDS.get(n, str(n))} biggest risks"


def to_find_out(areas: Iterable[AreaScore]) -> int:
    """Applicable questions without a level yet: answered "don't know" or not answered."""
    return sum(a.dont_know + a.unanswered for a in areas)


def stage_rule(result: Assessment) -> str:
    """The stage rule in one sentence, with the share the result was scored with."""
    return (
        "an area's stage is the highest level that at least "
        f"{fmt_pct(result.source.stage_share)} of the weight of its answered questions reaches "
        "(the level the area has largely achieved); the overall stage is the weakest area's"
    )


def stage_basis(a: AreaScore, result: Assessment) -> str:
    """Why an area has its stage, in the words of the stage rule: ``"83% of the answered
    questions' weight is at level 1 or above and 17% at level 2 or above; a stage needs 70%"``."""
    if a.stage_level is None or a.share_at_stage is None:
        return ""
    parts = []
    if a.stage_level > 0:
        parts.append(f"{fmt_pct(a.share_at_stage)} at level {a.stage_level} or above")
    if a.share_at_next is not None:
        parts.append(f"{fmt_pct(a.share_at_next)} at level {a.stage_level + 1} or above")
    return (
        f"of the answered questions' weight, {' and '.join(parts)}; "
        f"a stage needs {fmt_pct(result.source.stage_share)}"
    )


def stage_limit(result: Assessment) -> str:
    """Which areas set the overall stage: ``"set by the weakest area: Data management"``, or
    ``"every assessed area is at this stage"``."""
    o = result.overall
    scored = [a for a in result.areas if a.level is not None]
    if len(o.limiting_areas) > 1 and len(o.limiting_areas) == len(scored):
        return "every assessed area is at this stage"
    titles = [a.title for a in result.areas if a.id in o.limiting_areas]
    return f"set by the weakest area{'s' if len(titles) > 1 else ''}: {', '.join(titles)}"


def answers_differ(q: QuestionResult) -> bool:
    """Respondents gave different answers (another choice, or don't know beside a level)."""
    return len({(x.status, x.choice) for x in q.answers}) > 1


def respondent_disagreements(result: Assessment) -> list[QuestionResult]:
    """Questions on which the respondents gave different answers, in pack order."""
    return [q for q in result.questions if answers_differ(q)]


def respondent_answer(x: RespondentAnswer) -> str:
    """One respondent's answer, as the disagreement lists print it: ``"level 2: <choice>"``,
    ``"don't know"`` or ``"not applicable: <reason>"``."""
    if x.level is not None:
        return f"level {x.level}: {x.choice_text or x.choice}"
    said = STATUS_LABELS[x.status.value].lower()
    return f"{said}: {x.reason}" if x.reason else said


def combined_of(q: QuestionResult, rule: str) -> str:
    """``"the lowest of 3 answers"`` when several respondents gave a level, else ``""``."""
    levels = sum(1 for x in q.answers if x.level is not None)
    return f"the {rule} of {levels} answers" if levels > 1 else ""


def scored_of(q: QuestionResult, rule: str) -> str:
    """``"scored 2.0, the lowest of 3 answers"``."""
    if q.level is None:
        return "not scored"
    of = combined_of(q, rule)
    return f"scored {fmt_level(q.level)}" + (f", {of}" if of else "")


def disagreements(result: Assessment) -> list[QuestionResult]:
    """Answers the repositories disagree with (contradicted, understated), and the ones the
    assessor decided on review (evidence accepted, claim upheld), which stay listed with the
    decision so the report shows what changed and why."""
    return [
        q
        for q in result.questions
        if q.evidence
        and (
            q.evidence.status.value in ("contradicted", "understated", "upheld")
            or (q.review is not None and q.review.decision == "accept")
        )
    ]


def review_note(q: QuestionResult) -> str:
    """The assessor's decision on a question, as one sentence that stands on its own."""
    r = q.review
    if r is None:
        return ""
    when = f" on {r.at:%-d %B %Y}" if r.at else ""
    if r.decision == "accept":
        why = f" ({r.reason})" if r.reason else ""
        return (
            f"Changed on review: the assessor, {r.by}, accepted the repositories' evidence{why}"
            f"{when}; scored {fmt_level(q.level)} instead of the {fmt_level(r.original_level)} "
            "answered."
        )
    if r.decision == "uphold":
        reason = r.reason.strip()
        reason += "" if reason.endswith((".", "!", "?")) else "."
        return (
            f"Upheld by the assessor, {r.by}{when}: {reason} Scored at the level claimed, "
            f"{fmt_level(q.level)}."
        )
    if r.request is not None:
        return (
            f"Evidence requested on review by {r.by}{when}: {r.request.what}, from "
            f"{r.request.who} by {r.request.due:%-d %B %Y}."
        )
    return ""


def legal_basis(status: ControlStatus) -> list[str]:
    """The references that bind the client, each with what it is about."""
    return [
        f"{r.name} {r.ref} ({r.about}{'' if r.verified else '; expected'})"
        for r in status.references
        if r.binding
    ]


def expected_sources(compliance: Compliance | None) -> list[str]:
    """Where the references shown as expected come from (frameworks in scope)."""
    refs = (r for s in (compliance.controls if compliance else ()) for r in s.references)
    return list(dict.fromkeys(r.source for r in refs if r.in_scope and not r.verified and r.source))


def shown_dates(
    compliance: Compliance | None, today: dt.date
) -> list[tuple[str, RegulationDate, bool]]:
    """(framework, date, expected) of the frameworks in scope, by date: a date checked against
    the legal text as it is; one not checked only while it is ahead (shown as expected, with its
    source), a past one left out."""
    return sorted(
        (
            (fw.name, d, d.verified is False)
            for fw in (compliance.frameworks if compliance else ())
            if fw.applicability.applicable
            for d in fw.dates
            if d.verified is not False or d.date > today
        ),
        key=lambda x: x[1].date,
    )


def shared_context(result: Assessment) -> dict[str, Any]:
    """Lookups every report template needs (HTML and Markdown), derived from the result."""
    areas = result.areas
    compliance = result.compliance
    date = result.info.date or result.generated_at.date()
    split = respondent_disagreements(result)
    return {
        "r": result,
        "date": date.strftime("%-d %B %Y") if isinstance(date, dt.date) else str(date),
        # questions of modules not run are out of the area chapters, the heatmap and the
        # appendix's rows (the method chapter and the appendix say which modules did not run)
        "by_area": {
            a.id: [q for q in result.questions if q.area == a.id and q.status != "not_in_scope"]
            for a in areas
        },
        "in_scope": [q for q in result.questions if q.status != "not_in_scope"],
        "modules_not_run": [m for m in result.modules if not m.run],
        "uncounted": any(not x.counted for q in result.questions for x in q.answers),
        "area_titles": {a.id: a.title for a in areas},
        "area_levels": {a.id: a.level for a in areas},
        "area_by_id": {a.id: a for a in areas},
        "disagreements": disagreements(result),
        "gap_by_id": {g.question_id: g for g in result.gaps},
        "question_by_id": {q.id: q for q in result.questions},
        "review_note": review_note,
        "not_assessed": not_assessed,
        "risks_heading": risks_heading(result),
        "to_find_out": to_find_out,
        "stage_basis": stage_basis,
        "stage_limit": stage_limit,
        "stage_rule": stage_rule,
        "answers_differ": answers_differ,
        "respondent_answer": respondent_answer,
        "combined_of": combined_of,
        "scored_of": scored_of,
        "policy_text": POLICY_TEXT[result.source.evidence_policy.value],
        "first_actions": sorted(result.roadmap_items, key=lambda i: i.order)[:5],
        "phase_titles": phase_titles(result),
        "item_by_id": {i.id: i for i in result.roadmap_items},
        "later_items": [i for i in result.roadmap_items if i.phase == LATER],
        "later_groups": later_groups(result),
        "step_label": step_label,
        "capacity_text": capacity_text(result),
        "phase_heading": phase_heading,
        "later_heading": later_heading(result) if result.later else "",
        "spread": split,
        "respondents_split": {q.id for q in split},
        "tool_areas": tool_areas(result),
        "tools_by_area": dict(tool_areas(result)),
        "migrations": [t for t in result.recommendations if not t.areas],
        "dates": shown_dates(compliance, date),
        "legal_basis": legal_basis,
        "scope_notes": scope_notes(
            r for s in (compliance.controls if compliance else ()) for r in s.references
        ),
        "expected_sources": expected_sources(compliance),
        "disclaimer": DISCLAIMER,
        "portfolio": portfolio_rows(result),
        "link_titles": {
            x.id: x.title
            for chain in (compliance.lineage if compliance else ())
            for x in chain.links
        },
        "respondents": sorted(
            {x.respondent for q in result.questions for x in q.answers if x.respondent}
        ),
    }


def report_context(result: Assessment, theme: Theme | None = None) -> dict[str, Any]:
    """Everything the HTML template needs: the shared lookups, the charts and the branding."""
    areas = result.areas
    ctx = shared_context(result)
    by_area = ctx["by_area"]
    planned = [i for i in result.roadmap_items if i.start_week is not None][:TIMELINE_MAX]
    return {
        **ctx,
        "theme": theme or resolve(None, None, result.info.organisation),
        "radar": Markup(
            charts.radar(
                [a.title for a in areas], [a.level for a in areas], [a.target for a in areas]
            )
        ),
        "bars": {a.id: Markup(charts.level_bar(a.level, a.target)) for a in areas},
        "heatmap": Markup(
            charts.heatmap(
                [
                    (
                        a.title,
                        [
                            (
                                q.id,
                                q.level,
                                q.evidence.status.value
                                if q.evidence and q.evidence.cap is not None
                                else q.status,
                            )
                            for q in by_area[a.id]
                        ],
                    )
                    for a in areas
                ]
            )
        ),
        "timeline": Markup(
            charts.timeline(
                [(p.title, p.start_month, p.end_month) for p in result.roadmap],
                # start months are fractional (a step starts when its prerequisites end);
                # charts.timeline only multiplies them, whatever its hint says
                cast(
                    "list[tuple[str, int, float]]",
                    [
                        (
                            f"#{i.order} {i.question_id} "
                            + (f"{i.from_level}→{i.to_level}" if i.kind == "step" else "find out"),
                            (i.start_week or 0) / WEEKS_PER_MONTH,
                            i.weeks / WEEKS_PER_MONTH,
                        )
                        for i in planned
                    ],
                ),
            )
        )
        if planned
        else "",
        "timeline_shown": len(planned),
        "trend": Markup(
            charts.trend(
                [m.label for m in result.progress.milestones],
                [(a.title, [m.areas.get(a.id) for m in result.progress.milestones]) for a in areas],
                [m.level for m in result.progress.milestones],
            )
        )
        if result.progress
        else "",
        "lineage_svgs": [
            Markup(charts.lineage_chain([(x.title, x.status.value) for x in chain.links]))
            for chain in (result.compliance.lineage if result.compliance else ())
        ],
    }


def render_html(result: Assessment, theme: Theme | None = None) -> str:
    template = _environment().get_template("report.html.j2")
    return template.render(**report_context(result, theme))


def render_pdf(html: str) -> bytes:
    """Turn the report HTML into PDF bytes (the caller writes them atomically)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    root = templates_dir().resolve()

    class TemplatesOnlyFetcher(URLFetcher):  # type: ignore[misc]
        """Serves files inside the templates folder and inline data: URLs, nothing else."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            parsed = urlparse(url)
            if parsed.scheme == "data":
                return super().fetch(url, headers)
            if parsed.scheme == "file":
                path = Path(unquote(parsed.path)).resolve()
                if path.is_relative_to(root) and path.is_file():
                    return super().fetch(url, headers)
            raise ValueError(f"blocked resource outside the report templates: {url[:80]}")

    # WeasyPrint logs every blocked fetch as a warning; the report never needs them.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    try:
        document = HTML(
            string=html, base_url=root.as_uri() + "/", url_fetcher=TemplatesOnlyFetcher()
        )
        pdf = document.write_pdf()
    except OSError as exc:  # missing system libraries surface here
        raise AssessError(f"PDF rendering failed: {exc}") from exc
    assert isinstance(pdf, bytes)
    return pdf
