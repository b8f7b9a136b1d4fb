"""schema and validate: the JSON Schemas of the file kinds, and a pack and engagements checked
the way ``report`` checks them.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from assess.cli.common import (
    EXIT_OK,
    Subparsers,
    emit,
    out_option,
)

if TYPE_CHECKING:
    pass


def add_schema(sub: Subparsers) -> None:
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
    out_option(p)
    p.set_defaults(func=cmd_schema)


def add_validate(sub: Subparsers) -> None:
    p = sub.add_parser(
        "validate",
        help="check a questionnaire pack and, optionally, engagement files",
        description="Load a pack (and engagement files) and report the first problem of each.",
    )
    p.add_argument("engagements", type=Path, nargs="*", metavar="ENGAGEMENT")
    p.add_argument("--pack", metavar="PATH_OR_ID", help="pack folder or bundled id (default mlops)")
    p.set_defaults(func=cmd_validate)


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
    emit(json.dumps(schema, indent=2) + "\n", args.out)
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    """The checks ``report`` makes before it renders: the pack (``--pack``, else each
    engagement's own, as ``report`` loads it), each engagement against it, and its branding."""
    from assess.engagement import load_with_pack
    from assess.packs import load_pack
    from assess.pipeline import assess
    from assess.report.theme import engagement_theme

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
