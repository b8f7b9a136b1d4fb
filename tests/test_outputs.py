"""Where outputs land: never over one of the command's inputs, never a rename over a special file.

Every case runs the real CLI (``assess.cli.main``) on real files in ``tmp_path``. Character
devices are our own device nodes made in ``tmp_path`` (``mknod``, as root), so a write that
went wrong could only replace that node, never the machine's ``/dev/null``.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import threading
from pathlib import Path

import pytest

from assess.cli import main
from tests.conftest import dump
from tests.gitrepo import make_repo


@pytest.fixture
def work(tiny_pack: Path, tmp_path: Path) -> dict[str, Path]:
    """An engagement, its pack, a result, an evidence file, a repo list, a theme, a PDF and an
    SMTP config: every kind of input a command reads."""
    eng = dump(
        tmp_path / "eng.yaml",
        {
            "pack": {"id": "tiny", "version": "1.0", "path": "tiny"},
            "context": {"client_name": "Acme Corp", "clouds": ["aws"]},
            "answers": {"alpha.one": {"choice": "a1"}, "beta.two": {"choice": "e2"}},
        },
    )
    repo = make_repo(tmp_path / "repo", {"train.py": "print('fit')\n"})
    result, evidence = tmp_path / "result.json", tmp_path / "evidence.json"
    assert main(["score", str(eng), "--pack", str(tiny_pack), "--format", "json",
                 "-o", str(result)]) == 0  # fmt: skip
    assert main(["scan", str(repo), "--pack", str(tiny_pack), "--format", "json", "--jobs", "1",
                 "-o", str(evidence)]) == 0  # fmt: skip
    repos = tmp_path / "repos.txt"
    repos.write_text("repo\n")
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>\n')
    theme = dump(tmp_path / "theme.yaml", {"consultancy": "Northbeam", "logo": "logo.svg"})
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% a report\n")
    smtp = dump(tmp_path / "smtp.yaml", {"sender": "Dana <dana@northbeam.example>"})
    return {"eng": eng, "pack": tiny_pack, "result": result, "evidence": evidence, "repo": repo,
            "repos": repos, "theme": theme, "logo": logo, "pdf": pdf, "smtp": smtp,
            "report_html": tmp_path / "report.html"}  # fmt: skip


# (test id, the command line, with {name} for a file of ``work``; the last word is the output)
OVERWRITES: list[tuple[str, str]] = [
    ("score", "score {eng} --format json -o {eng}"),
    ("score csv", "score {eng} --format csv -o {eng}"),
    ("score milestone", "score {eng} --milestone {result} -o {result}"),
    ("score pack file", "score {eng} --pack {pack} -o {pack}/questions/alpha.yaml"),
    ("gaps", "gaps {eng} --format json -o {eng}"),
    ("gaps evidence", "gaps {eng} --evidence {evidence} -o {evidence}"),
    ("compare old", "compare {result} {eng} -o {result}"),
    ("compare new", "compare {result} {eng} --format json -o {eng}"),
    ("scan list file", "scan --from {repos} --pack {pack} --jobs 1 -o {repos}"),
    ("scan pack file", "scan {repo} --pack {pack} --jobs 1 --format json -o {pack}/pack.yaml"),
    ("report --html", "report {eng} --html {eng}"),
    ("report evidence", "report {eng} --evidence {evidence} -o {evidence}"),
    ("report theme", "report {eng} --theme {theme} --html {theme}"),
    ("report logo", "report {eng} --theme {theme} --html {logo}"),
    ("report milestone", "report {eng} --milestone {result} -o {result}"),
    ("run --evidence-out",
     "run {eng} --repo {repo} --jobs 1 --no-interview -o {report_html} --evidence-out {eng}"),
    ("send --eml engagement",
     "send {pdf} --to m@acme.example --config {smtp} --engagement {eng} --eml {eng}"),
    ("send --eml config", "send {pdf} --to m@acme.example --config {smtp} --eml {smtp}"),
]  # fmt: skip


REFUSED = "is an input of this command; refusing to overwrite it: choose another output name"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()
            and ".git" not in p.parts}  # fmt: skip


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "Traceback" not in err[0]
    return err[0]


@pytest.mark.parametrize("line", [c[1] for c in OVERWRITES], ids=[c[0] for c in OVERWRITES])
def test_an_output_never_overwrites_an_input(
    line: str, work: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [word.format(**work) for word in line.split()]
    out = args[-1]
    before = _snapshot(tmp_path)
    capsys.readouterr()
    assert main(args) == 2
    error = _one_error_line(capsys)
    assert error == f"assess: error: {out}: " + REFUSED, error
    assert _snapshot(tmp_path) == before  # nothing written, no temp file left


def test_the_refusal_comes_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The output is checked before the engagement is even read: a broken engagement named as
    the output is refused as an input, not reported as broken YAML after the work."""
    eng = tmp_path / "eng.yaml"
    eng.write_text("pack: [unclosed\n")
    assert main(["score", str(eng), "--format", "json", "-o", str(eng)]) == 2
    assert _one_error_line(capsys) == f"assess: error: {eng}: {REFUSED}"
    assert eng.read_text() == "pack: [unclosed\n"


