"""rules/calendar-cn against the `holidays` package's China calendar, and
what happens past the calendar's last covered year.

The published arrangements (State Council notices, e.g. 国办发明电 of
2025-11-04 for 2026) must agree day by day: days off, holidays falling on
weekdays and make-up working days (调休). A year the pack marks provisional
(no notice yet) lists the statutory days only; `holidays` fills such a year
with its own guess of substitute days, so there only the statutory days
are compared."""

from __future__ import annotations

import datetime as dt

import holidays
import pytest

from onegrid import paths
from onegrid.policy.pack import load_policy
from onegrid.workflow.calendar import BusinessCalendar

SECTION = load_policy(paths.RULES / "calendar-cn").sections["calendar"]
OURS = BusinessCalendar.from_section(SECTION)
YEARS = list(SECTION["years"])


def provisional(year: int) -> bool:
    items = [*SECTION.get("holidays", ()), *SECTION.get("workdays", ())]
    return any(
        item.get("provisional")
        for item in items
        if str(item.get("date", item.get("from", ""))).startswith(str(year))
    )


def days(year: int):
    day = dt.date(year, 1, 1)
    while day.year == year:
        yield day
        day += dt.timedelta(days=1)


def test_the_calendar_names_its_years_and_ends_with_the_last():
    assert sorted(YEARS) == YEARS and YEARS[0] >= 2026
    assert OURS.ends == dt.date(YEARS[-1], 12, 31)


@pytest.mark.parametrize("year", [y for y in YEARS if not provisional(y)])
def test_a_published_year_agrees_with_holidays_day_by_day(year):
    theirs = holidays.China(years=year)
    make_up = {d for d in theirs.weekend_workdays if d.year == year}
    differ = []
    for day in days(year):
        working = day in make_up or (day not in theirs and day.weekday() < 5)
        if OURS.is_workday(day) != working:
            differ.append((day.isoformat(), OURS.is_workday(day), theirs.get(day)))
    assert differ == []
    assert sum(not OURS.is_workday(d) for d in days(year)) > 104 + 7  # weekends and more


@pytest.mark.parametrize("year", [y for y in YEARS if provisional(y)])
def test_a_provisional_year_has_the_statutory_days_of_holidays(year):
    theirs = holidays.China(years=year)
    # their days off for the festivals themselves, not their guessed substitutes
    statutory = {
        day
        for day, name in theirs.items()
        if "observed" not in name and "substituted" not in name.lower()
    }
    ours = {d for d in OURS.holidays if d.year == year}
    assert statutory == ours


def test_past_the_last_year_deadlines_count_weekdays(caplog):
    end = OURS.ends
    # from the last working Friday of the covered years, 5wd lands a week later
    friday = end - dt.timedelta(days=(end.weekday() - 4) % 7)
    start = dt.datetime.combine(friday, dt.time(10), tzinfo=OURS.tz)
    with caplog.at_level("WARNING", logger="onegrid.workflow.calendar"):
        due = OURS.add(start, "5wd").astimezone(OURS.tz)
    assert due.date() == friday + dt.timedelta(days=7)
    assert f"calendar ends {end}" in caplog.text


def test_check_warns_when_deadlines_can_pass_the_calendar(make_pack, onegrid):
    root = make_pack(
        {
            "pack.yaml": "kind: pack\nid: old\nname: 旧日历\nincludes: [closed-loop]\n",
            "calendar.yaml": (
                "kind: calendar\nyears: [2024]\n"
                "holidays:\n  - {id: h, name: 元旦, date: 2024-01-01}\n"
            ),
        }
    )
    r = onegrid("check", root, "--lang", "en")
    lines = [line for line in r.out.splitlines() if "calendar-ends" in line]
    assert len(lines) == 1, r.out
    assert "calendar.yaml:2:8: warning[calendar-ends]: calendar ends 2024-12-31" in lines[0]
