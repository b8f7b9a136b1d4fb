"""scan and evidence: repositories scanned into an evidence file, evidence files merged."""

from __future__ import annotations

import argparse
from pathlib import Path

from assess import __version__
from assess.cli.common import (
    EXIT_OK,
    Subparsers,
    emit,
    err,
    out_option,
    positive,
    progress_line,
    repo_sources,
)


def add_scan(sub: Subparsers) -> None:
    p = sub.add_parser(
        "scan",
        help="scan git repositories for evidence (read-only)",
        description=(
            "Scan git repositories (local paths, bare repositories or clone URLs) for evidence "
            "of MLOps practices, reading one commit through git plumbing: nothing is checked "
            "out, run or changed. Without --out, json and sarif go to standard output."
        ),
    )
    p.add_argument("repos", nargs="*", metavar="REPO", help="path or clone URL (file:// works)")
    repo_sources(p)
    p.add_argument("--ref", help="branch, tag or commit to scan instead of HEAD")
    p.add_argument(
        "--format",
        choices=["table", "json", "sarif"],
        default="table",
        help="table: summary per area (default); json: the evidence file score and report read; "
        "sarif: for code-scanning tools",
    )
    p.add_argument("-o", "--out", type=Path, metavar="FILE", help="write to FILE")
    p.add_argument("--pack", metavar="PATH_OR_ID", help="pack whose rules to use (default mlops)")
    p.add_argument(
        "--max-file-size",
        type=int,
        default=2 * 1024 * 1024,
        metavar="BYTES",
        help="files larger than this are noted, not read (default 2 MiB)",
    )
    p.add_argument("--no-history", action="store_true", help="skip the git log walk")
    p.add_argument(
        "--budget",
        type=positive,
        default=600,
        metavar="SECONDS",
        help="stop a repository's scan after this long and mark it incomplete (default 600)",
    )
    p.set_defaults(func=cmd_scan)


def add_evidence(sub: Subparsers) -> None:
    p = sub.add_parser(
        "evidence",
        help="combine evidence files (one scan per repository, from a client's CI)",
        description="Work with evidence files written by 'assess scan --format json'.",
    )
    evsub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    m = evsub.add_parser(
        "merge",
        help="merge evidence files into one",
        description=(
            "Merge evidence files into one: one entry per repository and commit (the first "
            "file's wins), failures only for repositories no file scanned. All files must come "
            "from the same pack and pack version."
        ),
    )
    m.add_argument("files", nargs="+", type=Path, metavar="FILE", help="evidence files")
    out_option(m)
    p.set_defaults(func=cmd_evidence)


def cmd_scan(args: argparse.Namespace) -> int:
    from assess.errors import InputError
    from assess.fsio import check_writable_target
    from assess.model.evidence import Evidence
    from assess.resources import resolve_pack_dir
    from assess.scan.batch import load_scan_pack, scan_many, sources
    from assess.scan.output import evidence_json, sarif, summary

    if args.out:
        check_writable_target(args.out)
    pack = load_scan_pack(resolve_pack_dir(args.pack))
    repos = sources(args.repos, args.from_files, args.under)

    def progress(done: int, total: int, failed: int, detail: str) -> None:
        line = f"scanning {done}/{total} repos" + (f" ({failed} failed)" if failed else "")
        progress_line(f"{line}: {detail}" if detail else line)

    try:
        scans, failures = scan_many(
            repos,
            ref=args.ref,
            pack_dir=Path(pack.source).resolve(),
            max_file_size=args.max_file_size,
            with_history=not args.no_history,
            budget=args.budget,
            jobs=args.jobs,
            progress=progress,
            pack=pack,
        )
    finally:
        progress_line()
    if not scans and len(failures) == 1:
        raise InputError(failures[0].message, file=failures[0].source)
    for failure in failures:
        err(f"assess: warning: {failure.source}: {failure.message}")
    if not scans:
        raise InputError(f"none of the {len(failures)} repositories could be scanned")
    evidence = Evidence(
        tool_version=__version__,
        pack_id=pack.id,
        pack_version=pack.version,
        repos=scans,
        failed=failures,
    )
    if args.format == "json":
        emit(evidence_json(evidence), args.out)
    elif args.format == "sarif":
        emit(sarif(evidence, pack.rules), args.out)
    else:
        emit(summary(evidence, pack), args.out)
    return EXIT_OK


def cmd_evidence(args: argparse.Namespace) -> int:
    from assess.evidence import merge_evidence, read_evidence
    from assess.fsio import check_writable_target
    from assess.scan.output import evidence_json

    if args.out:
        check_writable_target(args.out)
    merged = merge_evidence([(f, read_evidence(f)) for f in args.files], __version__)
    emit(evidence_json(merged), args.out)
    return EXIT_OK
