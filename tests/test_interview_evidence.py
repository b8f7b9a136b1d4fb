"""`assess interview --evidence` in a pseudo-terminal: the scan's suggestion is shown and
preselected, Enter confirms it, and the answer records the findings it was confirmed from."""

from __future__ import annotations

import copy
import re
import signal
from pathlib import Path
from typing import Any

import pexpect
import pytest

from assess.model.evidence import Evidence
from assess.packs import load_pack
from assess.scan.engine import scan_repo
from assess.scan.output import evidence_json
from assess.scan.repo import GitRepo
from tests.conftest import SAMPLE, dump, run_assess, tiny_pack_data, write_pack
from tests.gitrepo import make_repo
from tests.test_interview_tty import ENTER, answers, exit_status, menu, pick, spawn
from tests.test_interview_tty import started as started  # a fixture
from tests.test_scan_rules import RULES

SPEAKS_TO = {  # rule -> questions
    "alpha/dvc": ["alpha.one"],  # level 2 alone: unambiguous
    "alpha/tests-in-ci": ["alpha.two"],  # level 3, but ...
    "alpha/binaries": ["alpha.two"],  # ... a negative caps it at 1: the findings differ
    "alpha/mlflow-dep": ["beta.two"],  # level 2 from a declared dependency alone
}
ASK = {
    "id": "alpha/readme-only",
    "title": "The README names a tool nothing else shows; ask where it runs",
    "kind": "prompt",
    "questions": ["beta.one"],
    "level": 2,
    "remediation": "Ask to see the tool in use: it may run from another repository.",
    "match": {"paths": ["README.md"]},
}
DEEP = f"data/{'nested/' * 6}training-set.csv.dvc"
FILES: dict[str, str | bytes] = {
    "dvc.yaml": "stages: {}\n",
    DEEP: "outs: []\n",
    ".github/workflows/ci.yml": "jobs:\n  t:\n    steps:\n      - run: python -m pytest -q\n",
    "models/model.pkl": b"\x80\x04binary" * 200,
    "requirements.txt": "mlflow==2.9\n",
    "README.md": "# Churn\n",
}


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """The tiny pack with rules that speak to its questions, and the evidence of a real
    repository scanned with it: (pack folder, evidence file, the repository as scanned)."""
    tmp = tmp_path_factory.mktemp("iev")
    head, questions = tiny_pack_data()
    pack_dir = write_pack(tmp / "tiny", head, questions)
    rules: dict[str, Any] = copy.deepcopy(RULES)
    for r in rules["rules"]:
        r["questions"] = SPEAKS_TO.get(r["id"], [])
        if r["id"] == "alpha/dvc":
            r["title"] = "DVC pipeline stages define how the data is extracted and prepared"
    rules["rules"].append(ASK)
    dump(pack_dir / "rules" / "alpha.yaml", rules)
    pack = load_pack(pack_dir)
    repo = GitRepo(make_repo(tmp / "churn", FILES))
    try:
        scan = scan_repo(repo, pack.rules, with_history=False)
    finally:
        repo.close()
    ev = Evidence(tool_version="t", pack_id=pack.id, pack_version=pack.version, repos=(scan,))
    path = tmp / "evidence.json"
    path.write_text(evidence_json(ev))
    return pack_dir, path, scan.source


def key(rule: str, repo: str, path: str) -> str:
    return f"{rule}:{repo}:{path}"


