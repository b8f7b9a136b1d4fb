"""Compliance lineage: controls, the frameworks that bind them, and per-model lineage chains.

Pure functions over the pack's compliance catalog (``compliance/`` in the pack), the engagement's
context, the reconciled question results and the scan findings.

- Applicability is data: a framework (``frameworks/<id>.yaml``) applies when one of its
  ``applies_when`` condition sets matches the context (e.g. jurisdictions includes eu); a
  reference may bind only some roles (EU AI Act Art. 9 binds providers of high-risk systems); a
  control may be narrower than its frameworks (CL-08 only with decisions about people). A context
  field that was not recorded counts as matching, and the assumption is named, so a missing answer
  never hides an obligation.
- A context answer that says "not known" (an option with ``unknown: true``) counts like a field
  not recorded: matching, with the assumption named ("personal data used not known").
- A framework that does not apply says why: the reason its file gives for the field that rules
  it out (``not_applicable_because``, e.g. no model uses personal data), else its general reason.
- A control applies when its own condition holds and at least one reference binds the client.
  A reference of an applicable framework that does not bind the client is good practice, with a
  note of whom it binds and what the client recorded (``scope_notes``: GDPR Art. 22 binds only
  for solely automated decisions with legal or similarly significant effects); a control with
  only such references is shown as good practice, not as not applicable, and one whose
  frameworks are all out of scope names them (the framework says why).
- ``cite`` is how client text prints references: one not checked against the legal text
  (``verified: false`` in the pack) is marked expected, never printed as if confirmed.
- A control's level is the lowest reconciled level among its answered questions: a control is as
  strong as its weakest practice. Its target is the compliance area's target.
- Lineage: for each model a repository names (``lineage.yaml`` says where names are read), each
  link (code, data version, run, registry, deployment) is found, broken (only a negative
  finding, e.g. a model file committed instead of registered) or missing; the chain breaks at the
  first link not found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath

from assess.conditions import holds, known_context, matches
from assess.model.engagement import ContextValue
from assess.model.evidence import Finding, RepoScan
from assess.model.pack import (
    ContextCondition,
    ContextField,
    Framework,
    LegalRef,
    LineageConfig,
    Pack,
)
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


def _field(pack: Pack, field_id: str) -> ContextField | None:
    return next((f for f in pack.context if f.id == field_id), None)


def _name(pack: Pack, field_id: str) -> str:
    f = _field(pack, field_id)
    return (f.label or f.prompt) if f else field_id


def _labels(pack: Pack, field_id: str, values: Sequence[str | bool]) -> str:
    """``"EU AI Act role (high-risk systems) is Provider ... or Both ..."``."""
    f = _field(pack, field_id)
    names = {o.id: o.label for o in f.options} if f else {}
    shown = [
        names.get(str(v), "yes" if v is True else "no" if v is False else str(v)) for v in values
    ]
    return f"{_name(pack, field_id)} is {' or '.join(shown)}"


def _article_order(ref: str) -> tuple[int, str]:
    number = re.search(r"\d+", ref)
    return (int(number.group()) if number else 0, ref)


def cite(name: str, refs: Sequence[ControlRef]) -> str:
    """``"GDPR Art. 22; Art. 22(3); expected: Art. 13(2)(f); Art. 14(2)(g)"``, or for one
    ``"GDPR Art. 30 (expected)"``: references of one framework as client text may print them, in
    article order. Those not checked against the legal text come last, marked expected (their
    source is listed beside), never printed as if they were confirmed."""
    checked = sorted((r.ref for r in refs if r.verified), key=_article_order)
    expected = sorted((r.ref for r in refs if not r.verified), key=_article_order)
    if not checked and len(expected) == 1:
        return f"{name} {expected[0]} (expected)"
    parts = [*checked, *([f"expected: {'; '.join(expected)}"] if expected else [])]
    return f"{name}{',' if not checked else ''} {'; '.join(parts)}"


def _failing(cond: ContextCondition, context: dict[str, ContextValue]) -> list[str]:
    """The fields of ``cond`` whose recorded value rules it out."""
    return [k for k in cond if not matches({k: cond[k]}, context)[0]]


def _assumed_note(pack: Pack, assumed: Sequence[str], unknown: frozenset[str] = frozenset()) -> str:
    if not assumed:
        return ""
    names = [
        f"{_name(pack, fid).lower()} {'not known' if fid in unknown else 'not recorded'}"
        for fid in assumed
    ]
    return f" (assumed: {', '.join(names)})"


def _out_reason(fw: Framework, context: dict[str, ContextValue]) -> str:
    """Why a framework does not apply: the reason its file gives for the context field that
    rules it out (e.g. no personal data), else its general reason."""
    failing = [k for cond in fw.applies_when for k in _failing(cond, context)]
    reasons = list(
        dict.fromkeys(
            fw.not_applicable_because[k] for k in failing if k in fw.not_applicable_because
        )
    )
    return " ".join(reasons) or fw.not_applicable or f"{fw.name} does not apply"


def _recorded(pack: Pack, field_id: str, values: Sequence[str | bool]) -> str:
    """What the context records, as the option labels (``"Deployer of a high-risk AI
    system"``), a yes/no field with its name."""
    f = _field(pack, field_id)
    if f is None or not f.options:
        return _labels(pack, field_id, values).replace(" is ", ": ", 1)
    names = {o.id: o.label for o in f.options}
    return ", ".join(names.get(str(v), str(v)) for v in values)


def _values(value: ContextValue) -> list[str | bool]:
    if isinstance(value, list):
        return list(value)
    return [value] if isinstance(value, str | bool) else [str(value)]


def _ref_note(pack: Pack, ref: LegalRef, context: dict[str, ContextValue]) -> str:
    """Why a reference of a framework in scope does not bind: whom it binds and what the
    client's context records."""
    scope = (
        f"for {ref.scope}"
        if ref.scope
        else "when "
        + " and ".join(_labels(pack, k, v) for cond in ref.applies_when for k, v in cond.items())
    )
    recorded = [
        _recorded(pack, k, _values(context[k]))
        for k in dict.fromkeys(k for cond in ref.applies_when for k in _failing(cond, context))
    ]
    return f"binding only {scope}" + (f" (here: {'; '.join(recorded)})" if recorded else "")


def scope_notes(refs: Iterable[ControlRef]) -> tuple[str, ...]:
    """One sentence per framework and reason for the references of frameworks in scope that do
    not bind the client (each reference once): ``"GDPR Art. 22; expected: Art. 13(2)(f): binding
    only for solely automated decisions ... (here: Human-reviewed ...)."``"""
    groups: dict[tuple[str, str], dict[str, ControlRef]] = {}
    for r in refs:
        if r.in_scope and not r.binding:
            groups.setdefault((r.name, r.note), {}).setdefault(r.ref, r)
    return tuple(
        f"{cite(name, list(group.values()))}: {note}." for (name, note), group in groups.items()
    )


def assess_compliance(
    pack: Pack,
    context: dict[str, ContextValue],
    results: Sequence[QuestionResult],
    target: int,
    repos: Sequence[RepoScan],
) -> Compliance | None:
    if not pack.controls:
        return None
    context, unknown = known_context(pack, context)
    by_q = {r.id: r for r in results}
    findings = [f for r in repos for fs in r.areas.values() for f in fs]

    fw_status: dict[str, tuple[bool, tuple[str, ...]]] = {
        fw.id: holds(fw.applies_when, context) for fw in pack.frameworks
    }
    fw_out = {fw.id: _out_reason(fw, context) for fw in pack.frameworks}
    controls: list[ControlStatus] = []
    for c in pack.controls:
        refs: list[ControlRef] = []
        assumed: list[str] = []
        for fw in pack.frameworks:
            fw_ok, fw_assumed = fw_status[fw.id]
            for ref in fw.references.get(c.id, ()):
                ok, ref_assumed = holds(ref.applies_when, context)
                refs.append(
                    ControlRef(
                        framework=fw.id,
                        name=fw.name,
                        ref=ref.ref,
                        about=ref.about,
                        verified=ref.verified is not False,
                        source=ref.source,
                        in_scope=fw_ok,
                        binding=fw_ok and ok,
                        note="" if ok or not fw_ok else _ref_note(pack, ref, context),
                    )
                )
                if fw_ok and ok:
                    assumed += [*fw_assumed, *ref_assumed]
        own_ok, own_assumed = holds(c.applies_when, context)
        binding = [r for r in refs if r.binding]
        if not own_ok:
            app = Applicability(applicable=False, reason=c.not_applicable or "")
        elif not binding:
            notes = list(scope_notes(refs))
            out = [
                fw.name
                for fw in pack.frameworks
                if c.id in fw.references and not fw_status[fw.id][0]
            ]
            # why a framework is out of scope is said once, for the framework
            not_in = [f"{' and '.join(out)} {'is' if len(out) == 1 else 'are'} not in scope."]
            app = Applicability(
                applicable=False,
                good_practice=bool(notes),
                reason=" ".join([*notes, *(not_in if out else [])]),
            )
        else:
            all_assumed = tuple(dict.fromkeys([*own_assumed, *assumed]))
            laws = ", ".join(dict.fromkeys(r.name for r in binding))
            app = Applicability(
                applicable=True,
                assumed=all_assumed,
                reason=f"Required by {laws}{_assumed_note(pack, all_assumed, unknown)}",
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
                    reason=("In scope" + _assumed_note(pack, fw_assumed, unknown))
                    if ok
                    else fw_out[fw.id],
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
