"""Where the packaged data lives, and which pack folder a pack reference names.

In a checkout, ``questionnaires/`` and ``templates/`` sit at the repository's top level; in an
installed wheel they are copied to ``assess/_data/`` (see ``pyproject.toml``). Both work.
"""

from __future__ import annotations

from pathlib import Path

from assess.errors import PackError

DEFAULT_PACK = "mlops"
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


def resolve_pack_dir(ref: str | Path | None = None) -> Path:
    """A pack reference is a folder path, or the id of a pack bundled with assess."""
    if ref is None:
        ref = DEFAULT_PACK
    path = Path(ref)
    if path.is_dir() and (path / "pack.yaml").exists():
        return path
    bundled = packs_dir() / str(ref)
    if (bundled / "pack.yaml").exists():
        return bundled
    if path.is_dir():
        raise PackError("not a questionnaire pack (no pack.yaml)", file=path)
    known = ", ".join(available_packs()) or "none"
    raise PackError(f"no such pack folder or bundled pack id (bundled: {known})", file=str(ref))


def available_packs() -> list[str]:
    root = packs_dir()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / "pack.yaml").exists())