def plain(text: str) -> str:
    """Terminal output without its escape sequences (colours, cursor moves)."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


def test_enter_confirms_the_suggestion_and_records_its_findings(
    scanned: tuple[Path, Path, str], started: Path
) -> None:
    pack, evidence, repo = scanned
    child = spawn(pack, started, "--evidence", str(evidence))
    menu(child, "Alpha, question 1 of 3")
    assert "The scan suggests level 2 (preselected; Enter saves it):" in child.before
    assert "dvc.yaml  DVC pipeline stages" in child.before
    assert "Enter confirms the scan's level 2" in child.before
    assert "» 2) a level 2" in plain(child.before)  # preselected
    child.send(ENTER)  # one keystroke: no note prompt
    child.expect_exact("Saved level 2, confirmed from the scan.")
    menu(child, "Alpha, question 2 of 3")
    assert "Note (optional" not in child.before
    assert "The scan suggests level 1; its findings differ" in child.before
    assert "caps 1" in child.before and "models/model.pkl" in child.before
    assert "level 3" in child.before and ".github/workflows/ci.yml" in child.before
    pick(child, "3")  # another level than the scan's: asked for a note as usual
    menu(child, "Alpha, question 3 of 3")
    assert "The scan" not in child.before  # no rule speaks to it
    pick(child, "0")
    menu(child, "Beta, question 1 of 2")
    assert "The scan found something to ask:" in child.before
    assert "ask       README.md  The README names a tool" in child.before
    assert "            Ask to see the tool in use" in child.before  # what to ask for
    assert "(level number or arrows, then enter)" in child.before  # a prompt is no level
    pick(child, "1")
    menu(child, "Beta, question 2 of 2")
    # a package in requirements.txt says MLflow is installed, not that runs are tracked: the
    # level is suggested, but not saved in one key
    assert "The scan suggests level 2; a declared dependency only, check it runs:" in child.before
    assert "Confirm the scan's level" not in child.before
    pick(child, "2", "tracked on their MLflow server")  # the consultant checked: level 2
    child.expect_exact("5 of 5 questions answered")
    child.expect(pexpect.EOF)

    got = answers(started)
    assert got["alpha.one"]["choice"] == "a2" and "note" not in got["alpha.one"]
    assert sorted(got["alpha.one"]["from_evidence"]) == [
        key("alpha/dvc", repo, path) for path in (DEEP, "dvc.yaml")
    ]
    assert got["alpha.two"]["choice"] == "b3" and "from_evidence" not in got["alpha.two"]
    assert "from_evidence" not in got["alpha.three"] and "from_evidence" not in got["beta.one"]
    assert got["beta.two"]["choice"] == "e2"
    assert got["beta.two"]["note"] == "tracked on their MLflow server"
    assert got["beta.two"]["from_evidence"] == [key("alpha/mlflow-dep", repo, "requirements.txt")]
    listing = run_assess("interview", started, "--pack", pack, "--respondents")
    assert "(unnamed): 5 answers, 2 confirmed from the scan" in listing.stdout


def test_differing_findings_ask_for_a_note_and_ctrl_c_keeps_earlier_answers(
    scanned: tuple[Path, Path, str], started: Path
) -> None:
    pack, evidence, repo = scanned
    child = spawn(pack, started, "--evidence", str(evidence), "--respondent", "Ana")
    menu(child, "Alpha, question 1 of 3")
    pick(child, "4")  # the level digits still work: overridden, nothing recorded
    menu(child, "Alpha, question 2 of 3")
    child.send(ENTER)  # the scan's level 1, preselected; the findings differ: a note may follow
    child.expect_exact("Note (optional")
    child.send("binaries are old; new models go to MLflow" + ENTER)
    menu(child, "Alpha, question 3 of 3")
    child.sendcontrol("c")
    child.expect_exact("Interrupted. Every answer given is saved")
    assert exit_status(child) == 130
    got = answers(started)
    assert set(got) == {"alpha.one", "alpha.two"}
    assert got["alpha.one"]["choice"] == "a4" and "from_evidence" not in got["alpha.one"]
    assert got["alpha.two"]["choice"] == "b1" and got["alpha.two"]["respondent"] == "Ana"
    assert got["alpha.two"]["from_evidence"] == [  # the cap first, then what else was shown
        key("alpha/binaries", repo, "models/model.pkl"),
        key("alpha/tests-in-ci", repo, ".github/workflows/ci.yml"),
    ]


@pytest.mark.parametrize(
    ("evidence", "message"),
    [
        ("missing.json", "missing.json: evidence file not found"),
        ("other.json", "other.json: tool_version: not an assess evidence file"),
        ("sample", "evidence was scanned with pack 'mlops', the engagement uses 'tiny'"),
    ],
)
def test_bad_evidence_is_one_line_exit_2_and_nothing_written(
    scanned: tuple[Path, Path, str], tmp_path: Path, evidence: str, message: str
) -> None:
    pack, good, _repo = scanned
    (tmp_path / "other.json").write_text('{"hello": 1}\n')
    old = dump(  # on an older pack version: opening it would migrate (and write a backup)
        tmp_path / "eng.yaml",
        {"pack": {"id": "tiny", "version": "0.9"}, "context": {"client_name": "Acme"}},
    )
    before = old.read_bytes()
    path = SAMPLE.parent / "evidence.json" if evidence == "sample" else tmp_path / evidence
    new = tmp_path / "new.yaml"  # would be created at once
    for eng in (old, new) if evidence == "missing.json" else (old,):
        child = spawn(pack, eng, "--evidence", str(good), str(path))
        assert exit_status(child) == 2
        out = child.before.strip()
        assert message in out and len(out.splitlines()) == 1, out
    assert old.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["eng.yaml", "other.json"]


def test_the_block_fits_an_80_column_terminal(
    scanned: tuple[Path, Path, str], started: Path
) -> None:
    """Every line of the block fits 80 columns (a deep path keeps its file name, a long title
    is clipped with an ellipsis): none wraps."""
    pack, evidence, _repo = scanned
    child = spawn(pack, started, "--evidence", str(evidence), size=(24, 80))
    menu(child, "Alpha, question 1 of 3")
    block = child.before.split("The scan suggests", 1)[1].split("\x1b", 1)[0]
    lines = block.replace("\r", "").split("\n")[1:-1]
    assert len(lines) == 2 and all(len(ln) <= 78 for ln in lines), lines
    deep = next(ln for ln in lines if "training-set" in ln)
    assert deep.split()[2].startswith("…") and deep.split()[2].endswith("training-set.csv.dvc")
    assert deep.endswith("…"), deep  # the long title is clipped
    child.kill(signal.SIGKILL)
