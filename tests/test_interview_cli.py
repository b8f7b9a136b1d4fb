"""`assess answer` and `assess interview` options from scripts, and the bad inputs of issue 3."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.conftest import dump, run_assess
from tests.test_cli import assert_clean_failure


def base(tmp_path: Path) -> Path:
    """An engagement that records where its (not bundled) pack lives, relative to itself."""
    return dump(
        tmp_path / "eng.yaml",
        {
            "pack": {"id": "tiny", "version": "1.0", "path": "tiny"},
            "context": {"client_name": "Acme"},
        },
    )


def test_answer_sets_and_replaces_per_respondent(tiny_pack: Path, tmp_path: Path) -> None:
    eng = base(tmp_path)
    assert tiny_pack == tmp_path / "tiny"
    ok = run_assess("answer", eng, "alpha.one", "a3", "--respondent", "Ana")
    assert ok.returncode == 0, ok.stderr
    assert "saved alpha.one = a3 (level 3)" in ok.stdout
    run_assess("answer", eng, "alpha.one", "a1", "--respondent", "Ben", "--note", "one team only")
    run_assess("answer", eng, "alpha.one", "a2", "--respondent", "Ana")  # Ana changes her mind
    na = run_assess("answer", eng, "alpha.three", "not_applicable", "--reason", "no PII")
    assert na.returncode == 0, na.stderr
    run_assess("answer", eng, "beta.one", "dont_know")
    data = yaml.safe_load(eng.read_text())["answers"]
    assert [(x["respondent"], x["choice"]) for x in data["alpha.one"]] == [
        ("Ben", "a1"),
        ("Ana", "a2"),
    ]
    assert (
        data["alpha.three"]["status"] == "not_applicable"
        and data["alpha.three"]["reason"] == "no PII"
    )
    assert data["beta.one"]["status"] == "dont_know"

    listing = run_assess("interview", eng, "--respondents")
    assert listing.returncode == 0, listing.stderr
    assert "Ana: 1 answers" in listing.stdout and "Ben: 1 answers" in listing.stdout
    assert "alpha.one: Ben: level 1 (a1); Ana: level 2 (a2)" in listing.stdout

    # the scoring rule can be chosen on the command line
    for rule, level in [("lowest", 1.0), ("highest", 2.0), ("mean", 1.5)]:
        js = run_assess("score", eng, "--format", "json", "--respondents-rule", rule)
        q = next(q for q in json.loads(js.stdout)["questions"] if q["id"] == "alpha.one")
        assert q["level"] == level, rule


def test_answer_bad_inputs(tiny_pack: Path, tmp_path: Path) -> None:
    eng = base(tmp_path)
    before = eng.read_text()
    assert_clean_failure(
        run_assess("answer", eng, "alpha.onee", "a1", "--pack", tiny_pack),
        "QUESTION_ID",
        "did you mean 'alpha.one'?",
    )
    assert_clean_failure(run_assess("answer", eng, "alpha.one", "zz"), "CHOICE", "no choice 'zz'")
    assert_clean_failure(
        run_assess("answer", eng, "alpha.one", "not_applicable", "--reason", "x"),
        "cannot be answered not_applicable",
    )
    assert_clean_failure(run_assess("answer", eng, "alpha.three", "not_applicable"), "--reason")
    assert eng.read_text() == before  # nothing changed by a refused answer


def test_hand_broken_yaml_is_reported_and_not_overwritten(tmp_path: Path) -> None:
    eng = tmp_path / "eng.yaml"
    broken = "pack: {id: tiny, version: '1.0'}\nanswers:\n  alpha.one: {choice: a1\n"
    eng.write_text(broken)
    assert_clean_failure(
        run_assess("answer", eng, "alpha.one", "a2"), "eng.yaml:", "malformed YAML"
    )
    assert_clean_failure(run_assess("interview", eng, "--respondents"), "malformed YAML")
    assert eng.read_text() == broken


def test_new_engagement_records_its_pack_folder(tiny_pack: Path, tmp_path: Path) -> None:
    sub = tmp_path / "client"
    sub.mkdir()
    eng = sub / "e.yaml"
    assert run_assess("answer", eng, "alpha.one", "a2", "--pack", tiny_pack).returncode == 0
    assert yaml.safe_load(eng.read_text())["pack"] == {
        "id": "tiny",
        "version": "1.0",
        "path": "../tiny",
    }
    # later commands find the pack without --pack
    assert run_assess("answer", eng, "alpha.two", "b2").returncode == 0
    # ... and scoring names what is still missing before a report can be made
    assert_clean_failure(run_assess("score", eng), "e.yaml", "context.client_name", "missing")


def test_read_only_file_and_unwritable_folder(tiny_pack: Path, tmp_path: Path) -> None:
    eng = base(tmp_path)
    eng.chmod(0o444)
    assert_clean_failure(
        run_assess("answer", eng, "alpha.one", "a1", "--pack", tiny_pack), "eng.yaml", "read-only"
    )
    folder = tmp_path / "full"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        assert_clean_failure(
            run_assess("answer", folder / "e.yaml", "alpha.one", "a1", "--pack", tiny_pack),
            "not writable",
        )
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def test_unknown_area(tiny_pack: Path, tmp_path: Path) -> None:
    eng = base(tmp_path)
    proc = run_assess("interview", eng, "--pack", tiny_pack, "--area", "gamma", "--respondents")
    assert_clean_failure(proc, "--area", "unknown area 'gamma'", "alpha, beta")
