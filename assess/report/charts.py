"""Charts as inline SVG strings, drawn in Python so the PDF needs no image files.

Every text that reaches the SVG is XML-escaped here; the templates mark the result safe.
Current and target are told apart by line style as well as colour, so greyscale prints read.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from xml.sax.saxutils import escape

from assess.model import LEVEL_MAX


def _attr(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def _wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap for chart labels."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def radar(
    labels: Sequence[str],
    current: Sequence[float | None],
    target: Sequence[float],
    *,
    size: int = 360,
    max_level: int = LEVEL_MAX,
) -> str:
    """A radar chart of current (solid, filled) vs target (dashed) levels per axis."""
    n = len(labels)
    cx = cy = size / 2
    radius = size * 0.32
    pad = size * 0.18

    def point(i: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        r = radius * max(0.0, min(value, max_level)) / max_level
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    def polygon(values: Sequence[float]) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v) for i, v in enumerate(values)))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart radar" width="{size + 2 * pad:.0f}" '
        f'height="{size:.0f}" viewBox="{-pad:.0f} 0 {size + 2 * pad:.0f} {size:.0f}" '
        'role="img" aria-label="Radar chart of current and target maturity per area">'
    ]
    for level in range(1, max_level + 1):
        parts.append(
            f'<polygon points="{polygon([level] * n)}" fill="none" stroke="#c8c8c8" '
            'stroke-width="0.8"/>'
        )
        x, y = point(0, level)
        parts.append(
            f'<text x="{x + 4:.1f}" y="{y + 3:.1f}" font-size="8" fill="#777">{level}</text>'
        )
    for i, label in enumerate(labels):
        x, y = point(i, max_level)
        parts.append(
            f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#c8c8c8" '
            'stroke-width="0.8"/>'
        )
        lx, ly = point(i, max_level * 1.12)
        anchor = "middle" if abs(lx - cx) < 5 else ("start" if lx > cx else "end")
        lines = _wrap(label, 18)
        top = ly + 3 - (len(lines) - 1) * 6 if ly > cy * 0.6 else ly + 3 - (len(lines) - 1) * 11
        spans = "".join(
            f'<tspan x="{lx:.1f}" y="{top + k * 11:.1f}">{escape(t)}</tspan>'
            for k, t in enumerate(lines)
        )
        parts.append(f'<text font-size="10" text-anchor="{anchor}" fill="#222">{spans}</text>')
    parts.append(
        f'<polygon points="{polygon(target)}" fill="none" stroke="#555" stroke-width="1.6" '
        'stroke-dasharray="5,3" class="target"/>'
    )
    scored = [v if v is not None else 0.0 for v in current]
    parts.append(
        f'<polygon points="{polygon(scored)}" fill="#1f5fa8" fill-opacity="0.25" '
        'stroke="#1f5fa8" stroke-width="2" class="current"/>'
    )
    for i, v in enumerate(current):
        if v is not None:
            x, y = point(i, v)
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="#1f5fa8"/>')
    parts.append("</svg>")
    return "".join(parts)


def level_bar(level: float | None, target: float, *, width: int = 160, max_level: int = 4) -> str:
    """A small horizontal bar: filled to the current level, a tick at the target."""
    h = 12
    scale = width / max_level
    fill = (level or 0.0) * scale
    tx = target * scale
    label = "not assessed" if level is None else f"{level:.1f} of {max_level}, target {target:g}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart bar" width="{width}" height="{h}" '
        f'viewBox="0 0 {width} {h}" role="img" aria-label="{_attr(label)}">'
        f'<rect x="0" y="2" width="{width}" height="{h - 4}" fill="#e6e6e6"/>'
        f'<rect x="0" y="2" width="{fill:.1f}" height="{h - 4}" fill="#1f5fa8"/>'
        f'<line x1="{tx:.1f}" y1="0" x2="{tx:.1f}" y2="{h}" stroke="#222" stroke-width="2"/>'
        "</svg>"
    )


LINK_STYLE = {  # status -> (stroke, dash, fill, mark): told apart without colour too
    "found": ("#1f5e3a", "", "#e8f3ec", "\u2713 found"),
    "missing": ("#888888", "4,3", "#ffffff", "missing"),
    "broken": ("#8a3b00", "", "#fbeee6", "\u2717 broken"),
}


def lineage_chain(links: Sequence[tuple[str, str]], *, width: int = 640) -> str:
    """A model's lineage as boxes left to right (title, status), joined by arrows; a missing
    link is a dashed box, a broken one is marked with a cross and a double border."""
    n = len(links)
    gap = 22
    box_w = (width - gap * (n - 1)) / n
    h = 58
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart lineage" width="{width}" '
        f'height="{h}" viewBox="0 0 {width} {h}" role="img" aria-label="'
        + _attr(", ".join(f"{t}: {s}" for t, s in links))
        + '">'
    ]
    for i, (title, status) in enumerate(links):
        stroke, dash, fill, mark = LINK_STYLE[status]
        x = i * (box_w + gap)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<rect x="{x + 1:.1f}" y="6" width="{box_w - 2:.1f}" height="{h - 12}" rx="4" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"{dash_attr}/>'
        )
        if status == "broken":
            parts.append(
                f'<rect x="{x + 4:.1f}" y="9" width="{box_w - 8:.1f}" height="{h - 18}" rx="3" '
                f'fill="none" stroke="{stroke}" stroke-width="0.8"/>'
            )
        cx = x + box_w / 2
        lines = _wrap(title, 12)
        for k, line in enumerate(lines):
            parts.append(
                f'<text x="{cx:.1f}" y="{24 + k * 11 - (len(lines) - 1) * 5:.1f}" font-size="10" '
                f'text-anchor="middle" fill="#222" font-weight="bold">{escape(line)}</text>'
            )
        parts.append(
            f'<text x="{cx:.1f}" y="{h - 14}" font-size="9" text-anchor="middle" '
            f'fill="{stroke}">{escape(mark)}</text>'
        )
        if i < n - 1:
            ax = x + box_w
            parts.append(
                f'<line x1="{ax + 2:.1f}" y1="{h / 2}" x2="{ax + gap - 4:.1f}" y2="{h / 2}" '
                'stroke="#555" stroke-width="1.2"/>'
                f'<polygon points="{ax + gap - 2:.1f},{h / 2} {ax + gap - 7:.1f},{h / 2 - 3.5} '
                f'{ax + gap - 7:.1f},{h / 2 + 3.5}" fill="#555"/>'
            )
    parts.append("</svg>")
    return "".join(parts)
