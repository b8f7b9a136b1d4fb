"""The terminal interview: the only module that imports questionary.

It drives the pure engine and saves through the session after every answer. Ctrl-C raises
KeyboardInterrupt out of ``run``; everything answered before it is already on disk.

With scan findings (``assess interview --evidence``), a question the repositories speak to shows
what they show above its menu and preselects the level they suggest (``reconcile.suggest``, the
same level the report gives an unanswered question). Enter confirms it and the answer records
the findings' keys (``Answer.from_evidence``); a suggestion every finding agrees on is saved at
once, without the note prompt (``c`` confirms it with a note). A prompt rule's finding is shown as
something to ask, never as a level.
"""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap
from collections.abc import Callable, Sequence
from typing import Any

import questionary
from questionary import Choice, Separator

from assess.interview.engine import (
    answer_of,
    applicable_questions,
    missing_context,
    next_question,
    progress,
    prune,
    set_answer,
    set_context,
    suggested_choice,
)
from assess.interview.session import Session
from assess.model import (
    Answer,
    AnswerStatus,
    ContextField,
    ContextType,
    Finding,
    Question,
    RuleKind,
    Suggestion,
)
from assess.model import Choice as QChoice
from assess.reconcile import finding_key, question_findings, repo_id, suggest

DONT_KNOW = ":dont_know"
NOT_APPLICABLE = ":not_applicable"
HELP = ":help"
SKIP = ":skip"
BACK = ":back"
JUMP = ":jump"
QUIT = ":quit"
ALL_AREAS = ":all"
CONFIRM_WITH_NOTE = ":confirm_with_note"

Say = Callable[[str], None]


def _ask(question: Any) -> Any:
    """Ask and let Ctrl-C propagate (questionary's ``ask`` would swallow it)."""
    return question.unsafe_ask()


