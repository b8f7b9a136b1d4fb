"""Scanning many repositories: discovery (--from, --under), parallel workers, failures that do
not stop the others, and the per-area portfolio across repositories."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from assess.errors import InputError
from assess.model.evidence import Evidence, Finding, RepoScan, ScanFailure
from assess.model.rules import RuleKind, Strength
from assess.packs import load_pack
from assess.resources import packs_dir
from assess.scan.batch import find_repos, read_list, scan_many, scan_one, sources
from assess.scan.output import summary
from assess.scan.portfolio import portfolio, portfolio_rows
from tests.conftest import SAMPLE, run_assess
from tests.gitrepo import git, make_repo
from tests.test_cli import assert_clean_failure

N = 20
CI = {
    ".github/workflows/ci.yml": (
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest -q\n"
    )
}
DVC = {"dvc.yaml": "stages:\n  prepare:\n    cmd: python prepare.py\n"}
MLFLOW = {"requirements.txt": "mlflow==2.9\npandas\n"}
BINARY = {"models/model.pkl": bytes(range(256)) * 8}


def kinds(i: int) -> dict[str, bool]:
    """Which practices fixture repository ``i`` shows (hand-countable: i % 2, 3, 4, 5)."""
    return {"ci": i % 2 == 0, "dvc": i % 3 == 0, "mlflow": i % 4 == 1, "binary": i % 5 == 4}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``client/`` holds 20 repositories r00..r19 and one with a corrupt .git (``broken``)."""
    root = tmp_path_factory.mktemp("portfolio") / "client"
    for i in range(N):
        k = kinds(i)
        files: dict[str, str | bytes] = {"src/app.py": f"print({i})\n", "README.md": f"# r{i}\n"}
        for name, extra in (("ci", CI), ("dvc", DVC), ("mlflow", MLFLOW), ("binary", BINARY)):
            if k[name]:
                files.update(extra)
        repo = make_repo(root / f"r{i:02d}", files, date="2026-01-01T10:00:00")
        if i % 2:
            make_repo(repo, {"src/more.py": "x = 1\n"}, message="more", author="b@example.com")
    broken = root / "broken" / ".git"
    broken.mkdir(parents=True)
    (broken / "HEAD").write_text("this is not a ref\n")
    # not repositories of their own: inside a repository, in a hidden folder
    make_repo(root / "r00" / "vendor" / "nested", {"a.txt": "x"})
    make_repo(root / ".cache" / "hidden", {"a.txt": "x"})
    return root


def repo_names(evidence: dict[str, Any]) -> list[str]:
    return [Path(r["source"]).name for r in evidence["repos"]]


def without_timing(evidence: dict[str, Any]) -> dict[str, Any]:
    return {
        r["source"]: {k: v for k, v in r.items() if k != "scanned_at"} for r in evidence["repos"]
    }


def test_parallel_equals_sequential_and_failures_are_skipped(client: Path) -> None:
    # --under, sequential in this process
    seq = run_assess("scan", "--under", client, "--jobs", "1", "--format", "json")
    assert seq.returncode == 0, seq.stderr
    # --from, two worker processes; the list is in reverse order, with comments and a repeat
    names = [f"r{i:02d}" for i in reversed(range(N))]
    listing = client.parent / "repos.txt"
    listing.write_text(
        "# the client's ML repositories\n\n"
        + "".join(f"client/{n}\n" for n in names[:10])
        + "client/broken   # corrupt, see ticket 12\n"
        + "".join(f"client/{n}\n" for n in names[10:])
        + f"{client / 'r19'}\n"
    )
    par = run_assess("scan", "--from", listing, "--jobs", "2", "--format", "json")
    assert par.returncode == 0, par.stderr

    a, b = json.loads(seq.stdout), json.loads(par.stdout)
    assert repo_names(a) == sorted(names)  # --under: sorted; nested and hidden ones skipped
    assert repo_names(b) == names  # --from: input order kept by the parallel run
    assert without_timing(a) == without_timing(b)
    for evidence, proc in ((a, seq), (b, par)):
        assert evidence["failed"] == [
            {"source": str(client / "broken"), "message": "not a git repository"}
        ]
        assert proc.stderr == f"assess: warning: {client / 'broken'}: not a git repository\n"
    fired = {
        Path(r["source"]).name: {f["rule"] for fs in r["areas"].values() for f in fs}
        for r in a["repos"]
    }
    assert fired["r09"] == {
        "data/dvc-pipeline-stages",
        "versioning/tracking-deps",
        "versioning/committed-model-binaries",
    }
    assert fired["r07"] == set()


