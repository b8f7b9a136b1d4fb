"""Compliance lineage: controls, the frameworks that bind them, and per-model lineage chains.

Pure functions over the pack's compliance catalog (``compliance/`` in the pack), the engagement's
context, the reconciled question results and the scan findings.

- Applicability is data: a framework (``frameworks/<id>.yaml``) applies when one of its
  ``applies_when`` condition sets matches the context (e.g. jurisdictions includes eu); a
  reference may bind only some roles (EU AI Act Art. 9 binds providers of high-risk systems); a
  control may be narrower than its frameworks (CL-08 only with decisions about people). A context
  field that was not recorded counts as matching, and the assumption is named, so a missing answer
  never hides an obligation.
- A control applies when its own condition holds and at least one reference binds the client.
  A reference of an applicable framework that does not bind the client is listed as good
  practice.
- A control's level is the lowest reconciled level among its answered questions: a control is as
  strong as its weakest practice. Its target is the compliance area's target.
- Lineage: for each model a repository names (``lineage.yaml`` says where names are read), each
  link (code, data version, run, registry, deployment) is found, broken (only a negative
  finding, e.g. a model file committed instead of registered) or missing; the chain breaks at the
  first link not found.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePosixPath

from assess.model.engagement import ContextValue
from assess.model.evidence import Finding, RepoScan
from assess.model.pack import ContextCondition, LineageConfig, Pack
from assess.model.result import (
    Applicability,
    Compliance,
    ControlRef,
    ControlStatus,
    FrameworkStatus,
    LineageChain,
    LineageLink,
    LinkStatus,
    QuestionResult,
)
from assess.reconcile import where as _where

DISCLAIMER = (
    "This assessment maps engineering practices to legal requirements to show where evidence is "
    "missing. It is not legal advice: obligations depend on facts this tool does not see. Have "
    "qualified counsel confirm which provisions apply and whether the controls meet them."
)


def _labels(pack: Pack, field_id: str, values: Sequence[str | bool]) -> str:
    f = next((f for f in pack.context if f.id == field_id), None)
    if f is None:
        return ", ".join(map(str, values))
    names = {o.id: o.label for o in f.options}
    shown = [
        names.get(str(v), "yes" if v is True else "no" if v is False else str(v)) for v in values
    ]
    return f"{(f.label or f.prompt).lower()}: {' or '.join(shown)}"


def _matches(
    cond: ContextCondition, context: dict[str, ContextValue]
) -> tuple[bool, tuple[str, ...]]:
    """(matches, fields assumed because they were not recorded)."""
    assumed = []
    for field_id, accepted in cond.items():
        value = context.get(field_id)
        if value is None or value == [] or value == "":
            assumed.append(field_id)
        elif isinstance(value, list):
            if not set(value) & set(accepted):
                return False, ()
        elif value not in accepted:
            return False, ()
    return True, tuple(assumed)


def applies(
    conditions: Sequence[ContextCondition], context: dict[str, ContextValue]
) -> tuple[bool, tuple[str, ...]]:
    """Whether any condition set matches; an empty list always applies. A set that matches
    without assumptions wins over one that needs them."""
    if not conditions:
        return True, ()
    results = [_matches(c, context) for c in conditions]
    hits = [assumed for ok, assumed in results if ok]
    if not hits:
        return False, ()
    return True, min(hits, key=len)


def _assumed_note(pack: Pack, assumed: Sequence[str]) -> str:
    if not assumed:
        return ""
    names = [(f.label or f.prompt).lower() for fid in assumed for f in pack.context if f.id == fid]
    return f" (assumed: {', '.join(names)} not recorded)"


def assess_compliance(
    pack: Pack,
    context: dict[str, ContextValue],
    results: Sequence[QuestionResult],
    target: int,
    repos: Sequence[RepoScan],
) -> Compliance | None:
    if not pack.controls:
        return None
    by_q = {r.id: r for r in results}
    findings = [f for r in repos for fs in r.areas.values() for f in fs]

    fw_status: dict[str, tuple[bool, tuple[str, ...]]] = {
        fw.id: applies(fw.applies_when, context) for fw in pack.frameworks
    }
    controls: list[ControlStatus] = []
    for c in pack.controls:
        refs: list[ControlRef] = []
        assumed: list[str] = []
        unbound: list[str] = []
        for fw in pack.frameworks:
            fw_ok, fw_assumed = fw_status[fw.id]
            for ref in fw.references.get(c.id, ()):
                ok, ref_assumed = applies(ref.applies_when, context)
                refs.append(
                    ControlRef(
                        framework=fw.id,
                        name=fw.name,
                        ref=ref.ref,
                        about=ref.about,
                        verified=ref.verified,
                        in_scope=fw_ok,
                        binding=fw_ok and ok,
                    )
                )
                if not fw_ok:
                    continue
                if ok:
                    assumed += [*fw_assumed, *ref_assumed]
                else:
                    unbound.append(
                        f"{fw.name} {ref.ref} binds only when "
                        + "; ".join(
                            _labels(pack, k, v)
                            for cond in ref.applies_when
                            for k, v in cond.items()
                        )
                    )
        own_ok, own_assumed = applies(c.applies_when, context)
        binding = [r for r in refs if r.binding]
        if not own_ok:
            app = Applicability(applicable=False, reason=c.not_applicable or "")
        elif not binding:
            out = [
                fw.not_applicable or f"{fw.name} does not apply"
                for fw in pack.frameworks
                if c.id in fw.references and not fw_status[fw.id][0]
            ]
            app = Applicability(applicable=False, reason="; ".join(sorted(set(out + unbound))))
        else:
            all_assumed = tuple(dict.fromkeys([*own_assumed, *assumed]))
            laws = ", ".join(dict.fromkeys(r.name for r in binding))
            app = Applicability(
                applicable=True,
                assumed=all_assumed,
                reason=f"Required by {laws}{_assumed_note(pack, all_assumed)}",
            )
        answered = [by_q[q] for q in c.questions if q in by_q and by_q[q].level is not None]
        level = min((r.level for r in answered if r.level is not None), default=None)
        controls.append(
            ControlStatus(
                id=c.id,
                title=c.title,
                requirement=c.requirement,
                applicability=app,
                level=level,
                meaning=c.ladder[int(level)].meaning if level is not None else None,
                target=target,
                gap=round(max(0.0, target - level), 1) if level is not None else None,
                questions=c.questions,
                unanswered=tuple(
                    q
                    for q in c.questions
                    if q not in {r.id for r in answered}
                    and (q not in by_q or by_q[q].status != "not_in_scope")
                ),
                evidence=c.evidence,
                findings=tuple(f for f in findings if f.rule in c.rules),
                references=tuple(refs),
            )
        )

    frameworks = []
    for fw in pack.frameworks:
        ok, fw_assumed = fw_status[fw.id]
        bound = [
            s
            for s in controls
            if s.applicability.applicable
            and any(r.framework == fw.id and r.binding for r in s.references)
        ]
        levels = [s.level for s in bound if s.level is not None]
        frameworks.append(
            FrameworkStatus(
                id=fw.id,
                name=fw.name,
                title=fw.title,
                applicability=Applicability(
                    applicable=ok,
                    assumed=fw_assumed,
                    reason=("In scope" + _assumed_note(pack, fw_assumed))
                    if ok
                    else fw.not_applicable or "Not in scope",
                ),
                controls=len(bound),
                assessed=len(levels),
                at_least_2=sum(1 for lv in levels if lv >= 2),
                at_least_3=sum(1 for lv in levels if lv >= 3),
                dates=fw.dates,
            )
        )
    lineage = (
        tuple(chain for repo in repos for chain in trace_lineage(pack.lineage, repo))
        if pack.lineage
        else ()
    )
    return Compliance(controls=tuple(controls), frameworks=tuple(frameworks), lineage=lineage)


def _home(path: str) -> str:
    parent = PurePosixPath(path).parent
    # the model's folder: the one holding src/, training/ ... or the file's own folder
    while (
        parent.name in ("src", "training", "train", "scripts", "pipelines")
        and parent != parent.parent
    ):
        parent = parent.parent
    return "" if str(parent) == "." else str(parent)


def _under(path: str, home: str) -> bool:
    return not home or path == home or path.startswith(home + "/")


def trace_lineage(config: LineageConfig, repo: RepoScan) -> tuple[LineageChain, ...]:
    """One chain per model the repository names (or one for the repository)."""
    findings = [f for fs in repo.areas.values() for f in fs]
    models: dict[str, str] = {}  # name -> home folder
    for source in config.models:
        pattern = re.compile(source.pattern)
        for f in findings:
            if f.rule != source.rule or not f.snippet:
                continue
            for m in pattern.finditer(f.snippet):
                name = next((g for g in m.groups() if g), None)
                if name and name not in models:
                    models[name] = _home(f.path)
    link_rules = {r for link in config.links for r in (*link.rules, *link.broken_by)}
    if not models:
        if not any(f.rule in link_rules for f in findings):
            return ()
        models = {PurePosixPath(repo.source.rstrip("/")).name.removesuffix(".git") or "model": ""}

    chains = []
    homes = sorted({h for h in models.values() if h}, key=len, reverse=True)

    def owner(path: str) -> str:
        """The deepest model folder holding ``path``; "" when none does (shared evidence)."""
        return next((h for h in homes if _under(path, h)), "")

    for name, home in models.items():

        def mine(f: Finding, home: str = home) -> bool:
            return owner(f.path) in (home, "")

        links = []
        for link in config.links:
            found = [f for f in findings if f.rule in link.rules and mine(f)]
            broken = [f for f in findings if f.rule in link.broken_by and mine(f)]
            status = (
                LinkStatus.found if found else LinkStatus.broken if broken else LinkStatus.missing
            )
            shown = found or broken
            links.append(
                LineageLink(
                    id=link.id,
                    title=link.title,
                    status=status,
                    evidence=tuple(dict.fromkeys(_where(f) for f in shown))[:3],
                )
            )
        broken_at = next((x.id for x in links if x.status is not LinkStatus.found), None)
        chains.append(
            LineageChain(
                repo=repo.source,
                commit=repo.commit,
                model=name,
                links=tuple(links),
                broken_at=broken_at,
            )
        )
    return tuple(chains)
