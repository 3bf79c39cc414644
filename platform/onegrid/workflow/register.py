"""The register (台账) of admitted tasks, computed from the admission
items: which tasks each unit that takes tasks on (`levels:` of the
admission list, e.g. the communities) has been handed, with what
resources, for which period; and the counts per unit and year, so a
"cut by 60%" is a figure computed from records.

An entry is an item whose state counts as `admitted` (`outcome:` of its
state in the pack's workflow).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from onegrid.store.items import Item
from onegrid.store.models import Case
from onegrid.workflow.rulebook import rulebook

ADMITTED = "admitted"


@dataclass
class Entry:
    item: int
    task: str | None  # the listed task's id, None when unlisted
    title: str  # the listed task's name or the unlisted task's
    department: str
    reach: str
    units: list[str]  # the units at the register's levels it reaches
    resources: dict[str, Any]
    period: tuple[str | None, str | None]
    conditions: str | None
    state: str


@dataclass
class Counts:
    unit: str
    listed: int  # tasks on the published list that reach this unit
    by_year: dict[int, int] = field(default_factory=dict)  # admitted tasks per year
    unadmitted: int = 0  # reports of tasks that arrived without admission


def levels(book) -> list[str]:
    return list((book.resolved.get("admission") or {}).get("levels") or ())


def below(book, reach: str | None, wanted: list[str]) -> list[str]:
    """The units at `wanted` levels within `reach` (itself included)."""
    return [
        u
        for u, unit in book.units.items()
        if unit.get("level") in wanted and reach in book.ancestors(u)
    ]


def _title(book, item: Item, lang: str) -> str:
    task = (item.result.get("decision") or {}).get("task")
    listed = {t["id"]: t for t in (book.resolved.get("admission") or {}).get("tasks") or ()}
    if task in listed:
        return book.name(listed[task], lang, task)
    return item.data.get("name") or item.data.get("task") or ""


def entries(session, pack: str, lang: str = "zh", unit: str | None = None) -> list[Entry]:
    """Every admitted task of the pack, newest first (those reaching `unit`)."""
    items = session.scalars(
        select(Item).where(Item.pack == pack, Item.outcome == ADMITTED).order_by(Item.id.desc())
    ).all()
    out = []
    for item in items:
        book = rulebook(item.policy_version)
        reached = below(book, item.data.get("reach"), levels(book))
        if unit is not None and unit not in reached:
            continue
        decision = item.result.get("decision") or {}
        taken = (item.result.get("outcome") or {}).get("submission") or {}
        out.append(
            Entry(
                item=item.id,
                task=decision.get("task"),
                title=_title(book, item, lang),
                department=item.data.get("department"),
                reach=item.data.get("reach"),
                units=reached,
                resources=decision.get("resources") or {},
                period=(item.data.get("period_from"), item.data.get("period_to")),
                conditions=taken.get("conditions"),
                state=item.state,
            )
        )
    return out


def _years(period) -> range:
    start, end = (dt.date.fromisoformat(p) if p else None for p in period)
    if start is None:
        return range(0)
    return range(start.year, (end or start).year + 1)


def counts(session, version, years: list[int]) -> list[Counts]:
    """Per unit of the register's levels: the listed tasks that reach it,
    admitted tasks per year (a task counts in each year its period touches)
    and the reports of unadmitted tasks from it."""
    book = rulebook(version)
    wanted = levels(book)
    section = book.resolved.get("admission") or {}
    out = {u: Counts(u, 0, dict.fromkeys(years, 0)) for u in below(book, book.top_unit, wanted)}
    for task in section.get("tasks") or ():
        for u in out:
            if not task.get("levels") or book.units[u].get("level") in task["levels"]:
                out[u].listed += 1
    for entry in entries(session, version.pack):
        for year in _years(entry.period):
            if year in years:
                for u in entry.units:
                    if u in out:
                        out[u].by_year[year] += 1
    matter = (section.get("review") or {}).get("report_matter")
    if matter:
        for place in session.scalars(
            select(Case.place).where(Case.pack == version.pack, Case.matter == matter)
        ):
            for u in book.ancestors(place):
                if u in out:
                    out[u].unadmitted += 1
    return list(out.values())


def change(before: int, after: int) -> float | None:
    """The change from `before` to `after`, as a fraction (-0.6: cut by 60%)."""
    return None if before == 0 else (after - before) / before


def removed(session, version, lang: str = "zh") -> list[Entry]:
    """Tasks admitted as listed under an earlier version whose listing
    `version` no longer has (they were admitted under the old list, and the
    new one says nothing about them)."""
    listed = {
        t["id"] for t in (rulebook(version).resolved.get("admission") or {}).get("tasks") or ()
    }
    return [e for e in entries(session, version.pack, lang) if e.task and e.task not in listed]
