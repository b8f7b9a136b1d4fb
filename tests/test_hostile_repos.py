"""Hostile client repositories: nothing in them may run, leak, hang the scan or hide evidence.

Each repository is built with real git. Every test asserts that no marker file appears, that
nothing in the repository changed, and that the scan ends (within its budget where one is set).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from assess.errors import InputError
from assess.packs import load_pack
from assess.scan.repo import GitRepo, ScanTimeout
from tests.conftest import dump, run_assess, tiny_pack_data, write_pack
from tests.gitrepo import ENV, git, make_repo
from tests.test_cli import assert_clean_failure
from tests.test_scan_repo import fired, scan
from tests.test_scan_rules import RULES

MLOPS = Path(__file__).resolve().parent.parent / "questionnaires" / "mlops"


def snapshot(root: Path) -> dict[str, tuple[int, int, str]]:
    """Every file under ``root``: mode, mtime and content hash (FIFOs by mode only)."""
    out = {}
    for here, _dirs, files in os.walk(root):
        for name in files:
            p = Path(here) / name
            st = p.lstat()
            digest = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else ""
            out[str(p.relative_to(root))] = (st.st_mode, st.st_mtime_ns, digest)
    return out


# --------------------------------------------------------------------------- code execution


def partial_clone(tmp_path: Path, name: str) -> Path:
    """A bare partial clone (blobs left on the server), as ``--filter=blob:none`` makes."""
    src = make_repo(tmp_path / f"{name}-src", {"train.py": "register_model(m)\n"})
    git(src, "config", "uploadpack.allowFilter", "true")
    bare = tmp_path / f"{name}.git"
    git(tmp_path, "clone", "-q", "--bare", "--filter=blob:none", f"file://{src}", str(bare))
    return bare


def arm(bare: Path, variant: str, marker: Path) -> None:
    touch = f"touch {marker}"
    if variant == "uploadpack":
        git(bare, "config", "protocol.file.allow", "always")
        git(bare, "config", "remote.origin.uploadpack", f"{touch}; false")
    elif variant == "ext-url":
        git(bare, "config", "protocol.ext.allow", "always")
        git(bare, "config", "remote.origin.url", f"ext::sh -c {touch.replace(' ', '% ')}")
    else:  # a remote helper named by the repository
        git(bare, "config", "protocol.ext.allow", "always")
        git(bare, "config", "remote.origin.vcs", "ext")
        git(bare, "config", "remote.origin.url", f"sh -c {touch.replace(' ', '% ')}")


@pytest.mark.parametrize("variant", ["uploadpack", "ext-url", "remote-helper"])
def test_partial_clone_never_fetches_so_nothing_runs(
    tmp_path: Path, scan_pack: Path, variant: str
) -> None:
    marker = tmp_path / "PWNED"
    bare = partial_clone(tmp_path, "evil")
    arm(bare, variant, marker)
    # sanity: the trap is armed: plain git reading a missing blob runs the command
    blob = git(bare, "rev-parse", "HEAD:train.py").strip()
    subprocess.run(["git", "-C", str(bare), "cat-file", "-p", blob], capture_output=True, env=ENV)
    assert marker.exists(), "the test repository does not reproduce the attack"
    marker.unlink()
    before = snapshot(bare)

    result = scan(bare, scan_pack)
    assert result.commit and result.files == 1
    assert any("missing" in n for n in result.notes)
    other = partial_clone(tmp_path, "other")
    arm(other, variant, marker)
    for args in (
        [bare],
        ["--under", tmp_path, "--jobs", "2"],  # worker processes take the same road
        [f"file://{bare}"],  # cloning a hostile source runs nothing either
    ):
        proc = run_assess("scan", *args, "--pack", scan_pack, "--format", "json")
        assert proc.returncode in (0, 2), proc.stderr
        assert "internal error" not in proc.stderr
    assert not marker.exists()
    assert snapshot(bare) == before


def test_alternates_borrowing_another_repository_are_refused(
    tmp_path: Path, scan_pack: Path
) -> None:
    secret = make_repo(tmp_path / "other-client", {"train.py": "register_model(secret)\n"})
    borrower = tmp_path / "borrower.git"
    git(tmp_path, "clone", "-q", "--bare", "--shared", str(secret), str(borrower))
    assert (borrower / "objects" / "info" / "alternates").is_file()
    before = snapshot(borrower)
    assert_clean_failure(
        run_assess("scan", borrower, "--pack", scan_pack),
        "borrower.git",
        "objects/info/alternates borrows objects from",
        "git repack -a -d",
    )
    assert snapshot(borrower) == before


def test_gitfile_pointing_at_another_repository_is_refused(tmp_path: Path, scan_pack: Path) -> None:
    secret = make_repo(tmp_path / "other-client", {"train.py": "register_model(secret)\n"})
    decoy = tmp_path / "decoy"
    decoy.mkdir()
    (decoy / ".git").write_text(f"gitdir: {secret / '.git'}\n")
    proc = run_assess("scan", decoy, "--pack", scan_pack, "--format", "json")
    assert_clean_failure(proc, "decoy", "the .git file points to", "not this folder's worktree")
    assert "register" not in proc.stdout


def test_real_worktree_and_submodule_are_scanned(tmp_path: Path, scan_pack: Path) -> None:
    main = make_repo(tmp_path / "main", {"dvc.yaml": "stages: {}\n"})
    git(main, "branch", "feature")
    git(main, "worktree", "add", "-q", str(tmp_path / "wt"), "feature")
    assert "alpha/dvc" in fired(scan(tmp_path / "wt", scan_pack))

    lib = make_repo(tmp_path / "lib", {"train.py": "register_model(x)\n"})
    sup = make_repo(tmp_path / "super", {"README.md": "x\n"})
    git(sup, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(lib), "lib")
    assert (sup / "lib" / ".git").is_file()
    assert "alpha/register" in fired(scan(sup / "lib", scan_pack))


def test_config_include_of_a_fifo_is_refused_at_once(tmp_path: Path, scan_pack: Path) -> None:
    repo = make_repo(tmp_path / "r", {"dvc.yaml": "stages: {}\n"})
    fifo = tmp_path / "block"
    os.mkfifo(fifo)
    nested = tmp_path / "nested.cfg"
    nested.write_text(f"[include]\n\tpath = {fifo}\n")
    git(repo, "config", "includeIf.gitdir:/.path", str(nested))
    assert_clean_failure(
        run_assess("scan", repo, "--pack", scan_pack),
        "config include",
        "is not a regular file",
    )


def test_a_ref_that_never_ends_reading_stops_at_the_budget(tmp_path: Path, scan_pack: Path) -> None:
    repo = make_repo(tmp_path / "r", {"dvc.yaml": "stages: {}\n"})
    os.mkfifo(repo / ".git" / "refs" / "tags" / "v1.0")  # for-each-ref blocks reading it
    result = scan(repo, scan_pack, budget=3)
    assert result.incomplete and "time budget" in result.incomplete
    assert "alpha/dvc" in fired(result)  # what ran before the stop is kept
    assert result.history is None

    os.mkfifo(repo / ".git" / "refs" / "heads" / "hang")
    with pytest.raises(ScanTimeout, match="time budget"):
        GitRepo(repo, "hang", budget=2)


def test_incomplete_scan_is_shown_and_proves_no_absence(tmp_path: Path) -> None:
    from assess.model.evidence import RepoScan

    scan_json = {
        "source": "r", "ref": "HEAD", "commit": "0" * 40, "scanned_at": "2026-12-01T00:00:00Z",
        "files": 1, "bytes_read": 0, "history": None, "areas": {},
        "incomplete": "stopped after 600 s (its time budget): 3 of 40 rules ran",
    }  # fmt: skip
    assert RepoScan.model_validate(scan_json).incomplete


# --------------------------------------------------------------------------- secrets


SECRETS = {
    "AKIAQWERTYUIOPASDFGH": "AWS_ACCESS_KEY_ID=AKIAQWERTYUIOPASDFGH pytest -q",
    "ghp_" + "Z" * 36: "GITHUB_TOKEN=ghp_" + "Z" * 36 + " pytest tests",
    "hunter2hunter2": "pytest --password=hunter2hunter2",
    "k3yk3yk3yk3y": "pytest --api_key=k3yk3yk3yk3y",
    "s3cr3tpw": "pip install git+https://bob:s3cr3tpw@git.example.com/x.git && pytest",
}


def scan_outputs(repo: Path | str, scan_pack: Path) -> str:
    """What a scan prints as JSON, SARIF and table, with its messages."""
    text = ""
    for fmt in ("json", "sarif", "table"):
        proc = run_assess("scan", repo, "--pack", scan_pack, "--format", fmt)
        assert proc.returncode == 0, proc.stderr
        text += proc.stdout + proc.stderr
    return text


def ci_repo(path: Path, lines: Any, **files: bytes) -> Path:
    """A repository whose one workflow runs ``lines``, plus ``files``."""
    steps = "\n".join(f"      - run: {line}" for line in lines)
    workflow = f"on: push\njobs:\n  t:\n    steps:\n{steps}\n"
    return make_repo(path, {".github/workflows/ci.yml": workflow, **files})


def test_secret_values_never_leave_the_scanner(tmp_path: Path, scan_pack: Path) -> None:
    key_file = {f"models/{'AKIAQWERTYUIOPASDFGH'}.pkl": bytes(2048)}
    repo = ci_repo(tmp_path / "r", SECRETS.values(), **key_file)
    result = scan(repo, scan_pack)
    assert "alpha/tests-in-ci" in fired(result)  # the evidence stands, without the value
    snippets = [f.snippet or "" for fs in result.areas.values() for f in fs]
    assert any("AWS_ACCESS_KEY_ID=[redacted] pytest" in s for s in snippets), snippets
    outputs = {"scan": scan_outputs(repo, scan_pack)}
    source = f"https://bob:s3cr3tpw@{repo}"  # a URL given with its password is not echoed
    proc = run_assess("scan", "file://" + str(repo), source, "--pack", scan_pack)
    outputs["failure"] = proc.stdout + proc.stderr
    for value in SECRETS:
        for fmt, text in outputs.items():
            assert value not in text, (fmt, value)


def test_secrets_redacted_in_every_report_format(tmp_path: Path) -> None:
    """The real pack's CI rules over a leaky workflow, through every report format."""
    import shutil
    import zipfile

    from pypdf import PdfReader

    samples = Path(__file__).resolve().parent.parent / "samples"
    steps = "\n".join(f"      - run: {line}" for line in SECRETS.values())
    repo = make_repo(
        tmp_path / "r",
        {".github/workflows/ci.yml": f"on: [pull_request]\njobs:\n  t:\n    steps:\n{steps}\n"},
    )
    evidence = tmp_path / "ev.json"
    proc = run_assess("scan", repo, "--format", "json", "-o", evidence)
    assert proc.returncode == 0, proc.stderr
    assert "[redacted]" in evidence.read_text()
    eng = tmp_path / "engagement.yaml"
    shutil.copy(samples / "engagement.yaml", eng)
    texts: dict[str, str] = {"evidence": evidence.read_text()}
    for name in ("report.md", "report.html", "report.json", "report.xlsx", "report.pdf"):
        out = tmp_path / name
        proc = run_assess("report", eng, "--evidence", evidence, "-o", out)
        assert proc.returncode == 0, proc.stderr
        if name.endswith(".xlsx"):
            with zipfile.ZipFile(out) as z:
                texts[name] = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
        elif name.endswith(".pdf"):
            texts[name] = "".join(page.extract_text() for page in PdfReader(out).pages)
        else:
            texts[name] = out.read_text()
    csv_dir = tmp_path / "csv"
    csv_dir.mkdir()
    proc = run_assess("report", eng, "--evidence", evidence, "--format", "csv", "-o", csv_dir)
    assert proc.returncode == 0, proc.stderr
    texts["csv"] = "".join(p.read_text() for p in csv_dir.iterdir())
    assert "pytest" in texts["report.html"]  # the finding itself is in the report
    for value in SECRETS:
        for name, text in texts.items():
            assert value not in text, (name, value)


