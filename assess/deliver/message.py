"""Build the email that carries a report: pure functions, no network, no printing.

The body is rendered from ``templates/email/body.txt.j2`` and ``body.html.j2`` (Jinja2,
``StrictUndefined``; the HTML part autoescaped, so a client name such as ``<b>Acme & Co</b>``
prints literally). With an Assessment result the body holds the executive summary, the same
numbers the PDF shows (client, overall level and stage, the three biggest risks, the first five
actions); without one it is a short note. The PDF is attached as ``application/pdf`` under its
own file name.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from pathlib import Path
from typing import Any

import jinja2

from assess.errors import InputError
from assess.model import Assessment
from assess.resources import templates_dir

# A pragmatic address check (what parseaddr accepts is far too lenient: 'a@b', 'a b@c.com'
# and 'a@b.com, c@d.com' all come back as "addresses"): an ASCII local part, and a domain of
# at least two labels made of letters, digits and inner hyphens.
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
ADDRESS_RE = re.compile(rf"{_LOCAL}@{_LABEL}(?:\.{_LABEL})+")
_NAMED_RE = re.compile(r'(?P<name>"[^"\\]*"|[^"<>,;:@\\]*?)\s*<(?P<addr>[^<>\s]+)>')
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Report:
    """The file to attach: its name and bytes."""

    name: str
    data: bytes


def parse_address(text: str, *, field: str, file: str | Path | None = None) -> str:
    """Check one address (``name@example.com`` or ``Name <name@example.com>``) and return it
    in canonical form; anything else is an ``InputError`` naming ``field``."""
    given = text.strip()
    hint = 'expected name@example.com or "Name <name@example.com>"'
    if not given or _CONTROL_RE.search(given):
        raise InputError(f"not an email address: {text!r} ({hint})", file=file, field=field)
    named = _NAMED_RE.fullmatch(given)
    if ADDRESS_RE.fullmatch(given):
        name, addr = "", given
    elif named and ADDRESS_RE.fullmatch(named["addr"]):
        name, addr = named["name"].strip().strip('"').strip(), named["addr"]
    else:
        raise InputError(f"not an email address: {text!r} ({hint})", file=file, field=field)
    # the standard parser must read the same address back, or a mail server might not either
    if parseaddr(given)[1] != addr:
        raise InputError(f"not an email address: {text!r} ({hint})", file=file, field=field)
    return formataddr((name, addr))


def bare_address(address: str) -> str:
    """``Dana <d@x.com>`` -> ``d@x.com`` (for the SMTP envelope)."""
    return parseaddr(address)[1]


def read_report(path: Path) -> Report:
    """Read the report to attach; it must be a PDF (by its bytes, not its name)."""
    if not path.exists():
        raise InputError("report not found", file=path)
    if not path.is_file():
        raise InputError("not a file, expected the report PDF", file=path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=path) from exc
    if not data.startswith(b"%PDF-"):
        raise InputError("not a PDF file (render one with 'assess report ... -o FILE.pdf')",
                         file=path)  # fmt: skip
    return Report(path.name, data)


def _megabytes(size: int) -> str:
    mb = size / (1024 * 1024)
    return f"{mb:.1f} MB" if mb >= 1 else f"{max(1, round(size / 1024))} KB"


def check_size(report: Report, max_mb: float, *, path: Path | None = None) -> None:
    """Refuse an attachment larger than ``max_mb`` (MiB), before connecting."""
    if len(report.data) > max_mb * 1024 * 1024:
        raise InputError(
            f"the report is {_megabytes(len(report.data))}, larger than the {max_mb:g} MB "
            "attachments may be (max_attachment_mb in the SMTP config, or ASSESS_SMTP_MAX_MB)",
            file=path or report.name,
        )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def default_subject(report: Report, result: Assessment | None) -> str:
    """``<assessment title>: <client>`` when the engagement is known, else the file name."""
    if result is None:
        return report.name
    return _one_line(f"{result.info.title}: {result.client.name}")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir() / "email"),
        autoescape=lambda name: bool(name and name.endswith(".html.j2")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
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
        "limiting": [titles.get(a, a) for a in result.overall.limiting_areas],
        "risks": [
            {
                "area": titles.get(k.area, k.area),
                "level": k.current_level,
                "target": k.target,
                "statement": k.statement,
            }
            for k in result.risks[:3]
        ],
        "actions": [
            {"plan": g.plan, "owner": g.owner, "weeks": g.weeks, "area": titles.get(g.area, g.area)}
            for g in sorted(result.gaps, key=lambda g: g.order)[:5]
        ],
    }


def render_body(report: Report, result: Assessment | None) -> tuple[str, str]:
    """The plain-text and HTML bodies."""
    env = _environment()
    ctx: dict[str, Any] = {"report_name": report.name, "summary": None}
    if result is not None:
        ctx["summary"] = summary_context(result)
    return (
        env.get_template("body.txt.j2").render(ctx),
        env.get_template("body.html.j2").render(ctx),
    )


def build_message(
    report: Report,
    *,
    to: Sequence[str],
    cc: Sequence[str] = (),
    sender: str | None,
    subject: str | None = None,
    result: Assessment | None = None,
    now: dt.datetime | None = None,
) -> EmailMessage:
    """The complete message: headers, text and HTML alternatives, the PDF attached.
    Addresses must already be checked with ``parse_address``."""
    if not to:
        raise InputError("give at least one recipient", field="--to")
    text, html = render_body(report, result)
    msg = EmailMessage()
    if sender:
        msg["From"] = sender
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Subject"] = _one_line(subject) if subject else default_subject(report, result)
    msg["Date"] = format_datetime((now or dt.datetime.now(dt.UTC)).astimezone())
    domain = bare_address(sender).rpartition("@")[2] if sender else None
    msg["Message-ID"] = make_msgid(domain=domain or "assess.invalid")
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    msg.add_attachment(report.data, maintype="application", subtype="pdf", filename=report.name)
    return msg
