"""The cache of validated packs (``assess.packcache``): an entry is used only while the pack's
files are the same, and nothing wrong with an entry ever changes what a load returns."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from assess import fsio, packcache
from assess.errors import InputError, PackError
from assess.packs import load_pack, load_pack_files
from assess.scan import literals

if TYPE_CHECKING:
    from assess.model.pack import Pack


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("ASSESS_CACHE_DIR", str(folder))
    return folder


def _uncached(folder: Path, monkeypatch: pytest.MonkeyPatch) -> object:
    with monkeypatch.context() as m:
        m.setenv("ASSESS_CACHE_DIR", "")
        return load_pack(folder)


def _analysed(pack: object) -> dict[tuple[str, int], object]:
    from assess.model.pack import Pack

    assert isinstance(pack, Pack)
    return {(p, 0): literals._analyse(p, 0) for p in packcache.patterns(pack)}


def _entry(cache: Path) -> Path:
    (entry,) = cache.glob("pack-*.json")
    return entry


def test_a_hit_returns_what_the_files_give(
    bundled_pack_copy: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_pack(bundled_pack_copy)
    entry = _entry(cache)
    written = entry.stat().st_mtime_ns
    literals._results.clear()
    second = load_pack(bundled_pack_copy)
    assert entry.stat().st_mtime_ns == written  # read, not rewritten
    assert second == first == _uncached(bundled_pack_copy, monkeypatch)
    assert second.source == str(bundled_pack_copy)
    # the literal sets of the rule patterns came with it, as the analysis gives them
    assert literals._results == _analysed(second)
    assert len(literals._results) >= 50


def test_an_edited_file_is_read_again(bundled_pack_copy: Path, cache: Path) -> None:
    load_pack(bundled_pack_copy)
    rules = bundled_pack_copy / "rules" / "cicd.yaml"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("title: ", "title: Edited ", 1), encoding="utf-8")
    assert any(r.title.startswith("Edited ") for r in load_pack(bundled_pack_copy).rules)
    written = _entry(cache).read_bytes()
    rules.write_text(text.replace("level: ", "level: [", 1), encoding="utf-8")  # now broken
    with pytest.raises(InputError, match="malformed YAML"):
        load_pack(bundled_pack_copy)
    with pytest.raises(InputError, match="malformed YAML"):  # a broken pack is never kept
        load_pack(bundled_pack_copy)
    rules.write_text(text.replace("level: ", "level: 9", 1), encoding="utf-8")
    with pytest.raises(PackError, match="level"):  # valid YAML, an invalid rule
        load_pack(bundled_pack_copy)
    assert _entry(cache).read_bytes() == written  # the last good pack's entry, not replaced


@pytest.mark.parametrize(
    "damage",
    ["truncated", "one character changed", "garbage", "empty", "a folder", "a symlink"],
)
def test_a_damaged_entry_is_ignored_and_rewritten(
    bundled_pack_copy: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    expected = load_pack(bundled_pack_copy)
    entry = _entry(cache)
    data = entry.read_bytes()
    if damage == "truncated":
        entry.write_bytes(data[: len(data) // 2])
    elif damage == "one character changed":  # still valid JSON: a literal of a rule pattern
        at = data.index(b'"mlflow')
        entry.write_bytes(data[: at + 1] + b"n" + data[at + 2 :])
    elif damage == "garbage":
        entry.write_bytes(b"\xff\n\x00{not json\n" * 500)
    elif damage == "empty":
        entry.write_bytes(b"")
    elif damage == "a folder":
        entry.unlink()
        entry.mkdir()
    else:
        elsewhere = cache.parent / "elsewhere.json"
        elsewhere.write_bytes(data)
        entry.unlink()
        entry.symlink_to(elsewhere)
    literals._results.clear()
    assert load_pack(bundled_pack_copy) == expected
    assert literals._results == _analysed(expected)  # nothing of the damaged entry taken
    if damage == "a folder":
        assert entry.is_dir()  # left alone; the pack still loads
    else:
        assert entry.is_file() and not entry.is_symlink()
        assert entry.read_bytes() == data  # written again, whole
        literals._results.clear()
        assert load_pack(bundled_pack_copy) == expected  # the rewritten entry is good
    if damage == "a symlink":
        assert (cache.parent / "elsewhere.json").read_bytes() == data  # never written through


def test_a_cache_that_cannot_be_written_is_no_error(
    bundled_pack_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("ASSESS_CACHE_DIR", str(blocker / "cache"))
    assert load_pack(bundled_pack_copy) == _uncached(bundled_pack_copy, monkeypatch)
    monkeypatch.setenv("ASSESS_CACHE_DIR", "")
    assert packcache.cache_dir() is None


def test_the_key_covers_every_file_a_load_reads(
    bundled_pack_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (bundled_pack_copy / "ci.yaml").unlink()  # a pack without one reads the default pack's
    fsio.forget_inputs()
    _uncached(bundled_pack_copy, monkeypatch)
    read = {p.resolve() for p in fsio._inputs.values()}
    fsio.forget_inputs()
    keyed = [p.resolve() for p in packcache.inputs(bundled_pack_copy)]
    assert read <= set(keyed) and len(keyed) == len(set(keyed))
    assert len(read) >= 20
    # a YAML file in a folder no loader reads yet counts too: editing it is a miss, not stale
    extra = bundled_pack_copy / "later" / "more.yaml"
    extra.parent.mkdir()
    extra.write_text("x: 1\n", encoding="utf-8")
    assert extra.resolve() in {p.resolve() for p in packcache.inputs(bundled_pack_copy)}


def test_a_scan_reads_back_only_its_part(
    bundled_pack_copy: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib

    from assess.model.pack import Pack
    from assess.model.rules import ScanPack

    whole = _uncached(bundled_pack_copy, monkeypatch)
    assert isinstance(whole, Pack)
    miss = packcache.cached_scan(bundled_pack_copy, load_pack_files)  # no entry: writes one
    entry = _entry(cache)
    written = entry.read_bytes()
    literals._results.clear()
    hit = packcache.cached_scan(bundled_pack_copy, _never)
    assert entry.read_bytes() == written
    assert type(hit) is ScanPack and hit == miss == packcache.scan_part(whole)
    assert (hit.id, hit.version, hit.rules, hit.ci_systems) == (
        whole.id, whole.version, whole.rules, whole.ci_systems,
    )  # fmt: skip
    assert [(a.id, a.title) for a in hit.areas] == [(a.id, a.title) for a in whole.areas]
    assert hit.source == str(bundled_pack_copy)
    assert literals._results == _analysed(whole)
    # a scan part that does not read back as one (its checksum right) is a miss: the pack is
    # loaded from its files
    payload = written.split(b"\n", 1)[1].replace(b'"title":"', b'"title":7,"x":"', 1)
    entry.write_bytes(hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
    with pytest.raises(AssertionError, match="loaded from its files"):
        packcache.cached_scan(bundled_pack_copy, _never)


def _never(folder: Path) -> Pack:
    raise AssertionError(f"{folder} loaded from its files")