# --------------------------------------------------------------------------- terminal


def test_file_names_cannot_drive_the_terminal_or_forge_lines(
    tmp_path: Path, scan_pack: Path
) -> None:
    evil = "models/\x1b]0;OWNED\x07\x1b[2J\x1b[32mALL CLEAR\x1b[0m.pkl"
    forged = "models/x\n    + Fake evidence [runs in CI] ci.yml.pkl"
    repo = make_repo(tmp_path / "r", {evil: bytes(2048), forged: bytes(2048)})
    proc = run_assess("scan", repo, "--pack", scan_pack)
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout and "\x07" not in proc.stdout
    assert "\\x1b]0;OWNED\\x07" in proc.stdout
    assert not any(line.lstrip().startswith("+ Fake") for line in proc.stdout.splitlines())
    assert "models/x\\n" in proc.stdout


# --------------------------------------------------------------------------- denial of service

ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_yaml_alias_bomb_and_long_lines_do_not_stall_the_scan(tmp_path: Path) -> None:
    """The real pack: its pseudonymisation rule once took 18 s on one 32 KB line of sha256(."""
    repo = make_repo(
        tmp_path / "r",
        {
            ".github/workflows/bomb.yml": ALIAS_BOMB,
            "deploy/k8s.yaml": ALIAS_BOMB,
            ".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    steps:\n      - run: pytest\n",
            "src/long.py": "x = 1  # "
            + "sha256(" * 200_000
            + '\ndf["email"] = df["email"].map(lambda v: hmac.new(k, v, hashlib.sha256))\n',
            "src/salt.py": "salt_" * 200_000 + "\n",
        },
    )
    result = scan(repo, MLOPS, budget=60)
    assert result.incomplete is None
    assert {"cicd/tests-run-in-ci", "compliance/pseudonymisation-code"} <= fired(result)
    assert any("bomb.yml" in n and "expands to more than" in n for n in result.notes)


