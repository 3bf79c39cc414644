"""Scoring periods: a month `2026-11`, a quarter `2026-Q4`, a year `2026`,
each running from midnight on its first day to midnight after its last,
on the pack's own clock (its calendar's time zone)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from onegrid import messages
from onegrid.errors import Problem, UsageError

messages.register(
    {
        "scoring-bad-period": {
            "zh": "考评周期 '{period}' 写法不对：应为月 2026-11、季度 2026-Q4 或年 2026",
            "en": "'{period}' is not a period: write a month 2026-11, a quarter 2026-Q4 or a year 2026",
        },
    }
)

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True)
class Period:
    kind: str  # monthly, quarterly, yearly
    key: str
    year: int
    first_month: int
    months: int

    def bounds(self, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) in UTC."""
        start = dt.datetime(self.year, self.first_month, 1, tzinfo=tz)
        month = self.first_month - 1 + self.months
        end = dt.datetime(self.year + month // 12, month % 12 + 1, 1, tzinfo=tz)
        return start.astimezone(dt.UTC), end.astimezone(dt.UTC)

    def previous(self) -> Period:
        month = self.year * 12 + self.first_month - 1 - self.months
        return of(self.kind, dt.date(month // 12, month % 12 + 1, 1))

    def label(self, lang: str = "zh") -> str:
        if self.kind == "monthly":
            return f"{self.year}年{self.first_month}月" if lang == "zh" else self.key
        if self.kind == "quarterly":
            q = (self.first_month - 1) // 3 + 1
            return f"{self.year}年第{q}季度" if lang == "zh" else self.key
        return f"{self.year}年" if lang == "zh" else self.key


def parse(text: str) -> Period:
    text = (text or "").strip()
    if m := _MONTH.match(text):
        return Period("monthly", text, int(m[1]), int(m[2]), 1)
    if m := _QUARTER.match(text):
        return Period("quarterly", text, int(m[1]), 3 * int(m[2]) - 2, 3)
    if m := _YEAR.match(text):
        return Period("yearly", text, int(m[1]), 1, 12)
    raise UsageError(Problem("scoring-bad-period", {"period": text}))


def of(kind: str, day: dt.date) -> Period:
    """The period of `kind` that holds `day`."""
    if kind == "monthly":
        return parse(f"{day.year}-{day.month:02d}")
    if kind == "quarterly":
        return parse(f"{day.year}-Q{(day.month - 1) // 3 + 1}")
    return parse(f"{day.year}")


def last_closed(kind: str, now: dt.datetime, tz: ZoneInfo) -> Period:
    """The latest period of `kind` that has ended by `now`."""
    return of(kind, now.astimezone(tz).date()).previous()


def recent(period: Period, count: int) -> list[Period]:
    """`count` periods ending with `period`, oldest first (for trends)."""
    out = [period]
    while len(out) < count:
        out.append(out[-1].previous())
    return out[::-1]
