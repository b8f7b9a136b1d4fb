"""The interview fixes of issue 15.4, each driven the way a consultant found it: the real
``assess interview`` in a pseudo-terminal (screens read back through a VT100 emulator at
80x24 where the layout matters), and ``assess answer`` as a script runs it."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

import pytest
import yaml

from assess.model.pack import ContextType, Pack
from assess.packs import load_pack
from tests.conftest import dump, run_assess, tiny_pack_data, write_pack
from tests.test_cli import assert_clean_failure
from tests.test_interview_tty import (
    DOWN,
    ENTER,
    Screen,
    answers,
    exit_status,
    menu,
    pick,
    spawn,
)
from tests.test_interview_tty import started as started  # a fixture

SMALL = (24, 80)


def context_for(pack: Pack) -> dict[str, Any]:
    """A complete context section for ``pack``, so the interview starts at the questions."""
    out: dict[str, Any] = {}
    for f in pack.context:
        out[f.id] = {
            ContextType.text: "Acme",
            ContextType.integer: 12,
            ContextType.boolean: False,
            ContextType.choice: f.options[0].id if f.options else None,
            ContextType.multi: [f.options[0].id] if f.options else [],
            ContextType.targets: {},
        }[f.type]
    return out


def tiny_engagement(tmp_path: Path, context: dict[str, Any]) -> Path:
    return dump(tmp_path / "e.yaml", {"pack": {"id": "tiny", "version": "1.0"}, "context": context})


def goal_pack(tmp_path: Path) -> Path:
    """The tiny pack with a business goal (raising alpha's target to 4) asked before the
    targets, and a question whose not-applicable condition the context can contradict."""
    head, questions = tiny_pack_data()
    goal = {
        "id": "business_goal",
        "prompt": "Main goal",
        "type": "choice",
        "options": [
            {"id": "speed", "label": "Ship faster", "targets": {"alpha": 4}},
            {"id": "audit", "label": "Pass audits"},
        ],
    }
    head["context"].insert(1, goal)
    questions["beta"]["questions"][0]["not_applicable"] = "No model is used in production yet."
    return write_pack(tmp_path / "tiny", head, questions)


# --------------------------------------------------------------------------- context


def test_goal_then_edited_targets_are_stored_and_scored(tmp_path: Path) -> None:
    pack = goal_pack(tmp_path)
    eng = tmp_path / "new.yaml"
    child = spawn(pack, eng)
    screen = Screen(child)
    screen.wait("(1/4) Client")  # the context section shows where it is
    screen.send("Globex" + ENTER)
    screen.wait("(2/4) Main goal")
    screen.send(ENTER)  # Ship faster: alpha's default target becomes 4
    # the defaults offered are the ones the goal set, not the pack's
    screen.wait("(3/4) Targets", "alpha 4, beta 2; alpha from the main goal: Ship faster")
    screen.send("n")
    screen.wait("Target level for Alpha")
    screen.send("3" + ENTER)  # a level number picks it, as in the questions
    screen.wait("Target level for Beta")
    screen.send("4" + ENTER)
    screen.wait("(4/4) Clouds")
    screen.send(" " + DOWN + " " + ENTER)  # both clouds
    lines = screen.wait("Alpha, question 1 of 3", "Save and quit")
    # a multi-select echoes what was chosen, not a count
    assert any(line.startswith("? (4/4) Clouds") and "AWS, GCP" in line for line in lines), lines
    assert "selections" not in screen.text()
    screen.send("q" + ENTER)
    assert exit_status(child) == 0
    context = yaml.safe_load(eng.read_text())["context"]
    assert context["business_goal"] == "speed"
    assert context["targets"] == {"alpha": 3, "beta": 4}
    assert context["clouds"] == ["aws", "gcp"]
    areas = {a["id"]: a for a in json.loads(scored(eng, pack))["areas"]}
    assert (areas["alpha"]["target"], areas["alpha"]["target_source"]) == (3, "engagement")
    assert areas["beta"]["target"] == 4


def scored(eng: Path, pack: Path) -> str:
    proc = run_assess("score", eng, "--pack", pack, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_goal_defaults_kept_as_offered(tmp_path: Path) -> None:
    """Keeping the defaults stores no targets: the goal's, shown in the prompt, apply."""
    pack = goal_pack(tmp_path)
    eng = tiny_engagement(tmp_path, {"client_name": "A", "business_goal": "speed"})
    child = spawn(pack, eng)
    screen = Screen(child)
    screen.wait("(1/2) Targets", "alpha 4, beta 2; alpha from the main goal: Ship faster")
    screen.send("y")
    screen.wait("(2/2) Clouds")
    screen.send(ENTER)  # none ticked
    screen.wait("Save and quit")
    assert any(line.startswith("? (2/2) Clouds") and "(none)" in line for line in screen.lines())
    screen.send("q" + ENTER)
    assert exit_status(child) == 0
    assert yaml.safe_load(eng.read_text())["context"]["targets"] == {}
    areas = {a["id"]: a for a in json.loads(scored(eng, pack))["areas"]}
    assert areas["alpha"]["target"] == 4


# --------------------------------------------------------------------------- navigation


def test_jump_returns_to_the_unanswered_questions(tiny_pack: Path, started: Path) -> None:
    child = spawn(tiny_pack, started)
    menu(child, "Alpha, question 1 of 3")
    pick(child, "2")
    menu(child, "Alpha, question 2 of 3")
    child.send("j" + ENTER)
    child.expect_exact("Jump to which area?")
    child.send(DOWN * 2 + ENTER)  # All areas, Alpha, [Beta]
    menu(child, "Beta, question 1 of 2")
    pick(child, "3")
    menu(child, "Beta, question 2 of 2")
    pick(child, "1")
    # the jumped-to area is done: back to what is still unanswered, not the end
    menu(child, "Alpha, question 2 of 3")
    child.send("q" + ENTER)
    child.expect_exact("3 of 5 questions answered (3 now)")
    assert exit_status(child) == 0
    assert set(answers(started)) == {"alpha.one", "beta.one", "beta.two"}


def test_area_option_still_ends_with_its_area(tiny_pack: Path, started: Path) -> None:
    child = spawn(tiny_pack, started, "--area", "beta")
    menu(child, "Beta, question 1 of 2")
    pick(child, "2")
    menu(child, "Beta, question 2 of 2")
    pick(child, "2")
    child.expect_exact("2 of 5 questions answered (2 now)")
    assert exit_status(child) == 0


# --------------------------------------------------------------------------- 80x24


@pytest.fixture
def bundled_started(tmp_path: Path) -> tuple[Path, Pack]:
    pack = load_pack(None)
    eng = dump(
        tmp_path / "eng.yaml",
        {"pack": {"id": pack.id, "version": pack.version}, "context": context_for(pack)},
    )
    return eng, pack


def test_a_question_fits_80x24_with_its_header(bundled_started: tuple[Path, Pack]) -> None:
    eng, pack = bundled_started
    q = pack.questions[0]
    child = spawn(Path(pack.source), eng, size=SMALL)
    screen = Screen(child)
    lines = screen.wait("question 1 of", "Save and quit")
    first_words = " ".join(q.text.split())[:30]
    header = next(i for i, line in enumerate(lines) if "answered overall" in line)
    assert first_words in lines[header + 1], lines  # the question's first line, under it
    for c in q.choices:  # every choice once, on the menu
        start = " ".join(c.text.split())[:25]
        assert sum(start in line for line in lines) == 1, (start, lines)
    screen.send("2" + ENTER)
    lines = screen.wait("Note (optional")
    echo = next(line for line in lines if line.startswith("? Answer"))
    assert "2)" in echo and len(echo) <= 80
    assert not any(line.strip() == "…" for line in lines), lines
    screen.send(ENTER)
    screen.wait("question 2 of", "Save and quit")
    child.sendcontrol("c")
    assert exit_status(child) == 130


def test_a_tall_question_keeps_header_and_text_on_screen(tmp_path: Path) -> None:
    """Choices too long for 24 rows are shortened on the menu; help shows them whole."""
    head, questions = tiny_pack_data()
    long = " ".join(["word"] * 45)
    for i, c in enumerate(questions["alpha"]["questions"][0]["choices"]):
        c["text"] = f"Choice number {i}: {long} end{i}."
    questions["alpha"]["questions"][0]["text"] = "Which of these long choices? " + long
    pack = write_pack(tmp_path / "tiny", head, questions)
    eng = tiny_engagement(tmp_path, context_for(load_pack(pack)))
    child = spawn(pack, eng, size=SMALL)
    screen = Screen(child)
    lines = screen.wait("Alpha, question 1 of 3", "Save and quit")
    assert any(line.startswith("Which of these long choices?") for line in lines), lines
    for i in range(5):
        assert any(f"Choice number {i}:" in line for line in lines), lines
    assert "end4." not in screen.text()  # shortened
    screen.send("h" + ENTER)
    lines = screen.wait("end4.", "Save and quit")  # help prints them in full
    child.sendcontrol("c")
    assert exit_status(child) == 130


# --------------------------------------------------------------------------- answers


def test_not_applicable_reason_is_the_consultants(tmp_path: Path) -> None:
    """The pack's condition is shown, not put in the client's mouth as the reason."""
    pack = goal_pack(tmp_path)
    eng = tiny_engagement(tmp_path, context_for(load_pack(pack)))
    child = spawn(pack, eng, "--area", "beta")
    menu(child, "Beta, question 1 of 2")
    child.send("n" + ENTER)
    child.expect_exact("Not applicable when: No model is used in production yet.")
    child.expect_exact("Why does it not apply?")
    child.send(ENTER)  # nothing prefilled: a reason is needed
    child.expect_exact("A reason is needed")
    child.send("Scoring runs in the vendor's tool" + ENTER)
    child.expect_exact("Note (optional")
    child.send(ENTER)
    menu(child, "Beta, question 2 of 2")
    child.send("q" + ENTER)
    assert exit_status(child) == 0
    got = answers(eng)["beta.one"]
    assert got["status"] == "not_applicable"
    assert got["reason"] == "Scoring runs in the vendor's tool"


def test_kill_at_the_note_prompt_keeps_the_level(tiny_pack: Path, started: Path) -> None:
    child = spawn(tiny_pack, started, "--respondent", "Ana")
    menu(child, "Alpha, question 1 of 3")
    child.send("3" + ENTER)
    child.expect_exact("Note (optional")
    child.kill(signal.SIGKILL)
    child.close()
    got = answers(started)["alpha.one"]
    assert (got["choice"], got["respondent"]) == ("a3", "Ana")
    # the note typed after it is saved with the same answer
    child = spawn(tiny_pack, started, "--respondent", "Ana", "--review")
    child.expect_exact("Done")
    child.send(ENTER)  # alpha.one
    child.expect_exact("Show help for this question")
    pick(child, "3", "from the runbook")
    child.expect_exact("Done")
    child.send("\x1b[A" + ENTER)  # up wraps to "Done"
    assert exit_status(child) == 0
    got = answers(started)["alpha.one"]
    assert (got["choice"], got["note"]) == ("a3", "from the runbook")


# --------------------------------------------------------------------------- assess answer


def with_pack(tiny_pack: Path, tmp_path: Path) -> Path:
    return dump(
        tmp_path / "eng.yaml",
        {"pack": {"id": "tiny", "version": "1.0", "path": "tiny"}, "context": {"client_name": "A"}},
    )


def test_answer_takes_a_level_number(tiny_pack: Path, tmp_path: Path) -> None:
    eng = with_pack(tiny_pack, tmp_path)
    ok = run_assess("answer", eng, "alpha.one", "2")
    assert ok.returncode == 0, ok.stderr
    assert "saved alpha.one = a2 (level 2)" in ok.stdout
    assert answers(eng)["alpha.one"]["choice"] == "a2"
    assert_clean_failure(run_assess("answer", eng, "alpha.one", "7"), "CHOICE", "no level 7")


def test_answer_suggests_the_closest_choice(tiny_pack: Path, tmp_path: Path) -> None:
    eng = with_pack(tiny_pack, tmp_path)
    assert_clean_failure(
        run_assess("answer", eng, "alpha.one", "a22"), "CHOICE", "did you mean 'a2'?"
    )


def test_answer_needs_the_respondent_once_respondents_are_named(
    tiny_pack: Path, tmp_path: Path
) -> None:
    eng = with_pack(tiny_pack, tmp_path)
    assert run_assess("answer", eng, "alpha.one", "a3", "--respondent", "Ana").returncode == 0
    before = eng.read_text()
    assert_clean_failure(run_assess("answer", eng, "alpha.one", "a1"), "--respondent", "Ana")
    assert eng.read_text() == before
    # a question nobody named answered still takes an unnamed answer
    assert run_assess("answer", eng, "alpha.two", "b1").returncode == 0


def test_answer_keeps_a_reason_for_dont_know(tiny_pack: Path, tmp_path: Path) -> None:
    eng = with_pack(tiny_pack, tmp_path)
    ok = run_assess("answer", eng, "beta.one", "dont_know", "--reason", "ask the platform team")
    assert ok.returncode == 0, ok.stderr
    got = answers(eng)["beta.one"]
    assert (got["status"], got["reason"]) == ("dont_know", "ask the platform team")
    # a reason given with a choice is refused rather than dropped
    assert_clean_failure(
        run_assess("answer", eng, "alpha.one", "a1", "--reason", "x"), "--reason", "--note"
    )
