"""The terminal review (``assess review``): with ``prompt``, the only modules importing
questionary.

One claim at a time: the question, the level claimed and each respondent's answer, what the
repositories show (path, line, repository, commit, snippet), then the decision. Every decision
is saved through the interview's session (locked, merged onto the file if another writer
changed it, written atomically) before the next claim is shown, so Ctrl-C or a killed process
loses at most the decision on screen. Claims not decided yet come first; once they are done,
the walk offers to revisit the decided ones (to change or clear a decision).
"""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap
from collections.abc import Callable
from typing import Any

import questionary
from questionary import Choice, Separator

from assess.errors import InputError
from assess.interview.engine import ANSWER_TEXT
from assess.interview.prompt import Say, _ask, _clip
from assess.interview.session import Session
from assess.model.engagement import Engagement, FindingDecision, QuestionDecision, ReviewRequest
from assess.model.evidence import Finding
from assess.model.pack import Question
from assess.model.result import Assessment, EvidenceStatus, QuestionResult, ReviewItem
from assess.model.rules import RuleKind
from assess.reconcile import finding_key
from assess.review import choices_for, clear, parse_due, set_decision, set_waiver, walk_order
from assess.scan.output import STRENGTH_LABEL

ACCEPT, UPHOLD, REQUEST, WAIVE = "accept", "uphold", "request", "waive"
SKIP, QUIT, CLEAR, BACK = ":skip", ":quit", ":clear", ":back"

STATUS_TEXT = {
    EvidenceStatus.contradicted: "contradicted",
    EvidenceStatus.not_evidenced: "not evidenced",
    EvidenceStatus.understated: "understated",
    EvidenceStatus.evidence_only: "evidence only",
}
DONE = {ACCEPT: "accepted", UPHOLD: "upheld", REQUEST: "evidence requested"}

Evaluate = Callable[[Engagement], Assessment]


def _width() -> int:
    return min(100, shutil.get_terminal_size().columns) - 2


def _level(x: float | None) -> str:
    return "-" if x is None else f"{x:g}"


