"""The bodies of the email that carries a report, rendered from ``templates/email/body.txt.j2``
and ``body.html.j2`` (Jinja2, ``StrictUndefined``; the HTML part autoescaped, so a client name
such as ``<b>Acme & Co</b>`` prints literally). With an Assessment result the body holds the
executive summary, the same numbers and sentences the PDF shows (client, overall level and
stage, the biggest risks, the first five actions, then the assessor's own summary when the
engagement has one); without one it is a short note. Every value
prints on one line (the environment's ``finalize``), so client text cannot forge lines such as
a fake signature. ``assess.deliver.message`` builds the message around them.
"""

from __future__ import annotations

from typing import Any

import jinja2

from assess.model.result import Assessment
from assess.report.prose import blocks
from assess.report.render import not_assessed, risks_heading, stage_limit, to_find_out
from assess.resources import templates_dir
from assess.safetext import one_line


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir() / "email"),
        autoescape=lambda name: bool(name and name.endswith(".html.j2")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=lambda v: one_line(v) if isinstance(v, str) else v,  # every value on one line
    )
    env.filters["level"] = lambda v: "n/a" if v is None else f"{v:.1f}"
    return env


def summary_context(result: Assessment) -> dict[str, Any]:
    """The executive summary the body shows: the same fields the PDF's summary page uses."""
    titles = {a.id: a.title for a in result.areas}
    return {
        "client": result.client.name,
        "title": result.info.title,
        "assessor": result.info.assessor,
        "organisation": result.info.organisation,
        "overall": result.overall,
        "stage_limit": stage_limit(result) if result.overall.level is not None else "",
        "not_assessed": not_assessed(to_find_out(result.areas)),
        "risks_heading": risks_heading(result),
        # the assessor's own words, as the PDF's summary page shows them after the numbers
        "assessor_summary": blocks(result.executive_summary),
        "risks": [
            {
                "area": titles.get(k.area, k.area),
                "level": k.current_level,
                "target": k.target,
                "statement": k.statement,
            }
            for k in result.risks
        ],
        "actions": [
            {
                "plan": i.action,
                "owner": i.owner,
                "weeks": i.weeks,
                "area": titles.get(i.area, i.area),
            }
            for i in sorted(result.roadmap_items, key=lambda i: i.order)[:5]
        ],
    }


def render_body(report_name: str, result: Assessment | None) -> tuple[str, str]:
    """The plain-text and HTML bodies of the email carrying the report ``report_name``."""
    env = _environment()
    ctx: dict[str, Any] = {"report_name": report_name, "summary": None}
    if result is not None:
        ctx["summary"] = summary_context(result)
    return (
        env.get_template("body.txt.j2").render(ctx),
        env.get_template("body.html.j2").render(ctx),
    )
