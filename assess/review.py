"""The assessor's review: pure functions over reconciled question results and the engagement's
``review:`` decisions (``assess review`` walks them; ``assess.scoring`` applies them).

Review items are the claims the repositories disagree with, area by area (in pack order) and,
within an area, the most serious first: contradicted, not evidenced, understated, evidence only.
For each the assessor can

- accept the evidence: the question is scored at the level the evidence gives (a
  contradiction's cap, the level a claim without a trace is capped at under the strict policy,
  an understated or evidence-only suggestion), recorded as changed on review; the respondents'
  answers are kept as they were;
- uphold the claim with a justification: status ``upheld``, the claimed level is scored and
  any cap removed;
- request evidence from the client (who, what, by when): an ``EvidenceRequest`` with source
  ``assessor``, the level unchanged;
- waive a finding as a false positive: it is removed from the evidence before reconciliation,
  so it counts nowhere in this engagement (levels, findings, compliance, lineage), and it is
  listed as waived with its reason.

Question decisions are keyed by question id, waivers by ``finding_key`` (rule, repository,
path: no commit), so a rescan keeps them. A decision that no longer fits (its finding is not in
the evidence any more, its question is no longer a review item, or an accepted level is no
longer the one the evidence gives) is stale: kept in the file, listed, not applied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assess.errors import InputError
from assess.model.engagement import (
    Engagement,
    FindingDecision,
    QuestionDecision,
    Review,
    ReviewRequest,
)
from assess.model.evidence import Finding, RepoScan
from assess.model.pack import Pack, Question
from assess.model.result import (
    EvidenceRequest,
    EvidenceStatus,
    QuestionEvidence,
    QuestionResult,
    ReviewItem,
    ReviewOutcome,
    ReviewSummary,
    StaleDecision,
    WaivedFinding,
)
from assess.reconcile import finding_key
from assess.validation import did_you_mean

REVIEWED = (
    EvidenceStatus.contradicted,
    EvidenceStatus.not_evidenced,
    EvidenceStatus.understated,
    EvidenceStatus.evidence_only,
)
"""The statuses the assessor reviews, the most serious first."""


def all_findings(repos: Iterable[RepoScan]) -> list[Finding]:
    return [f for r in repos for fs in r.areas.values() for f in fs]


def waive(repos: Sequence[RepoScan], review: Review) -> tuple[RepoScan, ...]:
    """The scans without the findings the assessor waived."""
    if not review.findings:
        return tuple(repos)
    return tuple(
        r.model_copy(
            update={
                "areas": {
                    area: tuple(f for f in fs if finding_key(f) not in review.findings)
                    for area, fs in r.areas.items()
                }
            }
        )
        for r in repos
    )


def evidence_level(q: Question, ev: QuestionEvidence) -> int | None:
    """The level accepting the evidence gives the question."""
    if ev.status is EvidenceStatus.contradicted:
        return ev.cap
    if ev.status is EvidenceStatus.not_evidenced:
        if ev.cap is not None:
            return ev.cap
        return None if q.expected_in_repo_from is None else max(0, q.expected_in_repo_from - 1)
    if ev.status in (EvidenceStatus.understated, EvidenceStatus.evidence_only):
        return ev.suggested_level
    return None


def _items(pack: Pack, results: Sequence[QuestionResult]) -> list[ReviewItem]:
    """Review items (without decisions) from results reconciled before any decision."""
    rank = {s: i for i, s in enumerate(REVIEWED)}
    area_rank = {a.id: i for i, a in enumerate(pack.areas)}
    order = {q.id: i for i, q in enumerate(pack.questions)}
    out = []
    for r in results:
        q = pack.question(r.id)
        ev = r.evidence
        if q is None or ev is None or ev.status not in rank:
            continue
        out.append(
            ReviewItem(
                question=r.id,
                area=r.area,
                status=ev.status,
                claimed_level=ev.claimed_level,
                evidence_level=evidence_level(q, ev),
                explanation=ev.explanation,
                findings=ev.findings,
                decision=None,
            )
        )
    out.sort(key=lambda i: (area_rank.get(i.area, 0), rank[i.status], order.get(i.question, 0)))
    return out


def _why_stale(item: ReviewItem | None, d: QuestionDecision) -> str | None:
    """Why a question decision does not apply to its item (None: it applies)."""
    if item is None:
        return "the question is no longer one to review (the evidence changed)"
    if d.decision == "accept" and d.level != item.evidence_level:
        now = "no level" if item.evidence_level is None else f"level {item.evidence_level}"
        return f"accepted level {d.level:g}, but the evidence now gives {now}"
    if d.decision == "uphold" and item.claimed_level is None:
        return "nothing is claimed any more"
    return None


@dataclass(frozen=True)
class Reviewed:
    results: list[QuestionResult]
    summary: ReviewSummary
    requests: tuple[EvidenceRequest, ...]


def apply_review(
    pack: Pack,
    results: Sequence[QuestionResult],
    review: Review,
    findings: Sequence[Finding],
) -> Reviewed:
    """Apply the decisions to results reconciled without the waived findings. ``findings``
    are every finding of the evidence, waived ones included (to tell which waivers apply)."""
    by_key: dict[str, list[Finding]] = {}
    for f in findings:
        by_key.setdefault(finding_key(f), []).append(f)
    waived = []
    stale = []
    for key, w in review.findings.items():
        if key in by_key:
            waived.append(
                WaivedFinding(
                    key=key, findings=tuple(by_key[key]), reason=w.reason, by=w.by, at=w.at
                )
            )
        else:
            stale.append(
                StaleDecision(
                    key=key,
                    kind="finding",
                    decision=w.decision,
                    reason=w.reason,
                    why="no such finding in the evidence (fixed, moved or not scanned)",
                )
            )

    items = _items(pack, results)
    by_question = {i.question: i for i in items}
    applied: dict[str, QuestionDecision] = {}
    for qid, d in review.questions.items():
        why = _why_stale(by_question.get(qid), d)
        if why is None:
            applied[qid] = d
        else:
            stale.append(
                StaleDecision(
                    key=qid,
                    kind="question",
                    decision=d.decision,
                    reason=d.reason or _request_text(d),
                    why=why,
                )
            )
    items = [i.model_copy(update={"decision": applied.get(i.question)}) for i in items]

    out = []
    requests = []
    for r in results:
        decided = applied.get(r.id)
        q = pack.question(r.id)
        if decided is None or q is None or r.evidence is None:
            out.append(r)
            continue
        out.append(_apply(q, r, r.evidence, decided))
        if (asked := decided.request) is not None:
            requests.append(
                EvidenceRequest(
                    question=r.id,
                    area=r.area,
                    what=asked.what,
                    who=asked.who,
                    due=asked.due,
                    source="assessor",
                )
            )
    order = {i.question: n for n, i in enumerate(items)}
    requests.sort(key=lambda x: order[x.question])
    return Reviewed(
        results=out,
        summary=ReviewSummary(items=tuple(items), waived=tuple(waived), stale=tuple(stale)),
        requests=tuple(requests),
    )


def _request_text(d: QuestionDecision) -> str:
    return f"{d.request.what} (from {d.request.who} by {d.request.due})" if d.request else ""


def _apply(
    q: Question, r: QuestionResult, ev: QuestionEvidence, d: QuestionDecision
) -> QuestionResult:
    outcome = ReviewOutcome(
        decision=d.decision,
        reason=d.reason,
        by=d.by,
        at=d.at,
        original_level=r.level,
        original_status=ev.status,
        request=d.request,
    )
    update: dict[str, object] = {"review": outcome}
    level = d.level if d.decision == "accept" else ev.claimed_level
    if d.decision in ("accept", "uphold") and level is not None:
        # the choice at that level (at or below it, for a mean of several answers)
        at = r.choice if d.decision == "uphold" and r.choice else None
        choice = q.choice(at) if at else None
        if choice is None:
            choice = max(
                (c for c in q.choices if c.level <= level), key=lambda c: c.level, default=None
            )
        update["level"] = float(level)
        update["status"] = "answered"
        if choice is not None:
            update["plan"] = choice.plan
            if d.decision == "accept":
                update.update(choice=choice.id, choice_text=choice.text)
    if d.decision == "uphold":
        update["evidence"] = ev.model_copy(update={"status": EvidenceStatus.upheld, "cap": None})
    return r.model_copy(update=update)


def merge_requests(
    pack: Pack, found: Sequence[EvidenceRequest], reviewed: Reviewed
) -> tuple[EvidenceRequest, ...]:
    """Every evidence request, in pack order (area by area): the ones ``found`` (derived from
    claims nothing shows) except where the assessor decided the question (accepted the
    evidence, upheld the claim or made her own request), and the assessor's own."""
    decided = {r.id for r in reviewed.results if r.review is not None}
    order = {q.id: n for n, q in enumerate(pack.questions)}
    kept = [x for x in found if x.question not in decided]
    return tuple(sorted([*kept, *reviewed.requests], key=lambda x: order.get(x.question, 0)))


