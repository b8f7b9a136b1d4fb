"""Load an engagement file and check it against its pack.

The engagement file is YAML the consultant (or ``assess interview``) writes: the pack it was
started on, who runs the assessment, the context answers and the answers per question. Every
problem is an ``EngagementError`` naming the file, the field and the line.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from assess.errors import EngagementError
from assess.model.base import LEVEL_MAX, LEVEL_MIN
from assess.model.engagement import AnswerStatus, ContextValue, Engagement, PackRef
from assess.model.pack import ContextField, ContextType, Pack
from assess.resources import packs_dir
from assess.validation import did_you_mean, validate
from assess.yamlio import Locator, load_yaml


@dataclass(frozen=True)
class LoadedEngagement:
    engagement: Engagement
    path: Path
    sha256: str


def parse_engagement(path: Path) -> tuple[Engagement, Locator]:
    """Read and validate the file on its own, before it is checked against a pack."""
    data, loc = load_yaml(path, "engagement file")
    if data is None:
        raise EngagementError("the engagement file is empty", file=path)
    return validate(Engagement, data, file=path, locator=loc, error=EngagementError), loc


def load_engagement(path: Path, pack: Pack, *, complete: bool = True) -> LoadedEngagement:
    """Load and check an engagement; ``complete=False`` allows required context still missing
    (an interview in progress)."""
    eng, loc = parse_engagement(path)
    check_engagement(eng, pack, path, loc, complete=complete)
    return LoadedEngagement(eng, path, hashlib.sha256(path.read_bytes()).hexdigest())


def load_with_pack(path: Path, pack_ref: str | Path | None) -> tuple[Pack, LoadedEngagement]:
    """Load an engagement and its pack: ``pack_ref`` if given, else the one it records."""
    from assess.packs import load_pack

    eng, loc = parse_engagement(path)
    pack = load_pack(pack_ref or pack_location(eng, path, loc))
    check_engagement(eng, pack, path, loc)
    return pack, LoadedEngagement(eng, path, hashlib.sha256(path.read_bytes()).hexdigest())


class _Dumper(yaml.SafeDumper):
    """The safe dumper, writing text of several lines as a literal block (``|``), as people
    write it by hand (PyYAML falls back to quotes for text a block cannot hold)."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def dump_engagement(eng: Engagement) -> str:
    """The engagement as YAML, in the same shape people write by hand (one answer per question
    as a mapping, several as a list; defaults left out). Every field of the model is written,
    in the model's order: a section this function does not name (the assessor's words, review
    decisions, the evidence policy) is kept without changing it."""
    answers: dict[str, object] = {}
    for qid, items in eng.answers.items():
        dumped = [
            a.model_dump(mode="json", exclude_none=True, exclude_defaults=True) for a in items
        ]
        answers[qid] = dumped[0] if len(dumped) == 1 else dumped
    special = {"pack": eng.pack.model_dump(mode="json"), "context": eng.context, "answers": answers}
    rest = eng.model_dump(mode="json", exclude_defaults=True, exclude=set(special))
    data: dict[str, object] = {}
    for name in type(eng).model_fields:
        if name in special:
            data[name] = special[name]
        elif name in rest:
            data[name] = rest[name]
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def pack_location(eng: Engagement, path: Path, loc: Locator | None = None) -> str | Path:
    """Where an engagement's pack lives: its recorded folder (relative to the engagement
    file) for a pack that is not bundled, else the bundled pack's id. A recorded folder that
    is not there is this file's error (``pack.path``)."""
    if eng.pack.path:
        folder = path.parent / eng.pack.path
        if not folder.is_dir():
            raise EngagementError(
                f"no pack folder {eng.pack.path} (relative to this file); give --pack PATH "
                "or correct the path",
                file=path,
                field="pack.path",
                line=loc.line(("pack", "path")) if loc else None,
            )
        return folder
    return eng.pack.id


def pack_ref_for(pack: Pack, engagement_path: Path) -> PackRef:
    """The reference a new engagement records: bundled packs by id, others by folder too."""
    folder = Path(pack.source).resolve()
    if folder.parent == packs_dir().resolve():
        return PackRef(id=pack.id, version=pack.version)
    try:
        rel = os.path.relpath(folder, engagement_path.resolve().parent)
    except ValueError:  # another drive on Windows
        rel = str(folder)
    return PackRef(id=pack.id, version=pack.version, path=Path(rel).as_posix())