def test_portfolio_counts(client: Path) -> None:
    pack = load_pack(None)
    scans, failures = scan_many(
        [str(client / f"r{i:02d}") for i in range(N)] + [str(client / "broken")],
        ref=None,
        pack_dir=packs_dir() / "mlops",
        max_file_size=1 << 20,
        with_history=False,
        jobs=1,
    )
    assert [f.source for f in failures] == [str(client / "broken")]
    evidence = Evidence(
        tool_version="t", pack_id="mlops", pack_version=pack.version, repos=scans, failed=failures
    )
    rows = {r.area: r for r in portfolio(evidence, pack)}
    assert list(rows) == [a.id for a in pack.areas]
    ci = sum(kinds(i)["ci"] for i in range(N))
    dvc = sum(kinds(i)["dvc"] for i in range(N))
    mlflow = sum(kinds(i)["mlflow"] for i in range(N))
    binary = sum(kinds(i)["binary"] for i in range(N))
    assert (ci, dvc, mlflow, binary) == (10, 7, 5, 4)  # by hand: evens, 0 mod 3, 1 mod 4, 4 mod 5
    assert all(r.repos == 20 for r in rows.values())
    cicd = rows["cicd"]
    assert (cicd.repos_with_practice, cicd.repos_with_problems, cicd.share) == (10, 0, 0.5)
    assert cicd.top_rules == (("cicd/ci-config", 10), ("cicd/tests-run-in-ci", 10))
    data = rows["data"]
    assert (data.repos_with_practice, data.share, data.top_rules) == (
        7,
        0.35,
        (("data/dvc-pipeline-stages", 7),),
    )
    versioning = rows["versioning"]
    assert (versioning.repos_with_practice, versioning.repos_with_problems) == (5, 4)
    assert versioning.top_rules == (("versioning/tracking-deps", 5),)
    for area in ("training", "validation", "monitoring", "compliance"):
        assert (rows[area].repos_with_practice, rows[area].top_rules) == (0, ())

    text = summary(evidence, pack)
    assert "Portfolio: 20 repositories scanned, 1 could not be" in text
    assert "10/20  50%" in text and "cicd/ci-config (10), cicd/tests-run-in-ci (10)" in text
    assert f"not scanned: {client / 'broken'}: not a git repository" in text
    single = evidence.model_copy(update={"repos": scans[:1], "failed": ()})
    assert "Portfolio" not in summary(single, pack)

    # the report's view of the same scan: findings listed per area, repos without findings
    from assess.engagement import load_with_pack
    from assess.pipeline import assess

    pack2, loaded = load_with_pack(SAMPLE, None)
    result = assess(pack2, loaded, evidence=evidence)
    assert portfolio_rows(result) == portfolio(evidence, pack2)


def finding(repo: str, rule: str, kind: RuleKind = RuleKind.positive) -> Finding:
    return Finding(
        repo=repo,
        rule=rule,
        area=rule.split("/")[0],
        title=rule,
        kind=kind,
        strength=Strength.file,
        level=2,
        questions=(),
        path="x",
        commit="c",
    )


def repo_scan(source: str, *findings: Finding) -> RepoScan:
    areas: dict[str, tuple[Finding, ...]] = {}
    for f in findings:
        areas[f.area] = (*areas.get(f.area, ()), f)
    return RepoScan(
        source=source,
        ref="HEAD",
        commit="c",
        scanned_at="2026-01-01T00:00:00Z",  # type: ignore[arg-type]
        files=1,
        bytes_read=0,
        history=None,
        areas=areas,
    )


