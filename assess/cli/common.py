"""What every command shares: exit codes, the parser class, the options several commands take,
and the few ways a command talks to the user (one line on stderr, a status line on a
terminal, output to a file or stdout), plus loading an engagement's result through
``assess.pipeline`` with its warnings printed.

Only the CLI prints or exits. Heavy imports (pydantic models, pandas, WeasyPrint) happen inside
the functions, so ``assess --help`` starts fast.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assess.engagement import LoadedEngagement
    from assess.model.evidence import Evidence
    from assess.model.pack import Pack
    from assess.model.result import Assessment

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_INTERNAL = 70

Subparsers = Any  # argparse's _SubParsersAction, private in typeshed's eyes


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        err(f"{self.prog}: error: {message}")
        raise SystemExit(EXIT_USAGE)


def target(text: str) -> tuple[str, int]:
    area, sep, level = text.partition("=")
    if not sep or not level.strip().isdigit() or not 0 <= int(level) <= 4:
        raise argparse.ArgumentTypeError(f"expected AREA=LEVEL with LEVEL 0-4, got {text!r}")
    return area.strip(), int(level)


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def printed_as(p: argparse.ArgumentParser, help: str) -> None:
    """``--format table|json|csv`` and ``-o FILE``: the result printed for people or programs."""
    p.add_argument("--format", choices=["table", "json", "csv"], default="table", help=help)
    out_option(p)


def out_option(p: argparse.ArgumentParser) -> None:
    """``-o FILE``: where a command that prints its output can write it instead."""
    p.add_argument("-o", "--out", type=Path, metavar="FILE", help="write to FILE, not stdout")


def repo_sources(p: argparse.ArgumentParser) -> None:
    """Where repositories to scan come from, besides REPO arguments (scan and run)."""
    p.add_argument(
        "--from",
        dest="from_files",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="also scan the repositories listed in FILE: one path or URL per line, # comments; "
        "relative paths are relative to FILE (repeatable)",
    )
    p.add_argument(
        "--under",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="also scan every git repository found under DIR (working trees and bare "
        "repositories; hidden folders skipped; repeatable)",
    )
    p.add_argument(
        "-j",
        "--jobs",
        type=positive,
        metavar="N",
        help="repositories scanned at once, in separate processes (default: one per CPU)",
    )


def engagement_options(p: argparse.ArgumentParser, *, optional: bool = False) -> None:
    """The engagement and how to score it; ``optional``: as ``--engagement FILE``."""
    if optional:
        p.add_argument(
            "--engagement",
            type=Path,
            metavar="FILE",
            help="the report's engagement file: the body gets its executive summary (the "
            "scoring options below then mean what they mean for 'assess report')",
        )
    else:
        p.add_argument("engagement", type=Path, metavar="ENGAGEMENT", help="engagement YAML file")
    p.add_argument(
        "--pack",
        metavar="PATH_OR_ID",
        help="questionnaire pack folder or bundled pack id (default: the engagement's pack)",
    )
    p.add_argument(
        "--target",
        type=target,
        action="append",
        default=[],
        metavar="AREA=LEVEL",
        help="override an area's target level (repeatable), e.g. --target cicd=4",
    )
    p.add_argument(
        "--evidence",
        type=Path,
        metavar="FILE",
        help="evidence JSON written by 'assess scan --format json --out FILE'",
    )
    p.add_argument(
        "--milestone",
        type=Path,
        action="append",
        default=[],
        metavar="RESULT.json",
        help="an earlier result of the same client (assess score --format json); "
        "repeatable: adds progress since then (and a trend chart in the report)",
    )
    p.add_argument(
        "--respondents-rule",
        choices=["lowest", "mean", "highest"],
        help="how several respondents' answers to one question combine "
        "(default: the pack's rule, lowest in the default pack)",
    )
    p.add_argument(
        "--evidence-policy",
        choices=["balanced", "strict"],
        help="what a claim no scanned repository shows does: balanced keeps its level and "
        "requests the evidence, strict caps it until shown (default: the engagement's "
        "evidence_policy, balanced if unset)",
    )


def load(args: argparse.Namespace) -> Assessment:
    return load_all(args)[1]


def load_all(args: argparse.Namespace) -> tuple[LoadedEngagement, Assessment]:
    """The engagement and its result for the options of ``engagement_options``; the
    pipeline's warnings go to stderr."""
    from assess.pipeline import assess_file

    run = assess_file(
        args.engagement,
        pack=args.pack,
        evidence=[args.evidence] if args.evidence else [],
        milestones=args.milestone,
        targets=dict(args.target),
        respondents_rule=args.respondents_rule,
        evidence_policy=args.evidence_policy,
    )
    for warning in run.warnings:
        err(f"assess: warning: {warning}")
    return run.loaded, run.result


def read_evidence(paths: list[Path], pack: Pack, doing: str) -> Evidence:
    """``pipeline.read_evidence`` with its warning printed."""
    from assess.pipeline import read_evidence as read

    evidence, warnings = read(paths, pack, doing)
    for warning in warnings:
        err(f"assess: warning: {warning}")
    return evidence


def emit(text: str, out: Path | None) -> None:
    from assess.fsio import atomic_write, is_stdout

    if out is None or is_stdout(out):
        sys.stdout.write(text)
        return

    atomic_write(out, text.encode("utf-8"))
    err(f"wrote {out}")


def err(message: str) -> None:
    """Every message for the user on stderr: control characters in it (from a path, a client
    text, a repository) are shown as escapes, never acted on by the terminal."""
    from assess.safetext import printable

    print(printable(message), file=sys.stderr)


def progress_line(message: str = "") -> None:
    """One status line on a terminal, rewritten in place; nothing when stderr is piped.
    Call with no message to clear it before printing results."""
    if sys.stderr.isatty():
        from assess.scan.redact import clean  # a folder name can hold a key too

        line = clean(message)[: shutil.get_terminal_size().columns - 1]
        sys.stderr.write("\r\x1b[K" + line)
        sys.stderr.flush()
