"""Milestones: comparing two assessments with known differences, and the progress chapter."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assess.compare import compare, progress
from assess.engagement import load_engagement
from assess.model.result import Assessment, ChangeStatus
from assess.packs import load_pack
from assess.pipeline import assess
from tests.conftest import dump, run_assess


def engagement(tmp_path: Path, name: str, date: str, answers: dict[str, Any]) -> Path:
    return dump(
        tmp_path / f"{name}.yaml",
        {
            "pack": {"id": "tiny", "version": "1.0"},
            "assessment": {"date": date},
            "context": {"client_name": "Acme"},
            "answers": answers,
        },
    )


OLD = {"alpha.one": {"choice": "a1"}, "alpha.two": {"choice": "b3"}, "beta.one": {"choice": "d2"}}
NEW = {
    "alpha.one": {"choice": "a3"},  # improved 1 -> 3
    "alpha.two": {"choice": "b2"},  # regressed 3 -> 2
    "beta.one": {"choice": "d2"},  # same
    "beta.two": {"choice": "e1"},  # new
    # alpha.three: unanswered both times (same); nothing dropped here
}


@pytest.fixture
def pair(tiny_pack: Path, tmp_path: Path) -> tuple[Path, Path]:
    return (
        engagement(tmp_path, "old", "2026-03-01", OLD),
        engagement(tmp_path, "new", "2026-09-01", NEW),
    )


def score(pack_dir: Path, path: Path) -> Assessment:
    pack = load_pack(pack_dir)
    return assess(pack, load_engagement(path, pack))


def test_known_differences(tiny_pack: Path, pair: tuple[Path, Path]) -> None:
    old, new = (score(tiny_pack, p) for p in pair)
    c = compare(old, new)
    q = {x.id: x for x in c.questions}
    assert (q["alpha.one"].status, q["alpha.one"].delta) == (ChangeStatus.improved, 2.0)
    assert (q["alpha.two"].status, q["alpha.two"].delta) == (ChangeStatus.regressed, -1.0)
    assert q["beta.one"].status is ChangeStatus.same
    assert q["beta.two"].status is ChangeStatus.new and q["beta.two"].old is None
    a = {x.id: x for x in c.areas}
    # alpha: (1*1 + 3*3)/4 = 2.5 -> (3*1 + 2*3)/4 = 2.25 -> 2.2 (rounded like every output)
    assert (a["alpha"].old, a["alpha"].new, a["alpha"].status) == (2.5, 2.2, ChangeStatus.regressed)
    assert (c.old_label, c.new_label) == ("2026-03-01", "2026-09-01")
    back = compare(new, old)  # and the other way round
    assert {x.id: x.status for x in back.questions}["beta.two"] is ChangeStatus.dropped


def test_progress_orders_milestones_by_date(tiny_pack: Path, pair: tuple[Path, Path]) -> None:
    old, new = (score(tiny_pack, p) for p in pair)
    mid = old.model_copy(
        update={"info": old.info.model_copy(update={"date": new.info.date.replace(month=6)})}  # type: ignore[union-attr]
    )
    p = progress([mid, old], new)
    assert [m.label for m in p.milestones] == ["2026-03-01", "2026-06-01", "2026-09-01"]
    assert p.since_last.old_label == "2026-06-01"
    assert p.milestones[-1].areas["alpha"] == new.areas[0].level


def test_compare_command_on_results_and_engagements(
    tiny_pack: Path, pair: tuple[Path, Path], tmp_path: Path
) -> None:
    old, new = pair
    old_json = tmp_path / "old.json"
    proc = run_assess("score", old, "--pack", tiny_pack, "--format", "json", "-o", old_json)
    assert proc.returncode == 0, proc.stderr
    # a result against an engagement: the engagement records its pack folder only when the
    # interview wrote it, so point both at the tiny pack through the result's own file
    new_json = tmp_path / "new.json"
    run_assess("score", new, "--pack", tiny_pack, "--format", "json", "-o", new_json)
    table = run_assess("compare", old_json, new_json)
    assert table.returncode == 0, table.stderr
    out = table.stdout
    assert out.startswith("Acme: 2026-03-01 -> 2026-09-01")
    assert "Overall" in out and "Questions: 1 improved, 1 regressed, 2 same, 1 new" in out
    assert "+ alpha.one  1.0 -> 3.0" in out and "- alpha.two  3.0 -> 2.0" in out
    data = json.loads(run_assess("compare", old_json, new_json, "--format", "json").stdout)
    assert {q["id"]: q["status"] for q in data["questions"]}["beta.two"] == "new"
    csv = run_assess("compare", old_json, new_json, "--format", "csv").stdout.splitlines()
    assert csv[0] == "kind,id,title,old,new,delta,status"
    assert "question,alpha.one,One?,1.0,3.0,2.0,improved" in csv


def test_report_with_milestones_has_a_progress_chapter(
    tiny_pack: Path, pair: tuple[Path, Path], tmp_path: Path
) -> None:
    old, new = pair
    old_json = tmp_path / "old.json"
    run_assess("score", old, "--pack", tiny_pack, "--format", "json", "-o", old_json)
    html = tmp_path / "r.html"
    proc = run_assess("report", new, "--pack", tiny_pack, "--milestone", old_json, "-o", html)
    assert proc.returncode == 0, proc.stderr
    page = html.read_text()
    assert "Progress since 2026-03-01" in page
    assert 'class="chart trend"' in page and "2026-09-01" in page
    data = json.loads(
        run_assess(
            "score", new, "--pack", tiny_pack, "--milestone", old_json, "--format", "json"
        ).stdout
    )
    assert data["progress"]["since_last"]["overall"]["old"] == 2.3


@pytest.mark.parametrize(
    ("content", "message"),
    [("{", "not valid JSON"), ("{}", "not an assess result"), (None, "not found")],
)
def test_bad_milestone_is_one_line(
    tiny_pack: Path, pair: tuple[Path, Path], tmp_path: Path, content: str | None, message: str
) -> None:
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content)
    proc = run_assess("compare", bad, pair[1])
    assert proc.returncode == 2
    assert message in proc.stderr and "bad.json" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_a_milestone_of_another_client_is_flagged(
    tiny_pack: Path, pair: tuple[Path, Path], tmp_path: Path
) -> None:
    other = dump(
        tmp_path / "other.yaml",
        {
            "pack": {"id": "tiny", "version": "1.0"},
            "assessment": {"date": "2026-01-15"},
            "context": {"client_name": "Globex"},
            "answers": OLD,
        },
    )
    other_json = tmp_path / "other.json"
    run_assess("score", other, "--pack", tiny_pack, "--format", "json", "-o", other_json)
    proc = run_assess("score", pair[1], "--pack", tiny_pack, "--milestone", other_json)
    assert proc.returncode == 0
    assert "a milestone of 'Globex' (tiny), compared with 'Acme' (tiny)" in proc.stderr


def test_a_milestone_later_than_the_assessment_is_refused(
    tiny_pack: Path, pair: tuple[Path, Path], tmp_path: Path
) -> None:
    old, new = pair
    new_json = tmp_path / "new.json"
    run_assess("score", new, "--pack", tiny_pack, "--format", "json", "-o", new_json)
    out = tmp_path / "r.html"
    proc = run_assess("report", old, "--pack", tiny_pack, "--milestone", new_json, "-o", out)
    assert proc.returncode == 2
    assert "a milestone dated 2026-09-01 is later than this assessment (2026-03-01)" in proc.stderr
    assert not out.exists()


def test_compare_says_when_only_one_side_had_evidence(tmp_path: Path) -> None:
    from tests.conftest import ROOT, SAMPLE

    with_evidence = tmp_path / "with.json"
    proc = run_assess(
        "score", SAMPLE, "--evidence", ROOT / "samples" / "evidence.json", "--format", "json",
        "-o", with_evidence,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    proc = run_assess("compare", with_evidence, SAMPLE)
    assert proc.returncode == 0
    assert "was scored with repository evidence and" in proc.stderr
    assert "improved" in proc.stdout  # the caps lifted: exactly what the warning explains