def test_a_rule_stuck_in_one_regex_is_stopped_by_the_budget(tmp_path: Path) -> None:
    head, questions = tiny_pack_data()
    folder = write_pack(tmp_path / "tiny", head, questions)
    rules = json.loads(json.dumps(RULES))
    # a catastrophic pattern a pack author could write (the loader refuses (a+)+, not this)
    rules["rules"][2]["match"]["content"]["pattern"] = r"^(?:a|aa|aaa)*register_model\("
    dump(folder / "rules" / "alpha.yaml", rules)
    files = {"x.py": "a" * 60 + "\nb register_model(\n", "dvc.yaml": "stages: {}\n"}
    repo = make_repo(tmp_path / "r", files)
    result = scan(repo, folder, budget=2)
    assert result.incomplete and "time budget" in result.incomplete
    assert "alpha/dvc" in fired(result)


def test_every_shipped_rule_pattern_is_free_of_nested_repetition() -> None:
    from assess.scan.literals import nested_repeat

    pack = load_pack(MLOPS)
    patterns = [
        p
        for r in pack.rules
        for p in (
            *(r.match.content.patterns if r.match.content else ()),
            r.match.ci_step and r.match.ci_step.pattern,
        )
        if p
    ]
    assert len(patterns) > 30
    assert any(r.match.content and r.match.content.also for r in pack.rules)
    assert [p for p in patterns if nested_repeat(p)] == []


