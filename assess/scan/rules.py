"""Load a pack's scan rules (``rules/<area>.yaml``) and check them against the pack."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from assess.errors import PackError
from assess.model.pack import Pack
from assess.model.rules import CiSystem, CiSystemFile, Rule, RuleFile, RuleKind
from assess.resources import packs_dir
from assess.scan.checks import CHECKS
from assess.scan.literals import nested_repeat
from assess.validation import validate
from assess.yamlio import format_path, load_yaml


def load_rules(pack: Pack) -> tuple[Rule, ...]:
    folder = Path(pack.source) / "rules"
    rules: list[Rule] = []
    seen: dict[str, Path] = {}
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        data, loc = load_yaml(path, "rule file")
        rf = validate(RuleFile, data, file=path, locator=loc, error=PackError)
        if pack.area(rf.area) is None:
            raise PackError(
                f"unknown area {rf.area!r}", file=path, field="area", line=loc.line(("area",))
            )
        for i, rule in enumerate(rf.rules):
            problem = _problem(rule, rf.area, pack, seen)
            if problem:
                msg, key = problem
                at = ("rules", i, key)
                raise PackError(msg, file=path, field=format_path(at), line=loc.line(at))
            seen[rule.id] = path
            rules.append(rule)
    _check_thresholds(pack, rules)
    return tuple(rules)


def load_ci_systems(pack_folder: Path | None) -> tuple[CiSystem, ...]:
    """The pack's ``ci.yaml``: the CI systems the scan recognises. A pack without one (or
    ``None``) uses the default pack's."""
    path = pack_folder / "ci.yaml" if pack_folder is not None else None
    if path is None or not path.is_file():
        path = packs_dir() / "mlops" / "ci.yaml"
    return _load_ci_file(path.resolve())


@lru_cache(maxsize=8)
def _load_ci_file(path: Path) -> tuple[CiSystem, ...]:
    data, loc = load_yaml(path, "CI systems file")
    cf = validate(CiSystemFile, data, file=path, locator=loc, error=PackError)
    seen: set[str] = set()
    for i, system in enumerate(cf.systems):
        at = ("systems", i)
        if system.id in seen:
            raise PackError(
                f"duplicate CI system id {system.id!r}",
                file=path,
                field=format_path((*at, "id")),
                line=loc.line((*at, "id")),
            )
        seen.add(system.id)
        patterns = [system.content.pattern] if system.content else []
        patterns += list(
            (system.shape and [v for s in system.shape.any_of for v in s.values.values()]) or []
        )
        for pattern in patterns:
            problem = _pattern_problem(pattern)
            if problem:
                raise PackError(problem, file=path, field=format_path(at), line=loc.line(at))
    return cf.systems


def _check_thresholds(pack: Pack, rules: list[Rule]) -> None:
    """A question's ``expected_in_repo_from`` needs a positive rule that can show that level;
    its ``absent_in_system`` checks name rules that exist."""
    ids = {r.id for r in rules}
    for q in pack.questions:
        for i, check in enumerate(q.absent_in_system):
            for key in ("system", "shows", "unless"):
                unknown = [r for r in getattr(check, key) if r not in ids]
                if unknown:
                    raise PackError(
                        f"{q.id}: no scan rule {unknown[0]!r}",
                        file=Path(pack.source) / "questions" / f"{q.area}.yaml",
                        field=f"{q.id}.absent_in_system[{i}].{key}",
                    )
        if q.expected_in_repo_from is None:
            continue
        levels = [r.level for r in rules if q.id in r.questions and r.kind is RuleKind.positive]
        if not levels or min(levels) > q.expected_in_repo_from:
            raise PackError(
                f"{q.id}: no positive scan rule shows level {q.expected_in_repo_from} or below"
                + (f" (its rules show {min(levels)} and up)" if levels else ""),
                file=Path(pack.source) / "questions" / f"{q.area}.yaml",
                field=f"{q.id}.expected_in_repo_from",
            )


def _pattern_problem(pattern: str) -> str | None:
    """Why a rule's regex cannot be used, or None."""
    try:
        compiled = re.compile(pattern, re.MULTILINE)  # as the scan compiles it: cached once
    except re.error as exc:
        return f"invalid regex: {exc}"
    if compiled.fullmatch(""):
        return "the pattern matches an empty line, so it would match every file"
    if nested_repeat(pattern):
        return (
            "the pattern repeats a repetition (like (a+)+ or (?:\\w*,)*), which can take "
            "exponential time on a long line; make the inner one possessive (*+, ++) or "
            "bounded ({0,40})"
        )
    for cls in re.findall(r"\[\^((?:\\.|[^\]])*)\]", pattern):
        if "\\n" not in cls and "\\s" not in cls:
            return (
                f"the class [^{cls}] also matches line ends; write [^{cls}\\n] "
                "(patterns apply line by line)"
            )
    return None


def _problem(rule: Rule, area: str, pack: Pack, seen: dict[str, Path]) -> tuple[str, str] | None:
    if rule.area != area:
        return f"rule id {rule.id!r} must start with '{area}/'", "id"
    if rule.id in seen:
        return f"duplicate rule id {rule.id!r} (also in {seen[rule.id].name})", "id"
    for qid in rule.questions:
        if pack.question(qid) is None:
            return f"no question {qid!r} in pack {pack.id}", "questions"
    m = rule.match
    if m.check and m.check not in CHECKS:
        return f"no check {m.check!r} (checks: {', '.join(sorted(CHECKS))})", "match"
    for pattern in (
        m.content.pattern if m.content else None,
        m.ci_step.pattern if m.ci_step else None,
    ):
        problem = _pattern_problem(pattern) if pattern else None
        if problem:
            return problem, "match"
    if rule.kind is RuleKind.negative and not rule.remediation.strip():
        return "a negative rule needs a remediation", "remediation"
    return None
