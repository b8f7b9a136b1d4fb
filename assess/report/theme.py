"""The report's branding: consultancy name, logo and colours, from the engagement's
``branding:`` section or a theme file (``--theme``), checked before anything renders.

The logo is read here, checked to be an image (PNG, JPEG, GIF or SVG, by its bytes, not its
name) and handed to the template as a ``data:`` URL (markup, so the template prints it as it
is), so the renderer's fetcher never needs to read a file outside the package's templates.
``engagement_theme`` is the branding of an engagement file: ``assess report`` renders with it
and ``assess validate`` checks it.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from assess.engagement import LoadedEngagement
from assess.errors import InputError
from assess.fsio import record_input
from assess.model.engagement import Branding
from assess.validation import validate
from assess.yamlio import load_yaml

MAX_LOGO_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Theme:
    consultancy: str
    logo: Markup | None  # data: URL
    primary: str
    accent: str
    confidentiality: str


def _image_type(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<svg", b"<?xml", b"<!--", b"<!doctype svg")) and b"<svg" in head:
        return "image/svg+xml"
    return None


def load_theme(path: Path) -> Branding:
    data, loc = load_yaml(path, "theme file")
    if data is None:
        raise InputError("the theme file is empty", file=path)
    return validate(Branding, data, file=path, locator=loc, error=InputError)


def resolve(
    branding: Branding | None, source: Path | None, organisation: str, *, prefix: str = ""
) -> Theme:
    """``source`` is the file the branding came from: its logo path is relative to it, and
    errors name it and the field (``prefix`` + ``logo``)."""
    b = branding or Branding()
    logo = None
    if b.logo:
        field = f"{prefix}logo"
        where = (source.parent if source else Path.cwd()) / b.logo
        if where.is_dir():
            raise InputError(f"{b.logo} is a folder, not a logo file", file=source, field=field)
        if not where.is_file():
            raise InputError(f"no such logo file: {b.logo}", file=source, field=field)
        size = where.stat().st_size
        if size > MAX_LOGO_BYTES:
            raise InputError(
                f"the logo is {size // 1024} KiB; the limit is {MAX_LOGO_BYTES // 1024} KiB",
                file=source,
                field=field,
            )
        record_input(where)  # no output of this command may replace it
        try:
            data = where.read_bytes()
        except OSError as exc:
            raise InputError(
                f"cannot read the logo {b.logo}: {exc.strerror}", file=source, field=field
            ) from None
        kind = _image_type(data)
        if kind is None:
            raise InputError(
                f"{b.logo} is not an image (PNG, JPEG, GIF or SVG)", file=source, field=field
            )
        logo = Markup(f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}")
    return Theme(
        consultancy=b.consultancy or organisation,
        logo=logo,
        primary=b.primary_colour,
        accent=b.accent_colour,
        confidentiality=b.confidentiality,
    )


def engagement_theme(loaded: LoadedEngagement) -> Theme:
    """The branding of an engagement file (its ``branding:`` section), checked."""
    eng = loaded.engagement
    return resolve(eng.branding, loaded.path, eng.assessment.organisation, prefix="branding.")