@pytest.mark.parametrize(
    ("pattern", "nested"),
    [
        (r"(a+)+b", True),
        (r"^(?:\w*,)*x", True),
        (r"(?:(?:ab)+c)*", True),
        (r"(?=[^#\n]*?(?:a.*b)+)", True),
        (r"(?:\w*+,)*x", False),
        (r"(?:(?!\bint\()[^#\n])*x", False),
        (r"^[^#\n]*\bpytest\b", False),
        (r"(?:a{1,3})*", False),
    ],
)
def test_nested_repetition_detected(pattern: str, nested: bool) -> None:
    from assess.scan.literals import nested_repeat

    assert nested_repeat(pattern) is nested


def test_rule_loader_refuses_nested_repetition(tmp_path: Path) -> None:
    head, questions = tiny_pack_data()
    folder = write_pack(tmp_path / "tiny", head, questions)
    rules = json.loads(json.dumps(RULES))
    rules["rules"][2]["match"]["content"]["pattern"] = r"^(?:\w+\s*)+register_model\("
    dump(folder / "rules" / "alpha.yaml", rules)
    proc = run_assess("validate", "--pack", folder)
    assert_clean_failure(proc, "alpha.yaml", "rules[2].match", "repeats a repetition")


# --------------------------------------------------------------------------- malformed files


