"""The real `assess interview` in a pseudo-terminal (pexpect): keys in, file checked after."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pexpect
import pyte
import pytest
import yaml

from assess.engagement import load_engagement
from assess.packs import load_pack
from tests.conftest import dump, run_assess

DOWN = "\x1b[B"
ENTER = "\r"


@pytest.fixture
def started(tmp_path: Path, tiny_pack: Path) -> Path:
    """An engagement whose context is done, so the interview starts at the questions."""
    return dump(
        tmp_path / "eng.yaml",
        {
            "pack": {"id": "tiny", "version": "1.0"},
            "context": {"client_name": "Acme", "targets": {}, "clouds": ["aws"]},
            "answers": {},
        },
    )


def spawn_assess(*argv: str, rows: int = 40, columns: int = 120) -> pexpect.spawn:
    """``assess ARGV...`` in a pseudo-terminal of ``rows`` x ``columns``."""
    # pexpect does not answer cursor-position requests; a real terminal does, at once.
    env = {
        **os.environ,
        "TERM": "xterm",
        "COLUMNS": str(columns),
        "LINES": str(rows),
        "PROMPT_TOOLKIT_NO_CPR": "1",
    }
    return pexpect.spawn(
        sys.executable,
        ["-m", "assess", *argv],
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(rows, columns),
    )


def spawn(
    tiny_pack: Path, eng: Path, *extra: str, size: tuple[int, int] = (40, 120)
) -> pexpect.spawn:
    """``assess interview`` in a terminal of ``size`` (rows, columns)."""
    return spawn_assess(
        "interview", str(eng), "--pack", str(tiny_pack), *extra, rows=size[0], columns=size[1]
    )


def menu(child: pexpect.spawn, position: str) -> None:
    """Wait until the question at ``position`` shows its full menu."""
    child.expect_exact(position)
    child.expect_exact("Save and quit")


def pick(child: pexpect.spawn, keys: str, note: str = "") -> None:
    child.send(keys)
    child.send(ENTER)
    child.expect_exact("Note (optional")
    child.send(note + ENTER)


def exit_status(child: pexpect.spawn) -> int | None:
    """Wait until the command ends; its exit status."""
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


class Screen:
    """What the consultant sees: the child's output fed to a VT100 emulator (pyte) of the
    terminal's size, so a test reads whole screens, scrolling and redraws included."""

    def __init__(self, child: pexpect.spawn) -> None:
        rows, columns = child.getwinsize()
        self.child = child
        self.screen = pyte.Screen(columns, rows)
        self.stream = pyte.Stream(self.screen)

    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.screen.display]

    def text(self) -> str:
        return "\n".join(self.lines())

    def wait(self, *texts: str) -> list[str]:
        """Read until every text is on the screen at once and the output has settled."""
        while not all(t in self.text() for t in texts):
            self._read(timeout=30)
        while self._read(timeout=0.3):
            pass
        return self.lines()

    def _read(self, timeout: float) -> bool:
        try:
            self.stream.feed(self.child.read_nonblocking(65536, timeout=timeout))
        except pexpect.TIMEOUT:
            if timeout >= 30:
                raise AssertionError("screen never showed it:\n" + self.text()) from None
            return False
        return True

    def send(self, keys: str) -> None:
        self.child.send(keys)


def answers(path: Path) -> dict[str, dict[str, object]]:
    data = yaml.safe_load(path.read_text())
    return data["answers"]


