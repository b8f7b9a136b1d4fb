"""Where the packaged data lives.

In a checkout, ``questionnaires/`` and ``templates/`` sit at the repository's top level; in an
installed wheel they are copied to ``assess/_data/`` (see ``pyproject.toml``). Both work.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the folder ``name`` (``questionnaires`` or ``templates``) for this install."""
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def packs_dir() -> Path:
    return data_dir("questionnaires")


def templates_dir() -> Path:
    return data_dir("templates")