def test_portfolio_is_per_repository_not_per_finding() -> None:
    pack = load_pack(None)
    neg = RuleKind.negative
    repos = (
        # three findings of one rule in one repository count once
        repo_scan("a", *(finding("a", "cicd/ci-config") for _ in range(3))),
        repo_scan("b", finding("b", "cicd/ci-config"), finding("b", "cicd/codeowners")),
        repo_scan("c", finding("c", "cicd/codeowners"), finding("c", "cicd/pre-commit-config")),
        repo_scan("d", finding("d", "cicd/tests-run-in-ci"), finding("d", "data/large", neg)),
        repo_scan("e", finding("e", "data/large", neg)),
        repo_scan("f"),
    )  # fmt: skip
    evidence = Evidence(tool_version="t", pack_id="mlops", pack_version="1", repos=repos)
    rows = {r.area: r for r in portfolio(evidence, pack)}
    cicd = rows["cicd"]
    assert (cicd.repos, cicd.repos_with_practice, cicd.repos_with_problems) == (6, 4, 0)
    assert cicd.share == pytest.approx(4 / 6)
    # most repos first, ties by rule id; only three
    assert cicd.top_rules == (
        ("cicd/ci-config", 2),
        ("cicd/codeowners", 2),
        ("cicd/pre-commit-config", 1),
    )
    data = rows["data"]
    assert (data.repos_with_practice, data.repos_with_problems, data.top_rules) == (0, 2, ())
    empty = portfolio(Evidence(tool_version="t", pack_id="mlops", pack_version="1", repos=()), pack)
    assert all(r.share == 0.0 and r.repos == 0 for r in empty)


def test_every_repository_failing_exits_2(tmp_path: Path) -> None:
    make_repo(tmp_path / "ok", {"a.txt": "x"})
    (tmp_path / "lost" / ".git").mkdir(parents=True)
    git(tmp_path, "init", "-q", "empty")
    proc = run_assess("scan", tmp_path / "lost", tmp_path / "empty", "--format", "json")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [
        f"assess: warning: {tmp_path / 'lost'}: not a git repository",
        f"assess: warning: {tmp_path / 'empty'}: the repository has no commits yet",
        "assess: error: none of the 2 repositories could be scanned",
    ]
    # one of them scans: exit 0, the failure still reported
    proc = run_assess(
        "scan", tmp_path / "ok", tmp_path / "empty", "--jobs", "2", "--format", "sarif"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == (
        f"assess: warning: {tmp_path / 'empty'}: the repository has no commits yet\n"
    )
    ok, empty = json.loads(proc.stdout)["runs"]
    assert ok["versionControlProvenance"][0]["repositoryUri"] == str(tmp_path / "ok")
    assert empty["invocations"][0]["executionSuccessful"] is False
    assert empty["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"] == (
        "the repository has no commits yet"
    )


def test_bad_inputs(tmp_path: Path) -> None:
    assert_clean_failure(run_assess("scan", "--from", tmp_path / "nope.txt"), "no such list file")
    (tmp_path / "docs").mkdir()
    assert_clean_failure(
        run_assess("scan", "--under", tmp_path / "docs"), "docs", "no git repositories found"
    )
    assert_clean_failure(run_assess("scan"), "no repositories to scan")
    empty_list = tmp_path / "empty.txt"
    empty_list.write_text("# nothing yet\n\n")
    assert_clean_failure(run_assess("scan", "--from", empty_list), "no repositories to scan")
    proc = run_assess("scan", tmp_path, "--jobs", "0")
    assert proc.returncode == 2 and "--jobs" in proc.stderr


def test_list_file_and_discovery(tmp_path: Path) -> None:
    listing = tmp_path / "lists" / "repos.txt"
    listing.parent.mkdir()
    listing.write_text(
        "  # comment\n../a\n\n/abs/b  # trailing comment\nfile:///srv/c.git\n"
        "git@host:team/d.git\n~/e\n"
    )
    assert read_list(listing) == [
        str(listing.parent / "../a"),
        "/abs/b",
        "file:///srv/c.git",
        "git@host:team/d.git",
        os.path.expanduser("~/e"),
    ]
    with pytest.raises(InputError, match="no such list file"):
        read_list(tmp_path / "missing.txt")

    root = tmp_path / "root"
    make_repo(root / "b" / "work", {"a": "x"})
    make_repo(root / "a", {"a": "x"})
    make_repo(root / "a" / "sub", {"a": "x"})  # inside a found repository: not searched
    make_repo(root / ".hidden" / "x", {"a": "x"})
    git(tmp_path, "clone", "-q", "--bare", str(root / "a"), str(root / "c" / "bare.git"))
    (root / "d" / "e").mkdir(parents=True)
    (root / "link").symlink_to(root / "b")
    assert find_repos(root) == [root / "a", root / "b" / "work", root / "c" / "bare.git"]
    assert find_repos(root / "a") == [root / "a"]
    with pytest.raises(InputError, match="no git repositories found"):
        find_repos(root / "d")
    with pytest.raises(InputError, match="no such folder"):
        find_repos(tmp_path / "nowhere")
    # the same repository from several inputs is scanned once, first mention first
    assert sources([str(root / "c" / "bare.git"), f"{root}/a/"], under=[root]) == [
        str(root / "c" / "bare.git"),
        f"{root}/a/",
        str(root / "b" / "work"),
    ]


def test_worker_turns_bugs_and_bad_refs_into_failures(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"a.txt": "x"})
    pack_dir = str(packs_dir() / "mlops")
    bug = scan_one(str(repo), None, pack_dir, None, False)  # type: ignore[arg-type]
    assert isinstance(bug, ScanFailure)
    assert bug.message.startswith("internal error: TypeError: ")
    ref = scan_one(str(repo), "nope", pack_dir, 1 << 20, False)
    assert ref == ScanFailure(
        source=str(repo), message="unknown ref 'nope' (no such branch, tag or commit)"
    )
    clone = scan_one("file:///nonexistent/x.git", None, pack_dir, 1 << 20, False)
    assert isinstance(clone, ScanFailure) and clone.message.startswith("cannot clone")
    ok = scan_one(str(repo), None, pack_dir, 1 << 20, False)
    assert isinstance(ok, RepoScan) and ok.files == 1


