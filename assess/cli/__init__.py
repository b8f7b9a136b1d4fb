"""Command-line adapter: parse arguments, call the core, print, map errors to exit codes.

One module per command group, each adding its commands' parsers and holding their functions:
``results`` (score, gaps, compare, report), ``interview`` (interview, review, answer),
``scan`` (scan, evidence), ``deliver`` (send, run) and ``packs`` (schema, validate); options
several commands share, and the ways a command prints, are in ``common``. The core they call is
``assess.pipeline`` (an engagement to its result) and the modules it names.

The CLI is the only part that prints or exits. Heavy imports (pydantic models, pandas,
WeasyPrint) happen inside the command functions so ``assess --help`` starts fast.
Exit codes: 0 success, 2 bad usage or input (one line on stderr), 3 an email could not be
delivered (``assess send``), 130 interrupted, 70 an internal error.
"""

from __future__ import annotations

import argparse
import gc
from pathlib import Path

from assess import __version__
from assess.cli import deliver, interview, packs, results, scan
from assess.cli.common import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, Parser, err


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="assess",
        description=(
            "MLOps maturity assessments: score an engagement file against a questionnaire "
            "pack and render a gap-analysis report."
        ),
        epilog="Run 'assess COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"assess {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for add in (
        results.add_score,
        results.add_gaps,
        results.add_compare,
        results.add_report,
        interview.add_interview,
        interview.add_review,
        interview.add_answer,
        scan.add_scan,
        deliver.add_send,
        deliver.add_run,
        scan.add_evidence,
        packs.add_schema,
        packs.add_validate,
    ):
        add(sub)
    return parser


OUTPUTS = frozenset({"out", "html", "eml", "evidence_out"})
"""The arguments that name files to write; every other file argument is an input."""


def _record_inputs(args: argparse.Namespace) -> None:
    """Every file named on the command line, other than an output, is an input of this run:
    recorded now, so the early output checks refuse to overwrite it before any work is done
    (the files the core reads later, such as pack files, are recorded as they are read)."""
    from assess.fsio import forget_inputs, record_input

    forget_inputs()
    for name, value in vars(args).items():
        if name not in OUTPUTS:
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, Path):
                    record_input(item)


def main(argv: list[str] | None = None) -> int:
    # A command makes many small objects at once (a tree's 20,000 entries, the models as
    # they load): collecting cycles after every 20,000 allocations instead of Python's 700
    # saves about 4% of a large scan, and they are still collected.
    gc.set_threshold(20_000, 50, 100)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    from assess.errors import AssessError

    _record_inputs(args)
    try:
        code: int = args.func(args)
        return code
    except AssessError as error:
        for warning in error.warnings:
            err(f"assess: warning: {warning}")
        err(f"assess: error: {error}")
        return error.exit_code
    except KeyboardInterrupt:
        err("assess: interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug: still one line, the traceback on request
        import os
        import traceback

        if os.environ.get("ASSESS_DEBUG"):
            traceback.print_exc()
        err(
            f"assess: internal error: {type(exc).__name__}: {exc} "
            "(set ASSESS_DEBUG=1 to see the traceback, and please report it)"
        )
        return EXIT_INTERNAL