def check_engagement(
    eng: Engagement, pack: Pack, path: Path, loc: Locator, *, complete: bool = True
) -> None:
    def fail(msg: str, *field: str | int) -> EngagementError:
        return EngagementError(msg, file=path, field=_dotted(field), line=loc.line(field))

    if eng.pack.id != pack.id:
        raise fail(f"engagement is for pack {eng.pack.id!r}, not {pack.id!r}", "pack", "id")
    if eng.pack.version != pack.version:
        raise fail(
            f"engagement was started on {pack.id} {eng.pack.version} but the pack is "
            f"{pack.version}; use the matching pack or migrate the file",
            "pack",
            "version",
        )

    areas = [a.id for a in pack.areas]
    for key in eng.evidence_scope or {}:
        if key not in areas:
            raise fail(f"unknown area (known: {', '.join(areas)})", "evidence_scope", key)

    fields = {f.id: f for f in pack.context}
    for key, value in eng.context.items():
        if key not in fields:
            raise fail(f"unknown context field (known: {', '.join(fields)})", "context", key)
        problem = _context_problem(fields[key], value, pack)
        if problem:
            raise fail(problem, "context", key)
    for f in pack.context:
        if complete and f.required and _is_blank(eng.context.get(f.id)):
            raise fail(f"required ({f.prompt}) is missing", "context", f.id)

    for qid, answers in eng.answers.items():
        q = pack.question(qid)
        if q is None:
            hint = did_you_mean(qid, [x.id for x in pack.questions])
            raise fail(
                f"no question {qid!r} in pack {pack.id} {pack.version}{hint}", "answers", qid
            )
        for i, a in enumerate(answers):
            where = ("answers", qid) if len(answers) == 1 else ("answers", qid, i)
            if a.status is AnswerStatus.answered and a.choice and q.choice(a.choice) is None:
                known = ", ".join(c.id for c in q.choices)
                hint = did_you_mean(a.choice, [c.id for c in q.choices])
                raise fail(f"no choice {a.choice!r}{hint} (choices: {known})", *where, "choice")
            if a.status is AnswerStatus.not_applicable and q.not_applicable is None:
                raise fail("this question cannot be answered not_applicable", *where, "status")
        respondents = [a.respondent for a in answers]
        if len(answers) > 1 and len(set(respondents)) != len(respondents):
            raise fail("several answers from the same respondent", "answers", qid)
    for qid in eng.review.questions:
        if pack.question(qid) is None:
            hint = did_you_mean(qid, [x.id for x in pack.questions])
            raise fail(
                f"no question {qid!r} in pack {pack.id} {pack.version}{hint}",
                "review",
                "questions",
                qid,
            )

    modules = [m.id for m in pack.modules]
    for i, name in enumerate(eng.modules):
        if name not in modules:
            listed = ", ".join(modules) or "none"
            hint = did_you_mean(name, modules)
            raise fail(f"no module {name!r} in pack {pack.id}{hint} (modules: {listed})",
                       "modules", i)  # fmt: skip
    roles = [r.id for r in pack.roles]
    for who, info in eng.respondents.items():
        if info.role is not None and info.role not in roles:
            listed = ", ".join(roles) or "none"
            hint = did_you_mean(info.role, roles)
            raise fail(f"no role {info.role!r} in pack {pack.id}{hint} (roles: {listed})",
                       "respondents", who, "role")  # fmt: skip

    areas = [a.id for a in pack.areas]
    for area in eng.observations:
        if pack.area(area) is None:
            hint = did_you_mean(area, areas)
            raise fail(
                f"no area {area!r} in pack {pack.id} {pack.version}{hint} "
                f"(areas: {', '.join(areas)})",
                "observations",
                area,
            )


def _dotted(field: tuple[str | int, ...]) -> str:
    out = ""
    for part in field:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _is_blank(value: ContextValue) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)


def _context_problem(field: ContextField, value: ContextValue, pack: Pack) -> str | None:
    if value is None:
        return None
    t = field.type
    options = [o.id for o in field.options]
    if t is ContextType.text and not isinstance(value, str):
        return "expected text"
    if t is ContextType.integer and (not isinstance(value, int) or isinstance(value, bool)):
        return "expected a whole number"
    if t is ContextType.integer and isinstance(value, int) and value < 0:
        return "expected a number >= 0"
    if t is ContextType.boolean and not isinstance(value, bool):
        return "expected true or false"
    if t is ContextType.choice and (not isinstance(value, str) or value not in options):
        return f"expected one of: {', '.join(options)}"
    if t is ContextType.multi:
        if not isinstance(value, list):
            return f"expected a list of: {', '.join(options)}"
        bad = [v for v in value if v not in options]
        if bad:
            return f"unknown option {bad[0]!r} (options: {', '.join(options)})"
    if t is ContextType.targets:
        if not isinstance(value, dict):
            return "expected a mapping of area id to target level 0-4"
        for area, level in value.items():
            if pack.area(area) is None:
                return f"unknown area {area!r} (areas: {', '.join(a.id for a in pack.areas)})"
            if not isinstance(level, int) or not LEVEL_MIN <= level <= LEVEL_MAX:
                return f"target for {area!r} must be a level 0-4"
    return None
