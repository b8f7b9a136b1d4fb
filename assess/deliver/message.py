"""Build the email that carries a report: pure functions, no network, no printing.

The bodies come from ``assess.report.email`` (the executive summary with an Assessment result, a
short note without one); the PDF is attached as ``application/pdf`` under its own file name.

Header injection. An RFC 2047 encoded word (``=?utf-8?b?SGkNCkJjYzog...?=``) decodes to any
text, CR LF included, and Python's header folder writes the decoded text back raw (CPython
gh-121650, CVE-2024-6923: 3.11 before 3.11.10, 3.12 before 3.12.5; a BytesGenerator variant,
CVE-2026-1299, later still): the message on the wire would carry extra headers (``Bcc``,
``Reply-To``) and a body of the sender's choosing. So:

- text the user gives (``--subject``, an address's display name, the report's file name) is
  refused when it holds an encoded word, a line break or a control character (CR, LF, U+0085,
  U+2028, U+2029, VT, FF and every other C0/C1 character): typed text is never meant to be
  MIME syntax, and refusing says so, where silently changing it would send something else;
- text from the engagement (client name, assessment title, in the default subject) is
  neutralised: line breaks and control characters become spaces, and ``=?`` becomes ``= ?``,
  which no mail reader decodes. The subject still reads as the report's cover does, and a file
  written by someone else cannot stop the consultant from sending;
- the root: every message is built and written with ``POLICY``, which refuses any header value
  (any header, in any part, however it was set) holding an encoded word or whose decoded text
  holds a line break or control character, and checks every folded header line before it is
  written (what Python 3.11.10+ does with ``verify_generated_headers``, on every version).
  ``to_bytes`` is the one way a message becomes bytes, for SMTP and for ``.eml`` files.
- the bodies print every value on one line (a Jinja ``finalize``), so client text cannot forge
  lines such as a fake signature in either part either; encoded words mean nothing in a body.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from typing import Any

from assess.errors import InputError
from assess.model.result import Assessment
from assess.report.email import render_body
from assess.safetext import one_line

# A pragmatic address check (what parseaddr accepts is far too lenient: 'a@b', 'a b@c.com'
# and 'a@b.com, c@d.com' all come back as "addresses"): an ASCII local part, and a domain of
# at least two labels made of letters, digits and inner hyphens.
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
ADDRESS_RE = re.compile(rf"{_LOCAL}@{_LABEL}(?:\.{_LABEL})+")
_NAMED_RE = re.compile(r'(?P<name>"[^"\\]*"|[^"<>,;:@\\]*?)\s*<(?P<addr>[^<>\s]+)>')
# Every line break and control character: C0, DEL, C1 (U+0085 NEL among them), U+2028, U+2029.
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# The start of an RFC 2047 encoded word, =?charset?b|q? (readers differ on the rest).
_ENCODED_WORD_RE = re.compile(r"=\?[^?]*\?[bBqQ]\?")
# A folded header may break a line only before a space or tab, and never into a blank line.
_BAD_FOLD_RE = re.compile(r"\r\n(?![ \t])|\r(?!\n)|(?<!\r)\n|\n[ \t]*(?:\r|\n|$)")


@dataclass(frozen=True)
class Report:
    """The file to attach: its name and bytes."""

    name: str
    data: bytes


def _unsafe(text: str) -> str | None:
    """What makes ``text`` unfit for a header, or None."""
    if found := _CONTROL_RE.search(text):
        return f"a line break or control character (U+{ord(found[0]):04X})"
    if found := _ENCODED_WORD_RE.search(text):
        return f"an RFC 2047 encoded word ({found[0][:24]}...?=)"
    return None


def header_text(text: str, *, field: str, file: str | Path | None = None) -> str:
    """User-given header text (``--subject``): refused with an ``InputError`` naming ``field``
    when it holds an encoded word, a line break or a control character; spaces collapsed."""
    if problem := _unsafe(text):
        raise InputError(
            f"holds {problem}: write it as plain text on one line (assess encodes it as needed)",
            file=file,
            field=field,
        )
    return one_line(text)


def neutral_header_text(text: str) -> str:
    """Text from an engagement, made safe for a header: line breaks and control characters
    become spaces, ``=?`` becomes ``= ?`` (no longer an encoded word), spaces collapsed."""
    return _ENCODED_WORD_RE.sub(lambda m: "= " + m[0][1:], one_line(text))


def parse_address(text: str, *, field: str, file: str | Path | None = None) -> str:
    """Check one address (``name@example.com`` or ``Name <name@example.com>``) and return it
    in canonical form; anything else is an ``InputError`` naming ``field``."""
    given = text.strip()
    hint = 'expected name@example.com or "Name <name@example.com>"'
    if not given or _CONTROL_RE.search(given):
        raise InputError(f"not an email address: {text!r} ({hint})", file=file, field=field)
    if _ENCODED_WORD_RE.search(given):
        header_text(given, field=field, file=file)  # refused, saying why
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
    # not formataddr: it would turn a non-ASCII name into an encoded word, which POLICY refuses
    return str(Address(display_name=name, addr_spec=addr))


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
    if problem := _unsafe(path.name):
        raise InputError(
            f"the file name holds {problem}, and it would go into the email's headers: "
            "rename the file",
            file=_CONTROL_RE.sub(lambda m: f"\\u{ord(m[0]):04x}", str(path)),  # not printed raw
        )
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


def default_subject(report: Report, result: Assessment | None) -> str:
    """``<assessment title>: <client>`` when the engagement is known, else the file name;
    neutralised (``neutral_header_text``)."""
    if result is None:
        return neutral_header_text(report.name)
    return neutral_header_text(f"{result.info.title}: {result.client.name}")


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
    text, html = render_body(report.name, result)
    msg = EmailMessage(policy=POLICY)
    if sender:
        msg["From"] = sender
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Subject"] = (
        header_text(subject, field="--subject") if subject else default_subject(report, result)
    )
    msg["Date"] = format_datetime((now or dt.datetime.now(dt.UTC)).astimezone())
    domain = bare_address(sender).rpartition("@")[2] if sender else None
    msg["Message-ID"] = make_msgid(domain=domain or "assess.invalid")
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    msg.add_attachment(report.data, maintype="application", subtype="pdf", filename=report.name)
    return msg


class _HeaderPolicy(EmailPolicy):
    """``email.policy.SMTP`` that refuses header injection, whatever the Python version."""

    def header_store_parse(self, name: str, value: Any) -> tuple[str, Any]:
        # the given text first: the standard parser raises ValueError on some of it
        _check_header(name, str(value))
        stored = super().header_store_parse(name, value)
        _check_header(name, str(stored[1]), decoded=True)
        return stored

    def fold(self, name: str, value: str) -> str:
        folded: str = super().fold(name, value)
        return _check_folded(name, value, folded, self.linesep)

    def fold_binary(self, name: str, value: str) -> bytes:
        folded = super().fold_binary(name, value)
        _check_folded(name, value, folded.decode("ascii", "surrogateescape"), self.linesep)
        return folded


def _check_header(name: str, text: str, *, decoded: bool = False) -> None:
    if problem := _unsafe(text):
        after = " once decoded" if decoded else ""
        raise InputError(f"refusing to write the {name} header: it would hold {problem}{after}")


def _check_folded(name: str, value: Any, folded: str, linesep: str) -> str:
    if hasattr(value, "name"):  # a header object: its decoded text, as a reader sees it
        _check_header(name, str(value), decoded=True)
    if not folded.endswith(linesep) or _BAD_FOLD_RE.search(folded.removesuffix(linesep)):
        raise InputError(f"refusing to write the {name} header: it would break into separate lines")
    return folded


POLICY = _HeaderPolicy(linesep="\r\n")


def to_bytes(message: EmailMessage) -> bytes:
    """The message as sent over SMTP or written to an ``.eml`` file, every header checked."""
    return message.as_bytes(policy=POLICY)
