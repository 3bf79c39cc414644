"""A period's standings as one table (header, rows) in a language: what
`onegrid scores` prints and the pages export as CSV and Excel."""

from __future__ import annotations

from onegrid.messages import localized

HEAD = {
    "rank": {"zh": "名次", "en": "Rank"},
    "subject": {"zh": "对象", "en": "Subject"},
    "id": {"zh": "编号", "en": "Id"},
    "score": {"zh": "得分", "en": "Score"},
    "tier": {"zh": "档次", "en": "Tier"},
    "items": {"zh": "件数", "en": "items"},
}


def metric_name(metric, indicators: dict, lang: str) -> str:
    return localized(metric.get("name") or indicators[metric["indicator"]]["name"], lang)


def percent(value) -> str:
    return "–" if value is None else f"{value:.0%}"


def table(view, indicators: dict, lang: str = "zh", numbers: bool = False):
    """(header, rows); with `numbers`, values stay numbers (for Excel)."""
    metrics = view.scheme["metrics"]
    tiers = {t["id"]: localized(t["name"], lang) for t in view.scheme["tiers"]}
    header = [HEAD[k][lang] for k in ("rank", "subject", "id", "score", "tier")]
    for m in metrics:
        name = metric_name(m, indicators, lang)
        header += [name, f"{name} ({HEAD['items'][lang]})"]
    rows = []
    for row in view.rows:
        cells: list = [
            row["rank"] if numbers else str(row["rank"] or "–"),
            localized(row["name"], lang),
            row["subject"],
            row["score"] if numbers else ("–" if row["score"] is None else f"{row['score']:.2f}"),
            tiers.get(row["tier"], "" if numbers else "–"),
        ]
        for m in metrics:
            v = row["values"].get(m["id"]) or {}
            cells += [v.get("value") if numbers else percent(v.get("value")), v.get("items", 0)]
        rows.append(cells)
    return header, rows
