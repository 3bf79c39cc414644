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
