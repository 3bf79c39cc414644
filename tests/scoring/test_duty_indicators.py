"""Duty rounds in the scores (issue 17): Cuntan's blocks ranked on their
duty lists for November 2026, counted by hand from what was ticked."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from onegrid.forms import forms_of
from onegrid.forms.example import valid_example
from onegrid.scoring import record, schemes_of, standings
from onegrid.store import Item
from onegrid.workflow import ticks
from onegrid.workflow.actor import Actor, Binding
from onegrid.workflow.rounds import open_rounds, tick
from onegrid.workflow.rulebook import rulebook

START = dt.datetime(2026, 10, 31, 16, tzinfo=dt.UTC)  # 1 November, midnight in Chongqing
END = dt.datetime(2026, 11, 30, 16, tzinfo=dt.UTC)
ECONOMY = Actor("econ", (Binding("post_staff", "blk.economy"),))


def at(day: int, hour: int = 2) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, tzinfo=dt.UTC)


def round_for(db, unit: str, period: str) -> Item:
    with db() as s:
        found = s.scalars(select(Item).where(Item.unit == unit, Item.kind == "duty_round"))
        return next(r for r in found if r.data["period"] == period)


def evidence(book, rnd, duty_id: str) -> dict:
    form = ticks.form_of(book, ticks.duty_of(book, rnd, duty_id))
    return valid_example(forms_of(book.policy).form(form)) if form else {}


def test_blocks_are_ranked_on_their_duty_lists_as_counted_by_hand(db, cuntan):
    book = rulebook(cuntan)
    open_rounds(db, at(2))  # Monday 2 November: November's, week 45's, Q4's and the year's
    weekly, monthly = (
        round_for(db, "blk.economy", "2026-W45"),
        round_for(db, "blk.economy", "2026-11"),
    )
    with db() as s:
        # week 45 is due at the end of Friday 6 November: ticked on the 20th, late
        done = tick(s, weekly.id, "d.economy.02", ECONOMY,
                    evidence(book, weekly, "d.economy.02"), weekly.version, at(20))  # fmt: skip
        assert done.result["ticks"]["d.economy.02"][0]["late"] is True
        rnd = tick(s, monthly.id, "d.economy.01", ECONOMY,
                   evidence(book, monthly, "d.economy.01"), monthly.version, at(10))  # fmt: skip
        rnd = tick(s, monthly.id, "d.economy.05", ECONOMY, {"reason": "本月无统计任务"},
                   rnd.version, at(11), "zh", True)  # fmt: skip
        # after the month: not November's (its record is as it stood at the end)
        tick(s, monthly.id, "d.economy.04", ECONOMY, evidence(book, monthly, "d.economy.04"),
             rnd.version, END + dt.timedelta(days=2))  # fmt: skip
    scheme = next(x for x in schemes_of(book) if x["id"] == "sc.block")
    with db() as s:
        rows = {
            r.subject: r for r in standings(s, book, scheme, record.load(s, "cuntan", START, END))
        }
    # by hand. Economy's items due in November (on_event ones ask nothing):
    # d.economy.02 (week 45, late), .01 (on time), .04 (open at the month's end),
    # .05 (not applicable, on time): complete 3/4, on time 2/4
    economy = rows["blk.economy"]
    assert economy.score == pytest.approx(60 * 3 / 4 + 40 * 2 / 4)
    assert economy.tier == "poor"
    items = {i["duty"]: i for i in economy.evidence["duties"]}
    assert set(items) == {"d.economy.01", "d.economy.02", "d.economy.04", "d.economy.05"}
    assert (items["d.economy.02"]["ok"], items["d.economy.02"]["late"]) == (1.0, 1)
    assert items["d.economy.04"]["open"] and items["d.economy.05"]["na"]
    assert {i["duty"]: i["ok"] for i in economy.evidence["on_time"]}["d.economy.02"] == 0.0
    # the party block ticked nothing of its five November items; every block is ranked
    party = rows["blk.party"]
    assert party.score == 0 and len(party.evidence["duties"]) == 5
    assert set(rows) == {u for u, d in book.departments.items() if d.get("type") == "block"}