# The snippet handed to the report template ("Scope and method", after the repository table);
# rendered here with the report's own Jinja environment so it cannot rot unnoticed.
REPORT_SNIPPET = """\
{% if portfolio and r.repos | length > 1 %}
<h3>Across the repositories</h3>
<table class="portfolio">
  <thead><tr><th>Area</th><th class="num">With the practice</th><th class="num">With problems</th><th>Found in most repositories</th></tr></thead>
  <tbody>
  {% for p in portfolio %}
    <tr><td>{{ p.title }}</td><td class="num">{{ p.repos_with_practice }} of {{ p.repos }} ({{ p.share | pct }})</td><td class="num">{{ p.repos_with_problems }}</td>
    <td>{% for rule, n in p.top_rules %}<span class="path">{{ rule }}</span> ({{ n }}){{ ", " if not loop.last }}{% else %}none{% endfor %}</td></tr>
  {% endfor %}
  </tbody>
</table>
{% endif %}
"""  # noqa: E501


def test_report_snippet_renders(client: Path) -> None:
    from assess.engagement import load_with_pack
    from assess.pipeline import assess
    from assess.report.render import _environment, shared_context

    pack, loaded = load_with_pack(SAMPLE, None)
    scans, _ = scan_many(
        [str(client / n) for n in ("r00", "r01", "r04")],
        ref=None,
        pack_dir=Path(pack.source),
        max_file_size=1 << 20,
        with_history=False,
        jobs=1,
    )
    evidence = Evidence(tool_version="t", pack_id=pack.id, pack_version=pack.version, repos=scans)
    result = assess(pack, loaded, evidence=evidence)
    template = _environment().from_string(REPORT_SNIPPET)
    ctx = {**shared_context(result), "portfolio": portfolio_rows(result)}
    html = template.render(**ctx)
    assert "Across the repositories" in html
    assert '<span class="path">cicd/ci-config</span> (2)' in html  # r00 and r04
    assert "2 of 3 (67%)" in html
    one = assess(pack, loaded, evidence=evidence.model_copy(update={"repos": scans[:1]}))
    ctx = {**shared_context(one), "portfolio": portfolio_rows(one)}
    assert "Across" not in template.render(**ctx)


def test_progress_line_on_a_terminal(client: Path) -> None:
    out = client.parent / "summary.txt"
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "assess", "scan", "--under", str(client), "--jobs", "2", "-o", str(out)],
        env={**os.environ, "COLUMNS": "200"},
        encoding="utf-8",
        timeout=60,
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    out = child.before
    assert "scanning 0/21 repos" in out
    assert "scanning 21/21 repos (1 failed)" in out
    assert "not a git repository" in out