class Interviewer:
    def __init__(
        self,
        session: Session,
        respondent: str | None,
        say: Say,
        findings: Sequence[Finding] = (),
    ) -> None:
        self.s = session
        self.pack = session.pack
        self.respondent = respondent
        self.say = say
        self.answered_now = 0
        self.findings = tuple(findings)
        self.several_repos = len({f.repo for f in findings}) > 1

    # ------------------------------------------------------------------ context

    def ask_context(self) -> None:
        missing = missing_context(self.pack, self.s.engagement)
        if not missing:
            return
        self.say(f"Context ({len(missing)} questions about the client before the assessment)")
        for f in missing:
            value = self._ask_context_field(f)
            self.s.save(set_context(self.s.engagement, f.id, value))

    def _ask_context_field(self, f: ContextField) -> object:
        msg = f.prompt
        if f.type is ContextType.text:
            return _ask(
                questionary.text(
                    msg,
                    validate=lambda t: bool(t.strip()) or not f.required or "Required",
                )
            ).strip()
        if f.type is ContextType.integer:
            text = _ask(
                questionary.text(
                    msg, validate=lambda t: t.strip().isdigit() or "Enter a whole number"
                )
            )
            return int(text)
        if f.type is ContextType.boolean:
            return bool(_ask(questionary.confirm(msg, default=False)))
        if f.type is ContextType.choice:
            return _ask(questionary.select(msg, choices=[Choice(o.label, o.id) for o in f.options]))
        if f.type is ContextType.multi:
            return list(
                _ask(
                    questionary.checkbox(
                        msg,
                        choices=[Choice(o.label, o.id) for o in f.options],
                        instruction="(space to select, enter to confirm)",
                    )
                )
            )
        # targets
        defaults = ", ".join(f"{a.id} {a.default_target}" for a in self.pack.areas)
        if _ask(questionary.confirm(f"{msg}: keep the defaults ({defaults})?", default=True)):
            return {}
        targets: dict[str, int] = {}
        for a in self.pack.areas:
            level = _ask(
                questionary.select(
                    f"Target level for {a.title}",
                    choices=[Choice(f"{x.level} {x.name}", str(x.level)) for x in self.pack.ladder],
                    default=str(a.default_target),
                )
            )
            if int(level) != a.default_target:
                targets[a.id] = int(level)
        return targets

    # ------------------------------------------------------------------ questions

    def announce_resume(self, area: str | None) -> None:
        done, total = progress(self.pack, self.s.engagement, self.respondent)
        who = f" by {self.respondent}" if self.respondent else ""
        if self.s.created:
            self.say(f"New engagement {self.s.path} ({self.pack.id} {self.pack.version}).")
            return
        q = next_question(self.pack, self.s.engagement, self.respondent, area=area)
        where = f"next: {self._position(q)}" if q else "all questions answered"
        self.say(f"Resuming {self.s.path}: {done} of {total} answered{who}; {where}.")

    def _position(self, q: Question) -> str:
        in_area = applicable_questions(self.pack, self.s.engagement, q.area)
        k = next((i for i, x in enumerate(in_area, 1) if x.id == q.id), 0)
        area = self.pack.area(q.area)
        title = area.title if area else q.area
        return f"{title}, question {k} of {len(in_area)}"

    def ask_questions(self, area: str | None = None) -> None:
        history: list[str] = []
        skipped: set[str] = set()
        forced: Question | None = None
        while True:
            q = forced or next_question(
                self.pack, self.s.engagement, self.respondent, area=area, skipped=skipped
            )
            forced = None
            if q is None:
                if skipped and _ask(
                    questionary.confirm(
                        f"You skipped {len(skipped)} question(s). Answer them now?", default=True
                    )
                ):
                    skipped.clear()
                    continue
                return
            action = self.ask_question(q)
            if action == BACK:
                if history:
                    forced = self.pack.question(history.pop())
                else:
                    self.say("No earlier question in this sitting.")
                    forced = q
            elif action == SKIP:
                skipped.add(q.id)
            elif action == JUMP:
                area = self._pick_area(area)
            elif action == QUIT:
                return
            else:
                history.append(q.id)

    def _pick_area(self, current: str | None) -> str | None:
        choices = [Choice("All areas, in order", ALL_AREAS)]
        for a in self.pack.areas:
            done, total = self._area_progress(a.id)
            choices.append(Choice(f"{a.title} ({done}/{total} answered)", a.id))
        picked = _ask(questionary.select("Jump to which area?", choices=choices))
        return None if picked == ALL_AREAS else str(picked)

    def _area_progress(self, area: str) -> tuple[int, int]:
        qs = applicable_questions(self.pack, self.s.engagement, area)
        done = sum(1 for q in qs if answer_of(self.s.engagement, q.id, self.respondent))
        return done, len(qs)

    def ask_question(self, q: Question, *, navigation: bool = True) -> str:
        """Ask one question; save the answer. Returns the choice made or a navigation action."""
        current = answer_of(self.s.engagement, q.id, self.respondent)
        done, total = progress(self.pack, self.s.engagement, self.respondent)
        self.say(f"\n{self._position(q)}  ·  {done}/{total} answered overall")
        self.say(_full_question(q))
        to_ask = [
            f
            for f in question_findings(q, self.pack.rules, self.findings)
            if f.kind is RuleKind.prompt
        ]
        hint = suggest(q, self.pack.rules, self.findings, shown=3 - min(1, len(to_ask)))
        suggested = suggested_choice(q, hint.level) if hint else None
        if hint or to_ask:
            self.say(self._scan_block(hint, to_ask))
        # a suggestion every finding agrees on, for a question not answered yet: Enter saves it
        one_key = hint is not None and hint.unambiguous and suggested is not None and not current
        picked = self._pick(q, current, suggested, one_key, navigation)
        if picked in (SKIP, BACK, JUMP, QUIT):
            return picked
        with_note = picked == CONFIRM_WITH_NOTE
        if with_note and suggested:
            picked = suggested.id
        confirmed = hint is not None and suggested is not None and picked == suggested.id
        reason = None
        if picked == NOT_APPLICABLE:
            reason = _ask(
                questionary.text(
                    "Why does it not apply?",
                    default=(current.reason if current and current.reason else q.not_applicable)
                    or "",
                    validate=lambda t: bool(t.strip()) or "A reason is needed",
                )
            ).strip()
        note = ""
        if not (one_key and confirmed and not with_note):
            note = _ask(
                questionary.text(
                    "Note (optional, Enter to skip):",
                    default=current.note if current and current.note else "",
                )
            ).strip()
        status = {
            DONT_KNOW: AnswerStatus.dont_know,
            NOT_APPLICABLE: AnswerStatus.not_applicable,
        }.get(picked, AnswerStatus.answered)
        answer = Answer(
            status=status,
            choice=picked if status is AnswerStatus.answered else None,
            reason=reason,
            note=note or None,
            respondent=self.respondent,
            answered_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
            from_evidence=tuple(dict.fromkeys(finding_key(f) for f in hint.findings))
            if hint and confirmed
            else (),
        )
        eng, cleared = prune(self.pack, set_answer(self.s.engagement, q.id, answer))
        self.s.save(eng)
        self.answered_now += 1
        if one_key and confirmed and not with_note and hint:
            self.say(f"Saved level {hint.level}, confirmed from the scan.")
        if cleared:
            self.say("Cleared answers that no longer apply: " + ", ".join(cleared))
        return picked

    def _pick(
        self,
        q: Question,
        current: Answer | None,
        suggested: QChoice | None,
        one_key: bool,
        navigation: bool,
    ) -> str:
        """The menu, until an answer or a navigation action is picked (help loops)."""
        while True:
            width = max(40, shutil.get_terminal_size().columns - 8)
            choices: list[Any] = [
                Choice(_clip(c.text, width), c.id, shortcut_key=str(c.level)) for c in q.choices
            ]
            choices.append(Separator())
            if one_key and suggested:
                label = f"Confirm the scan's level {suggested.level}, with a note"
                choices.append(Choice(label, CONFIRM_WITH_NOTE, shortcut_key="c"))
            choices.append(Choice("Don't know", DONT_KNOW, shortcut_key="d"))
            if q.not_applicable is not None:
                choices.append(Choice("Not applicable", NOT_APPLICABLE, shortcut_key="n"))
            choices.append(Choice("Show help for this question", HELP, shortcut_key="h"))
            if navigation:
                choices += [
                    Choice("Skip for now", SKIP, shortcut_key="s"),
                    Choice("Back to the previous question", BACK, shortcut_key="b"),
                    Choice("Jump to another area", JUMP, shortcut_key="j"),
                    Choice("Save and quit", QUIT, shortcut_key="q"),
                ]
            default = suggested.id if suggested else None
            if current is not None:
                default = current.choice or {
                    AnswerStatus.dont_know: DONT_KNOW,
                    AnswerStatus.not_applicable: NOT_APPLICABLE,
                }.get(current.status)
            instruction = "(level number or arrows, then enter)"
            if suggested and default == suggested.id:
                instruction = (
                    f"(Enter confirms the scan's level {suggested.level}, or pick another)"
                )
            picked = str(
                _ask(
                    questionary.select(
                        "Answer",
                        choices=choices,
                        default=default,
                        use_shortcuts=True,
                        use_jk_keys=False,
                        instruction=instruction,
                    )
                )
            )
            if picked != HELP:
                return picked
            self.say(self._help(q))

    def _scan_block(self, hint: Suggestion | None, to_ask: Sequence[Finding]) -> str:
        """What the scanned repositories show for a question: the level they suggest with the
        findings behind it (the one that sets the level first), and the first thing to ask
        (what the finding says, then its advice on what to ask for)."""
        width = min(100, shutil.get_terminal_size().columns) - 2
        if hint is None:
            lines = ["The scan found something to ask:"]
        elif hint.unambiguous:
            lines = [f"The scan suggests level {hint.level} (preselected; Enter saves it):"]
        else:
            why = "ask first" if to_ask else "its findings differ, check first"
            lines = [f"The scan suggests level {hint.level}; {why}:"]
        for f in [*to_ask[:1], *(hint.findings if hint else ())]:
            if f.kind is RuleKind.prompt:
                tag = "ask"
            elif f.kind is RuleKind.negative:
                tag = f"caps {f.level}"
            else:
                tag = f"level {f.level}"
            repo = f"{repo_id(f.repo).rsplit('/', 1)[-1]}: " if self.several_repos else ""
            at = f"{repo}{f.path}" + (f":{f.line}" if f.line else "")
            if len(at) > width // 2:  # a deep path keeps its file name
                at = "…" + at[-(width // 2 - 1) :]
            head = f"  {tag:<8}  {at}  "
            if f.kind is RuleKind.prompt:
                lines.append(head + _clip(f.snippet or f.title, width - len(head)))
                advice = " ".join(f.remediation.split())
                lines += textwrap.wrap(
                    advice, width, initial_indent=" " * 12, subsequent_indent=" " * 12
                )
            else:
                lines.append(head + _clip(f.title, width - len(head)))
        more = (hint.more if hint else 0) + max(0, len(to_ask) - 1)
        if more:
            lines.append(f"  and {more} more")
        return "\n".join(lines)

    def _help(self, q: Question) -> str:
        width = min(100, shutil.get_terminal_size().columns) - 2
        parts = [q.help.strip() or "No help text for this question."]
        if q.evidence:
            parts.append("Evidence to ask for: " + "; ".join(q.evidence))
        if q.not_applicable:
            parts.append("Not applicable when: " + q.not_applicable.strip())
        return "\n".join(textwrap.fill(" ".join(p.split()), width) for p in parts)

    # ------------------------------------------------------------------ review

    def review(self, area: str | None = None) -> None:
        """Pick any question (answered or not) and change its answer, until done."""
        while True:
            choices: list[Any] = []
            for q in applicable_questions(self.pack, self.s.engagement, area):
                a = answer_of(self.s.engagement, q.id, self.respondent)
                shown = _describe(q, a)
                choices.append(Choice(f"{q.id}: {shown}", q.id))
            choices.append(Separator())
            choices.append(Choice("Done", QUIT))
            picked = _ask(questionary.select("Review which answer?", choices=choices))
            if picked == QUIT:
                return
            chosen = self.pack.question(str(picked))
            if chosen is not None:
                self.ask_question(chosen, navigation=False)


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _full_question(q: Question) -> str:
    """The question and every choice in full, wrapped, above the menu (which clips them)."""
    width = min(100, shutil.get_terminal_size().columns) - 2
    lines = textwrap.wrap(" ".join(q.text.split()), width)
    for c in q.choices:
        wrapped = textwrap.wrap(" ".join(c.text.split()), width - 5)
        lines.append(f"  {c.level})  {wrapped[0]}")
        lines += [f"      {w}" for w in wrapped[1:]]
    return "\n".join(lines)


def _describe(q: Question, a: Answer | None) -> str:
    if a is None:
        return "(not answered)"
    if a.status is AnswerStatus.answered and a.choice:
        c = q.choice(a.choice)
        return f"[{c.level}] {c.id}" if c else a.choice
    return "don't know" if a.status is AnswerStatus.dont_know else "not applicable"


def run(
    session: Session,
    *,
    respondent: str | None,
    area: str | None,
    review: bool,
    say: Say,
    findings: Sequence[Finding] = (),
) -> Interviewer:
    ui = Interviewer(session, respondent, say, findings)
    ui.announce_resume(area)
    if review:
        ui.review(area)
        return ui
    ui.ask_context()
    ui.ask_questions(area)
    return ui