def test_answer_several_with_keys_and_notes(tiny_pack: Path, started: Path) -> None:
    child = spawn(tiny_pack, started, "--respondent", "Ana")
    menu(child, "Alpha, question 1 of 3")
    pick(child, "1", "manual exports")  # shortcut key: level 1
    menu(child, "Alpha, question 2 of 3")
    pick(child, DOWN * 3)  # arrow keys: level 3
    menu(child, "Alpha, question 3 of 3")
    child.send("n" + ENTER)  # not applicable: the pack's condition is shown, not prefilled
    child.expect_exact("Not applicable when: No personal data")
    child.expect_exact("Why does it not apply?")
    child.send("No personal data" + ENTER)
    child.expect_exact("Note (optional")
    child.send(ENTER)
    menu(child, "Beta, question 1 of 2")
    pick(child, "d")  # don't know
    menu(child, "Beta, question 2 of 2")
    child.send("q" + ENTER)
    child.expect_exact("4 of 5 questions answered")
    child.expect(pexpect.EOF)
    got = answers(started)
    assert got["alpha.one"]["choice"] == "a1" and got["alpha.one"]["note"] == "manual exports"
    assert got["alpha.one"]["respondent"] == "Ana"
    assert got["alpha.two"]["choice"] == "b3" and "note" not in got["alpha.two"]
    assert got["alpha.three"] == {
        "status": "not_applicable",
        "reason": "No personal data",
        "respondent": "Ana",
        "answered_at": got["alpha.three"]["answered_at"],
    }
    assert got["beta.one"]["status"] == "dont_know"
    assert "beta.two" not in got


def test_kill_mid_interview_then_resume_and_finish(tiny_pack: Path, started: Path) -> None:
    child = spawn(tiny_pack, started)
    menu(child, "Alpha, question 1 of 3")
    pick(child, "2")
    menu(child, "Alpha, question 2 of 3")
    pick(child, "4", "kept through the kill")
    menu(child, "Alpha, question 3 of 3")
    child.kill(signal.SIGKILL)  # no chance to clean up
    child.close()
    pack = load_pack(tiny_pack)
    eng = load_engagement(started, pack, complete=False).engagement  # still a valid file
    assert {k: v[0].choice for k, v in eng.answers.items()} == {
        "alpha.one": "a2",
        "alpha.two": "b4",
    }
    assert eng.answers["alpha.two"][0].note == "kept through the kill"
    assert not [p for p in started.parent.iterdir() if p.name.endswith(".tmp")]

    child = spawn(tiny_pack, started)
    child.expect_exact("Resuming")
    child.expect_exact("2 of 5 answered")
    menu(child, "Alpha, question 3 of 3")
    pick(child, "0")
    menu(child, "Beta, question 1 of 2")
    pick(child, "3")
    menu(child, "Beta, question 2 of 2")
    pick(child, "1")
    child.expect_exact("5 of 5 questions answered")
    child.expect_exact("Next: assess report")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert set(answers(started)) == {
        "alpha.one",
        "alpha.two",
        "alpha.three",
        "beta.one",
        "beta.two",
    }


def test_go_back_and_change_an_answer(tiny_pack: Path, started: Path) -> None:
    child = spawn(tiny_pack, started)
    menu(child, "Alpha, question 1 of 3")
    pick(child, "1")
    menu(child, "Alpha, question 2 of 3")
    child.send("b" + ENTER)
    menu(child, "Alpha, question 1 of 3")
    pick(child, "3", "corrected")
    menu(child, "Alpha, question 2 of 3")
    child.send("q" + ENTER)
    child.expect_exact("1 of 5 questions answered (1 now)")  # a re-answered question counts once
    child.expect(pexpect.EOF)
    got = answers(started)
    assert got["alpha.one"]["choice"] == "a3" and got["alpha.one"]["note"] == "corrected"
    assert set(got) == {"alpha.one"}


def test_ctrl_c_says_where_answers_are(tiny_pack: Path, started: Path) -> None:
    child = spawn(tiny_pack, started)
    menu(child, "Alpha, question 1 of 3")
    pick(child, "2")
    menu(child, "Alpha, question 2 of 3")
    child.sendcontrol("c")
    child.expect_exact("Interrupted. Every answer given is saved")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert answers(started)["alpha.one"]["choice"] == "a2"


