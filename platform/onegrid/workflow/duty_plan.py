"""Which duty rounds a pack's lists call for (`kind: duties`), and when each
is due: pure reading of a rulebook, no database.

A round is one holder's items of one list for one period. The holder of a
list is a role (then every unit at the role's level holds its own round: each
grid its grid worker's "6+1") or a department, block or post; an item with a
`lead` (a cross-block duty) goes to the lead's round instead, with its `with`
units as contributors. Each item's `frequency` names its period: weekly,
monthly, quarterly, half-yearly or yearly; a daily item sits in the week's
round, expected once per working day; `on_event` and `ongoing` items sit in
the month's. A round is due at the end of the last working day of its period
on the pack's business calendar, and closes (takes no more ticks; those in
between are late) when the next period is due. Lists that volunteers claim
(`claimable: true`) have no holder until someone claims them: no rounds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# a frequency's period (`daily` is counted within the week)
PERIOD_OF = {
    "daily": "week",
    "weekly": "week",
    "monthly": "month",
    "quarterly": "quarter",
    "half_yearly": "half",
    "yearly": "year",
    "on_event": "month",
    "ongoing": "month",
}
# ticked when they happen: not expected in every period
EVENTS = frozenset({"on_event"})
PERIOD_NAMES = {
    "week": ("周", "week"),
    "month": ("月", "month"),
    "quarter": ("季度", "quarter"),
    "half": ("半年", "half-year"),
    "year": ("年", "year"),
}


@dataclass(frozen=True)
class Period:
    kind: str  # week, month, quarter, half, year
    start: dt.date
    end: dt.date  # the first day after it

    @property
    def key(self) -> str:
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "half":
            return f"{self.start.year}-H{(self.start.month - 1) // 6 + 1}"
        return str(self.start.year)

    def label(self, lang: str = "zh") -> str:
        y, m = self.start.year, self.start.month
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}年第{week}周" if lang == "zh" else f"{year} week {week}"
        if self.kind == "month":
            return f"{y}年{m}月" if lang == "zh" else self.start.strftime("%B %Y")
        if self.kind == "quarter":
            q = (m - 1) // 3 + 1
            return f"{y}年第{q}季度" if lang == "zh" else f"{y} Q{q}"
        if self.kind == "half":
            h = (m - 1) // 6 + 1
            return f"{y}年{'上' if h == 1 else '下'}半年" if lang == "zh" else f"{y} H{h}"
        return f"{y}年" if lang == "zh" else str(y)

    def next(self) -> Period:
        return period_of(self.kind, self.end)


def _month_start(day: dt.date, months: int) -> dt.date:
    return dt.date(day.year, (day.month - 1) // months * months + 1, 1)


def _add_months(day: dt.date, months: int) -> dt.date:
    n = day.year * 12 + day.month - 1 + months
    return dt.date(n // 12, n % 12 + 1, 1)


def period_of(kind: str, day: dt.date) -> Period:
    """The period of `kind` that `day` falls in."""
    if kind == "week":
        start = day - dt.timedelta(days=day.weekday())
        return Period(kind, start, start + dt.timedelta(days=7))
    months = {"month": 1, "quarter": 3, "half": 6, "year": 12}[kind]
    start = _month_start(day, months)
    return Period(kind, start, _add_months(start, months))


def parse(key: str) -> Period | None:
    """The period a key names (2026-W49, 2026-12, 2026-Q4, 2026-H2, 2026), or None."""
    try:
        if "-W" in key:
            year, week = key.split("-W")
            return period_of("week", dt.date.fromisocalendar(int(year), int(week), 1))
        if "-Q" in key:
            year, q = key.split("-Q")
            return period_of("quarter", dt.date(int(year), (int(q) - 1) * 3 + 1, 1))
        if "-H" in key:
            year, h = key.split("-H")
            return period_of("half", dt.date(int(year), (int(h) - 1) * 6 + 1, 1))
        if "-" in key:
            year, month = key.split("-")
            return period_of("month", dt.date(int(year), int(month), 1))
        return period_of("year", dt.date(int(key), 1, 1))
    except (ValueError, TypeError):
        return None


def due(calendar, period: Period) -> dt.datetime:
    """The end of the period's last working day (its last day if it has none)."""
    day = period.end - dt.timedelta(days=1)
    while day >= period.start and not calendar.is_workday(day):
        day -= dt.timedelta(days=1)
    if day < period.start:
        day = period.end - dt.timedelta(days=1)
    moment = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=calendar.tz)
    return moment.astimezone(dt.UTC)