# --------------------------------------------------------------------------- walking and deciding


def walk_order(items: Sequence[ReviewItem], skipped: Iterable[str] = ()) -> list[ReviewItem]:
    """The items still to decide, in review order, leaving out ``skipped`` ones."""
    skip = set(skipped)
    return [i for i in items if i.decision is None and i.question not in skip]


def choices_for(item: ReviewItem) -> tuple[str, ...]:
    """The decisions an item allows: accepting needs a level the evidence gives, upholding a
    claim (an evidence-only item has none)."""
    out = []
    if item.evidence_level is not None:
        out.append("accept")
    if item.claimed_level is not None:
        out.append("uphold")
    out.append("request")
    return tuple(out)


def set_decision(review: Review, qid: str, d: QuestionDecision) -> Review:
    return review.model_copy(update={"questions": {**review.questions, qid: d}})


def set_waiver(review: Review, key: str, d: FindingDecision) -> Review:
    return review.model_copy(update={"findings": {**review.findings, key: d}})


def clear(review: Review, key: str) -> Review:
    """Without the decision on question ``key`` or finding ``key``."""
    return review.model_copy(
        update={
            "questions": {k: v for k, v in review.questions.items() if k != key},
            "findings": {k: v for k, v in review.findings.items() if k != key},
        }
    )