def test_new_engagement_asks_context_first(tiny_pack: Path, tmp_path: Path) -> None:
    path = tmp_path / "new.yaml"
    child = spawn(tiny_pack, path)
    child.expect_exact("New engagement")
    child.expect_exact("Client")
    child.send("Globex" + ENTER)
    child.expect_exact("keep the defaults")
    child.send("y")
    child.expect_exact("Clouds")
    child.send(" " + ENTER)  # tick the first option (aws)
    menu(child, "Alpha, question 1 of 3")
    child.send("q" + ENTER)
    child.expect(pexpect.EOF)
    data = yaml.safe_load(path.read_text())
    assert data["context"] == {"client_name": "Globex", "targets": {}, "clouds": ["aws"]}


def test_context_answers_wrap_at_word_ends_at_80_columns(tmp_path: Path) -> None:
    """A long context prompt and its answer, echoed once answered, break between words with
    an indent, as a consultant reads them back, never inside a word."""
    child = spawn_assess("interview", str(tmp_path / "new.yaml"), rows=24, columns=80)
    screen = Screen(child)
    screen.wait("Client organisation name")
    for keys in ("Acme Bank" + ENTER, ENTER):  # name, first industry
        screen.send(keys)
    asking = screen.wait("People working on ML", "1-5 people")  # the question while asked
    assert any(line.strip() == "(Use arrow keys)" for line in asking), asking  # whole, own line
    assert all(len(line) <= 80 for line in asking)
    screen.send(ENTER)  # first team size
    screen.wait("Models currently in production")
    screen.send("3" + ENTER)
    screen.wait("main business outcome")
    screen.send(ENTER)
    lines = screen.wait("keep the defaults")
    at = next(i for i, line in enumerate(lines) if line.startswith("? (3/14) People working on"))
    assert lines[at + 1].startswith("  ") and lines[at + 1].strip() in ("people", "1-5 people")
    assert lines[at].endswith(("1-5", "engineers)"))  # the break falls between words
    assert all(len(line) <= 80 for line in lines)
    child.sendcontrol("c")
    child.expect(pexpect.EOF)


def test_refuses_without_a_terminal(tiny_pack: Path, started: Path) -> None:
    proc = run_assess("interview", started, "--pack", tiny_pack)
    assert proc.returncode == 2
    assert "needs a terminal" in proc.stderr and "assess answer" in proc.stderr


def test_area_then_review_changes_an_answer(tiny_pack: Path, started: Path) -> None:
    child = spawn(tiny_pack, started, "--area", "beta")
    menu(child, "Beta, question 1 of 2")  # starts in the chosen area
    pick(child, "2")
    menu(child, "Beta, question 2 of 2")
    pick(child, "4")
    child.expect_exact("2 of 5 questions answered")
    child.expect(pexpect.EOF)

    child = spawn(tiny_pack, started, "--review")
    child.expect_exact("Review which answer?")
    child.expect_exact("Done")
    child.send(DOWN * 3 + ENTER)  # alpha.one, alpha.two, alpha.three, [beta.one]
    menu_review = "Show help for this question"
    child.expect_exact(menu_review)
    pick(child, "0", "reviewed")
    child.expect_exact("Review which answer?")
    child.expect_exact("Done")
    child.send("\x1b[A" + ENTER)  # up from the first entry wraps to "Done"
    child.expect(pexpect.EOF)
    got = answers(started)
    assert got["beta.one"]["choice"] == "d0" and got["beta.one"]["note"] == "reviewed"
    assert got["beta.two"]["choice"] == "e4"


def test_only_the_prompt_layer_imports_questionary() -> None:
    package = Path(__file__).resolve().parent.parent / "assess"
    importers = sorted(
        str(p.relative_to(package))
        for p in package.rglob("*.py")
        if "import questionary" in p.read_text() or "from questionary" in p.read_text()
    )
    assert importers == ["interview/prompt.py", "interview/review_prompt.py"]