class Reviewer:
    def __init__(
        self,
        session: Session,
        evaluate: Evaluate,
        *,
        by: str,
        say: Say,
        now: Callable[[], dt.datetime],
    ) -> None:
        self.s = session
        self.pack = session.pack
        self.evaluate = evaluate
        self.by = by
        self.say = say
        self.now = now
        self.decided_now = 0
        self.result = evaluate(session.engagement)

    @property
    def items(self) -> tuple[ReviewItem, ...]:
        return self.result.review.items if self.result.review else ()

    def _save(self, eng: Engagement) -> None:
        self.s.save(eng)
        self.decided_now += 1
        self.result = self.evaluate(self.s.engagement)

    # ------------------------------------------------------------------ the walk

    def announce(self) -> None:
        items = self.items
        stale = self.result.review.stale if self.result.review else ()
        if not items:
            self.say("Nothing to review: the repositories disagree with no answer.")
        else:
            done = sum(1 for i in items if i.decision)
            later = (
                " (open ones first; the decided ones can be revisited at the end)" if done else ""
            )
            self.say(
                f"Reviewing {self.s.path}: {len(items)} claims the repositories disagree with, "
                f"{done} decided{later}."
            )
        if stale:
            self.say(
                f"{len(stale)} earlier decision(s) no longer fit the evidence: kept in the file, "
                "not applied (see --list)."
            )

    def walk(self) -> None:
        skipped: set[str] = set()
        while True:
            todo = walk_order(self.items, skipped)
            if todo:
                action = self.ask(todo[0])
                if action == QUIT:
                    return
                if action == SKIP:
                    skipped.add(todo[0].question)
                continue  # a waiver may leave the claim open: it is shown again, updated
            if skipped and _ask(
                questionary.confirm(
                    f"You skipped {len(skipped)} claim(s). Review them now?", default=True
                )
            ):
                skipped.clear()
                continue
            decided = [i.question for i in self.items if i.decision]
            if decided and _ask(
                questionary.confirm(
                    f"{len(decided)} of {len(self.items)} claims decided. Revisit the decided "
                    "ones?",
                    default=False,
                )
            ):
                for qid in decided:
                    item = next((i for i in self.items if i.question == qid), None)
                    if item is not None and self.ask(item) == QUIT:
                        return
            return

    # ------------------------------------------------------------------ one claim

    def ask(self, item: ReviewItem) -> str:
        """Show one claim and save the decision taken; returns it (or SKIP, QUIT)."""
        allowed = choices_for(item)
        choices: list[Any] = []
        if ACCEPT in allowed:
            label = f"Accept the evidence: score level {item.evidence_level}"
            choices.append(Choice(label, ACCEPT, shortcut_key="a"))
        if UPHOLD in allowed:
            choices.append(
                Choice(
                    f"Uphold the claim (level {_level(item.claimed_level)}), with a justification",
                    UPHOLD,
                    shortcut_key="u",
                )
            )
        choices.append(Choice("Request evidence from the client", REQUEST, shortcut_key="r"))
        if item.findings:
            choices.append(Choice("Waive a finding as a false positive", WAIVE, shortcut_key="w"))
        choices.append(Separator())
        if item.decision is not None:
            choices.append(Choice("Clear the decision", CLEAR, shortcut_key="c"))
            choices.append(Choice("Keep the decision, next claim", SKIP, shortcut_key="s"))
        else:
            choices.append(Choice("Skip for now", SKIP, shortcut_key="s"))
        choices.append(Choice("Save and quit", QUIT, shortcut_key="q"))
        self.say(self.screen(item, below=len(choices) + 1))
        picked = _ask(
            questionary.select(
                "Decision",
                choices=choices,
                default=item.decision.decision if item.decision else None,
                use_shortcuts=True,
                use_jk_keys=False,
                instruction="(letter or arrows, then enter)",
            )
        )
        if picked in (SKIP, QUIT):
            return str(picked)
        eng = self.s.engagement
        if picked == CLEAR:
            self._save(eng.model_copy(update={"review": clear(eng.review, item.question)}))
            self.say(f"Cleared the decision on {item.question}.")
            return CLEAR
        if picked == WAIVE:
            return self._waive(item)
        previous = item.decision
        reason = ""
        request = None
        if picked == UPHOLD:
            reason = _ask(
                questionary.text(
                    "Justification (shown in the report):",
                    default=previous.reason if previous else "",
                    validate=lambda t: bool(t.strip()) or "A justification is needed",
                )
            ).strip()
        elif picked == REQUEST:
            request = self._request(item, previous.request if previous else None)
        else:
            reason = _ask(
                questionary.text(
                    "Note (optional, Enter to skip):",
                    default=previous.reason if previous else "",
                )
            ).strip()
        decision = QuestionDecision(
            decision=picked,
            reason=reason,
            by=self.by,
            at=self.now(),
            level=item.evidence_level if picked == ACCEPT else None,
            request=request,
        )
        self._save(
            eng.model_copy(update={"review": set_decision(eng.review, item.question, decision)})
        )
        self.say(f"Saved: {item.question} {DONE[str(picked)]}.")
        return str(picked)

    def _request(self, item: ReviewItem, previous: ReviewRequest | None) -> ReviewRequest:
        q = self.pack.question(item.question)
        answered = self._result(item.question)
        who_default = previous.who if previous else ""
        if not who_default and answered is not None:
            who_default = next((a.respondent for a in answered.answers if a.respondent), "")
        what_default = previous.what if previous else "; ".join(q.evidence) if q else ""
        today = self.now().date()
        due_default = (previous.due if previous else today + dt.timedelta(days=14)).isoformat()
        who = _ask(
            questionary.text(
                "Who should provide it?",
                default=who_default,
                validate=lambda t: bool(t.strip()) or "Name someone",
            )
        ).strip()
        what = _ask(
            questionary.text(
                "What should they show?",
                default=what_default,
                validate=lambda t: bool(t.strip()) or "Say what to show",
            )
        ).strip()

        def valid_due(text: str) -> bool | str:
            try:
                parse_due(text, today)
            except InputError as err:
                return err.message
            return True

        due = _ask(
            questionary.text("By when (YYYY-MM-DD)?", default=due_default, validate=valid_due)
        )
        return ReviewRequest(who=who, what=what, due=parse_due(due, today))

    def _waive(self, item: ReviewItem) -> str:
        width = max(40, shutil.get_terminal_size().columns - 8)
        choices: list[Any] = [
            Choice(
                _clip(f"{f.title} · {f.path}{f':{f.line}' if f.line else ''}", width),
                finding_key(f),
                shortcut_key=str(n),
            )
            for n, f in enumerate(item.findings[:9], 1)
        ]
        choices += [Separator(), Choice("Back to the claim", BACK, shortcut_key="b")]
        key = _ask(
            questionary.select(
                "Waive which finding?",
                choices=choices,
                use_shortcuts=True,
                use_jk_keys=False,
                instruction="(number or arrows, then enter)",
            )
        )
        if key == BACK:
            return self.ask(item)
        reason = _ask(
            questionary.text(
                "Why is it a false positive? (shown in the report)",
                validate=lambda t: bool(t.strip()) or "A reason is needed",
            )
        ).strip()
        eng = self.s.engagement
        waiver = FindingDecision(decision="waive", reason=reason, by=self.by, at=self.now())
        self._save(eng.model_copy(update={"review": set_waiver(eng.review, str(key), waiver)}))
        self.say(f"Saved: waived {key}; it no longer counts in this engagement.")
        return WAIVE

    # ------------------------------------------------------------------ the screen

    def _result(self, qid: str) -> QuestionResult | None:
        return next((r for r in self.result.questions if r.id == qid), None)

    def screen(self, item: ReviewItem, below: int = 0) -> str:
        """The claim against the evidence, fitted to the terminal: lines cut to its width, and
        only as many findings (at least one) as leave ``below`` lines for the menu on screen;
        the waiver's menu lists them all."""
        width = _width()
        q = self.pack.question(item.question)
        area = self.pack.area(item.area)
        k = next(n for n, i in enumerate(self.items, 1) if i.question == item.question)
        done = sum(1 for i in self.items if i.decision)
        head = (
            f"── Claim {k} of {len(self.items)} · {area.title if area else item.area} · "
            f"{STATUS_TEXT.get(item.status, item.status.value)} · {done} decided "
        )
        lines = ["", (_clip(head, width - 1) + " ").ljust(width, "─")]
        lines += _fit(f"{item.question}: {q.text if q else ''}", width, "", 3)
        answered = self._result(item.question)
        rows = answered.answers if answered else ()
        claimed = item.claimed_level
        if claimed is None:
            lines.append("Claimed: nothing")
        else:
            said = _choice_text(q, int(claimed)) if q is not None else ""
            rule = self.result.source.respondents_rule.value
            many = f" ({rule} of {len(rows)} answers)" if len(rows) > 1 else ""
            lines += _fit(f"Claimed: level {_level(claimed)}{many}: {said}", width, "", 2)
        for a in rows:
            if a.level is None:
                said = ANSWER_TEXT.get(a.status.value, a.status.value)
            elif len(rows) > 1:
                said = f"level {a.level} · {a.choice_text or a.choice}"
            else:
                said = f"level {a.level}"
            note = f"; note: {a.note}" if a.note else ""
            lines += _fit(f"{a.respondent or '(unnamed)'}: {said}{note}", width, "  ", 1)
        level = item.evidence_level
        meaning = _choice_text(q, level) if q is not None and level is not None else ""
        lines += _fit(_verdict(item) + (f": {meaning}" if meaning else ""), width, "", 2)
        if not item.findings:
            lines += _fit(item.explanation, width, "  ", 4)
        decided: list[str] = []
        if (d := item.decision) is not None:
            when = f" on {d.at:%Y-%m-%d}" if d.at else ""
            said = d.reason or (
                f"{d.request.what} from {d.request.who} by {d.request.due}" if d.request else ""
            )
            head = f"Decided: {DONE[d.decision]} by {d.by}{when}"
            decided = _fit(head + (f": {said}" if said else ""), width, "", 2)
        room = shutil.get_terminal_size().lines - below - len(lines) - len(decided) - 1
        for n, f in enumerate(item.findings, 1):
            block = _fit(f"{n}. {f.title}", width, "  ", 1)
            block += _fit(f"{_where(f)} · {_effect(f)}", width, "     ", 2)
            if f.snippet:
                block += _fit(f"| {f.snippet.strip()}", width, "     ", 1)
            if n > 1 and len(block) > room:
                more = len(item.findings) - n + 1
                lines.append(f"  (and {more} more: 'Waive a finding' lists them all)")
                break
            lines += block
            room -= len(block)
        lines += decided
        return "\n".join(lines)


