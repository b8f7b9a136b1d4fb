"""Load a questionnaire pack and check it whole.

A pack is a folder: ``pack.yaml`` (identity, ladder, areas, context section, scoring rule,
roadmap phases), ``questions/<area>.yaml`` (the questions of one area), ``rules/<area>.yaml``
(scan rules, loaded by ``assess.scan.rules``), an optional ``tools.yaml`` (the tool catalog),
``compliance/`` and ``migrations/from-<version>.yaml`` (``assess.migration``). ``pack.yaml`` may
define ``roles`` (then every owner is a role id) and ``modules`` (deep-dive question sets; a
question's ``module`` names one, and a module's ``when`` names a context field or a screening
question).
Every problem is a ``PackError`` naming the file, the field and the line: unknown keys, missing
fields, duplicate ids, choices whose levels do not climb, a question filed under an area that
does not exist, a dependency cycle, a tool whose successor is not in the catalog, a plan text's
catalog reference (``{tools:<kind>}``, ``assess.toolref``) to a kind of tool the catalog does
not have (or one outside a plan). A pack that loaded is kept between runs while its files stay
the same (``assess.packcache``).
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from pathlib import Path

from assess.errors import PackError
from assess.model.pack import (
    CONSEQUENCE_FIELDS,
    Area,
    ContextField,
    ContextType,
    Control,
    ControlFile,
    Framework,
    LineageConfig,
    ModuleCondition,
    Pack,
    PackFile,
    Question,
    QuestionFile,
    Tool,
    ToolFile,
    ToolKind,
    ToolStatus,
)
from assess.packcache import cached
from assess.resources import resolve_pack_dir
from assess.toolref import REFERENCE, check_references
from assess.validation import did_you_mean, validate
from assess.yamlio import Locator, format_path, load_yaml

MINUTES_PER_QUESTION = 2
"""Discussion time per question in an interview (the issue's planning figure)."""
WORDS_PER_MINUTE = 150
"""Reading-aloud speed for the question and its choices."""


def read_aloud_words(question: Question) -> int:
    """Words the interviewer reads out for a question: its text and every choice's text."""
    return len(question.text.split()) + sum(len(c.text.split()) for c in question.choices)


def estimated_minutes(questions: tuple[Question, ...] | list[Question]) -> float:
    """How long an interview of these questions takes one respondent: two minutes of discussion
    per question plus the words read aloud at 150 a minute."""
    words = sum(read_aloud_words(q) for q in questions)
    return MINUTES_PER_QUESTION * len(questions) + words / WORDS_PER_MINUTE


def load_pack(ref: str | Path | None = None) -> Pack:
    """The pack ``ref`` names (``resolve_pack_dir``), checked whole; kept between runs by
    ``assess.packcache`` while its files stay the same."""
    return cached(resolve_pack_dir(ref), load_pack_files)


def load_pack_files(folder: Path) -> Pack:
    """The pack in ``folder`` loaded and checked from its files, without the cache."""
    head_path = folder / "pack.yaml"
    data, loc = load_yaml(head_path, "pack file")
    head = validate(PackFile, data, file=head_path, locator=loc, error=PackError)
    for section, ids in (
        ("areas", [a.id for a in head.areas]),
        ("context", [c.id for c in head.context]),
        ("roles", [r.id for r in head.roles]),
        ("modules", [m.id for m in head.modules]),
    ):
        for i, ident in enumerate(ids):
            if ident in ids[:i]:
                raise PackError(
                    f"duplicate id {ident!r}",
                    file=head_path,
                    field=f"{section}[{i}].id",
                    line=loc.line((section, i, "id")),
                )

    role_ids = {r.id for r in head.roles}
    module_ids = {m.id for m in head.modules}
    if role_ids:
        for i, area in enumerate(head.areas):
            _check_known(area.owner, role_ids, "roles", head_path, ("areas", i, "owner"), loc)
    area_ids = {a.id for a in head.areas}
    qdir = folder / "questions"
    files = sorted(qdir.glob("*.yaml")) if qdir.is_dir() else []
    if not files:
        raise PackError("no question files (questions/*.yaml)", file=folder)

    tools, kinds = _load_tools(folder, head.areas, head.context)
    by_area: dict[str, list[Question]] = {a: [] for a in area_ids}
    seen: dict[str, Path] = {}
    located: dict[str, tuple[Path, Locator, int]] = {}
    for path in files:
        qdata, qloc = load_yaml(path, "question file")
        qfile = validate(QuestionFile, qdata, file=path, locator=qloc, error=PackError)
        if qfile.area not in area_ids:
            raise PackError(
                f"unknown area {qfile.area!r} (pack areas: {', '.join(sorted(area_ids))})",
                file=path,
                field="area",
                line=qloc.line(("area",)),
            )
        for i, q in enumerate(qfile.questions):
            field = f"questions[{i}].id"
            line = qloc.line(("questions", i, "id"))
            if q.area != qfile.area:
                raise PackError(
                    f"question id {q.id!r} must start with its file's area '{qfile.area}.'",
                    file=path,
                    field=field,
                    line=line,
                )
            if q.id in seen:
                raise PackError(
                    f"duplicate question id {q.id!r} (also in {seen[q.id].name})",
                    file=path,
                    field=field,
                    line=line,
                )
            seen[q.id] = path
            located[q.id] = (path, qloc, i)
            by_area[qfile.area].append(q)
            if q.consequence is not None:
                _check_consequence(q.consequence, path, ("questions", i, "consequence"), qloc)
            if role_ids and q.owner is not None:
                _check_known(q.owner, role_ids, "roles", path, ("questions", i, "owner"), qloc)
            if q.module is not None:
                where = ("questions", i, "module")
                _check_known(q.module, module_ids, "modules", path, where, qloc)
            for at, text in _question_texts(q, i):
                problem = (
                    check_references(text, kinds)
                    if at[-1] == "plan"
                    else "a catalog reference works in plan texts only"
                    if REFERENCE.search(text)
                    else None
                )
                if problem:
                    raise PackError(problem, file=path, field=format_path(at), line=qloc.line(at))

    empty = [a.id for a in head.areas if not by_area[a.id]]
    if empty:
        raise PackError(f"area {empty[0]!r} has no questions", file=head_path, field="areas")

    for i, cfield in enumerate(head.context):
        for j, option in enumerate(cfield.options):
            for area_id in option.targets:
                if area_id not in area_ids:
                    at = ("context", i, "options", j, "targets")
                    raise PackError(
                        f"unknown area {area_id!r} in the targets of option {option.id!r}",
                        file=head_path,
                        field=format_path(at),
                        line=loc.line(at),
                    )

    questions = tuple(q for a in head.areas for q in by_area[a.id])
    _check_modules(head, questions, head_path, loc)
    _check_conditions(questions, seen)
    questions = _roadmap_dependencies(head, questions, head_path, loc)
    _check_dependencies(questions, seen)
    _check_capacity(head, head_path, loc)
    pack = Pack(
        **head.model_dump(
            exclude={
                "areas",
                "ladder",
                "context",
                "scoring",
                "roadmap",
                "risks",
                "roles",
                "modules",
            }
        ),
        areas=head.areas,
        roles=head.roles,
        modules=head.modules,
        ladder=head.ladder,
        context=head.context,
        scoring=head.scoring,
        roadmap=head.roadmap,
        risks=head.risks,
        questions=questions,
        tools=tools,
        tool_kinds=kinds,
        source=str(folder),
    )
    from assess.scan.rules import load_ci_systems, load_rules  # only needed from here

    pack = pack.model_copy(
        update={"rules": load_rules(pack), "ci_systems": load_ci_systems(folder)}
    )
    pack = pack.model_copy(update=_load_compliance(folder / "compliance", pack))
    _check_risks(pack, head_path, loc, located)
    _check_asked_when(pack, head_path, loc)
    from assess.migration import check_migrations

    check_migrations(pack)
    return pack


def _load_compliance(folder: Path, pack: Pack) -> dict[str, object]:
    """``compliance/``: ``controls.yaml``, ``frameworks/<id>.yaml`` (one file per regulation, so a
    new framework is a new file) and ``lineage.yaml``. All optional; every id they name must
    exist."""
    if not folder.is_dir():
        return {}
    rule_ids = {r.id for r in pack.rules}

    def check(problem: tuple[str, str] | None, path: Path, loc: Locator, *at: str | int) -> None:
        if problem:
            where = (*at, problem[1]) if problem[1] else at
            raise PackError(problem[0], file=path, field=format_path(where), line=loc.line(where))

    controls: tuple[Control, ...] = ()
    path = folder / "controls.yaml"
    if path.exists():
        data, loc = load_yaml(path, "controls file")
        controls = validate(ControlFile, data, file=path, locator=loc, error=PackError).controls
        seen: set[str] = set()
        for i, c in enumerate(controls):
            dup = (f"duplicate control id {c.id!r}", "id") if c.id in seen else None
            check(dup, path, loc, "controls", i)
            check(
                _missing(c.questions, pack.question, "question", "questions"),
                path,
                loc,
                "controls",
                i,
            )
            check(
                _missing(c.rules, rule_ids.__contains__, "scan rule", "rules"),
                path,
                loc,
                "controls",
                i,
            )
            check(
                _bad_conditions(c.applies_when, pack.context),
                path,
                loc,
                "controls",
                i,
                "applies_when",
            )
            seen.add(c.id)
    control_ids = {c.id for c in controls}

    frameworks: list[Framework] = []
    for path in sorted((folder / "frameworks").glob("*.yaml")):
        data, loc = load_yaml(path, "framework file")
        fw = validate(Framework, data, file=path, locator=loc, error=PackError)
        if fw.id != path.stem:
            check((f"id {fw.id!r} must match the file name {path.stem!r}", "id"), path, loc)
        check(_bad_conditions(fw.applies_when, pack.context), path, loc, "applies_when")
        conditioned = {k for cond in fw.applies_when for k in cond}
        for key in fw.not_applicable_because:
            if key not in conditioned:
                fields = ", ".join(sorted(conditioned)) or "none"
                msg = f"{key!r} is not a field of applies_when (fields: {fields})"
                check((msg, ""), path, loc, "not_applicable_because", key)
        for cid, refs in fw.references.items():
            if cid not in control_ids:
                hint = did_you_mean(cid, control_ids)
                check(
                    (f"no control {cid!r} in controls.yaml{hint}", ""), path, loc, "references", cid
                )
            for j, ref in enumerate(refs):
                problem = _bad_conditions(ref.applies_when, pack.context)
                check(problem, path, loc, "references", cid, j, "applies_when")
        frameworks.append(fw)

    lineage = None
    path = folder / "lineage.yaml"
    if path.exists():
        data, loc = load_yaml(path, "lineage file")
        lineage = validate(LineageConfig, data, file=path, locator=loc, error=PackError)
        for i, source in enumerate(lineage.models):
            check(
                _missing((source.rule,), rule_ids.__contains__, "scan rule", "rule"),
                path,
                loc,
                "models",
                i,
            )
            try:
                groups = re.compile(source.pattern).groups
            except re.error as exc:
                groups = -1
                check((f"invalid regex: {exc}", "pattern"), path, loc, "models", i)
            if groups < 1:
                msg = "the pattern needs a group that captures the name"
                check((msg, "pattern"), path, loc, "models", i)
        for i, link in enumerate(lineage.links):
            problem = _missing(
                (*link.rules, *link.broken_by), rule_ids.__contains__, "scan rule", "rules"
            )
            check(problem, path, loc, "links", i)
    return {"controls": controls, "frameworks": tuple(frameworks), "lineage": lineage}


def _missing(
    ids: tuple[str, ...], exists: Callable[[str], object], kind: str, key: str
) -> tuple[str, str] | None:
    for ident in ids:
        if not exists(ident):
            return f"no {kind} {ident!r} in the pack", key
    return None


def _bad_conditions(
    conditions: tuple[dict[str, tuple[str | bool, ...]], ...], context: tuple[ContextField, ...]
) -> tuple[str, str] | None:
    """Conditions name fields of ``context`` and values those fields can take."""
    fields = {f.id: f for f in context}
    for cond in conditions:
        for field_id, values in cond.items():
            f = fields.get(field_id)
            if f is None:
                return f"no context field {field_id!r}{did_you_mean(field_id, fields)}", ""
            allowed: set[str | bool] = (
                {True, False} if f.type is ContextType.boolean else {o.id for o in f.options}
            )
            for v in values:
                if v not in allowed:
                    return f"{field_id!r} has no value {v!r}", ""
    return None


def _load_tools(
    folder: Path, areas: tuple[Area, ...], context: tuple[ContextField, ...]
) -> tuple[tuple[Tool, ...], tuple[ToolKind, ...]]:
    """``tools.yaml``: ids unique, references resolvable, and the context's ``tools`` options and
    ``clouds`` options speak the catalog's ids (one id names a thing everywhere); each kind of
    tool names an area and tools of the catalog."""
    path = folder / "tools.yaml"
    if not path.exists():
        return (), ()
    data, loc = load_yaml(path, "tool catalog")
    catalog = validate(ToolFile, data, file=path, locator=loc, error=PackError)
    tools = catalog.tools
    by_id: dict[str, Tool] = {}
    area_ids = {a.id for a in areas}
    options = {f.id: {o.id for o in f.options} for f in context}
    clouds = options.get("clouds")
    for i, tool in enumerate(tools):

        def fail(msg: str, key: str, i: int = i) -> PackError:
            at = ("tools", i, key)
            return PackError(msg, file=path, field=format_path(at), line=loc.line(at))

        if tool.id in by_id:
            raise fail(f"duplicate tool id {tool.id!r}", "id")
        by_id[tool.id] = tool
        unknown = sorted(set(tool.capabilities) - area_ids)
        if unknown:
            raise fail(f"unknown area {unknown[0]!r}", "capabilities")
        if clouds is not None and not set(tool.clouds) <= clouds:
            bad = sorted(set(tool.clouds) - clouds)[0]
            raise fail(f"unknown cloud {bad!r} (clouds: {', '.join(sorted(clouds))})", "clouds")
    for i, tool in enumerate(tools):
        for key, refs in (
            ("integrates_with", tool.integrates_with),
            ("successor", (tool.successor,)),
        ):
            for ref in refs:
                if ref is not None and ref not in by_id:
                    at = ("tools", i, key)
                    raise PackError(
                        f"no tool {ref!r} in the catalog{did_you_mean(ref, by_id)}",
                        file=path,
                        field=format_path(at),
                        line=loc.line(at),
                    )
        if tool.successor and by_id[tool.successor].status is not ToolStatus.active:
            at = ("tools", i, "successor")
            raise PackError(
                f"successor {tool.successor!r} is not an active tool",
                file=path,
                field=format_path(at),
                line=loc.line(at),
            )
    kind_ids: set[str] = set()
    for i, kind in enumerate(catalog.kinds):
        problem = None
        if kind.id in kind_ids:
            problem = (f"duplicate kind id {kind.id!r}", "id")
        elif kind.area not in area_ids:
            problem = (f"unknown area {kind.area!r}{did_you_mean(kind.area, area_ids)}", "area")
        elif missing := [t for t in kind.tools if t not in by_id]:
            problem = (
                f"no tool {missing[0]!r} in the catalog{did_you_mean(missing[0], by_id)}",
                "tools",
            )
        if problem:
            at = ("kinds", i, problem[1])
            raise PackError(problem[0], file=path, field=format_path(at), line=loc.line(at))
        kind_ids.add(kind.id)
    unknown = sorted(options.get("tools", set()) - set(by_id))
    if unknown:
        raise PackError(
            f"the 'tools' context option {unknown[0]!r} is not a tool id in tools.yaml",
            file=folder / "pack.yaml",
            field="context.tools.options",
        )
    return tools, catalog.kinds


def _question_texts(q: Question, i: int) -> list[tuple[tuple[str | int, ...], str]]:
    """Where each text of the ``i``-th question of its file sits, and the text: a catalog
    reference is resolved in plans (client-facing advice) and nowhere else."""
    at: tuple[str | int, ...] = ("questions", i)
    out: list[tuple[tuple[str | int, ...], str]] = [
        ((*at, "text"), q.text),
        ((*at, "help"), q.help),
    ]
    out += [((*at, "evidence", k), e) for k, e in enumerate(q.evidence)]
    if q.not_applicable:
        out.append(((*at, "not_applicable"), q.not_applicable))
    for j, c in enumerate(q.choices):
        out += [((*at, "choices", j, "text"), c.text), ((*at, "choices", j, "plan"), c.plan)]
    return out


def _check_known(
    value: str, known: set[str], what: str, path: Path, at: tuple[str | int, ...], loc: Locator
) -> None:
    """An owner names one of the pack's roles, a question's module one of its modules."""
    if value not in known:
        raise PackError(
            f"{value!r} is not one of the {what} of pack.yaml{did_you_mean(value, known)} "
            f"({what}: {', '.join(sorted(known)) or 'none'})",
            file=path,
            field=format_path(at),
            line=loc.line(at),
        )


def _check_modules(
    head: PackFile, questions: tuple[Question, ...], path: Path, loc: Locator
) -> None:
    """Every module holds questions, and each of its ``when`` conditions names a context field
    and values it can take, or a screening question outside the module and a level its choices
    reach."""
    fields = {f.id: f for f in head.context}
    by_id = {q.id: q for q in questions}
    for i, module in enumerate(head.modules):
        if not any(q.module == module.id for q in questions):
            at: tuple[str | int, ...] = ("modules", i, "id")
            raise PackError(
                f"module {module.id!r} has no questions (give one 'module: {module.id}')",
                file=path,
                field=format_path(at),
                line=loc.line(at),
            )
        for k, cond in enumerate(module.when):
            where = ("modules", i, "when", k)
            _check_module_condition(module.id, cond, fields, by_id, path, loc, where)


def _check_module_condition(
    module_id: str,
    cond: ModuleCondition,
    fields: dict[str, ContextField],
    by_id: dict[str, Question],
    path: Path,
    loc: Locator,
    where: tuple[str | int, ...],
) -> None:
    def fail(msg: str, key: str) -> PackError:
        at = (*where, key)
        return PackError(msg, file=path, field=format_path(at), line=loc.line(at))

    if cond.context is not None:
        cfield = fields.get(cond.context)
        if cfield is None:
            raise fail(
                f"no context field {cond.context!r}{did_you_mean(cond.context, fields)}", "context"
            )
        if cfield.type not in (ContextType.choice, ContextType.multi):
            raise fail(
                f"context field {cond.context!r} is {cfield.type.value}: a module can follow "
                "a choice or multi field",
                "context",
            )
        options = {o.id for o in cfield.options}
        for value in cond.values:
            if value not in options:
                hint = did_you_mean(value, options) or f" (options: {', '.join(sorted(options))})"
                raise fail(f"{cond.context!r} has no option {value!r}{hint}", "values")
    elif cond.question is not None and cond.min_level is not None:
        gate = by_id.get(cond.question)
        if gate is None:
            raise fail(
                f"no question {cond.question!r}{did_you_mean(cond.question, by_id)}", "question"
            )
        if gate.module == module_id:
            raise fail(
                f"{cond.question} is in module {module_id!r} itself: the screening question "
                "must be asked before the module",
                "question",
            )
        top = max(c.level for c in gate.choices)
        if cond.min_level > top:
            raise fail(
                f"{cond.question} has no choice at level {cond.min_level} or above "
                f"(its highest is {top})",
                "min_level",
            )


def _check_dependencies(questions: tuple[Question, ...], files: dict[str, Path]) -> None:
    """``depends_on`` names other questions of the pack, without cycles."""
    by_id = {q.id: q for q in questions}
    for q in questions:
        for dep in q.depends_on:
            if dep not in by_id or dep == q.id:
                raise PackError(
                    f"{q.id}: depends_on names {dep!r}, "
                    + ("itself" if dep == q.id else f"no such question{did_you_mean(dep, by_id)}"),
                    file=files[q.id],
                    field=f"{q.id}.depends_on",
                )
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(qid: str, path: tuple[str, ...]) -> None:
        if state.get(qid) == 2:
            return
        if state.get(qid) == 1:
            cycle = " -> ".join((*path[path.index(qid) :], qid))
            raise PackError(f"dependency cycle {cycle}", file=files[qid], field=f"{qid}.depends_on")
        state[qid] = 1
        for dep in by_id[qid].depends_on:
            visit(dep, (*path, qid))
        state[qid] = 2

    for q in questions:
        visit(q.id, ())


def _check_conditions(questions: tuple[Question, ...], files: dict[str, Path]) -> None:
    """A ``when`` names an earlier question and choices that exist in it."""
    earlier: dict[str, Question] = {}
    for q in questions:
        cond = q.when
        if cond is not None:
            path = files[q.id]
            gate = earlier.get(cond.question)
            if gate is None:
                raise PackError(
                    f"{q.id}: 'when' must name a question asked before it, not {cond.question!r}",
                    file=path,
                    field=f"{q.id}.when.question",
                )
            for cid in cond.choices:
                if gate.choice(cid) is None:
                    raise PackError(
                        f"{q.id}: no choice {cid!r} in {gate.id}",
                        file=path,
                        field=f"{q.id}.when.choices",
                    )
        earlier[q.id] = q


def _roadmap_dependencies(
    head: PackFile, questions: tuple[Question, ...], path: Path, loc: Locator
) -> tuple[Question, ...]:
    """The questions with the prerequisites ``roadmap.depends_on`` adds to their own."""
    by_id = {q.id: q for q in questions}
    extra = head.roadmap.depends_on
    for qid, deps in extra.items():
        for ref in (qid, *deps):
            if ref not in by_id:
                at = ("roadmap", "depends_on", qid)
                raise PackError(
                    f"no question {ref!r} in the pack{did_you_mean(ref, by_id)}",
                    file=path,
                    field=format_path(at),
                    line=loc.line(at),
                )
    return tuple(
        q.model_copy(
            update={
                "depends_on": (*q.depends_on, *(d for d in extra[q.id] if d not in q.depends_on))
            }
        )
        if q.id in extra
        else q
        for q in questions
    )


def _check_consequence(text: str, path: Path, at: tuple[str | int, ...], loc: Locator) -> None:
    """A consequence names only the fields in ``CONSEQUENCE_FIELDS``, in plain braces."""
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        problem = f"bad braces in the consequence ({exc}; write {{{{ for a literal brace)"
    else:
        problem = ""
        for _, name, spec, conversion in parts:
            if name is None:
                continue
            if name not in CONSEQUENCE_FIELDS or spec or conversion:
                known = ", ".join(f"{{{f}}}" for f in CONSEQUENCE_FIELDS)
                problem = f"unknown field {{{name}}} in the consequence (fields: {known})"
                break
    if problem:
        raise PackError(problem, file=path, field=format_path(at), line=loc.line(at))


def _check_risks(
    pack: Pack, head_path: Path, loc: Locator, located: dict[str, tuple[Path, Locator, int]]
) -> None:
    """``risks.high_risk_when`` names context fields and their values; a question's
    ``legal_basis`` names controls that list it."""
    problem = _bad_conditions(pack.risks.high_risk_when, pack.context)
    if problem:
        at: tuple[str | int, ...] = ("risks", "high_risk_when")
        raise PackError(problem[0], file=head_path, field=format_path(at), line=loc.line(at))
    controls = {c.id: c for c in pack.controls}
    for q in pack.questions:
        for k, cid in enumerate(q.legal_basis):
            c = controls.get(cid)
            if c is not None and q.id in c.questions:
                continue
            path, qloc, i = located[q.id]
            at = ("questions", i, "legal_basis", k)
            why = (
                f"no control {cid!r} in compliance/controls.yaml{did_you_mean(cid, controls)}"
                if c is None
                else f"control {cid!r} does not list {q.id} among its questions"
            )
            raise PackError(why, file=path, field=format_path(at), line=qloc.line(at))


def _check_asked_when(pack: Pack, path: Path, loc: Locator) -> None:
    """A context field's ``asked_when`` names fields asked before it and values they can take;
    its ``otherwise`` is one of its own answers."""
    for i, f in enumerate(pack.context):
        if not f.asked_when:
            continue
        problem = _bad_conditions(f.asked_when, pack.context[:i])  # the fields before it
        at: tuple[str | int, ...] = ("context", i, "asked_when")
        if problem is None and not _is_answer(f, f.otherwise):
            at = ("context", i, "otherwise")
            answers = (
                "true, false"
                if f.type is ContextType.boolean
                else ", ".join(o.id for o in f.options)
            )
            problem = (f"{f.otherwise!r} is not one of its answers ({answers})", "")
        if problem is not None:
            why = problem[0].replace("no context field", "no context field asked before it")
            raise PackError(why, file=path, field=format_path(at), line=loc.line(at))


def _is_answer(f: ContextField, value: object) -> bool:
    if f.type is ContextType.boolean:
        return isinstance(value, bool)
    return f.type is ContextType.choice and any(o.id == value for o in f.options)


def _check_capacity(head: PackFile, path: Path, loc: Locator) -> None:
    """``roadmap.capacity.context_field`` is a choice field, and ``by_option`` gives a capacity
    for each of its options and nothing else."""
    cap = head.roadmap.capacity
    at: tuple[str, ...] = ("roadmap", "capacity", "context_field")
    if cap.context_field is None:
        if cap.by_option:
            raise PackError(
                "by_option needs a context_field",
                file=path,
                field=format_path(at),
                line=loc.line(at),
            )
        return
    fields = {f.id: f for f in head.context}
    f = fields.get(cap.context_field)
    if f is None or f.type is not ContextType.choice:
        why = (
            f"no context field {cap.context_field!r}{did_you_mean(cap.context_field, fields)}"
            if f is None
            else f"{cap.context_field!r} is not a choice field"
        )
        raise PackError(
            why,
            file=path,
            field=format_path(at),
            line=loc.line(at),
        )
    options = [o.id for o in f.options]
    at = ("roadmap", "capacity", "by_option")
    unknown = sorted(set(cap.by_option) - set(options))
    missing = [o for o in options if o not in cap.by_option]
    if unknown or missing:
        msg = (
            f"{cap.context_field!r} has no option {unknown[0]!r}"
            if unknown
            else f"no capacity for {cap.context_field!r} option {missing[0]!r}"
        )
        raise PackError(msg, file=path, field=format_path(at), line=loc.line(at))
