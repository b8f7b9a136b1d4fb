"""Charts as inline SVG strings, drawn in Python so the PDF needs no image files.

Every text that reaches the SVG is XML-escaped here; the templates mark the result safe.
Current and target are told apart by line style as well as colour, so greyscale prints read.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from xml.sax.saxutils import escape

from assess.model.base import LEVEL_MAX

# the report's bundled font (templates/fonts), so chart labels match the text around them
FONT = 'font-family="Report Sans, Droid Sans Fallback, sans-serif"'
SVG = f'<svg xmlns="http://www.w3.org/2000/svg" {FONT}'


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
    """A radar chart of current (solid, filled) vs target (dashed) levels per axis.

    An area without a level (``None``: nothing answered with a level) is not drawn at 0: its
    spoke is dashed and labelled "not assessed", and the current shape leaves a gap there (the
    outline stops at its neighbours and the fill leaves out the wedges on either side), so a
    missing answer never reads as an absent practice."""
    n = len(labels)
    cx = cy = size / 2
    radius = size * 0.32
    pad = size * 0.18

    def point(i: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        r = radius * max(0.0, min(value, max_level)) / max_level
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    def points(pts: Sequence[tuple[float, float]]) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)

    def polygon(values: Sequence[float]) -> str:
        return points([point(i, v) for i, v in enumerate(values)])

    unassessed = [t for t, v in zip(labels, current, strict=True) if v is None]
    aria = "Radar chart of current and target maturity per area" + (
        f"; not assessed: {', '.join(unassessed)}" if unassessed else ""
    )
    parts = [
        f'{SVG} class="chart radar" width="{size + 2 * pad:.0f}" '
        f'height="{size:.0f}" viewBox="{-pad:.0f} 0 {size + 2 * pad:.0f} {size:.0f}" '
        f'role="img" aria-label="{_attr(aria)}">'
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
        missing = current[i] is None
        x, y = point(i, max_level)
        dash = ' stroke-dasharray="3,3"' if missing else ""
        parts.append(
            f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#c8c8c8" '
            f'stroke-width="0.8"{dash}/>'
        )
        lx, ly = point(i, max_level * 1.12)
        anchor = "middle" if abs(lx - cx) < 5 else ("start" if lx > cx else "end")
        lines = _wrap(label, 18)
        if missing:
            lines.append("not assessed")
        top = ly + 3 - (len(lines) - 1) * 6 if ly > cy * 0.6 else ly + 3 - (len(lines) - 1) * 11
        style = ' font-style="italic" fill="#777" class="not-assessed"'
        spans = "".join(
            f'<tspan x="{lx:.1f}" y="{top + k * 11:.1f}"'
            f"{style if missing and k == len(lines) - 1 else ''}>{escape(t)}</tspan>"
            for k, t in enumerate(lines)
        )
        parts.append(f'<text font-size="10" text-anchor="{anchor}" fill="#222">{spans}</text>')
    parts.append(
        f'<polygon points="{polygon(target)}" fill="none" stroke="#555" stroke-width="1.6" '
        'stroke-dasharray="5,3" class="target"/>'
    )
    scored = [i for i, v in enumerate(current) if v is not None]
    if len(scored) == n:
        parts.append(
            f'<polygon points="{polygon([v or 0.0 for v in current])}" fill="#1f5fa8" '
            'fill-opacity="0.25" stroke="#1f5fa8" stroke-width="2" class="current"/>'
        )
    elif scored:
        # the shape between neighbouring areas that both have a level: a wedge of fill from the
        # centre and a stretch of outline; beside an area without one, neither
        for i in scored:
            j = (i + 1) % n
            v, w = current[i], current[j]
            if v is None or w is None or j == i:
                continue
            a, b = point(i, v), point(j, w)
            parts.append(
                f'<polygon points="{points([(cx, cy), a, b])}" fill="#1f5fa8" '
                'fill-opacity="0.25" stroke="none" class="current-fill"/>'
                f'<polyline points="{points([a, b])}" fill="none" stroke="#1f5fa8" '
                'stroke-width="2" class="current"/>'
            )
    for i in scored:
        v = current[i]
        assert v is not None
        x, y = point(i, v)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="#1f5fa8" class="level"/>')
    if not scored:
        parts.append(
            f'<text x="{cx:.1f}" y="{cy + 4:.1f}" font-size="11" text-anchor="middle" '
            'font-style="italic" fill="#555" class="not-assessed">not assessed</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def level_bar(level: float | None, target: float, *, width: int = 160, max_level: int = 4) -> str:
    """A small horizontal bar: filled to the current level, a tick at the target; without a
    level, an empty dashed outline (not assessed is not level 0)."""
    h = 12
    scale = width / max_level
    tx = target * scale
    if level is None:
        label = f"not assessed, target {target:g}"
        bar = (
            f'<rect x="0.5" y="2.5" width="{width - 1}" height="{h - 5}" fill="#fff" '
            'stroke="#999" stroke-dasharray="3,2" class="not-assessed"/>'
        )
    else:
        label = f"{level:.1f} of {max_level}, target {target:g}"
        bar = (
            f'<rect x="0" y="2" width="{width}" height="{h - 4}" fill="#e6e6e6"/>'
            f'<rect x="0" y="2" width="{level * scale:.1f}" height="{h - 4}" fill="#1f5fa8"/>'
        )
    return (
        f'{SVG} class="chart bar" width="{width}" height="{h}" '
        f'viewBox="0 0 {width} {h}" role="img" aria-label="{_attr(label)}">{bar}'
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
        f'{SVG} class="chart lineage" width="{width}" '
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


HEAT = ("#f2f2f2", "#d9d9d9", "#a6a6a6", "#6e6e6e", "#3a3a3a")  # level 0-4, light to dark
HEAT_TEXT = ("#222", "#222", "#111", "#fff", "#fff")


def heatmap(
    rows: Sequence[tuple[str, Sequence[tuple[str, float | None, str]]]], *, width: int = 640
) -> str:
    """Questions by level: one row per area, one cell per question (label, level, status).
    Shade and the printed level carry the information, so greyscale prints read; a
    contradicted answer is outlined, "?" is don't know or unanswered, "n/a" not applicable."""
    label_w = 170
    cols = max((len(cells) for _, cells in rows), default=1)
    cell = min(44.0, (width - label_w) / max(cols, 1))
    row_h = 24
    h = row_h * len(rows) + 30
    parts = [
        f'{SVG} class="chart heatmap" width="{width}" '
        f'height="{h}" viewBox="0 0 {width} {h}" role="img" '
        'aria-label="Heatmap of every question by level">'
    ]
    for r, (title, cells) in enumerate(rows):
        y = r * row_h
        parts.append(f'<text x="0" y="{y + 15}" font-size="9.5" fill="#222">{escape(title)}</text>')
        for c, (label, level, status) in enumerate(cells):
            x = label_w + c * cell
            if level is None:
                text = "n/a" if status == "not_applicable" else "?"
                parts.append(
                    f'<rect x="{x:.1f}" y="{y + 2}" width="{cell - 3:.1f}" height="{row_h - 5}" '
                    'fill="#fff" stroke="#bbb" stroke-dasharray="2,2"/>'
                )
                fill_text = "#777"
            else:
                k = max(0, min(LEVEL_MAX, int(level)))
                outline = ' stroke="#8a3b00" stroke-width="2"' if status == "contradicted" else ""
                parts.append(
                    f'<rect x="{x:.1f}" y="{y + 2}" width="{cell - 3:.1f}" height="{row_h - 5}" '
                    f'fill="{HEAT[k]}"{outline}><title>{escape(label)}</title></rect>'
                )
                text, fill_text = f"{level:g}", HEAT_TEXT[k]
            parts.append(
                f'<text x="{x + (cell - 3) / 2:.1f}" y="{y + 15}" font-size="9" '
                f'text-anchor="middle" fill="{fill_text}">{escape(text)}</text>'
            )
    y = len(rows) * row_h + 8
    for k in range(LEVEL_MAX + 1):
        x = label_w + k * 52
        parts.append(
            f'<rect x="{x}" y="{y}" width="14" height="12" fill="{HEAT[k]}" stroke="#999" '
            'stroke-width="0.5"/>'
            f'<text x="{x + 18}" y="{y + 10}" font-size="8.5" fill="#444">{k}</text>'
        )
    x = label_w + 5 * 52
    parts.append(
        f'<rect x="{x}" y="{y}" width="14" height="12" fill="#fff" stroke="#8a3b00" '
        f'stroke-width="2"/><text x="{x + 18}" y="{y + 10}" font-size="8.5" fill="#444">'
        "contradicted by evidence</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


def timeline(
    phases: Sequence[tuple[str, int, int]],
    items: Sequence[tuple[str, int, float]],
    *,
    width: int = 640,
    months: int = 12,
) -> str:
    """Roadmap as a Gantt-like chart: phase bands (title, start, end month) across the top and
    one bar per item (label, start month, duration in months); bars running past the horizon
    end in an arrow."""
    label_w = 175
    scale = (width - label_w - 10) / months
    bar_h, gap = 9, 3
    top = 26
    h = top + len(items) * (bar_h + gap) + 18
    parts = [
        f'{SVG} class="chart timeline" width="{width}" '
        f'height="{h}" viewBox="0 0 {width} {h}" role="img" aria-label="Roadmap timeline">'
    ]
    for k, (title, start, end) in enumerate(phases):
        x0, x1 = label_w + start * scale, label_w + min(end, months) * scale
        shade = ("#eef2f7", "#f7f7f7")[k % 2]
        parts.append(
            f'<rect x="{x0:.1f}" y="0" width="{x1 - x0:.1f}" height="{h - 14}" fill="{shade}"/>'
            f'<text x="{(x0 + x1) / 2:.1f}" y="12" font-size="9" text-anchor="middle" '
            f'fill="#333" font-weight="bold">{escape(title)}</text>'
            f'<line x1="{x0:.1f}" y1="0" x2="{x0:.1f}" y2="{h - 14}" stroke="#bbb" '
            'stroke-width="0.6"/>'
        )
    for m in range(0, months + 1, 3):
        x = label_w + m * scale
        parts.append(
            f'<text x="{x:.1f}" y="{h - 3}" font-size="8" text-anchor="middle" '
            f'fill="#666">{m}</text>'
        )
    parts.append(
        f'<text x="{label_w - 6}" y="{h - 3}" font-size="8" text-anchor="end" fill="#666">'
        "month</text>"
    )
    for i, (label, start, duration) in enumerate(items):
        y = top + i * (bar_h + gap)
        x0 = label_w + start * scale
        stop = min(start + duration, months)
        w = max(2.0, (stop - start) * scale)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 8}" font-size="7.5" text-anchor="end" '
            f'fill="#222">{escape(label)}</text>'
            f'<rect x="{x0:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="#5b7fa8" '
            'stroke="#1d3f66" stroke-width="0.6"/>'
        )
        if start + duration > months:
            xe = x0 + w
            parts.append(
                f'<polygon points="{xe:.1f},{y} {xe + 6:.1f},{y + bar_h / 2} {xe:.1f},{y + bar_h}" '
                'fill="#1d3f66"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


DASHES = ("", "6,3", "2,2", "8,3,2,3", "4,4", "1,3", "10,4")


def trend(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    overall: Sequence[float | None],
    *,
    width: int = 640,
    height: int = 240,
) -> str:
    """Levels over the milestones: the overall level as a thick line, each area as a thin line
    with its own dash pattern (so greyscale prints tell them apart), a legend on the right."""
    left, right, top, bottom = 28, 210, 12, 28
    pw, ph = width - left - right, height - top - bottom
    n = len(labels)

    def x(i: int) -> float:
        return left + (pw * i / (n - 1) if n > 1 else pw / 2)

    def y(v: float) -> float:
        return top + ph * (1 - v / LEVEL_MAX)

    parts = [
        f'{SVG} class="chart trend" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Maturity levels per milestone">'
    ]
    for lv in range(LEVEL_MAX + 1):
        parts.append(
            f'<line x1="{left}" y1="{y(lv):.1f}" x2="{left + pw}" y2="{y(lv):.1f}" '
            'stroke="#ddd" stroke-width="0.6"/>'
            f'<text x="{left - 6}" y="{y(lv) + 3:.1f}" font-size="8" text-anchor="end" '
            f'fill="#666">{lv}</text>'
        )
    for i, lab in enumerate(labels):
        parts.append(
            f'<text x="{x(i):.1f}" y="{height - 10}" font-size="8" text-anchor="middle" '
            f'fill="#444">{escape(lab)}</text>'
        )

    def line(values: Sequence[float | None], style: str) -> None:
        pts = [(x(i), y(v)) for i, v in enumerate(values) if v is not None]
        if len(pts) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in pts)
            parts.append(f'<polyline points="{path}" fill="none" {style}/>')
        for px, py in pts:
            parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2" fill="#333"/>')

    for k, (_, values) in enumerate(series):
        dash = DASHES[k % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        line(values, f'stroke="#7a7a7a" stroke-width="1.1"{dash_attr}')
    line(overall, 'stroke="#111" stroke-width="2.6"')
    lx = left + pw + 16
    items = [("Overall", "#111", "2.6", ""), *(
        (name, "#7a7a7a", "1.1", DASHES[k % len(DASHES)]) for k, (name, _) in enumerate(series)
    )]  # fmt: skip
    for k, (name, colour, w, dash) in enumerate(items):
        ly = top + 8 + k * 14
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{lx}" y1="{ly}" x2="{lx + 22}" y2="{ly}" stroke="{colour}" '
            f'stroke-width="{w}"{dash_attr}/>'
            f'<text x="{lx + 28}" y="{ly + 3}" font-size="8.5" fill="#222">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