def _fit(text: str, width: int, indent: str, max_lines: int) -> list[str]:
    """``text`` on at most ``max_lines`` lines of ``width``, each indented by ``indent``
    (whitespace in the text, line breaks included, collapsed; a cut shown by …)."""
    return textwrap.wrap(
        " ".join(text.split()),
        width,
        initial_indent=indent,
        subsequent_indent=indent + ("  " if max_lines > 1 else ""),
        max_lines=max_lines,
        placeholder=" …",
    )


def _choice_text(q: Question, level: int) -> str:
    """What the question's ladder says at ``level`` (the choice at or just below it)."""
    below = [c for c in q.choices if c.level <= level]
    return max(below, key=lambda c: c.level).text if below else ""


def _where(f: Finding) -> str:
    line = f":{f.line}" if f.line else ""
    return f"{f.path}{line} · {f.repo} @ {f.commit[:8]}"


def _effect(f: Finding) -> str:
    if f.kind is RuleKind.negative:
        return f"caps at {f.level}"
    return f"{STRENGTH_LABEL[f.strength.value]}, level {f.level}"


def _verdict(item: ReviewItem) -> str:
    level = item.evidence_level
    if item.status is EvidenceStatus.contradicted:
        return f"The repositories cap it at level {level}"
    if item.status is EvidenceStatus.not_evidenced:
        return "Not evidenced: a repository would show it, and none of the scanned ones does"
    if item.status is EvidenceStatus.understated:
        return f"The repositories show level {level}"
    return f"The repositories suggest level {level}"


def run(session: Session, evaluate: Evaluate, *, by: str, say: Say) -> Reviewer:
    ui = Reviewer(
        session,
        evaluate,
        by=by,
        say=say,
        now=lambda: dt.datetime.now(dt.UTC).replace(microsecond=0),
    )
    ui.announce()
    ui.walk()
    return ui
