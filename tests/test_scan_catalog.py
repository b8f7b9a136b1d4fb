"""Integrity of the scan rules shipped in every pack, and each rule against its own examples:
a fixture repository on which it must fire and one on which it must not."""

from __future__ import annotations

from pathlib import Path

import pytest

from assess.model.rules import RuleKind
from assess.packs import load_pack
from assess.resources import available_packs
from assess.scan.engine import scan_repo
from assess.scan.repo import GitRepo
from tests.gitrepo import make_repo, make_tag

CATALOG = [(pack_id, rule) for pack_id in available_packs() for rule in load_pack(pack_id).rules]


def _content(value: str) -> str | bytes:
    """``@zeros:N`` in an example stands for N zero bytes (a huge file without a huge YAML)."""
    if value.startswith("@zeros:"):
        return b"\0" * int(value.removeprefix("@zeros:"))
    return value


def test_default_catalog_covers_every_area() -> None:
    pack = load_pack("mlops")
    rules = pack.rules
    for area in pack.areas:
        mine = [r for r in rules if r.area == area.id]
        assert len(mine) >= 4, area.id
        assert any(r.kind is RuleKind.positive for r in mine), area.id
    kinds = {r.match.type for r in rules}
    assert kinds == {
        "paths", "dependencies", "content", "yaml_key", "ci_step", "ci_config", "shape", "check"
    }  # fmt: skip
    negatives = {r.id for r in rules if r.kind is RuleKind.negative}
    assert {"versioning/committed-model-binaries", "data/large-files-in-git"} <= negatives
    assert any(r.match.check == "secrets" for r in rules)


@pytest.mark.parametrize(("pack_id", "rule"), CATALOG, ids=[r.id for _, r in CATALOG])
def test_rule_against_its_examples(tmp_path: Path, pack_id: str, rule: object) -> None:
    from assess.model.rules import Rule

    assert isinstance(rule, Rule)
    assert rule.examples is not None, f"{rule.id} has no examples"
    for case, files, expected in (
        ("match", rule.examples.match, True),
        ("no_match", rule.examples.no_match, False),
    ):
        path = make_repo(
            tmp_path / case, {k: _content(v) for k, v in files.items() if not k.startswith("@")}
        )
        for key, value in files.items():
            if key.startswith("@tag "):
                make_tag(path, key.removeprefix("@tag "), signed=value == "signed")
        repo = GitRepo(path)
        try:
            result = scan_repo(repo, [rule], with_history=False)
        finally:
            repo.close()
        hits = [f for fs in result.areas.values() for f in fs]
        assert bool(hits) is expected, f"{rule.id} {case}: {hits or 'no finding'}"