def workdays(calendar, period: Period) -> int:
    day, n = period.start, 0
    while day < period.end:
        n += calendar.is_workday(day)
        day += dt.timedelta(days=1)
    return n


def lists(book) -> dict[str, dict]:
    return {
        lst["id"]: lst
        for lst in (book.resolved.get("duties") or {}).get("lists") or ()
        if isinstance(lst, dict) and "id" in lst
    }


def holders(book, lst: dict) -> list[str]:
    """The units that hold a list: a role's every unit at its level, or the
    department, block or post the list names."""
    if lst.get("claimable"):
        return []
    holder = lst.get("holder")
    if holder in book.departments or holder in book.units:
        return [holder]
    role = book.roles.get(holder)
    if role is None:
        return []
    level = role.get("level")
    if role.get("bound_to") == "department":
        return [d for d, dep in book.departments.items() if dep.get("level") == level]
    return [u for u, unit in book.units.items() if unit.get("level") == level]


def holder_of(book, lst: dict, item: dict, unit: str) -> bool:
    """Whether `unit`'s round of `lst` holds `item` (a led item: the lead's round)."""
    lead = item.get("lead")
    if lead:
        return unit == lead
    return unit in holders(book, lst)


def items_of(book, list_id: str, unit: str, kind: str, claimed: bool = False) -> list[dict]:
    """The items of a list in `unit`'s round for a period of `kind`
    (`claimed`: a claimant's round of a claimable list, every item)."""
    lst = lists(book).get(list_id)
    if lst is None:
        return []
    if lst.get("claimable"):
        if not claimed:
            return []
        return [i for i in lst.get("items") or () if PERIOD_OF.get(i.get("frequency")) == kind]
    return [
        item
        for item in lst.get("items") or ()
        if PERIOD_OF.get(item.get("frequency")) == kind and holder_of(book, lst, item, unit)
    ]


@dataclass(frozen=True)
class Planned:
    list: str
    holder: str
    period: Period
    person: int | None = None  # a claimant's round (a claimable list)
    claimant: str | None = None


def claimed(book, day: dt.date, claimants) -> list[Planned]:
    """The rounds of claimable lists on `day`: one per claimant (`claimants`:
    (list id, home grid, person id, name)) and period kind that has items."""
    out: list[Planned] = []
    found = lists(book)
    for list_id, grid, person, name in claimants:
        lst = found.get(list_id)
        if lst is None or not lst.get("claimable"):
            continue
        kinds = dict.fromkeys(
            PERIOD_OF[i["frequency"]]
            for i in lst.get("items") or ()
            if i.get("frequency") in PERIOD_OF
        )
        for kind in kinds:
            out.append(Planned(list_id, grid, period_of(kind, day), person, name))
    return out


def planned(book, day: dt.date) -> list[Planned]:
    """Every round the pack's lists call for on `day` (one per list, holder
    and period kind that has items)."""
    out: list[Planned] = []
    for list_id, lst in lists(book).items():
        units = holders(book, lst)
        wanted: dict[tuple[str, str], None] = {}
        for item in lst.get("items") or ():
            kind = PERIOD_OF.get(item.get("frequency"))
            if kind is None or lst.get("claimable"):
                continue
            for unit in [item["lead"]] if item.get("lead") else units:
                wanted[(unit, kind)] = None
        for unit, kind in wanted:
            out.append(Planned(list_id, unit, period_of(kind, day)))
    return out


def expected(book, item: dict, period: Period) -> int:
    """How many ticks an item asks for in a period (0: only when it happens)."""
    if item.get("frequency") in EVENTS:
        return 0
    times = int(item.get("times") or 1)
    if item.get("frequency") == "daily":
        return times * workdays(book.calendar, period)
    return times
