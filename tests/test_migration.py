"""Mapping files between pack versions: a broken one is refused in one line naming the file,
the field and the line; a good one loads as written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from assess.errors import PackError
from assess.migration import load_migration, migration_path
from assess.packs import load_pack
from tests.conftest import dump, run_assess, tiny_pack_data, write_pack
from tests.test_cli import assert_clean_failure

# The older version of the tiny pack, as the loader sees it: question id -> its choice ids.
OLD = {
    "alpha.first": ("x0", "x1", "x2"),
    "alpha.second": ("a0", "a1", "a2", "a3", "a4"),
    "beta.gone": ("y0", "y1"),
}


def _good() -> dict[str, Any]:
    return {
        "from": "0.9",
        "questions": {
            "alpha.first": {
                "to": "alpha.one",
                "exact": False,
                "choices": {"x0": "a0", "x1": "a2", "x2": "a4"},
            },
            "alpha.second": {"to": "alpha.one", "exact": True},
            "beta.gone": {"to": None, "note": "The practice moved out of the pack."},
        },
    }


def _pack_with(tmp_path: Path, mapping: dict[str, Any]) -> Path:
    head, questions = tiny_pack_data()
    folder = write_pack(tmp_path / "tiny", head, questions)
    dump(folder / "migrations" / "from-0.9.yaml", mapping)
    return folder


def test_good_mapping_loads(tmp_path: Path) -> None:
    folder = _pack_with(tmp_path, _good())
    pack = load_pack(folder)
    mig = load_migration(pack, "0.9", old=OLD)
    assert mig is not None and mig.from_version == "0.9"
    first = mig.questions["alpha.first"]
    assert first.to == "alpha.one" and not first.exact and first.choices["x1"] == "a2"
    assert mig.questions["beta.gone"].to is None
    assert load_migration(pack, "0.8") is None
    assert migration_path(pack, "0.9") == folder / "migrations" / "from-0.9.yaml"


def _set(mapping: dict[str, Any], qid: str, key: str, value: Any) -> dict[str, Any]:
    mapping["questions"][qid][key] = value
    return mapping


BAD: list[tuple[str, dict[str, Any], bool, str, str]] = [
    # name, mapping, check old ids, field, words
    (
        "unknown target question",
        _set(_good(), "alpha.first", "to", "alpha.on"),
        False,
        "questions.alpha.first.to",
        "no question 'alpha.on' in version 1.0; did you mean 'alpha.one'?",
    ),
    (
        "unknown target choice",
        _set(_good(), "alpha.first", "choices", {"x0": "a0", "x1": "b2", "x2": "a4"}),
        False,
        "questions.alpha.first.choices.x1",
        "alpha.one has no choice 'b2'",
    ),
    (
        "unknown old question",
        {**_good(), "questions": {**_good()["questions"], "alpha.third": {"to": "alpha.two"}}},
        True,
        "questions.alpha.third",
        "no question 'alpha.third' in version 0.9",
    ),
    (
        "unknown old choice",
        _set(_good(), "alpha.first", "choices", {"x0": "a0", "x1": "a2", "x9": "a4"}),
        True,
        "questions.alpha.first.choices",
        "alpha.first has no choice 'x9'",
    ),
    (
        "old choice without counterpart",
        _set(_good(), "alpha.first", "choices", {"x0": "a0", "x1": "a2"}),
        True,
        "questions.alpha.first.choices",
        "choice 'x2' of alpha.first is not in alpha.one: map it in 'choices'",
    ),
    (
        "two exact sources",
        _set(_good(), "alpha.first", "exact", True),
        False,
        "questions.alpha.second.exact",
        "two exact sources",
    ),
    (
        "dropped without a reason",
        _set(_good(), "beta.gone", "note", ""),
        False,
        "questions.beta.gone",
        "needs a 'note' saying why",
    ),
    (
        "dropped but exact",
        _set(_good(), "beta.gone", "exact", True),
        False,
        "questions.beta.gone",
        "takes no 'exact' or 'choices'",
    ),
    ("wrong version", {**_good(), "from": "0.8"}, False, "from", "its name says '0.9'"),
    (
        "unknown key",
        _set(_good(), "alpha.second", "exactly", True),
        False,
        "questions.alpha.second.exactly",
        "unknown key",
    ),
]


@pytest.mark.parametrize(
    ("name", "mapping", "with_old", "field", "words"), BAD, ids=[b[0] for b in BAD]
)
def test_bad_mapping_names_file_field_and_line(
    tmp_path: Path, name: str, mapping: dict[str, Any], with_old: bool, field: str, words: str
) -> None:
    head, questions = tiny_pack_data()
    pack = load_pack(write_pack(tmp_path / "tiny", head, questions))
    dump(migration_path(pack, "0.9"), mapping)
    with pytest.raises(PackError) as info:
        load_migration(pack, "0.9", old=OLD if with_old else None)
    err = info.value
    assert err.file is not None and Path(err.file).name == "from-0.9.yaml"
    assert err.field == field
    assert words in str(err)
    assert err.line is not None
    line = Path(err.file).read_text().splitlines()[err.line - 1]
    # the line holds the field's key, or is inside the entry it names
    assert field.rsplit(".", 1)[-1] in line or line.startswith("    ")


def test_pack_with_a_bad_mapping_fails_the_cli(tmp_path: Path) -> None:
    folder = _pack_with(tmp_path, _set(_good(), "alpha.first", "to", "alpha.on"))
    with pytest.raises(PackError, match=r"from-0\.9\.yaml"):
        load_pack(folder)
    proc = run_assess("validate", "--pack", folder)
    assert_clean_failure(proc, "from-0.9.yaml:", "questions.alpha.first.to", "no question")


# --------------------------------------------------------------------------- mlops 1.1.0 -> 2.0.0

FIXTURES = Path(__file__).parent / "fixtures"


def _v110_ids() -> dict[str, tuple[str, ...]]:
    """Question id -> choice ids of pack mlops 1.1.0 (a snapshot of its questions/ folder)."""
    data = yaml.safe_load((FIXTURES / "mlops-1.1.0-choices.yaml").read_text())
    return {qid: tuple(ids) for qid, ids in data.items()}


def test_every_110_question_and_choice_is_mapped() -> None:
    pack = load_pack("mlops")
    old = _v110_ids()
    assert len(old) == 53
    mig = load_migration(pack, "1.1.0", old=old)
    assert mig is not None and set(mig.questions) == set(old)
    for qid, entry in mig.questions.items():
        if entry.to is None:
            assert entry.note.strip(), qid  # dropped, and says why
            continue
        target = pack.question(entry.to)
        assert target is not None
        for choice in old[qid]:
            new = target.choice(entry.new_choice(choice))
            assert new is not None, (qid, choice)
        if entry.exact:
            # an exact mapping keeps every choice at its level
            levels = dict(zip(old[qid], range(5), strict=True))
            for choice in old[qid]:
                new = target.choice(entry.new_choice(choice))
                assert new is not None and new.level == levels[choice], (qid, choice)
        else:
            assert entry.note.strip(), f"{qid}: an approximate mapping says what changed"
    # merged questions: several old questions feed one new one, never two of them exactly
    targets = [e.to for e in mig.questions.values() if e.to is not None]
    merged = {t for t in targets if targets.count(t) > 1}
    assert {"compliance.lineage", "versioning.model_registry", "training.release"} <= merged
    for t in merged:
        assert sum(1 for e in mig.questions.values() if e.to == t and e.exact) <= 1, t


def test_sample_110_engagement_carries_every_answer() -> None:
    """The Lakeside sample as it was answered with 1.1.0: every answer's question is mapped
    (or explicitly dropped), its choice lands on a choice of the new question, and the
    approximate ones are the ones the interview will ask to re-confirm."""
    pack = load_pack("mlops")
    mig = load_migration(pack, "1.1.0", old=_v110_ids())
    assert mig is not None
    old_eng = yaml.safe_load((FIXTURES / "engagement-1.1.0.yaml").read_text())
    assert old_eng["pack"]["version"] == "1.1.0"
    answers = old_eng["answers"]
    assert len(answers) == 53
    carried: dict[str, list[tuple[str, bool]]] = {}
    for qid, given in answers.items():
        assert qid in mig.questions, f"{qid} is neither mapped nor dropped"
        entry = mig.questions[qid]
        for answer in given if isinstance(given, list) else [given]:
            if entry.to is None:
                continue
            target = pack.question(entry.to)
            assert target is not None
            if "choice" in answer:
                new = target.choice(entry.new_choice(answer["choice"]))
                assert new is not None, (qid, answer["choice"])
                carried.setdefault(entry.to, []).append((new.id, entry.exact))
            else:  # not applicable or don't know carry as they are
                assert answer["status"] in {"not_applicable", "dont_know"}
                carried.setdefault(entry.to, []).append((answer["status"], entry.exact))
    # every 2.0.0 question that existed in some form in 1.1.0 receives an answer
    assert len(carried) == len({e.to for e in mig.questions.values() if e.to})
    flagged = {qid for qid, e in mig.questions.items() if e.to and not e.exact}
    assert "versioning.binary_storage" in flagged and "cicd.merge_request_ci" not in flagged
    # merged answers that disagree are all kept for the interview to settle
    assert sorted(carried["versioning.model_registry"]) == [
        ("registry_by_hand", False),
        ("registry_by_hand", False),
    ]
