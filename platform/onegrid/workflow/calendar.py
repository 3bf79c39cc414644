"""A business calendar: working days, public holidays, make-up working days."""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DURATION = re.compile(r"^([1-9][0-9]*)(m|h|d|wd)$")
DEFAULT_TZ = "Asia/Shanghai"
log = logging.getLogger(__name__)
# a duration's unit as people read it
UNIT_WORDS = {
    "m": ("分钟", "minutes"),
    "h": ("小时", "hours"),
    "d": ("天", "days"),
    "wd": ("个工作日", "working days"),
}
_TOLD: set[dt.date] = set()  # each calendar's end is logged once per process


def duration_words(text: str, lang: str) -> str:
    """A policy duration in words: `3d` → 3 天 / 3 days, `5wd` → 5 个工作日 /
    5 working days (the one place a page or a message says a duration)."""
    number = text.rstrip("mhdw")
    zh, en = UNIT_WORDS.get(text[len(number) :], ("", text[len(number) :]))
    if number == "1" and en.endswith("s"):
        en = en[:-1]  # 1 day, 1 working day
    return f"{number} {zh}" if lang == "zh" else f"{number} {en}"


def local_minute(value: dt.datetime, tz: ZoneInfo) -> str:
    """A stored (UTC) time as people read it: in the pack's time zone, to the
    minute (the one format every page and message uses)."""
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _days(items) -> frozenset[dt.date]:
    out: set[dt.date] = set()
    for item in items or ():
        if "date" in item:
            out.add(dt.date.fromisoformat(item["date"]))
        if "from" in item:
            day = dt.date.fromisoformat(item["from"])
            last = dt.date.fromisoformat(item.get("to", item["from"]))
            while day <= last:
                out.add(day)
                day += dt.timedelta(days=1)
    return frozenset(out)


def last_day(section: dict | None, days=None) -> dt.date | None:
    """The last day the calendar covers: 31 December of its last year (the
    `years` it names, else the years its `days` fall in, by default its
    holidays and make-up days); None if it lists none."""
    section = section or {}
    years = [y for y in section.get("years") or () if isinstance(y, int)]
    if not years:
        if days is None:
            days = _days(section.get("holidays")) | _days(section.get("workdays"))
        years = [d.year for d in days]
    return dt.date(max(years), 12, 31) if years else None


@dataclass(frozen=True)
class BusinessCalendar:
    tz: ZoneInfo
    weekend: frozenset[int]
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    # past this day holidays are unknown: working days are the weekdays only
    # (`check` warns when deadlines can reach it; the sweep logs it)
    ends: dt.date | None = None

    @classmethod
    def from_section(cls, section: dict | None) -> BusinessCalendar:
        section = section or {}
        return cls(
            tz=ZoneInfo(section.get("timezone") or DEFAULT_TZ),
            weekend=frozenset(WEEKDAYS.index(d) for d in section.get("weekend", ("sat", "sun"))),
            holidays=_days(section.get("holidays")),
            workdays=_days(section.get("workdays")),
            ends=last_day(section),
        )

    def is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() not in self.weekend

    def add(self, start: dt.datetime, duration: str) -> dt.datetime:
        """`start` plus a duration: 30m, 2h and 3d on the clock; 5wd is five
        full working days, so a case reported on a Saturday or on a holiday
        starts counting at the beginning of the next working day."""
        match = DURATION.match(duration)
        if not match:
            raise ValueError(f"not a duration: {duration!r}")
        n, unit = int(match.group(1)), match.group(2)
        if unit == "m":
            return start + dt.timedelta(minutes=n)
        if unit == "h":
            return start + dt.timedelta(hours=n)
        if unit == "d":
            return start + dt.timedelta(days=n)
        local = start.astimezone(self.tz)
        day, clock = local.date(), local.time().replace(tzinfo=None)
        if not self.is_workday(day):
            day, clock = self.next_workday(day), dt.time(0, 0)
        for _ in range(n):
            day = self.next_workday(day)
        if self.ends is not None and day > self.ends and self.ends not in _TOLD:
            _TOLD.add(self.ends)
            log.warning("calendar ends %s: a deadline past it counts weekdays only", self.ends)
        return dt.datetime.combine(day, clock, tzinfo=self.tz).astimezone(dt.UTC)

    def next_workday(self, day: dt.date) -> dt.date:
        day += dt.timedelta(days=1)
        for _ in range(400):  # no calendar has a year without a working day
            if self.is_workday(day):
                return day
            day += dt.timedelta(days=1)
        raise ValueError("no working day within a year: check the calendar")
