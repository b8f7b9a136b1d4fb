"""assess evidence merge: many evidence files (a client's CI, one per repository) into one."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_assess
from tests.gitrepo import make_repo
from tests.test_cli import assert_clean_failure


def scan_to(tmp_path: Path, name: str, files: dict[str, str]) -> Path:
    repo = make_repo(tmp_path / name, files)
    out = tmp_path / f"{name}.json"
    proc = run_assess("scan", repo, "--format", "json", "-o", out)
    assert proc.returncode == 0, proc.stderr
    return out


def test_merge_round_trip_and_score(tmp_path: Path) -> None:
    a = scan_to(tmp_path, "a", {"dvc.yaml": "stages: {}\n"})
    b = scan_to(tmp_path, "b", {".github/workflows/ci.yml": "on: push\njobs: {}\n"})
    data = json.loads(b.read_text())
    data["failed"] = [
        {"source": str(tmp_path / "a"), "message": "flaky network"},  # scanned in a.json
        {"source": "https://git.example/c.git", "message": "cannot clone"},
    ]
    b.write_text(json.dumps(data))
    merged = tmp_path / "all.json"
    proc = run_assess("evidence", "merge", a, b, a, "-o", merged)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(merged.read_text())
    assert [r["source"] for r in out["repos"]] == [str(tmp_path / "a"), str(tmp_path / "b")]
    assert [f["source"] for f in out["failed"]] == ["https://git.example/c.git"]
    eng = Path(__file__).resolve().parent.parent / "samples" / "engagement.yaml"
    proc = run_assess("score", eng, "--evidence", merged, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)["repos"]) == 2


def test_merge_bad_inputs_are_one_line_and_write_nothing(tmp_path: Path) -> None:
    a = scan_to(tmp_path, "a", {"dvc.yaml": "stages: {}\n"})
    other = json.loads(a.read_text())
    other["pack_id"] = "another"
    mixed = tmp_path / "mixed.json"
    mixed.write_text(json.dumps(other))
    notes = tmp_path / "notes.json"
    notes.write_text('{"hello": "world"}')
    out = tmp_path / "all.json"
    for args, words in (
        ([a, mixed], ("mixed.json", "pack_id", "rescan with one pack")),
        ([a, tmp_path / "missing.json"], ("missing.json", "not found")),
        ([a, notes], ("notes.json", "not an assess evidence file")),
    ):
        assert_clean_failure(run_assess("evidence", "merge", *args, "-o", out), *words)
        assert not out.exists()
    before = a.read_bytes()
    assert_clean_failure(run_assess("evidence", "merge", a, "-o", a), "input")
    assert a.read_bytes() == before