def test_malformed_files_are_skipped_with_a_note(tmp_path: Path, scan_pack: Path) -> None:
    deep_json = "[" * 100_000 + "]" * 100_000
    repo = make_repo(
        tmp_path / "r",
        {
            "nb/cells-number.ipynb": json.dumps({"cells": 5}),
            "nb/int-source.ipynb": json.dumps(
                {"cells": [{"cell_type": "code", "source": ["register_model(", 5, ")"]}]}
            ),
            "nb/deep.ipynb": deep_json,
            "pyproject.toml": "a = " + "[" * 5000 + "]" * 5000 + "\n",
            "deploy/deep.yaml": "k: " + "[" * 5000 + "]" * 5000 + "\n",
            ".github/workflows/ci.yml": "on: push\njobs:\n  t:\n    steps:\n      - run: pytest\n",
            "dvc.yaml": "stages: {}\n",
        },
    )
    # a commit dated 1e17 seconds after 1970 (no calendar holds it)
    tree = git(repo, "rev-parse", "HEAD^{tree}").strip()
    parent = git(repo, "rev-parse", "HEAD").strip()
    body = (
        f"tree {tree}\nparent {parent}\nauthor A <a@b> 100000000000000000 +0000\n"
        "committer A <a@b> 100000000000000000 +0000\n\nfuture\n"
    )
    sha = subprocess.run(
        ["git", "-C", str(repo), "hash-object", "-t", "commit", "-w", "--literally", "--stdin"],
        input=body, capture_output=True, text=True, check=True, env=ENV,
    ).stdout.strip()  # fmt: skip
    git(repo, "update-ref", "refs/heads/main", sha)

    result = scan(repo, scan_pack)
    assert {"alpha/tests-in-ci", "alpha/dvc", "alpha/register"} <= fired(result)
    notes = "\n".join(result.notes)
    assert "nb/cells-number.ipynb: notebook not read" in notes
    assert "nb/deep.ipynb: notebook not read" in notes
    assert "pyproject.toml: dependency file not read" in notes
    assert "deploy/deep.yaml: YAML file not read" in notes
    assert "1 commits carry a date no calendar holds" in notes
    assert result.history is not None and result.history.commits == 2
    proc = run_assess("scan", repo, "--pack", scan_pack, "--format", "json")
    assert proc.returncode == 0 and "internal error" not in proc.stderr


def test_not_a_folder(tmp_path: Path) -> None:
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(InputError, match="not a folder"):
        GitRepo(f)


def test_errors_and_warnings_show_control_characters_as_escapes(
    tmp_path: Path, scan_pack: Path
) -> None:
    evil = tmp_path / "repos" / "x\x1b]0;OWNED\x07\x1b[2J"
    evil.mkdir(parents=True)
    (evil / ".git").write_text("gitdir: /nonexistent\n")  # found by --under, refused
    make_repo(tmp_path / "repos" / "good", {"dvc.yaml": "stages: {}\n"})
    proc = run_assess("scan", "--under", tmp_path / "repos", "--pack", scan_pack)
    assert proc.returncode == 0, proc.stderr
    assert "warning" in proc.stderr and "\\x1b]0;OWNED\\x07" in proc.stderr
    assert "\x1b" not in proc.stderr + proc.stdout
    for args in (["scan", tmp_path / "no\nsuch\x1b[2J"], ["validate", "e\x1b[2J\n.yaml"]):
        proc = run_assess(*args, "--pack", scan_pack)
        assert "\x1b" not in proc.stderr
        assert_clean_failure(proc, "\\x1b[2J")


# --------------------------------------------------------------------------- second review


def other_client(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "other", {"confidential.txt": "SECRET PLANS\n"})


@pytest.mark.parametrize("variant", ["commondir", "symlinked-stores", "crafted-worktree"])
def test_stores_borrowed_from_another_repository_are_refused(
    tmp_path: Path, scan_pack: Path, variant: str
) -> None:
    other = other_client(tmp_path)
    repo = make_repo(tmp_path / "a", {"dvc.yaml": "stages: {}\n"})
    dotgit = repo / ".git"
    if variant == "commondir":
        (dotgit / "commondir").write_text(f"{other / '.git'}\n")
    elif variant == "symlinked-stores":
        import shutil

        shutil.rmtree(dotgit / "objects")
        (dotgit / "objects").symlink_to(other / ".git" / "objects")
    else:
        import shutil

        shutil.rmtree(dotgit)
        wt = repo / "wt"
        wt.mkdir()
        (repo / ".git").write_text("gitdir: wt\n")
        (wt / "gitdir").write_text("../.git\n")
        (wt / "commondir").write_text(f"{other / '.git'}\n")
        (wt / "HEAD").write_text("ref: refs/heads/main\n")
    for source in (repo, f"file://{repo}"):
        proc = run_assess("scan", source, "--pack", scan_pack, "--format", "json")
        assert proc.returncode == 2, proc.stdout
        assert "confidential" not in proc.stdout + proc.stderr
        assert "refusing to report another repository's content" in proc.stderr


