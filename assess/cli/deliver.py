"""send and run: the report emailed through SMTP, and the whole engagement in one command
(interview what is missing, scan, report, send).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from assess.cli.common import (
    EXIT_OK,
    Subparsers,
    engagement_options,
    err,
    load_all,
    repo_sources,
)
from assess.cli.interview import cmd_interview
from assess.cli.results import cmd_report, report_format
from assess.cli.scan import cmd_scan

if TYPE_CHECKING:
    pass


def add_send(sub: Subparsers) -> None:
    p = sub.add_parser(
        "send",
        help="email the report PDF through SMTP",
        description=(
            "Email a report PDF through SMTP (STARTTLS, implicit TLS, or plain for a local "
            "relay). Settings come from --config FILE or ~/.config/assess/smtp.yaml (host, "
            "port, security, username, sender, max_attachment_mb, timeout, ca_file) and the "
            "ASSESS_SMTP_HOST, _PORT, _SECURITY, _USER, _FROM, _MAX_MB, _TIMEOUT, _CA_FILE "
            "environment variables, which win over the file. The password comes from "
            "ASSESS_SMTP_PASSWORD or is asked on a terminal; never from the command line or a "
            "file. With --engagement the body holds the executive summary. Exit code 3 when "
            "the server could not be reached or refused the message."
        ),
    )
    p.add_argument("report", type=Path, metavar="REPORT.pdf", help="the PDF to attach")
    p.add_argument(
        "--to",
        action="append",
        required=True,
        metavar="ADDR",
        help="recipient (repeatable), e.g. 'Marta Keller <marta@example.com>'",
    )
    p.add_argument("--cc", action="append", default=[], metavar="ADDR", help="copy (repeatable)")
    engagement_options(p, optional=True)
    p.add_argument(
        "--subject",
        metavar="TEXT",
        help="default: '<assessment title>: <client>', or the file name",
    )
    p.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="SMTP settings YAML (default ~/.config/assess/smtp.yaml if it exists)",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="write the message to REPORT.eml next to the report instead of sending",
    )
    p.add_argument(
        "--eml",
        type=Path,
        metavar="FILE",
        help="write the message to FILE instead of sending (implies --dry-run)",
    )
    p.set_defaults(func=cmd_send)


def add_run(sub: Subparsers) -> None:
    p = sub.add_parser(
        "run",
        help="the whole engagement: interview what is missing, scan, score, render, send",
        description=(
            "One command for an engagement: on a terminal, interview the questions still "
            "unanswered; scan the repositories (REPO, --from, --under) into an evidence file "
            "next to the report; render the report; with --send-to, email it."
        ),
    )
    p.add_argument("engagement", type=Path, metavar="ENGAGEMENT", help="engagement YAML file")
    p.add_argument("--repo", action="append", default=[], metavar="REPO", help="repository to scan")
    repo_sources(p)
    p.add_argument("-o", "--out", type=Path, required=True, metavar="FILE",
                   help="the report (.pdf .html .md .json .xlsx)")  # fmt: skip
    p.add_argument("--evidence-out", type=Path, metavar="FILE",
                   help="where the scan evidence goes (default: next to the report)")  # fmt: skip
    p.add_argument("--respondent", metavar="NAME", help="who answers the missing questions")
    p.add_argument("--no-interview", action="store_true", help="never prompt, even on a terminal")
    p.add_argument(
        "--pack", metavar="PATH_OR_ID", help="questionnaire pack (default: the engagement's)"
    )
    p.add_argument("--theme", type=Path, metavar="FILE", help="branding file (see report --theme)")
    p.add_argument("--send-to", action="append", default=[], metavar="ADDR",
                   help="email the report to ADDR (repeatable; see 'assess send')")  # fmt: skip
    p.add_argument("--cc", action="append", default=[], metavar="ADDR", help="copy the email")
    p.add_argument("--config", type=Path, metavar="FILE", help="SMTP settings (see 'assess send')")
    p.add_argument("--dry-run", action="store_true", help="write the email as .eml, do not send")
    p.set_defaults(func=cmd_run)


def _smtp_password(username: str, host: str | None) -> str:
    """ASSESS_SMTP_PASSWORD, else asked on a terminal; never an argument or a file."""
    import os

    from assess.deliver.config import PASSWORD_ENV
    from assess.errors import InputError

    password = os.environ.get(PASSWORD_ENV, "")
    if password:
        return password
    if not sys.stdin.isatty():
        raise InputError(
            f"the SMTP login {username} needs a password: set {PASSWORD_ENV} (it is never "
            "read from the command line or a file), or run on a terminal to be asked"
        )
    import getpass

    password = getpass.getpass(f"SMTP password for {username} at {host}: ")
    if not password:
        raise InputError("no password given")
    return password


def cmd_send(args: argparse.Namespace) -> int:
    import os

    from assess.deliver.config import default_config_path, load_config
    from assess.deliver.message import (
        build_message,
        check_size,
        parse_address,
        read_report,
        to_bytes,
    )
    from assess.errors import InputError
    from assess.fsio import atomic_write, check_writable_target, is_stdout

    to = [parse_address(a, field="--to") for a in args.to]
    cc = [parse_address(a, field="--cc") for a in args.cc]
    if not args.engagement:
        for flag, value in (
            ("--evidence", args.evidence),
            ("--pack", args.pack),
            ("--target", args.target),
            ("--respondents-rule", args.respondents_rule),
            ("--evidence-policy", args.evidence_policy),
            ("--milestone", args.milestone),
        ):
            if value:
                raise InputError(f"{flag} needs --engagement FILE", field=flag)
    dry_run = args.dry_run or args.eml is not None
    eml = args.eml or args.report.with_suffix(".eml")
    if dry_run:
        if eml.resolve() == args.report.resolve():
            raise InputError("would overwrite the report; choose another name", file=eml)
        check_writable_target(eml)
    report = read_report(args.report)
    default = default_config_path()
    config = load_config(args.config or (default if default.is_file() else None), os.environ)
    check_size(report, config.max_mb, path=args.report)
    if not dry_run:
        config.check_sendable()
    result = load_all(args)[1] if args.engagement else None
    message = build_message(
        report, to=to, cc=cc, sender=config.sender, subject=args.subject, result=result
    )
    if dry_run:
        atomic_write(eml, to_bytes(message))
        status = sys.stderr if is_stdout(eml) else sys.stdout  # the message itself went there
        print(f"wrote {eml} (not sent; {len(to) + len(cc)} recipients)", file=status)
        return EXIT_OK
    password = _smtp_password(config.username, config.host) if config.username else None
    from assess.deliver.smtp import send

    sent = send(message, config, password)
    print(f"sent {report.name} to {', '.join(sent)} via {config.host}:{config.port}")
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    """Compose the other commands, in order; each prints its own one-line status."""
    from assess.engagement import load_with_pack
    from assess.fsio import check_writable_target
    from assess.interview.engine import applicable_questions, progress

    ns = argparse.Namespace
    fmt = report_format(ns(format=None, out=args.out))
    for target in (args.out, args.evidence_out):
        if target:
            check_writable_target(target)
    if args.send_to and fmt != "pdf":
        from assess.errors import InputError

        raise InputError("--send-to sends a PDF: give -o FILE.pdf", file=args.out)
    pack, loaded = load_with_pack(args.engagement, args.pack)
    if args.respondent:
        done, total = progress(pack, loaded.engagement, args.respondent)
    else:  # answered by anyone
        asked = applicable_questions(pack, loaded.engagement)
        done, total = sum(1 for q in asked if loaded.engagement.answers.get(q.id)), len(asked)
    interactive = sys.stdin.isatty() and sys.stdout.isatty() and not args.no_interview
    if done < total and interactive:
        print(f"{total - done} of {total} questions unanswered: starting the interview")
        code = cmd_interview(
            ns(engagement=args.engagement, pack=args.pack, respondent=args.respondent,
               area=None, review=False, respondents=False, evidence=[], module=[], role=None)
        )  # fmt: skip
        if code != EXIT_OK:
            return code
    elif done < total:
        err(
            f"assess: note: {total - done} of {total} questions unanswered (they lower coverage); "
            f"answer them with 'assess interview {args.engagement}'"
        )
    evidence = None
    if args.repo or args.from_files or args.under:
        evidence = args.evidence_out or args.out.with_name(args.out.stem + ".evidence.json")
        code = cmd_scan(
            ns(repos=args.repo, from_files=args.from_files, under=args.under, ref=None,
               format="json", out=evidence, pack=pack.source, max_file_size=2 * 1024 * 1024,
               no_history=False, jobs=args.jobs, budget=600)
        )  # fmt: skip
        if code != EXIT_OK:
            return code
    common = {"engagement": args.engagement, "pack": args.pack, "target": [],
              "evidence": evidence, "respondents_rule": None,
              "evidence_policy": None}  # fmt: skip
    code = cmd_report(ns(**common, milestone=[], out=args.out, format=None, html=None,
                         theme=args.theme))  # fmt: skip
    if code != EXIT_OK or not args.send_to:
        return code
    return cmd_send(
        ns(**common, milestone=[], report=args.out, to=args.send_to, cc=args.cc, subject=None,
           config=args.config, dry_run=args.dry_run, eml=None)
    )  # fmt: skip
