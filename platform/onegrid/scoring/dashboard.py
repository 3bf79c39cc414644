"""The administrators' dashboard: closure and on-time rates per unit, per
month and area, computed by the same indicator formulas as every scheme
and frozen by the same monthly run (so a closed month costs one read,
whatever the number of cases).

The rollup is a scheme of the platform's own, not a district's: every org
unit, department and enterprise is a subject, and its two metrics are
`closure_rate` and `on_time_closure_rate` attributed to the `holder` (each
unit that held a step of the case; a step that went overdue counts
against the unit that held it at its deadline, whoever closed the case).
"""

from __future__ import annotations

SCHEME_ID = "onegrid.dashboard"

SCHEME = {
    "id": SCHEME_ID,
    "name": {"zh": "各单位结案率与按期结案率", "en": "Closure and on-time rates by unit"},
    "subject": None,  # every unit, department and enterprise
    "period": "monthly",
    "indicators": {
        f"{SCHEME_ID}.closure": {
            "id": f"{SCHEME_ID}.closure",
            "name": {"zh": "结案率", "en": "Closure rate"},
            "formula": "closure_rate",
            "attribution": "holder",
        },
        f"{SCHEME_ID}.on_time": {
            "id": f"{SCHEME_ID}.on_time",
            "name": {"zh": "按期结案率", "en": "On-time closure rate"},
            "formula": "on_time_closure_rate",
            "attribution": "holder",
        },
    },
    "metrics": [
        {"id": "closure", "indicator": f"{SCHEME_ID}.closure", "weight": 1},
        {"id": "on_time", "indicator": f"{SCHEME_ID}.on_time", "weight": 1},
    ],
    "tiers": [{"id": "all", "name": {"zh": "全部", "en": "All"}, "min": 0}],
}


def within(book, unit: str, area: str | None) -> bool:
    """The unit lies in the area (a department or enterprise: where it sits)."""
    return area is None or area in book.ancestors(unit)


def rows(book, view, area: str | None = None) -> list[dict]:
    """One row per unit with anything due to close in the period, in `area`."""
    out = []
    for row in view.rows:
        closure = row["values"].get("closure") or {}
        on_time = row["values"].get("on_time") or {}
        if not closure.get("items") or not within(book, row["subject"], area):
            continue
        out.append(
            {
                "unit": row["subject"],
                "name": row["name"],
                "due": closure["items"],
                "closed": round(closure["hits"]),
                "on_time": round(on_time.get("hits", 0)),
                "closure_rate": closure.get("value"),
                "ontime_rate": on_time.get("value"),
            }
        )
    out.sort(key=lambda r: (-r["due"], r["unit"]))
    return out
