"""score, gaps, compare and report: the result of an engagement, printed or rendered."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from assess.cli.common import (
    EXIT_OK,
    Subparsers,
    emit,
    engagement_options,
    err,
    load,
    load_all,
    printed_as,
    progress_line,
)

if TYPE_CHECKING:
    pass


def add_score(sub: Subparsers) -> None:
    p = sub.add_parser(
        "score",
        help="score an engagement and print the result",
        description="Score an engagement: level, stage, coverage and gap per area.",
    )
    engagement_options(p)
    printed_as(
        p,
        "table for people (default), json for the full Assessment result, csv per area",
    )
    p.set_defaults(func=cmd_score)


def add_gaps(sub: Subparsers) -> None:
    p = sub.add_parser(
        "gaps",
        help="print the prioritised gaps, the roadmap and tool recommendations",
        description=(
            "Gap analysis of an engagement: every practice below its area's target with its "
            "priority, the roadmap in phases (prerequisites first) and the tools recommended "
            "for the client's clouds, tools in use and expertise."
        ),
    )
    engagement_options(p)
    printed_as(
        p,
        "table for people (default); json: gaps, roadmap and recommendations; csv: one "
        "row per gap in roadmap order",
    )
    p.set_defaults(func=cmd_gaps)


def add_compare(sub: Subparsers) -> None:
    p = sub.add_parser(
        "compare",
        help="what improved, regressed or stayed between two assessments",
        description=(
            "Compare two assessments of the same client, per area and per question. OLD and NEW "
            "are results written by 'assess score --format json' (kept as milestones) or "
            "engagement files (scored now, without evidence)."
        ),
    )
    p.add_argument("old", type=Path, metavar="OLD", help="earlier result (.json) or engagement")
    p.add_argument("new", type=Path, metavar="NEW", help="later result (.json) or engagement")
    printed_as(
        p,
        "table for people (default), json, or csv (one row per area and question)",
    )
    p.set_defaults(func=cmd_compare)


def add_report(sub: Subparsers) -> None:
    p = sub.add_parser(
        "report",
        help="render the gap-analysis report (PDF, HTML, Markdown, JSON, CSV, XLSX)",
        description=(
            "Render the gap-analysis report of an engagement. Every format comes from the same "
            "Assessment result, so they never disagree."
        ),
    )
    engagement_options(p)
    p.add_argument(
        "-o",
        "--out",
        type=Path,
        metavar="FILE",
        help="file to write; its suffix picks the format (.pdf .html .md .json .xlsx), a "
        "folder gets one CSV per table",
    )
    p.add_argument(
        "--format",
        choices=["pdf", "html", "md", "json", "csv", "xlsx"],
        help="format of -o when its name does not say (xlsx: one sheet per table: scores, "
        "questions, gaps, roadmap, recommendations, findings, controls, lineage)",
    )
    p.add_argument("--html", type=Path, metavar="FILE.html", help="also write the report as HTML")
    p.add_argument(
        "--theme",
        type=Path,
        metavar="FILE",
        help="YAML branding (consultancy, logo, primary_colour, accent_colour, confidentiality) "
        "instead of the engagement's 'branding:' section",
    )
    p.set_defaults(func=cmd_report)


def cmd_score(args: argparse.Namespace) -> int:
    from assess.fsio import check_writable_target
    from assess.report.data import result_csv, result_json
    from assess.report.terminal import score_table

    if args.out:
        check_writable_target(args.out)
    result = load(args)
    if args.format == "json":
        emit(result_json(result), args.out)
    elif args.format == "csv":
        emit(result_csv(result), args.out)
    else:
        emit(score_table(result), args.out)
    return EXIT_OK


def cmd_gaps(args: argparse.Namespace) -> int:
    from assess.fsio import check_writable_target
    from assess.report.data import gaps_csv, gaps_json
    from assess.report.terminal import gaps_table

    if args.out:
        check_writable_target(args.out)
    result = load(args)
    render = {"json": gaps_json, "csv": gaps_csv, "table": gaps_table}[args.format]
    emit(render(result), args.out)
    return EXIT_OK


REPORT_FORMATS = {".pdf": "pdf", ".html": "html", ".htm": "html", ".md": "md", ".json": "json",
                  ".xlsx": "xlsx"}  # fmt: skip


def report_format(args: argparse.Namespace) -> str | None:
    from assess.errors import InputError

    if args.format and args.out is None:
        raise InputError(f"--format {args.format} needs -o FILE", field="--format")
    if args.out is None:
        return None
    from assess.fsio import is_stdout

    if is_stdout(args.out):
        if args.format in (None, "csv"):
            raise InputError("-o - (standard output) needs --format pdf, html, md, json or xlsx",
                             field="--out")  # fmt: skip
        return str(args.format)
    fmt = REPORT_FORMATS.get(args.out.suffix.lower())
    if args.format:
        if (fmt or "csv") != args.format and not (args.format == "csv" and args.out.is_dir()):
            raise InputError(f"--format {args.format} does not match the file name", file=args.out)
        return str(args.format)
    if fmt is None and args.out.is_dir():
        return "csv"
    if fmt is None:
        known = " ".join(sorted(REPORT_FORMATS))
        raise InputError(
            f"cannot tell the format from the name: use {known}, a folder for csv, or --format",
            file=args.out,
        )
    return fmt


def cmd_compare(args: argparse.Namespace) -> int:
    from assess.compare import compare
    from assess.fsio import check_writable_target
    from assess.pipeline import result_of
    from assess.report.data import comparison_csv
    from assess.report.terminal import comparison_table

    if args.out:
        check_writable_target(args.out)
    old, new = result_of(args.old), result_of(args.new)
    if old.client.name != new.client.name:
        err(f"assess: warning: comparing two clients: {old.client.name!r} and {new.client.name!r}")
    if bool(old.repos) != bool(new.repos):
        scanned, bare = (args.old, args.new) if old.repos else (args.new, args.old)
        err(
            f"assess: warning: {scanned} was scored with repository evidence and {bare} without; "
            "contradicted answers are capped only in the first, so some changes may be that"
        )
    result = compare(old, new)
    if args.format == "json":
        emit(result.model_dump_json(indent=2) + "\n", args.out)
    elif args.format == "csv":
        emit(comparison_csv(result), args.out)
    else:
        emit(comparison_table(result, new.client.name), args.out)
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    import time

    from assess.errors import InputError
    from assess.fsio import atomic_write, check_writable_target, is_stdout

    fmt = report_format(args)
    if fmt is None and not args.html:
        raise InputError("nothing to write: give -o FILE (.pdf .html .md .json .xlsx, or a folder "
                         "for csv) and/or --html FILE.html")  # fmt: skip
    if args.out and fmt == "csv":
        if args.out.exists() and not args.out.is_dir():
            raise InputError("csv writes one file per table: give a folder", file=args.out)
        check_writable_target(args.out / "scores.csv" if args.out.is_dir() else args.out)
    for target in (args.out if fmt != "csv" else None, args.html):
        if target:
            check_writable_target(target)
    started = time.perf_counter()
    loaded, result = load_all(args)

    files: dict[Path, bytes] = {}
    if fmt in ("pdf", "html") or args.html:
        from assess.report.render import render_html, render_pdf
        from assess.report.theme import engagement_theme, load_theme, resolve

        if args.theme:
            theme = resolve(load_theme(args.theme), args.theme, result.info.organisation)
        else:
            theme = engagement_theme(loaded)
        html = render_html(result, theme)
        if args.html:
            files[args.html] = html.encode("utf-8")
        if fmt == "html":
            files[args.out] = html.encode("utf-8")
        elif fmt == "pdf":
            progress_line("rendering PDF...")
            files[args.out] = render_pdf(html)
            progress_line()
    elif fmt == "md":
        from assess.report.markdown import markdown

        files[args.out] = markdown(result).encode("utf-8")
    elif fmt == "json":
        from assess.report.data import result_json

        files[args.out] = result_json(result).encode("utf-8")
    elif fmt == "xlsx":
        from assess.report.data import xlsx_bytes

        files[args.out] = xlsx_bytes(result)
    elif fmt == "csv":
        from assess.report.data import csv_files

        args.out.mkdir(exist_ok=True)
        files.update({args.out / name: data for name, data in csv_files(result).items()})
    # Write only once everything rendered, so a failure leaves no partial output.
    elapsed = time.perf_counter() - started
    for path, data in files.items():
        atomic_write(path, data)
        shown = "standard output" if is_stdout(path) else path
        err(f"wrote {shown} ({max(1, len(data) // 1024)} KiB, {elapsed:.1f}s)")
    return EXIT_OK
