"""The scanner against real repositories: safety, bad input, history and outputs."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from assess.errors import InputError
from assess.packs import load_pack
from assess.scan.engine import scan_repo
from assess.scan.repo import GitRepo
from tests.conftest import dump, run_assess
from tests.gitrepo import git, make_repo, remove
from tests.test_cli import assert_clean_failure


def scan(path: Path, pack: Path, **kw: Any) -> Any:
    repo = GitRepo(path, kw.pop("ref", None), budget=kw.pop("budget", 600))
    try:
        return scan_repo(repo, load_pack(pack).rules, **kw)
    finally:
        repo.close()


def fired(result: Any) -> set[str]:
    return {f.rule for fs in result.areas.values() for f in fs}


def test_repository_config_cannot_run_anything(tmp_path: Path, scan_pack: Path) -> None:
    marker = tmp_path / "MARKER"
    repo = make_repo(
        tmp_path / "repo",
        {".gitattributes": "* diff=evil filter=evil\n", "train.py": "register_model(x)\n"},
    )
    make_repo(repo, {"train.py": "register_model(y)\n"}, message="second")
    touch = f"touch {marker}"
    for key, value in [
        ("core.fsmonitor", touch),
        ("diff.evil.textconv", touch + " #"),
        ("diff.evil.command", touch + " #"),
        ("diff.external", touch + " #"),
        ("filter.evil.smudge", touch + " #"),
        ("filter.evil.clean", touch + " #"),
        ("core.pager", touch + " #"),
    ]:
        git(repo, "config", key, value)
    hook = repo / ".git" / "hooks" / "post-checkout"
    hook.write_text(f"#!/bin/sh\n{touch}\n")
    hook.chmod(0o755)
    # sanity: the trap is armed (a porcelain diff with textconv does fire it)
    git(repo, "log", "-p", "-1", "--textconv")
    assert marker.exists()
    marker.unlink()

    result = scan(repo, scan_pack)
    assert "alpha/register" in fired(result) and result.history is not None
    proc = run_assess("scan", repo, "--pack", scan_pack, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert not marker.exists()


def test_bad_repositories(tmp_path: Path, scan_pack: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    assert_clean_failure(
        run_assess("scan", plain, "--pack", scan_pack), "plain", "not a git repository"
    )
    assert_clean_failure(
        run_assess("scan", tmp_path / "nope", "--pack", scan_pack), "no such folder"
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q")
    assert_clean_failure(run_assess("scan", empty, "--pack", scan_pack), "empty", "no commits yet")
    repo = make_repo(tmp_path / "r", {"a.txt": "x"})
    assert_clean_failure(
        run_assess("scan", repo, "--ref", "no-such-branch", "--pack", scan_pack),
        "unknown ref 'no-such-branch'",
    )
    assert_clean_failure(
        run_assess("scan", "file:///nonexistent/repo.git", "--pack", scan_pack), "cannot clone"
    )
    tree = git(repo, "rev-parse", "HEAD^{tree}").strip()
    assert_clean_failure(
        run_assess("scan", repo, "--ref", tree, "--pack", scan_pack),
        f"{tree!r} names a tree, not a commit",
    )
    (repo / ".git" / "HEAD").write_text("1" * 40 + "\n")  # detached at an object it lacks
    assert_clean_failure(
        run_assess("scan", repo, "--pack", scan_pack),
        "HEAD points at 111111111111, which the repository does not hold",
    )


def test_bare_url_shallow_and_ref(tmp_path: Path, scan_pack: Path) -> None:
    repo = make_repo(tmp_path / "r", {"dvc.yaml": "stages: {}\n"}, message="one")
    old = git(repo, "rev-parse", "HEAD").strip()
    make_repo(repo, {"train.py": "register_model(m)\n"}, message="two")
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))
    assert fired(scan(bare, scan_pack)) == {"alpha/dvc", "alpha/register"}
    at_old = scan(bare, scan_pack, ref=old)
    assert fired(at_old) == {"alpha/dvc"} and at_old.commit == old

    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow))
    s = scan(shallow, scan_pack)
    assert s.history is not None and s.history.commits == 1
    assert any("shallow" in n for n in s.notes)

    proc = run_assess("scan", f"file://{bare}", "--pack", scan_pack, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["repos"][0]["source"] == f"file://{bare}"
    assert {f["rule"] for f in data["repos"][0]["areas"]["alpha"]} == {
        "alpha/dvc",
        "alpha/register",
    }
    assert proc.stderr == ""  # quiet when not on a terminal


def test_missing_blob_is_a_note(tmp_path: Path, scan_pack: Path) -> None:
    repo = make_repo(tmp_path / "r", {"train.py": "register_model(m)\n", "dvc.yaml": "x: 1\n"})
    sha = git(repo, "rev-parse", "HEAD:train.py").strip()
    (repo / ".git" / "objects" / sha[:2] / sha[2:]).unlink()
    result = scan(repo, scan_pack)
    assert fired(result) == {"alpha/dvc"}
    assert any("train.py" in n and "missing" in n for n in result.notes)


def test_partial_clone_never_fetches(tmp_path: Path, scan_pack: Path) -> None:
    repo = make_repo(tmp_path / "r", {"train.py": "register_model(m)\n", "dvc.yaml": "x: 1\n"})
    git(repo, "config", "uploadpack.allowFilter", "true")
    partial = tmp_path / "partial"
    git(
        tmp_path,
        "clone",
        "-q",
        "--filter=blob:none",
        "--no-checkout",
        f"file://{repo}",
        str(partial),
    )
    result = scan(partial, scan_pack)
    assert "alpha/dvc" in fired(result)  # from the tree alone
    assert any("missing" in n for n in result.notes)  # blobs were not downloaded


def test_awkward_files(tmp_path: Path, scan_pack: Path) -> None:
    repo = make_repo(
        tmp_path / "r",
        {
            "requirements.txt": b"\x00\x01\x02mlflow\xff\xfe",  # binary named like a config
            ".github/workflows/ci.yml": b"\x00\xff binary",
            "big.py": b"0" * (3 * 1024 * 1024),  # a file a rule reads, over the limit
        },
    )
    name = os.fsencode(str(repo)) + b"/caf\xe9-\xff.py"
    with open(name, "wb") as fh:
        fh.write(b"register_model(x)\n")
    os.symlink("/etc/passwd", repo / "link.py")
    make_repo(repo, {}, message="odd names")
    result = scan(repo, scan_pack, max_file_size=1024 * 1024)
    assert "alpha/register" in fired(result)
    paths = {f.path for fs in result.areas.values() for f in fs}
    assert any(p.startswith("caf") and p.endswith(".py") for p in paths)
    assert "link.py" not in paths  # symlinks are not followed
    assert "alpha/mlflow-dep" not in fired(result)
    assert any("big.py" in n and "not read" in n for n in result.notes)


def test_fifty_megabyte_file(tmp_path: Path, scan_pack: Path) -> None:
    repo = make_repo(
        tmp_path / "r", {"data/huge.bin": b"\0" * (51 * 1024 * 1024), "dvc.yaml": "a: 1\n"}
    )
    result = scan(repo, scan_pack)
    assert fired(result) == {"alpha/dvc"}
    assert result.bytes_read < 1024 * 1024


def test_history_signals(tmp_path: Path, scan_pack: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    old = (now - dt.timedelta(days=200)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    recent = (now - dt.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    repo = make_repo(tmp_path / "r", {"dvc.yaml": "a: 1\n"}, author="ana@x.com", date=old)
    make_repo(repo, {"train.py": "register_model(m)\n"}, author="ben@x.com", date=recent)
    git(repo, "tag", "churn-model@v1.2.0")
    git(repo, "tag", "experiment-17")
    remove(repo, "dvc.yaml", message="drop dvc")
    h = scan(repo, scan_pack).history
    assert h is not None
    assert h.commits == 3 and h.contributors == 3  # ana, ben and the default test author
    assert h.commits_last_90_days == 2 and h.commits_last_365_days == 3
    assert h.release_tags == ("churn-model@v1.2.0",)
    assert set(h.tags) == {"churn-model@v1.2.0", "experiment-17"}
    assert h.first_seen == {"train.py": recent[:10]}
    assert h.removed_tools == ("alpha/dvc",)  # used in history, gone at HEAD


def test_sarif_and_table(tmp_path: Path, scan_pack: Path) -> None:
    repo = make_repo(
        tmp_path / "r", {"models/m.onnx": b"\x00onnx" * 400, "train.py": "register_model(m)\n"}
    )
    out = tmp_path / "scan.sarif"
    proc = run_assess("scan", repo, "--pack", scan_pack, "--format", "sarif", "-o", out)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    assert doc["version"] == "2.1.0"
    results = doc["runs"][0]["results"]
    levels = {r["ruleId"]: r["level"] for r in results}
    assert levels == {"alpha/binaries": "warning", "alpha/register": "note"}
    assert {r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]} >= set(levels)
    table = run_assess("scan", repo, "--pack", scan_pack)
    assert "Alpha: 1 evidence, 1 problems" in table.stdout
    assert "! Model binaries in git [file exists] models/m.onnx" in table.stdout


def test_score_and_report_show_findings(tmp_path: Path, scan_pack: Path) -> None:
    repo = make_repo(
        tmp_path / "r", {"models/m.pkl": b"\x80bin" * 400, "train.py": "register_model(m)\n"}
    )
    evidence = tmp_path / "evidence.json"
    assert (
        run_assess("scan", repo, "--pack", scan_pack, "--format", "json", "-o", evidence).returncode
        == 0
    )
    eng = dump(
        tmp_path / "eng.yaml",
        {
            "pack": {"id": "tiny", "version": "1.0", "path": "tiny"},
            "context": {"client_name": "Acme"},
            "answers": {"alpha.one": {"choice": "a2"}},
        },
    )
    js = json.loads(run_assess("score", eng, "--evidence", evidence, "--format", "json").stdout)
    alpha = js["areas"][0]
    assert [f["rule"] for f in alpha["findings"]] == [
        "alpha/binaries",
        "alpha/register",
    ]  # problems first
    assert js["repos"][0]["commit"] == git(repo, "rev-parse", "HEAD").strip()
    table = run_assess("score", eng, "--evidence", evidence).stdout
    assert "1 found, 1 problems" in table
    pdf = tmp_path / "r.pdf"
    assert run_assess("report", eng, "--evidence", evidence, "-o", pdf).returncode == 0
    text = " ".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "What the repositories show" in text and "models/m.pkl" in text
    assert "Repositories scanned" in text

    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 1}')
    assert_clean_failure(
        run_assess("score", eng, "--evidence", bad), "bad.json", "not an assess evidence file"
    )
    shutil.copy(evidence, tmp_path / "copy.json")
    assert_clean_failure(
        run_assess("score", eng, "--evidence", tmp_path / "nothere.json"), "not found"
    )


def test_scan_errors_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a git repository"):
        GitRepo(tmp_path)