def item_for(summary: ReviewSummary, pack: Pack, qid: str, field: str) -> ReviewItem:
    """The review item of ``qid``; an unknown question, or one that is not to review, is the
    ``field`` argument's error."""
    item = next((i for i in summary.items if i.question == qid), None)
    if item is not None:
        return item
    q = pack.question(qid)
    if q is None:
        hint = did_you_mean(qid, [x.id for x in pack.questions])
        raise InputError(f"no question {qid!r} in pack {pack.id}{hint}", field=field)
    listed = ", ".join(i.question for i in summary.items) or "none"
    raise InputError(
        f"{qid} is not a claim to review: the repositories do not disagree with it (to review: "
        f"{listed})",
        field=field,
    )


def check_decision(item: ReviewItem, decision: str, field: str) -> None:
    if decision not in choices_for(item):
        why = (
            "nothing is claimed (not answered, or don't know)"
            if decision == "uphold"
            else "the evidence gives no level"
        )
        raise InputError(f"cannot {decision} {item.question}: {why}", field=field)


def check_finding_key(key: str, findings: Sequence[Finding], field: str) -> None:
    keys = sorted({finding_key(f) for f in findings})
    if key not in keys:
        raise InputError(
            f"no finding {key!r} in the evidence{did_you_mean(key, keys)} (keys are "
            "RULE:REPO:PATH; 'assess review ... --list' shows them)",
            field=field,
        )


def parse_due(text: str, today: dt.date, field: str = "--due") -> dt.date:
    """A due date given as YYYY-MM-DD, today or later."""
    try:
        due = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"expected a date as YYYY-MM-DD, got {text!r}", field=field) from None
    if due < today:
        raise InputError(f"the due date {due} is in the past", field=field)
    return due


def level_text(x: float | None) -> str:
    return "none" if x is None else f"{x:g}"


# --------------------------------------------------------------------------- flags and listing


def decide(
    pack: Pack,
    eng: Engagement,
    summary: ReviewSummary,
    findings: Sequence[Finding],
    *,
    action: str,
    target: str,
    reason: str | None,
    who: str | None,
    what: str | None,
    due: str | None,
    by: str,
    now: dt.datetime,
) -> tuple[Engagement, str]:
    """The engagement with one decision given by the command-line flags, and what it did.
    ``summary`` is the review as it stands, ``findings`` every finding of the evidence (waived
    ones too). Any problem is an ``InputError`` naming the flag; nothing is changed then."""
    field = f"--{action}"
    review = eng.review
    reason = (reason or "").strip()
    if action == "clear":
        if target not in review.questions and target not in review.findings:
            known = [*review.questions, *review.findings]
            raise InputError(
                f"no decision on {target!r} to clear{did_you_mean(target, known)}", field=field
            )
        return eng.model_copy(update={"review": clear(review, target)}), f"cleared {target}"
    if action == "waive":
        check_finding_key(target, findings, field)
        if not reason:
            raise InputError("a waiver needs --reason (why it is a false positive)", field=field)
        waiver = FindingDecision(decision="waive", reason=reason, by=by, at=now)
        return (
            eng.model_copy(update={"review": set_waiver(review, target, waiver)}),
            f"waived {target}",
        )
    item = item_for(summary, pack, target, field)
    check_decision(item, action, field)
    request = None
    if action == "uphold" and not reason:
        raise InputError("upholding a claim needs --reason (the justification)", field=field)
    if action == "request":
        q = pack.question(target)
        what = (what or "").strip() or "; ".join(q.evidence if q else ())
        for flag, value in (("--who", who), ("--what", what), ("--due", due)):
            if not (value or "").strip():
                raise InputError(f"a request needs {flag}", field=flag)
        assert who is not None and due is not None
        request = ReviewRequest(who=who.strip(), what=what, due=parse_due(due, now.date()))
    decision = QuestionDecision(
        decision=action,
        reason=reason,
        by=by,
        at=now,
        level=item.evidence_level if action == "accept" else None,
        request=request,
    )
    said = {
        "accept": f"{target} accepted at level {item.evidence_level} "
        f"(claimed {level_text(item.claimed_level)})",
        "uphold": f"{target} upheld at level {level_text(item.claimed_level)}",
        "request": f"{target}: evidence requested from {who} by {due}",
    }[action]
    return eng.model_copy(update={"review": set_decision(review, target, decision)}), said