def test_file_url_clone_is_checked_like_a_local_scan(tmp_path: Path, scan_pack: Path) -> None:
    other = other_client(tmp_path)
    repo = make_repo(tmp_path / "a", {"dvc.yaml": "stages: {}\n"})
    (repo / ".git" / "objects" / "info" / "alternates").write_text(f"{other / '.git/objects'}\n")
    proc = run_assess("scan", f"file://{repo}", "--pack", scan_pack)
    assert_clean_failure(proc, "objects/info/alternates borrows objects")


def test_a_clone_that_never_ends_stops_at_the_budget(tmp_path: Path, scan_pack: Path) -> None:
    repo = make_repo(tmp_path / "h", {"dvc.yaml": "stages: {}\n"})
    (repo / ".git" / "refs" / "heads" / "main").unlink()
    os.mkfifo(repo / ".git" / "refs" / "heads" / "main")
    proc = run_assess("scan", "--budget", "3", f"file://{repo}", "--pack", scan_pack)
    assert_clean_failure(proc, "cannot clone")


def test_what_the_checks_read_is_bounded(tmp_path: Path, scan_pack: Path) -> None:
    repo = make_repo(tmp_path / "g", {"dvc.yaml": "stages: {}\n"})
    big = repo / ".git" / "big.cfg"
    with big.open("wb") as fh:
        fh.truncate(64 * 1024 * 1024)  # sparse: 64 MB that take no disk
    with (repo / ".git" / "config").open("a") as fh:
        fh.write("[include]\n\tpath = big.cfg\n")
    assert_clean_failure(run_assess("scan", repo, "--pack", scan_pack), "over 1024 KB")


def test_git_errors_neither_block_nor_hide(tmp_path: Path, scan_pack: Path) -> None:
    repo = make_repo(tmp_path / "l", {"dvc.yaml": "stages: {}\n"})
    grafts = "\n".join(f"bad graft line {i} {'x' * 40}" for i in range(5000))
    (repo / ".git" / "info").mkdir(exist_ok=True)
    (repo / ".git" / "info" / "grafts").write_text(grafts + "\n")
    result = scan(repo, scan_pack, budget=60)
    assert result.incomplete is None and result.history is not None

    broken = make_repo(tmp_path / "b", {"dvc.yaml": "stages: {}\n"})
    tree = git(broken, "rev-parse", "HEAD^{tree}").strip()
    for body, expect in (
        (f"tree {'1' * 40}\nauthor A <a@b> 1 +0000\ncommitter A <a@b> 1 +0000\n\nx\n", "tree"),
        (f"tree {tree}\nparent {'2' * 40}\nauthor A <a@b> 1 +0000\n"
         "committer A <a@b> 1 +0000\n\nx\n", "parent"),
    ):  # fmt: skip
        sha = subprocess.run(
            ["git", "-C", str(broken), "hash-object", "-t", "commit", "-w", "--literally",
             "--stdin"], input=body, capture_output=True, text=True, check=True, env=ENV,
        ).stdout.strip()  # fmt: skip
        git(broken, "update-ref", "refs/heads/main", sha)
        proc = run_assess("scan", broken, "--pack", scan_pack, "--format", "json")
        assert "internal error" not in proc.stderr, proc.stderr
        if expect == "tree":
            assert_clean_failure(proc, "cannot read the files of commit")
        else:
            assert proc.returncode == 0, proc.stderr
            notes = json.loads(proc.stdout)["repos"][0]["notes"]
            assert any("git log stopped" in n for n in notes), notes


def test_pathological_names_and_values_stay_fast_and_whole(tmp_path: Path, scan_pack: Path) -> None:
    repo = make_repo(
        tmp_path / "r",
        {
            "k8s.yaml": "kind: 0x" + "f" * 5000 + "\n",
            "dvc.yaml": "stages: {}\n",
            ("a." * 100 + "/") * 15 + "x.pkl": bytes(2048),
            "models/x\U000e0041\u00ad.pkl": bytes(2048),
        },
    )
    result = scan(repo, scan_pack, budget=60)
    assert result.incomplete is None and "alpha/dvc" in fired(result)
    paths = {f.path for fs in result.areas.values() for f in fs}
    assert "models/x\\U000e0041\\xad.pkl" in paths


