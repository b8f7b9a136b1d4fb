"""Command-line adapter: parse arguments, call the core, print, map errors to exit codes.

This is the only module that prints or exits. Heavy imports (pydantic models, pandas,
WeasyPrint) happen inside the command functions so ``assess --help`` starts fast.
Exit codes: 0 success, 2 bad usage or input (one line on stderr), 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from assess import __version__

if TYPE_CHECKING:
    from assess.model import Assessment

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _target(text: str) -> tuple[str, int]:
    area, sep, level = text.partition("=")
    if not sep or not level.strip().isdigit() or not 0 <= int(level) <= 4:
        raise argparse.ArgumentTypeError(f"expected AREA=LEVEL with LEVEL 0-4, got {text!r}")
    return area.strip(), int(level)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="assess",
        description=(
            "MLOps maturity assessments: score an engagement file against a questionnaire "
            "pack and render a gap-analysis report."
        ),
        epilog="Run 'assess COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"assess {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def engagement_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("engagement", type=Path, metavar="ENGAGEMENT", help="engagement YAML file")
        p.add_argument(
            "--pack",
            metavar="PATH_OR_ID",
            help="questionnaire pack folder or bundled pack id (default: the engagement's pack)",
        )
        p.add_argument(
            "--target",
            type=_target,
            action="append",
            default=[],
            metavar="AREA=LEVEL",
            help="override an area's target level (repeatable), e.g. --target cicd=4",
        )

    p = sub.add_parser(
        "score",
        help="score an engagement and print the result",
        description="Score an engagement: level, stage, coverage and gap per area.",
    )
    engagement_args(p)
    p.add_argument(
        "--format",
        choices=["table", "json", "csv"],
        default="table",
        help="table for people (default), json for the full Assessment result, csv per area",
    )
    p.add_argument("-o", "--out", type=Path, metavar="FILE", help="write to FILE, not stdout")

    p = sub.add_parser(
        "report",
        help="render the gap-analysis report (PDF, HTML)",
        description="Render the gap-analysis report of an engagement as PDF and/or HTML.",
    )
    engagement_args(p)
    p.add_argument("-o", "--out", type=Path, metavar="FILE.pdf", help="PDF file to write")
    p.add_argument("--html", type=Path, metavar="FILE.html", help="also write the report as HTML")

    p = sub.add_parser(
        "schema",
        help="print the JSON Schema of a file kind",
        description=(
            "Print a JSON Schema so editors can validate YAML: 'pack' for pack.yaml, "
            "'questions' for questions/*.yaml, 'engagement' for engagement files, 'result' for "
            "the Assessment JSON written by 'assess score --format json'."
        ),
    )
    p.add_argument("kind", choices=["pack", "questions", "engagement", "result"])
    p.add_argument("-o", "--out", type=Path, metavar="FILE", help="write to FILE, not stdout")

    p = sub.add_parser(
        "validate",
        help="check a questionnaire pack and, optionally, engagement files",
        description="Load a pack (and engagement files) and report the first problem of each.",
    )
    p.add_argument("engagements", type=Path, nargs="*", metavar="ENGAGEMENT")
    p.add_argument("--pack", metavar="PATH_OR_ID", help="pack folder or bundled id (default mlops)")
    return parser


# --------------------------------------------------------------------------- commands


def _load(args: argparse.Namespace) -> Assessment:
    from assess.engagement import load_engagement, peek_pack_ref
    from assess.packs import load_pack
    from assess.scoring import assess

    pack = load_pack(args.pack or peek_pack_ref(args.engagement))
    loaded = load_engagement(args.engagement, pack)
    targets = dict(args.target)
    for area in targets:
        if pack.area(area) is None:
            from assess.errors import InputError

            known = ", ".join(a.id for a in pack.areas)
            raise InputError(f"unknown area {area!r} (areas: {known})", field="--target")
    return assess(pack, loaded, targets=targets)


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
        return
    from assess.fsio import atomic_write

    atomic_write(out, text.encode("utf-8"))
    print(f"wrote {out}", file=sys.stderr)


def cmd_score(args: argparse.Namespace) -> int:
    from assess.export import result_csv, result_json, score_table
    from assess.fsio import check_writable_target

    if args.out:
        check_writable_target(args.out)
    result = _load(args)
    if args.format == "json":
        _emit(result_json(result), args.out)
    elif args.format == "csv":
        _emit(result_csv(result), args.out)
    else:
        _emit(score_table(result), args.out)
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    import time

    from assess.errors import InputError
    from assess.fsio import atomic_write, check_writable_target
    from assess.report.render import render_html, render_pdf

    if not args.out and not args.html:
        raise InputError("nothing to write: give -o FILE.pdf and/or --html FILE.html")
    for target in (args.out, args.html):
        if target:
            check_writable_target(target)
    started = time.perf_counter()
    result = _load(args)
    html = render_html(result)
    pdf = None
    if args.out:
        _progress("rendering PDF...")
        pdf = render_pdf(html)
    # Write only once everything rendered, so a failure leaves no partial output.
    if args.html:
        atomic_write(args.html, html.encode("utf-8"))
        print(f"wrote {args.html}", file=sys.stderr)
    if args.out and pdf is not None:
        atomic_write(args.out, pdf)
        elapsed = time.perf_counter() - started
        print(f"wrote {args.out} ({len(pdf) // 1024} KiB, {elapsed:.1f}s)", file=sys.stderr)
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    import json

    from pydantic import BaseModel

    from assess.model import Assessment, Engagement, PackFile, QuestionFile

    models: dict[str, type[BaseModel]] = {
        "pack": PackFile,
        "questions": QuestionFile,
        "engagement": Engagement,
        "result": Assessment,
    }
    model = models[args.kind]
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    _emit(json.dumps(schema, indent=2) + "\n", args.out)
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from assess.engagement import load_engagement
    from assess.packs import load_pack

    pack = load_pack(args.pack)
    print(f"ok: pack {pack.id} {pack.version} ({len(pack.questions)} questions) at {pack.source}")
    for path in args.engagements:
        loaded = load_engagement(path, pack)
        print(f"ok: {path} ({len(loaded.engagement.answers)} questions answered)")
    return EXIT_OK


def _progress(message: str) -> None:
    if sys.stderr.isatty():
        print(message, file=sys.stderr, flush=True)


COMMANDS = {
    "score": cmd_score,
    "report": cmd_report,
    "schema": cmd_schema,
    "validate": cmd_validate,
}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    from assess.errors import AssessError

    try:
        return COMMANDS[args.command](args)
    except AssessError as err:
        print(f"assess: error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("assess: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
