"""Load a questionnaire pack and check it whole.

A pack is a folder: ``pack.yaml`` (identity, ladder, areas, context section, scoring rule) and
``questions/<area>.yaml`` (the questions of one area). Every problem is a ``PackError`` naming the
file, the field and the line: unknown keys, missing fields, duplicate ids, choices whose levels do
not climb, a question filed under an area that does not exist.
"""

from __future__ import annotations

from pathlib import Path

from assess.errors import PackError
from assess.model import Pack, PackFile, Question, QuestionFile
from assess.resources import packs_dir
from assess.validation import validate
from assess.yamlio import load_yaml

DEFAULT_PACK = "mlops"


def resolve_pack_dir(ref: str | Path | None = None) -> Path:
    """A pack reference is a folder path, or the id of a pack bundled with assess."""
    if ref is None:
        ref = DEFAULT_PACK
    path = Path(ref)
    if path.is_dir() and (path / "pack.yaml").exists():
        return path
    bundled = packs_dir() / str(ref)
    if (bundled / "pack.yaml").exists():
        return bundled
    if path.is_dir():
        raise PackError("not a questionnaire pack (no pack.yaml)", file=path)
    known = ", ".join(available_packs()) or "none"
    raise PackError(f"no such pack folder or bundled pack id (bundled: {known})", file=str(ref))


def available_packs() -> list[str]:
    root = packs_dir()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "pack.yaml").exists())


def load_pack(ref: str | Path | None = None) -> Pack:
    folder = resolve_pack_dir(ref)
    head_path = folder / "pack.yaml"
    data, loc = load_yaml(head_path, "pack file")
    head = validate(PackFile, data, file=head_path, locator=loc, error=PackError)
    for section, ids in (
        ("areas", [a.id for a in head.areas]),
        ("context", [c.id for c in head.context]),
    ):
        for i, ident in enumerate(ids):
            if ident in ids[:i]:
                raise PackError(
                    f"duplicate id {ident!r}",
                    file=head_path,
                    field=f"{section}[{i}].id",
                    line=loc.line((section, i, "id")),
                )

    area_ids = {a.id for a in head.areas}
    qdir = folder / "questions"
    files = sorted(qdir.glob("*.yaml")) if qdir.is_dir() else []
    if not files:
        raise PackError("no question files (questions/*.yaml)", file=folder)

    by_area: dict[str, list[Question]] = {a: [] for a in area_ids}
    seen: dict[str, Path] = {}
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
            by_area[qfile.area].append(q)

    empty = [a.id for a in head.areas if not by_area[a.id]]
    if empty:
        raise PackError(f"area {empty[0]!r} has no questions", file=head_path, field="areas")

    questions = tuple(q for a in head.areas for q in by_area[a.id])
    _check_conditions(questions, seen)
    return Pack(
        **head.model_dump(exclude={"areas", "ladder", "context", "scoring"}),
        areas=head.areas,
        ladder=head.ladder,
        context=head.context,
        scoring=head.scoring,
        questions=questions,
        source=str(folder),
    )


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
