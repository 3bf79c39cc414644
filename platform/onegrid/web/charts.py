"""Bar charts as plain inline SVG: no JavaScript, no CDN."""

from __future__ import annotations

from markupsafe import Markup, escape

from onegrid.web.i18n import text_of


def bars(rows: list[dict], key: str, title: str, css: str = "") -> Markup:
    """A horizontal bar per row for a rate in [0, 1]; every text escaped."""
    height = 24 * len(rows) + 30
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 400 {height}" width="100%" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for i, row in enumerate(rows):
        y = 20 + 24 * i
        rate = row.get(key)
        width = 0 if rate is None else round(200 * rate)
        label = "–" if rate is None else f"{rate:.0%}"
        parts.append(
            f'<text x="0" y="{y + 13}">{escape(text_of(row["name"])[:10])}</text>'
            f'<rect class="bar {escape(css)}" x="140" y="{y}" width="{width}" height="16"></rect>'
            f'<text x="{145 + width}" y="{y + 13}">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def line(points: list[tuple[str, float | None]], title: str, top: float = 100) -> Markup:
    """A trend over periods as a polyline with a dot per value (0 to `top`);
    a period without a value breaks the line. Every text escaped."""
    width, height, left, bottom = 400, 160, 50, 130
    step = (width - left - 30) / max(len(points) - 1, 1)
    parts = [
        f'<svg class="chart trend" role="img" viewBox="0 0 {width} {height + 10}" width="100%" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
        f'<line class="axis" x1="{left}" y1="{bottom}" x2="{width - 5}" y2="{bottom}"></line>',
        f'<text x="0" y="{bottom + 4}">0</text><text x="0" y="14">{top:g}</text>',
    ]
    runs: list[list[str]] = [[]]
    for i, (label, value) in enumerate(points):
        x = round(left + i * step, 1)
        parts.append(
            f'<text class="tick" text-anchor="middle" x="{x}" y="{height + 5}">{escape(label)}</text>'
        )
        if value is None:
            runs.append([])
            continue
        y = round(bottom - (bottom - 10) * value / top, 1)
        runs[-1].append(f"{x},{y}")
        parts.append(
            f'<circle class="dot" cx="{x}" cy="{y}" r="3.5"><title>{escape(label)}: '
            f"{value:g}</title></circle>"
            f'<text class="value" text-anchor="middle" x="{x}" y="{y - 8}">{value:g}</text>'
        )
    for run in runs:
        if len(run) > 1:
            parts.append(f'<polyline class="trendline" points="{" ".join(run)}"></polyline>')
    parts.append("</svg>")
    return Markup("".join(parts))
