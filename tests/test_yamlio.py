"""The YAML readers refuse documents that would exhaust time or memory once built."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assess.errors import InputError
from assess.yamlio import load_all_untrusted, load_yaml

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_alias_bomb_in_a_data_file_is_one_line_input_error(tmp_path: Path) -> None:
    path = tmp_path / "engagement.yaml"
    path.write_text(BOMB)
    with pytest.raises(InputError) as err:
        load_yaml(path)
    assert "expands to more than" in str(err.value)
    assert str(err.value).startswith(str(path))
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (BOMB, "expands to more than"),
        ("a: &a [*a]\n", "refers to the value that contains it"),
        ("a: " + "{b: " * 150 + "1" + "}" * 150 + "\n", "nested more than"),
    ],
)
def test_untrusted_yaml_refused_before_it_is_built(text: str, problem: str) -> None:
    with pytest.raises(yaml.YAMLError, match=problem):
        load_all_untrusted(text)


def test_untrusted_yaml_reads_every_document() -> None:
    assert load_all_untrusted("x: 1\n---\ny: [1, 2]\n") == [{"x": 1}, {"y": [1, 2]}]


def test_shared_anchors_within_the_limit_are_fine() -> None:
    text = "base: &base {image: python, script: [pytest]}\n" + "".join(
        f"job{n}: *base\n" for n in range(200)
    )
    assert len(load_all_untrusted(text)[0]) == 201