MORE_SECRETS = {
    "hunter2x9": "PGPASSWORD=hunter2x9 psql -h db",
    "npm_abcdefghijkl": "echo //registry.npmjs.org/:_authToken=npm_abcdefghijkl > .npmrc",
    "pw123456": "curl -u admin:pw123456 https://x.example",
    "Secret01": "API_KEY=ab,Secret01 pytest",
    "Secret02": "docker login -u me -p Secret02 registry.example",
    "Secret03": "mysql -uroot -pSecret03 db",
    "Secret05": 'pytest --password "Super Secret05"',
    "ssSecret06": "pip install git+https://user:p@ssSecret06@git.example/x.git",
    "MIIEvSecret08": "echo '-----BEGIN RSA PRIVATE KEY----- MIIEvSecret08' > k",
}


def test_more_secret_shapes_are_redacted(tmp_path: Path, scan_pack: Path) -> None:
    glued = {"keys/ghp_" + "B" * 40 + "_backup.pkl": bytes(2048)}
    repo = ci_repo(tmp_path / "r", MORE_SECRETS.values(), **glued)
    git(repo, "tag", "rel-AKIAIOSFODNN7EXAMPLEx")
    text = scan_outputs(repo, scan_pack)
    for value in [*MORE_SECRETS, "B" * 40, "AKIAIOSFODNN7EXAMPLE"]:
        assert value not in text, value


def test_an_evidence_file_from_the_client_is_cleaned_too(tmp_path: Path) -> None:
    """Evidence a client's CI wrote can hold anything: it is cleaned on the way in."""
    import shutil

    repo = make_repo(tmp_path / "r", {"dvc.yaml": "stages: {}\n", "models/m.pkl": bytes(4096)})
    evidence = tmp_path / "ev.json"
    assert run_assess("scan", repo, "--format", "json", "-o", evidence).returncode == 0
    data = json.loads(evidence.read_text())
    scanned = data["repos"][0]
    for findings in scanned["areas"].values():
        for f in findings:
            f["snippet"] = "key AKIAQWERTYUIOPASDFGH \x1b[2J\x1b]0;OWNED\x07"
    scanned["incomplete"] = "stopped after 600 s (its time budget): 12 of 80 rules ran"
    evidence.write_text(json.dumps(data))
    eng = tmp_path / "engagement.yaml"
    shutil.copy(Path(__file__).resolve().parent.parent / "samples" / "engagement.yaml", eng)
    for name in ("r.md", "r.html"):
        proc = run_assess("report", eng, "--evidence", evidence, "-o", tmp_path / name)
        assert proc.returncode == 0, proc.stderr
        text = (tmp_path / name).read_text()
        assert "AKIAQWERTYUIOPASDFGH" not in text and "\x1b" not in text
    assert "Scan incomplete: stopped after 600 s" in (tmp_path / "r.html").read_text()


def test_a_config_git_cannot_parse_is_named(tmp_path: Path, scan_pack: Path) -> None:
    repo = make_repo(tmp_path / "r", {"dvc.yaml": "stages: {}\n"})
    with (repo / ".git" / "config").open("a") as fh:
        fh.write("[core\nbroken")
    assert_clean_failure(run_assess("scan", repo, "--pack", scan_pack), "git cannot read it")


# --------------------------------------------------------------------------- the git gate


def test_a_git_program_in_the_repository_never_runs_whatever_path_says(
    tmp_path: Path, scan_pack: Path
) -> None:
    marker = tmp_path / "MARKER"
    repo = make_repo(tmp_path / "r", {"dvc.yaml": "stages: {}\n"})
    for folder in (repo, repo / ".git"):  # the work tree and the git folder
        fake = folder / "git"
        fake.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
        fake.chmod(0o755)
    for path in (f".:{os.environ['PATH']}", f":{os.environ['PATH']}"):
        proc = run_assess("scan", repo, "--pack", scan_pack, "--format", "json", env={"PATH": path})
        assert proc.returncode == 0, proc.stderr
        assert not marker.exists()


