"""Reconcile what the client says with what its repositories show.

Pure functions over a question's scored answers, the pack's scan rules and the scan findings.
Which questions a repository can evidence is data: a scan rule lists the questions it speaks
to (``questions:`` in ``rules/<area>.yaml``), and a question may say from which level a claim
*must* leave a trace in a repository (``expected_in_repo_from``).

Per question (first match wins):

- not observable: no scan rule speaks to the question (an organisational practice).
- unverified: no repository in scope was scanned (or its scan was cut short), or the claim is
  below the level a repository would show, and nothing was found either way.
- evidence only: the question was not answered (or "don't know") but findings exist; they
  suggest a level (the weakest negative finding's cap, else the best positive finding's level).
- contradicted: only evidence that shows the claim false. A negative finding (committed model
  binaries, secrets...) caps the question below the claimed level; or the question's
  ``absent_in_system`` says a recognised system would show the practice (CI runs the tests, a
  schedule starts the pipeline), the scan read that system and found no trace of it, and no
  part of the system is out of sight: capped one level below the check's level. The scored
  level becomes the cap.
- not evidenced: the claim is at or above ``expected_in_repo_from`` (it would leave a trace in a
  repository), the scanned repositories are in scope for it, and none shows any of the
  question's positive rules. Absence of evidence is not evidence of absence: under the
  ``balanced`` evidence policy (the default) the level stands, confidence drops and the claim
  goes on the list of evidence to request; under ``strict`` it is capped one level below
  ``expected_in_repo_from``, as in an audit where the client must show every claim.
- corroborated: positive findings support the claim, up to the highest level the rules can show
  (a repository cannot show level 4's measurement and review); or a negative finding agrees with
  a low claim.
- partial: positive findings exist, but only for a lower level than claimed.
- understated: code or a CI step shows a higher level than claimed (tests running in CI for a
  team that says it tests by hand): not scored differently, but listed for the consultant with
  the contradictions, and it suggests a level. A file or a declared dependency above the claim
  does not count: it shows that something exists, not that it is used.

Evidence weighs by how it was found, as in Google's ML Test Score (a test run automatically
counts twice a documented one): a CI step 1, code that uses a tool 0.75, a dependency or a file
that merely exists 0.5. Partial or understated evidence counts half.

An area's confidence combines its coverage (answered / applicable), corroboration (mean
evidence weight of its answered observable questions; none without a scan) and the respondents'
agreement (1 - mean spread / 4 over questions with several answers), weighted 0.4 / 0.4 / 0.2
over the parts that exist. High from 0.75, medium from 0.5; without repository evidence an area
is at most medium: claims nobody could check are the ML Test Score's "manual" evidence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assess.model.base import LEVEL_MAX
from assess.model.evidence import Finding, RepoScan
from assess.model.pack import EvidencePolicy, Pack, Question, SystemCheck
from assess.model.result import (
    Confidence,
    EvidenceRequest,
    EvidenceStatus,
    QuestionEvidence,
    QuestionResult,
    Suggestion,
)
from assess.model.rules import Rule, RuleKind, Strength

STRENGTH_WEIGHT = {
    Strength.ci: 1.0,
    Strength.code: 0.75,
    Strength.dependency: 0.5,
    Strength.file: 0.5,
}
STRONG = (Strength.ci, Strength.code)
KEEP_FINDINGS = 5  # findings kept per question in the result (the area lists them all)
SUGGESTION_SHOWN = 3  # findings shown with a suggestion (the interview's evidence block)


def where(f: Finding) -> str:
    """``path:line in repo at commit``: how evidence is cited everywhere."""
    line = f":{f.line}" if f.line else ""
    return f"{f.path}{line} in {f.repo} at {f.commit[:8]}"


def _level(x: float) -> str:
    return f"{x:g}"


def repo_id(repo: str) -> str:
    """A repository as given to the scan, without a trailing "/" or ".git"."""
    return re.sub(r"(?:/|\.git)+$", "", repo)


def finding_key(f: Finding) -> str:
    """``rule:repo:path``, stable across rescans (no commit, no line). Keys are compared,
    never parsed."""
    return f"{f.rule}:{repo_id(f.repo)}:{f.path}"


def question_findings(
    q: Question, rules: Sequence[Rule], findings: Sequence[Finding]
) -> list[Finding]:
    """The findings of the rules that speak to ``q``: negative first, then the strongest."""
    own = {r.id for r in rules if q.id in r.questions}
    return sorted(
        (f for f in findings if f.rule in own),
        key=lambda f: (f.kind is not RuleKind.negative, -STRENGTH_WEIGHT[f.strength], -f.level),
    )


def suggest(
    q: Question, rules: Sequence[Rule], findings: Sequence[Finding], shown: int = SUGGESTION_SHOWN
) -> Suggestion | None:
    """The level the findings alone suggest for ``q`` (the weakest negative finding's cap, else
    the best positive finding's level), with the finding that sets it first among the ``shown``
    ones; None when no positive or negative finding speaks to it (a prompt finding is something
    to ask, never a level).

    Unambiguous when no finding disagrees: no positive finding shows more than a negative one
    caps (a lower positive agrees, the ladder being cumulative) and no prompt finding asks for
    a word with the client; and the level does not rest on a declared dependency alone (a
    package in requirements.txt says the tool is installed, not that the practice runs)."""
    found = question_findings(q, rules, findings)
    neg = [f for f in found if f.kind is RuleKind.negative]
    pos = [f for f in found if f.kind is RuleKind.positive]
    if not neg and not pos:
        return None
    first = min(neg, key=lambda f: f.level) if neg else max(pos, key=lambda f: f.level)
    rest = [f for f in (*neg, *pos) if f is not first]
    return Suggestion(
        level=first.level,
        findings=(first, *rest[: shown - 1]),
        more=max(0, len(rest) - (shown - 1)),
        unambiguous=len(found) == len(neg) + len(pos)
        and all(f.level <= first.level for f in pos)
        and not (first.kind is RuleKind.positive and first.strength is Strength.dependency),
    )


def reconcile(
    q: Question,
    result: QuestionResult,
    rules: Sequence[Rule],
    findings: Sequence[Finding],
    repos: Sequence[RepoScan],
    *,
    policy: EvidencePolicy = EvidencePolicy.balanced,
    in_scope: Sequence[RepoScan] | None = None,
) -> QuestionResult:
    """The question's result with its ``evidence`` set, and its level capped if contradicted
    (or, under the strict policy, not evidenced). ``in_scope``: the scanned repositories whose
    absence of evidence counts for this question (default: all of them)."""
    own = [r for r in rules if q.id in r.questions]
    positive_rules = [r for r in own if r.kind is RuleKind.positive]
    found = question_findings(q, rules, findings)
    pos = [f for f in found if f.kind is RuleKind.positive]
    neg = [f for f in found if f.kind is RuleKind.negative]
    claimed = result.level
    supported = max((f.level for f in pos), default=None)
    cap_neg = min((f.level for f in neg), default=None)
    # absence counts only in complete scans of repositories in scope: a scan cut short by its
    # time budget, or a repository the engagement keeps out of this area, proves no absence
    judged = [r for r in (repos if in_scope is None else in_scope) if r.incomplete is None]
    disproved = _disproved(q, claimed, findings, judged)

    status = EvidenceStatus.unverified
    cap: int | None = None
    suggested: int | None = None
    weight = 0.0
    if not own:
        status = EvidenceStatus.not_observable
        why = "An organisational practice no repository can show: ask to see the evidence."
    elif not repos:
        why = "No repository was scanned."
    elif claimed is None:
        if hint := suggest(q, rules, findings):
            status, suggested, first = EvidenceStatus.evidence_only, hint.level, hint.findings[0]
            why = (
                f"Not answered, but '{first.title}' ({where(first)}) suggests level "
                f"{suggested}: confirm with the client."
            )
        else:
            why = f"Not answered, and no scanned repository shows it ({len(own)} rules checked)."
    elif neg and cap_neg is not None and claimed > cap_neg:
        status, cap = EvidenceStatus.contradicted, cap_neg
        why = (
            f"Claimed level {_level(claimed)}, but '{neg[0].title}' ({where(neg[0])}) "
            f"caps it at {cap_neg}."
        )
    elif disproved is not None:
        check, system = disproved
        status, cap = EvidenceStatus.contradicted, check.capped_at
        why = (
            f"Claimed level {_level(claimed)}, but '{system.title}' ({where(system)}) "
            f"{check.says}. Capped at {cap}."
        )
    elif (
        not pos
        and q.expected_in_repo_from is not None
        and claimed >= q.expected_in_repo_from
        and judged
    ):
        status = EvidenceStatus.not_evidenced
        expected = "; ".join(sorted({r.title for r in positive_rules}))
        scanned = ", ".join(f"{r.source} at {r.commit[:8]}" for r in judged)
        why = (
            f"Claimed level {_level(claimed)}, which would usually show in a repository, but "
            f"none of the scanned ones ({scanned}) shows it: {expected}."
        )
        if policy is EvidencePolicy.strict:
            cap = q.expected_in_repo_from - 1
            why += f" Capped at {cap} under the strict evidence policy until it is shown."
        else:
            why += " The level stands until the client shows the evidence."
    elif pos and supported is not None:
        reachable = max((r.level for r in positive_rules), default=LEVEL_MAX)
        best = max(STRENGTH_WEIGHT[f.strength] for f in pos)
        # a dependency rule shows that a tool is there, even when found as an import: only code
        # or a CI step that does the practice can say the answers understate it
        tools = {r.id for r in positive_rules if r.match.dependencies}
        strong = [
            f for f in pos if f.strength in STRONG and f.rule not in tools and f.level > claimed
        ]
        if strong:
            top = max(strong, key=lambda f: f.level)
            status, suggested, weight = EvidenceStatus.understated, top.level, best / 2
            why = (
                f"The answers claim level {_level(claimed)}, but '{top.title}' "
                f"({where(top)}) suggests {top.level}: check which is right."
            )
        elif supported >= min(claimed, reachable):
            status, weight = EvidenceStatus.corroborated, best
            why = f"'{pos[0].title}': {where(pos[0])}" + (
                f" (and {len(pos) - 1} more)" if len(pos) > 1 else ""
            )
        else:
            status, weight = EvidenceStatus.partial, best / 2
            why = (
                f"The repositories show level {supported} ('{pos[0].title}', {where(pos[0])}); "
                f"the answers claim {_level(claimed)}."
            )
    elif neg:
        status = EvidenceStatus.corroborated
        weight = max(STRENGTH_WEIGHT[f.strength] for f in neg)
        why = f"The repositories agree: '{neg[0].title}' ({where(neg[0])})."
    else:
        why = f"No scanned repository shows it either way ({len(own)} rules checked)."

    evidence = QuestionEvidence(
        status=status,
        claimed_level=claimed,
        supported_level=supported,
        cap=cap,
        suggested_level=suggested,
        weight=weight,
        rules=tuple(r.id for r in own),
        findings=tuple(found[:KEEP_FINDINGS]),
        explanation=why,
    )
    update: dict[str, object] = {"evidence": evidence}
    if cap is not None and claimed is not None and cap < claimed:
        # scored at the cap: the next step starts from there, not from the claimed level
        now = max((c for c in q.choices if c.level <= cap), key=lambda c: c.level, default=None)
        update["level"] = float(cap)
        update["plan"] = now.plan if now else result.plan
    return result.model_copy(update=update)


def _disproved(
    q: Question,
    claimed: float | None,
    findings: Sequence[Finding],
    judged: Sequence[RepoScan],
) -> tuple[SystemCheck, Finding] | None:
    """The first of the question's ``absent_in_system`` checks that the scanned content
    disproves (with the finding of the system it read), or None."""
    if claimed is None or not judged:
        return None
    sources = {r.source for r in judged}
    fired: dict[str, Finding] = {}
    for f in findings:
        fired.setdefault(f.rule, f)
    for check in q.absent_in_system:
        if claimed < check.level:
            continue
        if any(r in fired for r in (*check.shows, *check.unless)):
            continue
        system = next((f for f in findings if f.rule in check.system and f.repo in sources), None)
        if system is not None:
            return check, system
    return None


def _count(results: Sequence[QuestionResult], status: EvidenceStatus) -> int:
    return sum(1 for r in results if r.evidence and r.evidence.status is status)


def confidence(
    results: Sequence[QuestionResult], coverage: float | None, scanned: bool
) -> Confidence:
    """An area's confidence from its question results (already reconciled)."""
    answered = [r for r in results if r.status == "answered"]
    observable = [
        r
        for r in answered
        if r.evidence is not None and r.evidence.status is not EvidenceStatus.not_observable
    ]
    corroboration = (
        sum(r.evidence.weight for r in observable if r.evidence) / len(observable)
        if scanned and observable
        else None
    )
    several = [r for r in answered if sum(a.level is not None for a in r.answers) > 1]
    agreement = 1 - sum(r.spread for r in several) / (LEVEL_MAX * len(several)) if several else None

    parts = [(coverage, 0.4), (corroboration, 0.4), (agreement, 0.2)]
    known = [(v, w) for v, w in parts if v is not None]
    score = sum(v * w for v, w in known) / sum(w for _, w in known) if coverage else 0.0
    label = "high" if score >= 0.75 else "medium" if score >= 0.5 else "low"
    if corroboration is None and label == "high":
        label = "medium"

    applicable = [r for r in results if r.status not in ("not_applicable", "not_in_scope")]
    bits = [f"{len(answered)} of {len(applicable)} answered"]
    if not scanned:
        bits.append("no repository scanned")
    elif observable:
        backed = _count(observable, EvidenceStatus.corroborated)
        bits.append(f"{backed} of {len(observable)} checkable answers corroborated")
        for status, said in (
            (EvidenceStatus.contradicted, "contradicted"),
            (EvidenceStatus.not_evidenced, "not evidenced"),
        ):
            if n := _count(observable, status):
                bits.append(f"{n} {said}")
    else:
        bits.append("no answered question a repository could check")
    if scanned and (suggested := _count(results, EvidenceStatus.evidence_only)):
        bits.append(f"the repositories suggest a level for {suggested} unanswered")
    if several:
        split = sum(1 for r in several if r.spread)
        bits.append(
            f"respondents differ on {split} of {len(several)} questions"
            if split
            else "respondents agree"
        )
    return Confidence(
        score=round(score, 2),
        label=label,
        coverage=coverage,
        corroboration=None if corroboration is None else round(corroboration, 2),
        agreement=None if agreement is None else round(agreement, 2),
        reason="; ".join(bits),
    )


def repos_in_scope(
    repos: Sequence[RepoScan], scope: dict[str, list[str]] | None, area: str
) -> Sequence[RepoScan]:
    """The scanned repositories whose absence of evidence counts for ``area``: those the
    engagement's ``evidence_scope`` lists for it (by source as given or folder name), or all."""
    if scope is None or area not in scope:
        return repos
    wanted = {_repo_name(s) for s in scope[area]}
    return [r for r in repos if _repo_name(r.source) in wanted]


def _repo_name(source: str) -> str:
    """A repository's folder name: ``../repos/churn.git/`` and ``https://x/acme/churn`` ->
    ``churn``."""
    return repo_id(source).rsplit("/", 1)[-1]


def evidence_requests(pack: Pack, results: Sequence[QuestionResult]) -> tuple[EvidenceRequest, ...]:
    """One request per claim no scanned repository shows, in pack order: what to show comes
    from the question's ``evidence`` list."""
    out = []
    for r in results:
        if r.evidence is None or r.evidence.status is not EvidenceStatus.not_evidenced:
            continue
        q = pack.question(r.id)
        what = "; ".join(q.evidence) if q and q.evidence else "where this practice runs"
        out.append(EvidenceRequest(question=r.id, area=r.area, what=what, source="not_evidenced"))
    return tuple(out)
