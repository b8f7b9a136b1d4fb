"""`assess run`: the whole engagement in one command, with and without a terminal."""

from __future__ import annotations

import email
import json
import os
import sys
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pexpect
import yaml

from tests.conftest import dump, run_assess
from tests.gitrepo import make_repo

ANSWERED = {
    "alpha.one": {"choice": "a1"},
    "alpha.two": {"choice": "b3"},
    "alpha.three": {"choice": "c2"},
    "beta.one": {"choice": "d2"},
}


def engagement(tmp_path: Path) -> Path:
    return dump(
        tmp_path / "eng.yaml",
        {
            "pack": {"id": "tiny", "version": "1.0"},
            "context": {"client_name": "Acme", "targets": {}, "clouds": ["aws"]},
            "answers": ANSWERED,  # beta.two is still open
        },
    )


def test_run_without_a_terminal_scans_scores_and_renders(tiny_pack: Path, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"train.py": "print('fit')\n"})
    other = make_repo(tmp_path / "other", {"README.md": "# docs\n"})
    eng = engagement(tmp_path)
    out = tmp_path / "out" / "report.html"
    out.parent.mkdir()
    proc = run_assess(
        "run", eng, "--pack", tiny_pack, "--repo", repo, "--repo", tmp_path / "nope",
        "--repo", other, "-o", out,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "1 of 5 questions unanswered" in proc.stderr  # no terminal: noted, not asked
    assert "nope: no such folder" in proc.stderr  # a broken repository is skipped
    evidence = json.loads((out.parent / "report.evidence.json").read_text())
    assert [r["source"] for r in evidence["repos"]] == [str(repo), str(other)]
    assert [f["source"] for f in evidence["failed"]] == [str(tmp_path / "nope")]
    assert evidence["pack_id"] == "tiny"
    text = out.read_text()
    assert "Acme" in text and str(repo) in text  # the scanned repositories are in the report
    assert "Across the repositories" in text  # with the portfolio table


def test_run_refuses_to_send_anything_but_a_pdf(tiny_pack: Path, tmp_path: Path) -> None:
    eng = engagement(tmp_path)
    proc = run_assess(
        "run", eng, "--pack", tiny_pack, "-o", tmp_path / "r.html", "--send-to", "a@example.com"
    )
    assert proc.returncode == 2 and "--send-to sends a PDF" in proc.stderr
    assert not (tmp_path / "r.html").exists()


def test_run_renders_and_writes_the_email(tiny_pack: Path, tmp_path: Path) -> None:
    eng = engagement(tmp_path)
    out = tmp_path / "report.pdf"
    proc = run_assess(
        "run", eng, "--pack", tiny_pack, "-o", out, "--send-to", "cto@example.com", "--dry-run"
    )
    assert proc.returncode == 0, proc.stderr
    msg = email.message_from_bytes((tmp_path / "report.eml").read_bytes(), policy=default)
    assert isinstance(msg, EmailMessage)
    assert msg["To"] == "cto@example.com"
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_content() == out.read_bytes()


def test_run_on_a_terminal_asks_the_missing_question_first(tiny_pack: Path, tmp_path: Path) -> None:
    eng = engagement(tmp_path)
    out = tmp_path / "report.html"
    env = {**os.environ, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "assess", "run", str(eng), "--pack", str(tiny_pack), "-o", str(out)],
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 120),
    )
    child.expect_exact("1 of 5 questions unanswered: starting the interview")
    child.expect_exact("Beta, question 2 of 2")
    child.expect_exact("Save and quit")
    child.send("3\r")
    child.expect_exact("Note (optional")
    child.send("\r")
    child.expect_exact("5 of 5 questions answered")
    child.expect_exact(f"wrote {out}")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert yaml.safe_load(eng.read_text())["answers"]["beta.two"]["choice"] == "e3"
    assert "Acme" in out.read_text()
