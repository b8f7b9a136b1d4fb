"""Command-line adapter: parse arguments, call the core, print, map errors to exit codes.

This is the only module that prints or exits. Heavy imports (pydantic models, pandas,
WeasyPrint) happen inside the command functions so ``assess --help`` starts fast.
Exit codes: 0 success, 2 bad usage or input (one line on stderr), 3 an email could not be
delivered (``assess send``), 130 interrupted.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assess import __version__

if TYPE_CHECKING:
    from assess.engagement import LoadedEngagement
    from assess.model.evidence import Evidence
    from assess.model.pack import Pack
    from assess.model.result import Assessment

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_INTERNAL = 70


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        _err(f"{self.prog}: error: {message}")
        raise SystemExit(EXIT_USAGE)


def _target(text: str) -> tuple[str, int]:
    area, sep, level = text.partition("=")
    if not sep or not level.strip().isdigit() or not 0 <= int(level) <= 4:
        raise argparse.ArgumentTypeError(f"expected AREA=LEVEL with LEVEL 0-4, got {text!r}")
    return area.strip(), int(level)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


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
            type=_positive,
            metavar="N",
            help="repositories scanned at once, in separate processes (default: one per CPU)",
        )

    def engagement_args(p: argparse.ArgumentParser, *, optional: bool = False) -> None:
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
            p.add_argument(
                "engagement", type=Path, metavar="ENGAGEMENT", help="engagement YAML file"
            )
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
        "gaps",
        help="print the prioritised gaps, the roadmap and tool recommendations",
        description=(
            "Gap analysis of an engagement: every practice below its area's target with its "
            "priority, the roadmap in phases (prerequisites first) and the tools recommended "
            "for the client's clouds, tools in use and expertise."
        ),
    )
    engagement_args(p)
    p.add_argument(
        "--format",
        choices=["table", "json", "csv"],
        default="table",
        help="table for people (default); json: gaps, roadmap and recommendations; csv: one "
        "row per gap in roadmap order",
    )
    p.add_argument("-o", "--out", type=Path, metavar="FILE", help="write to FILE, not stdout")

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
    p.add_argument(
        "--format",
        choices=["table", "json", "csv"],
        default="table",
        help="table for people (default), json, or csv (one row per area and question)",
    )
    p.add_argument("-o", "--out", type=Path, metavar="FILE", help="write to FILE, not stdout")

    p = sub.add_parser(
        "report",
        help="render the gap-analysis report (PDF, HTML, Markdown, JSON, CSV, XLSX)",
        description=(
            "Render the gap-analysis report of an engagement. Every format comes from the same "
            "Assessment result, so they never disagree."
        ),
    )
    engagement_args(p)
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

    p = sub.add_parser(
        "interview",
        help="interview stakeholders in the terminal; every answer is saved at once",
        description=(
            "Ask the context section, then the questions area by area, saving each answer "
            "to ENGAGEMENT at once (created if missing). Run it again to resume at the first "
            "unanswered question. Needs a terminal; scripts use 'assess answer'."
        ),
    )
    p.add_argument("engagement", type=Path, metavar="ENGAGEMENT", help="engagement YAML file")
    p.add_argument(
        "--pack",
        metavar="PATH_OR_ID",
        help="questionnaire pack for a new engagement (default mlops), or a newer version of "
        "the engagement's pack to migrate to",
    )
    p.add_argument(
        "--respondent",
        metavar="NAME",
        help="who is answering; answers are recorded per respondent",
    )
    p.add_argument("--area", metavar="AREA", help="only this area (e.g. cicd)")
    p.add_argument(
        "--module",
        action="append",
        default=[],
        metavar="NAME",
        help="also run this deep-dive module of the pack (repeatable); recorded in the "
        "engagement, so later sittings, score and report include it",
    )
    p.add_argument(
        "--role",
        metavar="ROLE",
        help="with --respondent: ask only the questions this pack role owns (e.g. dpo), and "
        "record the respondent's role; later sittings of the respondent reuse it",
    )
    p.add_argument("--review", action="store_true", help="pick any question and change its answer")
    p.add_argument(
        "--evidence",
        type=Path,
        nargs="+",
        action="extend",
        default=[],
        metavar="FILE",
        help="evidence JSON (assess scan --format json, or assess evidence merge): before each "
        "question the scanned repositories speak to, show their findings and preselect the "
        "level they suggest",
    )
    p.add_argument(
        "--respondents",
        action="store_true",
        help="list who answered what, and where respondents disagree, then exit",
    )

    p = sub.add_parser(
        "review",
        help="review the claims the repositories disagree with; every decision is saved at once",
        description=(
            "Walk, one at a time, the claims the scanned repositories disagree with "
            "(contradicted, not evidenced, understated, evidence only), area by area, and "
            "decide each: accept the evidence, uphold the claim with a justification, request "
            "evidence from the client, or waive a finding as a false positive. Decisions are "
            "saved at once in the engagement's 'review:' section; run it again to resume with "
            "the claims not decided yet. Needs a terminal, unless one of the decision flags or "
            "--list is given."
        ),
    )
    p.add_argument("engagement", type=Path, metavar="ENGAGEMENT", help="engagement YAML file")
    p.add_argument(
        "--evidence",
        type=Path,
        nargs="+",
        required=True,
        metavar="EV",
        help="evidence files written by 'assess scan --format json' (several are merged)",
    )
    p.add_argument("--pack", metavar="PATH_OR_ID", help="pack (default: the engagement's)")
    act = p.add_mutually_exclusive_group()
    act.add_argument("--accept", metavar="QID", help="accept the evidence: score its level")
    act.add_argument("--uphold", metavar="QID", help="uphold the claim (needs --reason)")
    act.add_argument(
        "--request", metavar="QID", help="request evidence (needs --who and --due; --what)"
    )
    act.add_argument(
        "--waive", metavar="RULE:REPO:PATH", help="waive a finding as a false positive (--reason)"
    )
    act.add_argument(
        "--clear", metavar="QID_OR_KEY", help="remove the decision on a question or finding"
    )
    act.add_argument(
        "--list", action="store_true", help="list the claims, decisions and stale decisions"
    )
    p.add_argument("--reason", metavar="TEXT", help="the justification or waiver reason")
    p.add_argument("--who", metavar="NAME", help="--request: who should provide the evidence")
    p.add_argument(
        "--what", metavar="TEXT", help="--request: what to show (default: the question's evidence)"
    )
    p.add_argument("--due", metavar="YYYY-MM-DD", help="--request: by when")
    p.add_argument(
        "--by",
        metavar="NAME",
        help="who decides (default: the engagement's assessor, else $USER)",
    )
    p.add_argument(
        "--format", choices=["table", "json"], default="table", help="--list: table or json"
    )

    p = sub.add_parser(
        "answer",
        help="set one answer from a script",
        description=(
            "Set one answer without a terminal. CHOICE is a choice id of the question or its "
            "level number, 'dont_know' (--reason may say why), or 'not_applicable' (with "
            "--reason). Once a question has named respondents, --respondent is required."
        ),
    )
    p.add_argument("engagement", type=Path, metavar="ENGAGEMENT", help="engagement YAML file")
    p.add_argument("question", metavar="QUESTION_ID", help="e.g. cicd.merge_request_ci")
    p.add_argument(
        "choice", metavar="CHOICE", help="choice id or level number, dont_know or not_applicable"
    )
    p.add_argument("--note", help="free-text note kept with the answer")
    p.add_argument(
        "--reason",
        help="why the question does not apply (needed with not_applicable) or is not known",
    )
    p.add_argument("--respondent", metavar="NAME", help="who gave the answer")
    p.add_argument("--pack", metavar="PATH_OR_ID", help="pack for a new engagement")

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
        type=_positive,
        default=600,
        metavar="SECONDS",
        help="stop a repository's scan after this long and mark it incomplete (default 600)",
    )

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
    engagement_args(p, optional=True)
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
    m.add_argument("-o", "--out", type=Path, metavar="FILE", help="write to FILE, not stdout")

    p = sub.add_parser(
        "schema",
        help="print the JSON Schema of a file kind",
        description=(
            "Print a JSON Schema so editors can validate YAML: 'pack' for pack.yaml, "
            "'questions' for questions/*.yaml, 'rules' for rules/*.yaml, 'tools' for tools.yaml, "
            "'migration' for migrations/from-<version>.yaml, 'engagement' for "
            "engagement files, 'result' for the Assessment JSON written by 'assess score "
            "--format json', 'evidence' for the JSON written by 'assess scan --format json'."
        ),
    )
    p.add_argument(
        "kind",
        choices=[
            "pack",
            "questions",
            "rules",
            "tools",
            "migration",
            "engagement",
            "result",
            "evidence",
        ],
    )
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
    return _load_all(args)[1]


def _load_all(args: argparse.Namespace) -> tuple[LoadedEngagement, Assessment]:
    from assess.engagement import load_with_pack
    from assess.scoring import assess

    pack, loaded = load_with_pack(args.engagement, args.pack)
    targets = dict(args.target)
    for area in targets:
        if pack.area(area) is None:
            from assess.errors import InputError

            known = ", ".join(a.id for a in pack.areas)
            raise InputError(f"unknown area {area!r} (areas: {known})", field="--target")
    from assess.model.pack import EvidencePolicy, RespondentRule

    rule = RespondentRule(args.respondents_rule) if args.respondents_rule else None
    policy = EvidencePolicy(args.evidence_policy) if args.evidence_policy else None
    evidence = _read_evidence([args.evidence], pack, "scoring") if args.evidence else None
    result = assess(pack, loaded, targets=targets, rule=rule, evidence=evidence, policy=policy)
    if args.milestone:
        from assess.compare import load_result, progress

        history = [load_result(path) for path in args.milestone]
        for path, old in zip(args.milestone, history, strict=True):
            if old.client.name != result.client.name or old.source.pack_id != result.source.pack_id:
                _err(
                    f"assess: warning: {path}: a milestone of {old.client.name!r} "
                    f"({old.source.pack_id}), compared with {result.client.name!r} "
                    f"({result.source.pack_id})"
                )
        result = result.model_copy(update={"progress": progress(history, result)})
    return loaded, result


def _read_evidence(paths: list[Path], pack: Pack, doing: str) -> Evidence:
    """The evidence files of a run, for ``pack`` (several are merged as ``assess evidence
    merge`` merges them); a warning when they were scanned with another version of it."""
    from assess.evidence import load_evidence, merge_evidence

    files = [(path, load_evidence(path, pack)) for path in paths]
    evidence = files[0][1] if len(files) == 1 else merge_evidence(files, __version__)
    if evidence.pack_version != pack.version:
        _err(
            f"assess: warning: {', '.join(map(str, paths))}: scanned with pack {pack.id} "
            f"{evidence.pack_version}, {doing} with {pack.version}; rescan if the rules changed"
        )
    return evidence


def _emit(text: str, out: Path | None) -> None:
    from assess.fsio import atomic_write, is_stdout

    if out is None or is_stdout(out):
        sys.stdout.write(text)
        return

    atomic_write(out, text.encode("utf-8"))
    _err(f"wrote {out}")


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


def cmd_gaps(args: argparse.Namespace) -> int:
    from assess.export import gaps_csv, gaps_json, gaps_table
    from assess.fsio import check_writable_target

    if args.out:
        check_writable_target(args.out)
    result = _load(args)
    render = {"json": gaps_json, "csv": gaps_csv, "table": gaps_table}[args.format]
    _emit(render(result), args.out)
    return EXIT_OK


REPORT_FORMATS = {".pdf": "pdf", ".html": "html", ".htm": "html", ".md": "md", ".json": "json",
                  ".xlsx": "xlsx"}  # fmt: skip


def _report_format(args: argparse.Namespace) -> str | None:
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


def _result_or_engagement(path: Path) -> Assessment:
    from assess.compare import load_result

    if path.suffix.lower() == ".json":
        return load_result(path)
    from assess.engagement import load_with_pack
    from assess.scoring import assess

    pack, loaded = load_with_pack(path, None)
    return assess(pack, loaded)


def cmd_compare(args: argparse.Namespace) -> int:
    from assess.compare import compare
    from assess.export import comparison_csv, comparison_table
    from assess.fsio import check_writable_target

    if args.out:
        check_writable_target(args.out)
    old, new = _result_or_engagement(args.old), _result_or_engagement(args.new)
    if old.client.name != new.client.name:
        _err(f"assess: warning: comparing two clients: {old.client.name!r} and {new.client.name!r}")
    if bool(old.repos) != bool(new.repos):
        scanned, bare = (args.old, args.new) if old.repos else (args.new, args.old)
        _err(
            f"assess: warning: {scanned} was scored with repository evidence and {bare} without; "
            "contradicted answers are capped only in the first, so some changes may be that"
        )
    result = compare(old, new)
    if args.format == "json":
        _emit(result.model_dump_json(indent=2) + "\n", args.out)
    elif args.format == "csv":
        _emit(comparison_csv(result), args.out)
    else:
        _emit(comparison_table(result, new.client.name), args.out)
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    import time

    from assess.errors import InputError
    from assess.fsio import atomic_write, check_writable_target, is_stdout

    fmt = _report_format(args)
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
    loaded, result = _load_all(args)

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
            _progress("rendering PDF...")
            files[args.out] = render_pdf(html)
            _progress()
    elif fmt == "md":
        from assess.report.exports import markdown

        files[args.out] = markdown(result).encode("utf-8")
    elif fmt == "json":
        from assess.export import result_json

        files[args.out] = result_json(result).encode("utf-8")
    elif fmt == "xlsx":
        from assess.report.exports import xlsx_bytes

        files[args.out] = xlsx_bytes(result)
    elif fmt == "csv":
        from assess.report.exports import csv_files

        args.out.mkdir(exist_ok=True)
        files.update({args.out / name: data for name, data in csv_files(result).items()})
    # Write only once everything rendered, so a failure leaves no partial output.
    elapsed = time.perf_counter() - started
    for path, data in files.items():
        atomic_write(path, data)
        shown = "standard output" if is_stdout(path) else path
        _err(f"wrote {shown} ({max(1, len(data) // 1024)} KiB, {elapsed:.1f}s)")
    return EXIT_OK


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
    result = _load_all(args)[1] if args.engagement else None
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
    fmt = _report_format(ns(format=None, out=args.out))
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
        _err(
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


def cmd_evidence(args: argparse.Namespace) -> int:
    from assess.evidence import merge_evidence, read_evidence
    from assess.fsio import check_writable_target
    from assess.scan.output import evidence_json

    if args.out:
        check_writable_target(args.out)
    merged = merge_evidence([(f, read_evidence(f)) for f in args.files], __version__)
    _emit(evidence_json(merged), args.out)
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    import json

    from pydantic import BaseModel

    from assess.model.engagement import Engagement
    from assess.model.evidence import Evidence
    from assess.model.pack import MigrationFile, PackFile, QuestionFile, ToolFile
    from assess.model.result import Assessment
    from assess.model.rules import RuleFile

    models: dict[str, type[BaseModel]] = {
        "pack": PackFile,
        "questions": QuestionFile,
        "engagement": Engagement,
        "rules": RuleFile,
        "tools": ToolFile,
        "migration": MigrationFile,
        "result": Assessment,
        "evidence": Evidence,
    }
    model = models[args.kind]
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    _emit(json.dumps(schema, indent=2) + "\n", args.out)
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    """The checks ``report`` makes before it renders: the pack (``--pack``, else each
    engagement's own, as ``report`` loads it), each engagement against it, and its branding."""
    from assess.engagement import load_with_pack
    from assess.packs import load_pack
    from assess.report.theme import engagement_theme
    from assess.scoring import assess

    if args.pack or not args.engagements:
        pack = load_pack(args.pack)
        print(
            f"ok: pack {pack.id} {pack.version} ({len(pack.questions)} questions, "
            f"{len(pack.rules)} scan rules, {len(pack.tools)} tools) at {pack.source}"
        )
    for path in args.engagements:
        pack, loaded = load_with_pack(path, args.pack)
        engagement_theme(loaded)
        areas = assess(pack, loaded).areas  # counted as the report counts them
        print(
            f"ok: {path} (pack {pack.id} {pack.version}; {len(pack.questions)} questions: "
            f"{sum(a.answered for a in areas)} answered, {sum(a.dont_know for a in areas)} "
            f"don't know, {sum(a.not_applicable for a in areas)} not applicable, "
            f"{sum(a.unanswered for a in areas)} not answered"
            + (f", {n} not in scope" if (n := sum(a.not_in_scope for a in areas)) else "")
            + ")"
        )
    return EXIT_OK


def cmd_interview(args: argparse.Namespace) -> int:
    from assess.errors import InputError
    from assess.interview.session import open_session

    if not args.respondents and not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise InputError(
            "the interview needs a terminal; from a script or pipe use "
            "'assess answer ENGAGEMENT QUESTION_ID CHOICE'"
        )
    from assess.interview.engine import check_modules, check_role, choose, role_of

    if args.role and not args.respondent:
        raise InputError(
            "--role needs --respondent NAME: the role is recorded per respondent", field="--role"
        )
    evidence: list[Evidence] = []

    def check(pack: Pack) -> None:  # before the session writes anything (a migration)
        if args.area and pack.area(args.area) is None:
            known = ", ".join(a.id for a in pack.areas)
            raise InputError(f"unknown area {args.area!r} (areas: {known})", field="--area")
        check_modules(pack, args.module)
        if args.role:
            check_role(pack, args.role)
        if args.evidence:
            evidence.append(_read_evidence(args.evidence, pack, "interviewing"))

    session = open_session(args.engagement, args.pack, check=check)
    pack = session.pack
    _say_migration(args.engagement, session)
    if args.respondents:
        print(_respondents_report(session))
        return EXIT_OK

    from assess.interview.prompt import run

    eng = choose(
        pack, session.engagement, modules=args.module, respondent=args.respondent, role=args.role
    )
    role = args.role or role_of(eng, args.respondent)
    _check_role_in_scope(pack, eng, role)
    if session.created or eng != session.engagement:  # the interview creates its file at once
        session.save(eng)
    _say_scope(pack, eng, role)
    try:
        ui = run(
            session,
            respondent=args.respondent,
            area=args.area,
            review=args.review,
            say=print,
            findings=[
                f for ev in evidence for r in ev.repos for fs in r.areas.values() for f in fs
            ],
            role=role,
        )
    except KeyboardInterrupt:
        _err(
            f"\nInterrupted. Every answer given is saved in {args.engagement}; "
            f"run the same command to resume."
        )
        return EXIT_INTERRUPTED
    from assess.interview.engine import progress

    done, total = progress(pack, session.engagement, args.respondent, role=role)
    print(f"Saved {args.engagement}: {done} of {total} questions answered ({ui.answered_now} now).")
    if done == total:
        print(f"Next: assess report {args.engagement} -o report.pdf")
    return EXIT_OK


def _say_migration(path: Path, session: Any) -> None:
    """What a move to a new pack version did with the answers, when it happened."""
    m = session.migration
    if m is None:
        return
    pack = session.pack
    lines = [
        f"{path} was started on {pack.id} {m.old_version}; moved to {pack.version} "
        f"(backup: {session.backup})."
    ]
    if m.carried or m.reconfirm:
        lines.append(
            f"Carried over: {len(m.carried)} questions as they were, {len(m.reconfirm)} to "
            f"re-confirm (asked first: {', '.join(m.reconfirm) or 'none'})."
        )
    for qid, why in m.dropped:
        lines.append(f"Dropped: {qid}: {' '.join(why.split())}")
    lines.append(
        f"Removed or changed: {', '.join(m.removed) or 'none'}. New questions: {len(m.added)}."
    )
    print("\n".join(lines))


def _check_role_in_scope(pack: Pack, eng: Any, role: str | None) -> None:
    """A role whose questions all sit in modules this engagement does not run gets nothing
    to answer: say which modules would give it some."""
    from assess.conditions import modules_run
    from assess.errors import InputError
    from assess.interview.engine import applicable_questions

    if role is None or applicable_questions(pack, eng, role=role):
        return
    run = modules_run(pack, eng)
    idle = sorted(
        {q.module for q in pack.questions if q.module and q.module not in run}
        & {q.module for q in pack.questions if pack.owner_of(q) == role}
    )
    if idle:
        raise InputError(
            f"role {role!r} owns questions only in modules this engagement does not run "
            f"({', '.join(idle)}); add --module {idle[0]}",
            field="--role",
        )


def _say_scope(pack: Pack, eng: Any, role: str | None) -> None:
    """One line on the modules that run (and why) and the role asked, when the pack has any."""
    from assess.conditions import modules_run

    if not pack.modules:
        return
    run = modules_run(pack, eng)
    shown = [f"{m} ({why})" for m, why in run.items()]
    rest = [m.id for m in pack.modules if m.id not in run]
    line = "Modules: " + ("; ".join(shown) if shown else "core only")
    if rest:
        line += f"; not run: {', '.join(rest)} (--module NAME adds one)"
    if role:
        line += f". Asking the questions {pack.role_title(role)} owns."
    print(line)


def _respondents_report(session: Any) -> str:
    from assess.interview.engine import respondents_summary

    summary = respondents_summary(session.engagement, session.pack)
    lines = []
    for who, count in summary.counts.items():
        scan = summary.confirmed.get(who)
        info = session.engagement.respondents.get(who)
        role = f" (as {session.pack.role_title(info.role)})" if info and info.role else ""
        lines.append(
            f"{who}{role}: {count} answers" + (f", {scan} confirmed from the scan" if scan else "")
        )
    if not lines:
        return "No answers yet."
    if summary.disagreements:
        lines.append("")
        lines.append("Where respondents disagree:")
        for qid, views in summary.disagreements.items():
            lines.append(f"  {qid}: " + "; ".join(f"{w}: {v}" for w, v in views))
    return "\n".join(lines)


REVIEW_ACTIONS = ("accept", "uphold", "request", "waive", "clear")


def cmd_review(args: argparse.Namespace) -> int:
    from assess.errors import InputError

    acting = args.list or any(getattr(args, a) for a in REVIEW_ACTIONS)
    if not acting and not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise InputError(
            "the review needs a terminal; from a script or pipe use 'assess review ENGAGEMENT "
            "--evidence EV --accept QID' (or --uphold, --request, --waive, --clear, --list)"
        )
    try:
        return _review(args)
    except InputError as err:
        if err.file is None:  # a flag's error: name the engagement it was about
            err.file = str(args.engagement)
        raise


def _review(args: argparse.Namespace) -> int:
    import datetime as dt
    import os

    from assess.engagement import LoadedEngagement, load_with_pack
    from assess.errors import InputError
    from assess.model.engagement import Engagement
    from assess.scoring import assess

    action = next((a for a in REVIEW_ACTIONS if getattr(args, a)), None)
    for flag in ("who", "what", "due"):
        if getattr(args, flag) is not None and action != "request":
            raise InputError(f"--{flag} goes with --request", field=f"--{flag}")
    if args.reason is not None and action not in ("accept", "uphold", "waive"):
        raise InputError("--reason goes with --uphold, --waive or --accept", field="--reason")
    if args.format != "table" and not args.list:
        raise InputError("--format goes with --list", field="--format")
    if not args.engagement.exists():
        raise InputError("engagement file not found", file=args.engagement)
    if args.list:  # reads only
        from assess.review import listing_json, listing_table

        pack, loaded = load_with_pack(args.engagement, args.pack)
        result = assess(pack, loaded, evidence=_read_evidence(args.evidence, pack, "reviewing"))
        render = listing_json if args.format == "json" else listing_table
        _emit(render(result, args.engagement, args.evidence), None)
        return EXIT_OK

    from assess.interview.session import open_session

    session = open_session(args.engagement, args.pack)
    pack = session.pack
    evidence = _read_evidence(args.evidence, pack, "reviewing")

    def evaluate(eng: Engagement) -> Assessment:
        return assess(pack, LoadedEngagement(eng, args.engagement, ""), evidence=evidence)

    by = (
        args.by
        or session.engagement.assessment.assessor
        or os.environ.get("USER")
        or os.environ.get("LOGNAME")
    )
    if not (by or "").strip():
        raise InputError("who decides? give --by NAME", field="--by")
    assert by is not None
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    if action is not None:
        from assess.model.result import ReviewSummary
        from assess.review import all_findings, decide

        eng, said = decide(
            pack,
            session.engagement,
            evaluate(session.engagement).review or ReviewSummary(),
            all_findings(evidence.repos),
            action=action,
            target=getattr(args, action),
            reason=args.reason,
            who=args.who,
            what=args.what,
            due=args.due,
            by=by,
            now=now,
        )
        session.save(eng)
        print(f"saved in {args.engagement}: {said}")
        return EXIT_OK

    from assess.interview.review_prompt import run

    try:
        ui = run(session, evaluate, by=by, say=print)
    except KeyboardInterrupt:
        _err(
            f"\nInterrupted. Every decision made is saved in {args.engagement}; "
            "run the same command to resume."
        )
        return EXIT_INTERRUPTED
    items = ui.items
    done = sum(1 for i in items if i.decision)
    waived = len(ui.result.review.waived) if ui.result.review else 0
    print(
        f"Saved {args.engagement}: {done} of {len(items)} claims decided ({ui.decided_now} "
        f"changes now), {waived} finding(s) waived."
    )
    if done == len(items):
        ev = args.evidence[0] if len(args.evidence) == 1 else "MERGED.json"
        print(f"Next: assess report {args.engagement} --evidence {ev} -o report.pdf")
    return EXIT_OK


def cmd_answer(args: argparse.Namespace) -> int:
    import datetime as dt

    from assess.errors import InputError
    from assess.interview.engine import prune, set_answer
    from assess.interview.session import open_session
    from assess.model.engagement import Answer, AnswerStatus

    session = open_session(args.engagement, args.pack)
    _say_migration(args.engagement, session)
    pack = session.pack
    q = pack.question(args.question)
    if q is None:
        import difflib

        close = difflib.get_close_matches(args.question, [x.id for x in pack.questions], n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise InputError(
            f"no question {args.question!r} in pack {pack.id}{hint}", field="QUESTION_ID"
        )
    if args.choice == "dont_know":
        status, choice = AnswerStatus.dont_know, None
    elif args.choice == "not_applicable":
        if q.not_applicable is None:
            raise InputError(f"{q.id} cannot be answered not_applicable", field="CHOICE")
        if not (args.reason or "").strip():
            raise InputError("not_applicable needs --reason", field="--reason")
        status, choice = AnswerStatus.not_applicable, None
    else:
        status, choice = AnswerStatus.answered, _answer_choice(q, args.choice)
    if args.reason is not None and status is AnswerStatus.answered:
        raise InputError(
            "--reason says why a question does not apply or is not known; for a choice use --note",
            field="--reason",
        )
    named = sorted({a.respondent for a in session.engagement.answers.get(q.id, []) if a.respondent})
    if named and not args.respondent:
        raise InputError(
            f"{q.id} already has answers from {', '.join(named)}: say whose this one is with "
            "--respondent NAME",
            field="--respondent",
        )
    answer = Answer(
        status=status,
        choice=choice,
        reason=args.reason if status is not AnswerStatus.answered else None,
        note=args.note,
        respondent=args.respondent,
        answered_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
    )
    eng, cleared = prune(pack, set_answer(session.engagement, q.id, answer))
    session.save(eng)
    shown = choice or status.value
    level = f" (level {c.level})" if choice and (c := q.choice(choice)) else ""
    print(f"saved {q.id} = {shown}{level} in {args.engagement}")
    if cleared:
        print("cleared answers that no longer apply: " + ", ".join(cleared))
    return EXIT_OK


def _answer_choice(q: Any, given: str) -> str:
    """The choice id ``assess answer`` was given: a choice id or a level number; a typo gets
    the closest id suggested."""
    import difflib

    from assess.errors import InputError

    if given.isdigit():
        by_level = next((c for c in q.choices if c.level == int(given)), None)
        if by_level is None:
            levels = ", ".join(str(c.level) for c in q.choices)
            raise InputError(f"no level {given} in {q.id} (levels: {levels})", field="CHOICE")
        return str(by_level.id)
    if q.choice(given) is not None:
        return given
    ids = [c.id for c in q.choices] + ["dont_know"]
    ids += ["not_applicable"] if q.not_applicable is not None else []
    close = difflib.get_close_matches(given, ids, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise InputError(
        f"no choice {given!r} in {q.id} (choices: {', '.join(ids)}; or a level number){hint}",
        field="CHOICE",
    )


def cmd_scan(args: argparse.Namespace) -> int:
    from assess.errors import InputError
    from assess.fsio import check_writable_target
    from assess.model.evidence import Evidence
    from assess.packs import load_pack
    from assess.scan.batch import scan_many, sources
    from assess.scan.output import evidence_json, sarif, summary

    if args.out:
        check_writable_target(args.out)
    pack = load_pack(args.pack)
    repos = sources(args.repos, args.from_files, args.under)

    def progress(done: int, total: int, failed: int, detail: str) -> None:
        line = f"scanning {done}/{total} repos" + (f" ({failed} failed)" if failed else "")
        _progress(f"{line}: {detail}" if detail else line)

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
        _progress()
    if not scans and len(failures) == 1:
        raise InputError(failures[0].message, file=failures[0].source)
    for failure in failures:
        _err(f"assess: warning: {failure.source}: {failure.message}")
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
        _emit(evidence_json(evidence), args.out)
    elif args.format == "sarif":
        _emit(sarif(evidence, pack.rules), args.out)
    else:
        _emit(summary(evidence, pack), args.out)
    return EXIT_OK


def _err(message: str) -> None:
    """Every message for the user on stderr: control characters in it (from a path, a client
    text, a repository) are shown as escapes, never acted on by the terminal."""
    from assess.safetext import printable

    print(printable(message), file=sys.stderr)


def _progress(message: str = "") -> None:
    """One status line on a terminal, rewritten in place; nothing when stderr is piped.
    Call with no message to clear it before printing results."""
    if sys.stderr.isatty():
        from assess.scan.redact import clean  # a folder name can hold a key too

        line = clean(message)[: shutil.get_terminal_size().columns - 1]
        sys.stderr.write("\r\x1b[K" + line)
        sys.stderr.flush()


COMMANDS = {
    "score": cmd_score,
    "interview": cmd_interview,
    "answer": cmd_answer,
    "review": cmd_review,
    "compare": cmd_compare,
    "gaps": cmd_gaps,
    "report": cmd_report,
    "scan": cmd_scan,
    "run": cmd_run,
    "send": cmd_send,
    "evidence": cmd_evidence,
    "schema": cmd_schema,
    "validate": cmd_validate,
}


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
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    from assess.errors import AssessError

    _record_inputs(args)
    try:
        return COMMANDS[args.command](args)
    except AssessError as err:
        _err(f"assess: error: {err}")
        return err.exit_code
    except KeyboardInterrupt:
        _err("assess: interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # a bug: still one line, the traceback on request
        import os
        import traceback

        if os.environ.get("ASSESS_DEBUG"):
            traceback.print_exc()
        _err(
            f"assess: internal error: {type(exc).__name__}: {exc} "
            "(set ASSESS_DEBUG=1 to see the traceback, and please report it)"
        )
        return EXIT_INTERNAL