@pytest.mark.parametrize("link", ["hard", "symbolic"])
def test_another_name_for_an_input_is_refused_too(
    link: str, work: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other" / "result.json"
    other.parent.mkdir()
    if link == "hard":
        os.link(work["eng"], other)
    else:
        other.symlink_to(work["eng"])
    before = _snapshot(tmp_path)
    capsys.readouterr()
    code = main(["score", str(work["eng"]), "--pack", str(work["pack"]), "--format", "json",
                 "-o", str(other)])  # fmt: skip
    assert code == 2
    line = _one_error_line(capsys)
    assert str(other) in line and str(work["eng"]) in line, line
    assert _snapshot(tmp_path) == before
    assert other.is_symlink() == (link == "symbolic")


# --------------------------------------------------------------------------- special files


def _schema(out: Path | str) -> list[str]:
    return ["schema", "engagement", "-o", str(out)]


def _device(tmp_path: Path, name: str, minor: int) -> Path:
    """A character device (1, minor): 3 is null, 7 is full. As root, our own node made in
    tmp_path, so whatever the code under test does it can only replace that node; otherwise a
    symlink in tmp_path to /dev/NAME (a user cannot replace anything in /dev)."""
    node = tmp_path / name
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, minor))
    except PermissionError:
        node.symlink_to(f"/dev/{name}")
    assert stat.S_ISCHR(node.stat().st_mode)
    return node


def _kind(path: Path) -> int:
    return stat.S_IFMT(path.lstat().st_mode)


def test_a_fifo_is_written_through_not_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    twin = tmp_path / "twin.fifo"  # the same FIFO under a name no rename can replace
    os.link(fifo, twin)
    got: list[bytes] = []

    def read() -> None:
        with open(twin, "rb") as fh:
            got.append(fh.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    code = main(_schema(fifo))
    reader.join(10)
    if reader.is_alive():  # the FIFO was not opened: release the reader
        os.close(os.open(twin, os.O_WRONLY))
        reader.join(10)
    assert code == 0
    assert stat.S_ISFIFO(fifo.lstat().st_mode), "the FIFO was replaced by a file"
    assert json.loads(got[0])["title"] == "Engagement"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.fifo", "twin.fifo"]


def test_a_null_device_is_written_through(tmp_path: Path) -> None:
    null = _device(tmp_path, "null", 3)
    kind = _kind(null)
    assert main(_schema(null)) == 0
    assert _kind(null) == kind, "the device was replaced by a file"
    assert [p.name for p in tmp_path.iterdir()] == ["null"]


def test_a_full_device_is_one_output_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    full = _device(tmp_path, "full", 7)
    kind = _kind(full)
    assert main(_schema(full)) == 2
    line = _one_error_line(capsys)
    assert line == f"assess: error: {full}: cannot write: No space left on device"
    assert _kind(full) == kind
    assert [p.name for p in tmp_path.iterdir()] == ["full"]


def test_a_symlink_to_a_device_writes_through_to_the_device(tmp_path: Path) -> None:
    null = _device(tmp_path, "null", 3)
    kind = _kind(null)
    link = tmp_path / "link"
    link.symlink_to(null)
    assert main(_schema(link)) == 0
    assert link.is_symlink() and _kind(null) == kind
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "null"]


def test_a_socket_or_other_special_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        assert main(_schema(path)) == 2
    line = _one_error_line(capsys)
    assert line.startswith(f"assess: error: {path}: ") and "not a regular file" in line
    assert stat.S_ISSOCK(path.lstat().st_mode)


def test_a_symlink_output_replaces_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "schema.json"
    target.write_text("old\n")
    target.chmod(0o640)
    link = tmp_path / "schema.json"
    link.symlink_to(Path("real") / "schema.json")
    assert main(_schema(link)) == 0
    assert link.is_symlink() and os.readlink(link) == str(Path("real") / "schema.json")
    assert json.loads(target.read_text())["title"] == "Engagement"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["schema.json"]


def test_a_dangling_symlink_output_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "schema.json"
    link.symlink_to(tmp_path / "new.json")
    assert main(_schema(link)) == 0
    assert link.is_symlink()
    assert json.loads((tmp_path / "new.json").read_text())["title"] == "Engagement"


def test_a_symlink_loop_is_one_output_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.symlink_to(b)
    b.symlink_to(a)
    assert main(_schema(a)) == 2
    line = _one_error_line(capsys)
    assert line.startswith(f"assess: error: {a}: "), line
    assert a.is_symlink() and b.is_symlink()


def test_dash_is_standard_output(
    work: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    eng, pack = str(work["eng"]), str(work["pack"])
    capsys.readouterr()
    assert main(["score", eng, "--pack", pack, "--format", "json", "-o", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["client"]["name"] == "Acme Corp"
    assert main(["report", eng, "--pack", pack, "--format", "md", "-o", "-"]) == 0
    assert "Acme Corp" in capsys.readouterr().out
    assert main(["send", str(work["pdf"]), "--to", "m@acme.example", "--config",
                 str(work["smtp"]), "--eml", "-"]) == 0  # fmt: skip
    out = capsys.readouterr()
    assert "To: m@acme.example" in out.out and "not sent" in out.err
    assert not (tmp_path / "-").exists()
