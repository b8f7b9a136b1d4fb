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
from assess.model.engagement import Answer, AnswerStatus
from assess.model.evidence import Finding
from assess.model.pack import Choice as QChoice
from assess.model.pack import ContextField, ContextType, Question
from assess.model.result import Suggestion
from assess.model.rules import RuleKind, Strength
from assess.reconcile import finding_key, question_findings, repo_id, suggest
from assess.scoring import targets_for

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
        role: str | None = None,
    ) -> None:
        self.s = session
        self.pack = session.pack
        self.respondent = respondent
        self.role = role
        """Only the questions this role owns are asked (``--role``)."""
        self.say = say
        self.answered: set[str] = set()
        """Questions answered in this sitting (one answered twice counts once)."""
        self.findings = tuple(findings)
        self.several_repos = len({f.repo for f in findings}) > 1

    @property
    def answered_now(self) -> int:
        return len(self.answered)

    # ------------------------------------------------------------------ context

    def ask_context(self) -> None:
        missing = missing_context(self.pack, self.s.engagement)
        if not missing:
            return
        some = "up to " if any(f.asked_when for f in missing) else ""  # an answer may settle one
        self.say(f"Context ({some}{len(missing)} questions about the client before the assessment)")
        k = 0
        while missing:  # again after each answer: it may settle a later field (asked_when)
            f, k = missing[0], k + 1
            msg = f"({k}/{k + len(missing) - 1}) {' '.join(f.prompt.split())}"
            self.s.save(set_context(self.s.engagement, f.id, self._ask_context_field(f, msg)))
            missing = missing_context(self.pack, self.s.engagement)

    def _ask_context_field(self, f: ContextField, msg: str) -> object:
        """Ask one context field; ``msg`` is its prompt with the section's progress. Each
        prompt is erased when answered and echoed with its answer by ``_echo``, wrapped at word
        ends (the terminal would break a long prompt and answer in the middle of a word)."""
        if f.type is ContextType.targets:
            return self._ask_targets(msg)
        msg = _prompt_lines(msg, room=len(ROOM.get(f.type, "")))
        value: object
        if f.type is ContextType.text:
            value = _ask(
                questionary.text(
                    msg,
                    validate=lambda t: bool(t.strip()) or not f.required or "Required",
                    erase_when_done=True,
                )
            ).strip()
            shown = str(value)
        elif f.type is ContextType.integer:
            text = _ask(
                questionary.text(
                    msg,
                    validate=lambda t: t.strip().isdigit() or "Enter a whole number",
                    erase_when_done=True,
                )
            )
            value = int(text)
            shown = str(value)
        elif f.type is ContextType.boolean:
            value = bool(_ask(questionary.confirm(msg, default=False, erase_when_done=True)))
            shown = "Yes" if value else "No"
        elif f.type is ContextType.choice:
            value = _ask(
                questionary.select(
                    msg,
                    choices=[Choice(o.label, o.id) for o in f.options],
                    erase_when_done=True,
                )
            )
            shown = next(o.label for o in f.options if o.id == value)
        else:  # multi
            picked = list(
                _ask(
                    questionary.checkbox(
                        msg,
                        choices=[Choice(o.label, o.id) for o in f.options],
                        instruction="(space to select, enter to confirm)",
                        erase_when_done=True,
                    )
                )
            )
            labels = {o.id: o.label for o in f.options}
            value, shown = picked, ", ".join(labels[v] for v in picked) or "(none)"
        self._echo(msg, shown)
        return value

    def _echo(self, msg: str, answer: str) -> None:
        """A question and its answer as the record of what was asked, wrapped at word ends."""
        said = " ".join(f"? {msg} {answer}".split())  # the prompt's own line breaks go
        self.say(textwrap.fill(said, _width(), subsequent_indent="  "))

    def _ask_targets(self, msg: str) -> dict[str, int]:
        """Target levels: the defaults offered are those that apply now (the pack's, raised or
        lowered by a business goal already chosen); an area set to another level is stored."""
        defaults = targets_for(self.pack, self.s.engagement.context)
        shown = ", ".join(f"{a.id} {defaults[a.id][0]}" for a in self.pack.areas)
        sources: dict[str, list[str]] = {}
        for a in self.pack.areas:
            if defaults[a.id][1] != "pack default":
                sources.setdefault(defaults[a.id][1], []).append(a.id)
        for source, ids in sources.items():
            shown += f"; {', '.join(ids)} from the {source}"
        keep = _prompt_lines(f"{msg}: keep the defaults ({shown})?", room=len(" (Y/n)"))
        if _ask(questionary.confirm(keep, default=True, erase_when_done=True)):
            self._echo(keep, "Yes")
            return {}
        self._echo(keep, "No")
        targets: dict[str, int] = {}
        for a in self.pack.areas:
            default = defaults[a.id][0]
            level = _ask(
                questionary.select(
                    f"Target level for {a.title}",
                    choices=[
                        Choice(x.name, str(x.level), shortcut_key=str(x.level))
                        for x in self.pack.ladder
                    ],
                    default=str(default),
                    use_shortcuts=True,
                    use_jk_keys=False,
                    instruction="(level number or arrows, then enter)",
                )
            )
            if int(level) != default:
                targets[a.id] = int(level)
        return targets

    # ------------------------------------------------------------------ questions

    def announce_resume(self, area: str | None) -> None:
        done, total = progress(self.pack, self.s.engagement, self.respondent, role=self.role)
        who = f" by {self.respondent}" if self.respondent else ""
        if self.role:
            who += f" as {self.pack.role_title(self.role)}"
        if self.s.created:
            self.say(f"New engagement {self.s.path} ({self.pack.id} {self.pack.version}).")
            return
        q = next_question(self.pack, self.s.engagement, self.respondent, area=area, role=self.role)
        where = f"next: {self._position(q)}" if q else "all questions answered"
        self.say(f"Resuming {self.s.path}: {done} of {total} answered{who}; {where}.")

    def _position(self, q: Question) -> str:
        """Where ``q`` is: its area (and module), question k of n there."""
        in_area = [
            x
            for x in applicable_questions(self.pack, self.s.engagement, q.area, role=self.role)
            if x.module == q.module
        ]
        k = next((i for i, x in enumerate(in_area, 1) if x.id == q.id), 0)
        area = self.pack.area(q.area)
        title = area.title if area else q.area
        module = self.pack.module(q.module) if q.module else None
        if module is not None:
            title = f"{module.title} module: {title}"
        return f"{title}, question {k} of {len(in_area)}"

    def ask_questions(self, area: str | None = None) -> None:
        """Ask every unanswered question of ``area`` (None: every area). A jump (``j``) to
        another area asks that area's, then comes back to the rest."""
        home = area
        history: list[str] = []
        skipped: set[str] = set()
        forced: Question | None = None
        while True:
            q = forced or next_question(
                self.pack,
                self.s.engagement,
                self.respondent,
                area=area,
                skipped=skipped,
                role=self.role,
            )
            forced = None
            if q is None and area != home:
                finished = self.pack.area(area) if area else None
                title = finished.title if finished else "Every area"
                self.say(f"\n{title}: done; back to the questions left.")
                area = home
                continue
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
        qs = applicable_questions(self.pack, self.s.engagement, area, role=self.role)
        done = sum(1 for q in qs if answer_of(self.s.engagement, q.id, self.respondent))
        return done, len(qs)

    def ask_question(self, q: Question, *, navigation: bool = True) -> str:
        """Ask one question; save the answer. Returns the choice made or a navigation action.

        The answer is saved as soon as it is picked, before the note prompt, so a process
        killed there keeps it; a note typed afterwards is saved with it."""
        current = answer_of(self.s.engagement, q.id, self.respondent)
        done, total = progress(self.pack, self.s.engagement, self.respondent, role=self.role)
        shown = [f"{self._position(q)}  ·  {done}/{total} answered overall", _question_text(q)]
        if current is not None and current.reconfirm:  # preselected below; Enter confirms it
            shown.append(_wrap(f"To re-confirm: {current.reconfirm}"))
        to_ask = [
            f
            for f in question_findings(q, self.pack.rules, self.findings)
            if f.kind is RuleKind.prompt
        ]
        hint = suggest(q, self.pack.rules, self.findings, shown=3 - min(1, len(to_ask)))
        suggested = suggested_choice(q, hint.level) if hint else None
        if hint or to_ask:
            shown.append(self._scan_block(hint, to_ask))
        # a suggestion every finding agrees on, for a question not answered yet: Enter saves it
        one_key = hint is not None and hint.unambiguous and suggested is not None and not current
        extra = _entries(q, suggested if one_key else None, navigation)
        # rows the choices may take: the terminal's, less what is above, the prompt line and
        # the other entries; a blank line before the header and a separator before the other
        # entries when there is room for them
        columns, rows = shutil.get_terminal_size()
        room = rows - sum(_rows(part) for part in shown) - 1 - len(extra)
        full = sum(len(w) for w in _wrapped_choices(q, _menu_width(columns)))
        blank, separator = full + 2 <= room, full + 1 <= room
        self.say(("\n" if blank else "") + "\n".join(shown))
        budget = room - blank - separator
        picked = self._pick(q, current, suggested, extra, separator, budget)
        if picked in (SKIP, BACK, JUMP, QUIT):
            return picked
        with_note = picked == CONFIRM_WITH_NOTE
        if with_note and suggested:
            picked = suggested.id
        confirmed = hint is not None and suggested is not None and picked == suggested.id
        reason = None
        if picked == NOT_APPLICABLE:
            # the pack says when the question may not apply; the reason is this client's
            if q.not_applicable:
                self.say(_wrap("Not applicable when: " + q.not_applicable))
            earlier = current and current.status is AnswerStatus.not_applicable and current.reason
            reason = _ask(
                questionary.text(
                    "Why does it not apply?",
                    default=earlier or "",
                    validate=lambda t: bool(t.strip()) or "A reason is needed",
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
            note=current.note if current else None,  # Enter at the note prompt keeps it
            respondent=self.respondent,
            answered_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
            from_evidence=tuple(dict.fromkeys(finding_key(f) for f in hint.findings))
            if hint and confirmed
            else (),
        )
        self._save_answer(q, answer)
        if one_key and confirmed and not with_note and hint:
            self.say(f"Saved level {hint.level}, confirmed from the scan.")
        else:
            note = _ask(
                questionary.text("Note (optional, Enter to skip):", default=answer.note or "")
            ).strip()
            if (note or None) != answer.note:
                self._save_answer(q, answer.model_copy(update={"note": note or None}))
        return picked

    def _save_answer(self, q: Question, answer: Answer) -> None:
        eng, cleared = prune(self.pack, set_answer(self.s.engagement, q.id, answer))
        self.s.save(eng)
        self.answered.add(q.id)
        if cleared:
            self.say("Cleared answers that no longer apply: " + ", ".join(cleared))

    def _pick(
        self,
        q: Question,
        current: Answer | None,
        suggested: QChoice | None,
        extra: list[Any],
        separator: bool,
        budget: int,
    ) -> str:
        """The menu, until an answer or a navigation action is picked (help loops).

        Each choice is printed once, in full, on the menu itself, below the entries ``extra``;
        when they would take more than ``budget`` rows (the question, its header and the menu
        would not fit the terminal's height) the longest choices are shortened on the menu
        (``h`` prints them in full), so the header and the question stay on screen. The menu
        is erased once answered and one line echoes it."""
        columns = shutil.get_terminal_size().columns
        titles, shortened = _menu_titles(q, _menu_width(columns), budget)
        choices: list[Any] = [
            Choice(t, c.id, shortcut_key=str(c.level))
            for c, t in zip(q.choices, titles, strict=True)
        ]
        choices += [Separator()] if separator else []
        choices += extra
        labels = {c.value: f"{c.shortcut_key}) {c.title}" for c in extra}
        labels |= {c.id: f"{c.level}) {' '.join(c.text.split())}" for c in q.choices}
        default = suggested.id if suggested else None
        if current is not None:
            default = current.choice or {
                AnswerStatus.dont_know: DONT_KNOW,
                AnswerStatus.not_applicable: NOT_APPLICABLE,
            }.get(current.status)
        instruction = "(level number or arrows, then enter)"
        if suggested and default == suggested.id:
            instruction = f"(Enter confirms the scan's level {suggested.level}, or pick another)"
        while True:
            picked = str(
                _ask(
                    questionary.select(
                        "Answer",
                        choices=choices,
                        default=default,
                        use_shortcuts=True,
                        use_jk_keys=False,
                        instruction=instruction,
                        erase_when_done=True,  # the echo below takes one line
                    )
                )
            )
            self.say(_clip(f"? Answer {labels[picked]}", columns - 1))
            if picked != HELP:
                return picked
            self.say(self._help(q, with_choices=shortened))

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
            declared = hint.findings[0].strength is Strength.dependency
            why = (
                "ask first"
                if to_ask
                else "a declared dependency only, check it runs"
                if declared
                else "its findings differ, check first"
            )
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

    def _help(self, q: Question, *, with_choices: bool = False) -> str:
        parts = [q.help.strip() or "No help text for this question."]
        if q.evidence:
            parts.append("Evidence to ask for: " + "; ".join(q.evidence))
        if q.not_applicable:
            parts.append("Not applicable when: " + q.not_applicable.strip())
        if with_choices:  # shortened on the menu
            parts += [f"{c.level}) {c.text}" for c in q.choices]
        return "\n".join(_wrap(p) for p in parts)

    # ------------------------------------------------------------------ review

    def review(self, area: str | None = None) -> None:
        """Pick any question (answered or not) and change its answer, until done."""
        while True:
            choices: list[Any] = []
            for q in applicable_questions(self.pack, self.s.engagement, area, role=self.role):
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


def _entries(q: Question, one_key: QChoice | None, navigation: bool) -> list[Any]:
    """The menu's entries after the choices: confirming the scan's suggestion ``one_key``
    with a note, don't know, not applicable, help and the navigation."""
    extra: list[Any] = []
    if one_key is not None:
        label = f"Confirm the scan's level {one_key.level}, with a note"
        extra.append(Choice(label, CONFIRM_WITH_NOTE, shortcut_key="c"))
    extra.append(Choice("Don't know", DONT_KNOW, shortcut_key="d"))
    if q.not_applicable is not None:
        extra.append(Choice("Not applicable", NOT_APPLICABLE, shortcut_key="n"))
    extra.append(Choice("Show help for this question", HELP, shortcut_key="h"))
    if navigation:
        extra += [
            Choice("Skip for now", SKIP, shortcut_key="s"),
            Choice("Back to the previous question", BACK, shortcut_key="b"),
            Choice("Jump to another area", JUMP, shortcut_key="j"),
            Choice("Save and quit", QUIT, shortcut_key="q"),
        ]
    return extra


def _menu_width(columns: int) -> int:
    """Columns a choice's text wraps at on the menu."""
    return max(20, columns - len(MENU_INDENT) - 1)


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


MENU_INDENT = " » 0) "  # what the menu prints before a choice's text


def _width() -> int:
    return min(100, shutil.get_terminal_size().columns) - 2


ROOM = {
    ContextType.boolean: " (y/N)",
    ContextType.choice: " (Use arrow keys)",
    ContextType.multi: " (space to select, enter to confirm)",
}
"""What questionary shows after a context question's text, by the field's type."""


def _prompt_lines(text: str, room: int = 0) -> str:
    """A question's text for a questionary prompt, broken at word ends to the terminal (after
    the "? " it is shown behind), so the terminal never breaks it inside a word; ``room``: the
    width of what questionary adds after it (its instruction), which goes to a line of its own
    when the last line has no room for it."""
    width = _width() - 2
    lines = textwrap.wrap(text, width, subsequent_indent="  ") or [""]
    if room and len(lines[-1]) + room > width:
        lines.append("")
    return "\n".join(lines)


def _wrap(text: str) -> str:
    return textwrap.fill(" ".join(text.split()), _width())


def fit(text: str) -> str:
    """``text`` with each line too long for the terminal broken at word ends (the terminal
    would break it in the middle of a word), indented after its first."""
    columns = shutil.get_terminal_size().columns
    return "\n".join(
        textwrap.fill(line, _width(), subsequent_indent="  ") if len(line) > columns else line
        for line in text.splitlines() or [""]
    )


def _rows(text: str) -> int:
    """Terminal rows ``text`` takes (each line wraps at the terminal's width)."""
    columns = shutil.get_terminal_size().columns
    return sum(max(1, -(-len(line) // columns)) for line in text.split("\n"))


def _question_text(q: Question) -> str:
    """The question, wrapped; its choices are on the menu below it."""
    return _wrap(q.text)


def _wrapped_choices(q: Question, width: int) -> list[list[str]]:
    return [textwrap.wrap(" ".join(c.text.split()), width) for c in q.choices]


def _menu_titles(q: Question, width: int, budget: int) -> tuple[list[str], bool]:
    """Each choice's text wrapped at ``width`` for the menu, its later lines under its first.

    When they take more than ``budget`` rows the longest choice loses its last line (and
    ends in "…") until they fit or every choice is one line. Returns the titles and whether
    any was shortened."""
    wrapped = _wrapped_choices(q, width)
    cut: set[int] = set()
    while sum(len(w) for w in wrapped) > budget:
        i = max(range(len(wrapped)), key=lambda k: (len(wrapped[k]), -k))
        if len(wrapped[i]) == 1:
            break
        wrapped[i].pop()
        cut.add(i)
    for i in cut:
        wrapped[i][-1] = wrapped[i][-1][: width - 2].rstrip() + " …"
    titles = [("\n" + " " * len(MENU_INDENT)).join(w) for w in wrapped]
    return titles, bool(cut)


def _describe(q: Question, a: Answer | None) -> str:
    if a is None:
        return "(not answered)"
    flag = " (to re-confirm)" if a.reconfirm else ""
    if a.status is AnswerStatus.answered and a.choice:
        c = q.choice(a.choice)
        return (f"[{c.level}] {c.id}" if c else a.choice) + flag
    return ("don't know" if a.status is AnswerStatus.dont_know else "not applicable") + flag


def run(
    session: Session,
    *,
    respondent: str | None,
    area: str | None,
    review: bool,
    say: Say,
    findings: Sequence[Finding] = (),
    role: str | None = None,
) -> Interviewer:
    ui = Interviewer(session, respondent, say, findings, role)
    ui.announce_resume(area)
    if review:
        ui.review(area)
        return ui
    ui.ask_context()
    ui.ask_questions(area)
    return ui
