"""Several writers on one engagement file: no answer is ever lost, a refused one writes nothing.

Real processes (12 ``assess answer`` at once) and two interview sessions through the session
API saving in turns, as two consultants on one shared file would.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from assess.cli import main
from assess.errors import EngagementError
from assess.interview.engine import set_answer, set_context
from assess.interview.session import Session, open_session
from assess.model.engagement import Answer
from tests.conftest import dump
from tests.test_interview_engine import gated_pack

CHOICES = {"alpha.one": "a", "alpha.two": "b", "beta.one": "d", "beta.two": "e"}


def _answers(path: Path) -> dict[tuple[str, str | None], str]:
    """(question, respondent) -> choice, as the file holds them."""
    data = yaml.safe_load(path.read_text())
    out: dict[tuple[str, str | None], str] = {}
    for qid, items in (data.get("answers") or {}).items():
        for item in items if isinstance(items, list) else [items]:
            out[(qid, item.get("respondent"))] = item.get("choice") or item["status"]
    return out


@pytest.mark.parametrize("exists", [False, True], ids=["new file", "existing file"])
def test_twelve_parallel_answers_all_survive(exists: bool, tiny_pack: Path, tmp_path: Path) -> None:
    eng = tmp_path / "eng.yaml"
    if exists:
        dump(eng, {"pack": {"id": "tiny", "version": "1.0"}, "context": {"client_name": "Acme"},
                   "answers": {"alpha.three": {"choice": "c1", "respondent": "Lead"}}})  # fmt: skip
    qids = list(CHOICES)
    want = {(qids[i % 4], f"R{i}"): f"{CHOICES[qids[i % 4]]}{i % 5}" for i in range(12)}

    def start(qid: str, who: str, choice: str) -> subprocess.Popen[str]:
        argv = ["answer", str(eng), qid, choice, "--respondent", who, "--pack", str(tiny_pack)]
        return subprocess.Popen(
            [sys.executable, "-m", "assess", *argv], stderr=subprocess.PIPE, text=True
        )

    procs = [start(qid, str(who), choice) for (qid, who), choice in want.items()]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    got = _answers(eng)
    if exists:
        want[("alpha.three", "Lead")] = "c1"
        assert yaml.safe_load(eng.read_text())["context"] == {"client_name": "Acme"}
    assert got == want
    assert sorted(p.name for p in tmp_path.iterdir()) == ["eng.yaml", "tiny"]  # no temp files


def _answer(session: Session, qid: str, choice: str, who: str) -> None:
    answer = Answer(choice=choice, respondent=who,
                    answered_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC))  # fmt: skip
    session.save(set_answer(session.engagement, qid, answer))


def test_two_interviews_on_one_file_keep_every_answer(tiny_pack: Path, tmp_path: Path) -> None:
    path = tmp_path / "eng.yaml"
    marta = open_session(path, tiny_pack)
    jonas = open_session(path, tiny_pack)  # both started before either saved
    marta.save(set_context(marta.engagement, "client_name", "Acme"))
    for qid, choice in [("alpha.one", "a0"), ("alpha.two", "b1"), ("alpha.three", "c2")]:
        _answer(marta, qid, choice, "Marta")
    _answer(jonas, "alpha.one", "a4", "Jonas")  # the first save of the second session
    assert _answers(path) == {
        ("alpha.one", "Marta"): "a0", ("alpha.two", "Marta"): "b1",
        ("alpha.three", "Marta"): "c2", ("alpha.one", "Jonas"): "a4",
    }  # fmt: skip
    _answer(marta, "beta.one", "d3", "Marta")
    _answer(jonas, "beta.two", "e1", "Jonas")
    jonas.save(set_context(jonas.engagement, "clouds", ["gcp"]))
    _answer(marta, "alpha.one", "a2", "Marta")  # Marta changes her own answer
    data = yaml.safe_load(path.read_text())
    assert data["context"] == {"client_name": "Acme", "clouds": ["gcp"]}
    assert _answers(path) == {
        ("alpha.one", "Marta"): "a2", ("alpha.two", "Marta"): "b1",
        ("alpha.three", "Marta"): "c2", ("alpha.one", "Jonas"): "a4",
        ("beta.one", "Marta"): "d3", ("beta.two", "Jonas"): "e1",
    }  # fmt: skip
    # each session sees the other's answers after its own save
    assert [a.respondent for a in marta.engagement.answers["alpha.one"]] == ["Jonas", "Marta"]


def test_a_save_onto_a_file_migrated_meanwhile_is_refused(tmp_path: Path) -> None:
    v1, v2 = gated_pack(tmp_path, "1.0"), gated_pack(tmp_path, "1.1")
    path = dump(tmp_path / "eng.yaml", {"pack": {"id": "tiny", "version": "1.0"}, "answers": {}})
    old = open_session(path, v1)
    open_session(path, v2)  # another interview moved the file to 1.1
    before = path.read_bytes()
    with pytest.raises(EngagementError, match=r"changed on disk.*1\.1"):
        _answer(old, "alpha.one", "a2", "Marta")
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "argv",
    [
        ["alpha.nope", "a1"],
        ["alpha.one", "a9"],
        ["alpha.three", "not_applicable"],  # needs --reason
    ],
    ids=["unknown question", "unknown choice", "no reason"],
)
def test_a_refused_answer_on_a_new_file_writes_nothing(
    argv: list[str], tiny_pack: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "new.yaml"
    assert main(["answer", str(path), *argv, "--pack", str(tiny_pack)]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny"]