def test_the_users_git_environment_does_not_redirect_the_scan(
    tmp_path: Path, scan_pack: Path
) -> None:
    other = make_repo(tmp_path / "other", {"train.py": "register_model(x)\n"})
    repo = make_repo(tmp_path / "r", {"dvc.yaml": "stages: {}\n"})
    env = {
        "GIT_OBJECT_DIRECTORY": str(other / ".git" / "objects"),
        "GIT_DIR": str(other / ".git"),
        "GIT_WORK_TREE": str(other),
        "GIT_INDEX_FILE": str(other / ".git" / "index"),
    }
    before = snapshot(other)
    proc = run_assess("scan", repo, "--pack", scan_pack, "--format", "json", env=env)
    assert proc.returncode == 0, proc.stderr
    (scanned,) = json.loads(proc.stdout)["repos"]
    assert scanned["commit"] == git(repo, "rev-parse", "HEAD").strip()
    assert "alpha/dvc" in {f["rule"] for fs in scanned["areas"].values() for f in fs}
    assert snapshot(other) == before


def test_files_in_the_work_tree_do_not_steer_git(tmp_path: Path, scan_pack: Path) -> None:
    repo = make_repo(tmp_path / "r", {"dvc.yaml": "stages: {}\n"})
    make_repo(repo, {"train.py": "x = 1\n"}, message="second")
    head = git(repo, "rev-parse", "HEAD").strip()
    (repo / head).write_text("an untracked file named like the commit\n")  # 'ambiguous'
    os.mkfifo(repo / ".mailmap")  # git log reads the work tree's .mailmap: would block
    result = scan(repo, scan_pack, budget=20)
    assert result.incomplete is None
    assert result.history is not None and result.history.commits == 2


def test_a_blob_over_the_limit_is_never_read_when_the_tree_gives_no_sizes(
    tmp_path: Path,
) -> None:
    big = "x" * (3 * 1024 * 1024) + "\n"  # over the default 2 MiB read limit
    src = make_repo(tmp_path / "src", {"dvc.yaml": "x: 1\n", "notes.txt": big, "a.py": "y = 1\n"})
    git(src, "config", "uploadpack.allowFilter", "true")
    bare = tmp_path / "partial.git"
    git(tmp_path, "clone", "-q", "--bare", "--filter=blob:none", f"file://{src}", str(bare))
    # only the big blob fetched: ls-tree -l cannot size the others, so no size is known
    git(bare, "-c", "protocol.file.allow=always", "cat-file", "-e", "HEAD:notes.txt")
    result = scan(bare, MLOPS)
    assert any("sizes unknown" in n for n in result.notes), result.notes
    assert any(n.startswith("notes.txt: 3.1 MB, over the") for n in result.notes), result.notes
    assert result.bytes_read < 1024 * 1024


def test_a_tag_git_cannot_read_is_a_note(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"dvc.yaml": "stages: {}\n"})
    (repo / ".git" / "refs" / "tags" / "ghost").write_text("1" * 40 + "\n")
    proc = run_assess("scan", repo, "--format", "json")  # the default pack reads tag signatures
    assert proc.returncode == 0, proc.stderr
    (scanned,) = json.loads(proc.stdout)["repos"]
    assert scanned["history"] is not None and scanned["areas"]
    assert any(n.startswith("tags not read:") for n in scanned["notes"]), scanned["notes"]


def test_a_file_url_clones_the_folder_it_checked(tmp_path: Path, scan_pack: Path) -> None:
    repo = make_repo(tmp_path / "a", {"dvc.yaml": "stages: {}\n"})
    proc = run_assess("scan", f"file://localhost{repo}", "--pack", scan_pack, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["repos"][0]["commit"] == git(repo, "rev-parse", "HEAD").strip()
    assert_clean_failure(
        run_assess("scan", f"file://elsewhere{repo}", "--pack", scan_pack),
        "a file:// URL names a folder on this machine, not on 'elsewhere'",
    )


def test_a_clone_keeps_the_users_own_ssh_command(tmp_path: Path, scan_pack: Path) -> None:
    marker = tmp_path / "SSH_USED"
    ssh = tmp_path / "my-ssh"
    ssh.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    ssh.chmod(0o755)
    proc = run_assess(
        "scan", "ssh://git.example.invalid/ml.git", "--pack", scan_pack,
        env={"GIT_SSH_COMMAND": str(ssh), "GIT_OBJECT_DIRECTORY": str(tmp_path / "nowhere")},
    )  # fmt: skip
    assert_clean_failure(proc, "cannot clone")
    assert marker.exists()  # the consultant's key or jump host set-up reached git
