"""A broken pack is refused with one message naming the file, the field and the line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assess.errors import AssessError, PackError
from assess.packs import load_pack
from tests.conftest import tiny_pack_data, write_pack

Head = dict[str, Any]
Questions = dict[str, dict[str, Any]]


def _unknown_key(h: Head, q: Questions) -> None:
    q["alpha"]["questions"][1]["colour"] = "red"


def _choice_without_level(h: Head, q: Questions) -> None:
    del q["alpha"]["questions"][1]["choices"][2]["level"]


def _level_out_of_range(h: Head, q: Questions) -> None:
    q["beta"]["questions"][0]["choices"][4]["level"] = 5


def _levels_not_ordered(h: Head, q: Questions) -> None:
    ch = q["alpha"]["questions"][0]["choices"]
    ch[1]["level"], ch[2]["level"] = 2, 1


def _duplicate_question_id(h: Head, q: Questions) -> None:
    q["beta"]["questions"][1]["id"] = "beta.one"


def _duplicate_choice_id(h: Head, q: Questions) -> None:
    q["alpha"]["questions"][0]["choices"][3]["id"] = "a0"


def _duplicate_area_id(h: Head, q: Questions) -> None:
    h["areas"][1]["id"] = "alpha"


def _question_in_wrong_area(h: Head, q: Questions) -> None:
    q["beta"]["questions"][0]["id"] = "alpha.stray"


def _unknown_area_file(h: Head, q: Questions) -> None:
    q["beta"]["area"] = "gamma"


def _missing_plan(h: Head, q: Questions) -> None:
    del q["alpha"]["questions"][2]["choices"][0]["plan"]


def _ladder_gap(h: Head, q: Questions) -> None:
    del h["ladder"][2]


def _choice_field_without_options(h: Head, q: Questions) -> None:
    h["context"].append({"id": "industry", "prompt": "Industry", "type": "choice"})


def _stage_share_too_low(h: Head, q: Questions) -> None:
    h["scoring"] = {"stage_share": 0.4}  # a stage must describe more than half of an area


CASES: list[tuple[Callable[[Head, Questions], None], str, str, str]] = [
    # mutation, file, field, words in the message
    (_unknown_key, "alpha.yaml", "questions[1].colour", "unknown key"),
    (_choice_without_level, "alpha.yaml", "questions[1].choices[2].level", "required"),
    (_level_out_of_range, "beta.yaml", "questions[0].choices[4].level", "less than or equal to 4"),
    (_levels_not_ordered, "alpha.yaml", "questions[0].choices", "increase strictly"),
    (_duplicate_question_id, "beta.yaml", "questions[1].id", "duplicate question id 'beta.one'"),
    (_duplicate_choice_id, "alpha.yaml", "questions[0].choices", "duplicate choice id 'a0'"),
    (_duplicate_area_id, "pack.yaml", "areas[1].id", "duplicate id 'alpha'"),
    (_question_in_wrong_area, "beta.yaml", "questions[0].id", "must start with its file's area"),
    (_unknown_area_file, "beta.yaml", "area", "unknown area 'gamma'"),
    (_missing_plan, "alpha.yaml", "questions[2].choices[0].plan", "required"),
    (_ladder_gap, "pack.yaml", "ladder", "levels 0 to 4"),
    (_choice_field_without_options, "pack.yaml", "context[3]", "needs options"),
    (_stage_share_too_low, "pack.yaml", "scoring.stage_share", "greater than 0.5"),
]


@pytest.mark.parametrize(
    ("mutate", "file", "field", "words"), CASES, ids=lambda c: getattr(c, "__name__", None)
)
def test_broken_pack_names_file_field_and_line(
    tmp_path: Path, mutate: Callable[[Head, Questions], None], file: str, field: str, words: str
) -> None:
    head, questions = tiny_pack_data()
    mutate(head, questions)
    folder = write_pack(tmp_path / "p", head, questions)
    with pytest.raises(PackError) as info:
        load_pack(folder)
    err = info.value
    assert err.file is not None and Path(err.file).name == file
    assert err.field == field
    assert words in str(err)
    assert err.line is not None and err.line >= 1
    text = (Path(err.file)).read_text().splitlines()
    # the line points at the offending field (or its enclosing item)
    last_key = field.rsplit(".", 1)[-1].split("[")[0]
    assert last_key in text[err.line - 1] or "- " in text[err.line - 1]


def test_malformed_yaml_names_line(tiny_pack: Path) -> None:
    path = tiny_pack / "questions" / "beta.yaml"
    lines = path.read_text().splitlines()
    lines[3] = lines[3] + ": : ["
    path.write_text("\n".join(lines))
    with pytest.raises(AssessError) as info:
        load_pack(tiny_pack)
    assert "beta.yaml:" in str(info.value) and "malformed YAML" in str(info.value)


def test_duplicate_yaml_key_is_an_error(tiny_pack: Path) -> None:
    path = tiny_pack / "pack.yaml"
    path.write_text(path.read_text() + "title: Again\n")
    with pytest.raises(AssessError, match=r"pack\.yaml:\d+: title: duplicate key 'title'"):
        load_pack(tiny_pack)


def test_unknown_pack_reference(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="no such pack"):
        load_pack("no-such-pack")
    (tmp_path / "empty").mkdir()
    with pytest.raises(PackError, match=r"no pack\.yaml"):
        load_pack(tmp_path / "empty")
