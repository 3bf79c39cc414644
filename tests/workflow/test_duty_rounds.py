"""Duty rounds on Cuntan's pack (issue 16): the sweep opens this period's
rounds for every list, once; holders tick with the evidence each item asks
for, late after the period's due moment; another holder's item and a closed
round are refused; closing a business-complaint case ticks d.economy.03."""

from __future__ import annotations

import collections
import datetime as dt

import pytest
from sqlalchemy import func, select

from conftest import CATALOGS
from onegrid import messages
from onegrid.store import Item, Notification
from onegrid.workflow import Conflict, Forbidden, InvalidSubmission, publish, sweep, verify
from onegrid.workflow.actor import Actor, Binding
from onegrid.workflow.duty_plan import period_of
from onegrid.workflow.item import act_item, item_trail
from onegrid.workflow.rounds import completion, open_rounds, rows, tick
from scoring.month import loop_case

from .conftest import runnable

# Wednesday 2 December 2026, 09:00 in Chongqing
DEC = dt.datetime(2026, 12, 2, 1, 0, tzinfo=dt.UTC)
ECONOMY = Actor("econ", (Binding("post_staff", "blk.economy"),))
GRID = "g.lanxi.01"
WORKER = Actor("gw", (Binding("grid_worker", GRID),))
OTHER = Actor("gw2", (Binding("grid_worker", "g.lanxi.02"),))
VISIT = {"visited": "兰溪社区 3 户居民", "date": "2026-12-02", "notes": "收集到 2 条意见"}


@pytest.fixture
def cuntan(db):
    with db() as session:
        return publish(session, runnable(CATALOGS / "cuntan"), by="admin")


def rounds(db, **where):
    with db() as session:
        query = select(Item).where(Item.kind == "duty_round")
        for column, value in where.items():
            query = query.where(getattr(Item, column) == value)
        return session.scalars(query).all()


def round_of(db, unit, duty):
    return next(r for r in rounds(db, unit=unit) if duty in r.result["decision"]["items"])


def test_the_sweep_opens_this_months_rounds_for_every_list_once(db, cuntan):
    opened = open_rounds(db, DEC)
    assert opened and open_rounds(db, DEC) == []  # the second sweep opens nothing
    items = collections.defaultdict(set)
    for r in rounds(db):
        items[r.data["list"]] |= set(r.result["decision"]["items"])
    single = sum(len(items[k]) for k in ("dl.party", "dl.economy", "dl.livelihood", "dl.safety"))
    assert (single, len(items["dl.cross"]), len(items["dl.community"])) == (27, 13, 5)
    assert len(items["dl.grid_worker"]) == 7  # the "6+1"
    # cross-block items sit with their lead block, the `with` blocks contributing
    flood = round_of(db, "blk.safety", "d.cross.01")
    assert flood.data["list"] == "dl.cross"
    assert {"blk.party", "blk.economy", "blk.livelihood"} <= set(flood.assistants)
    # every grid of the registry has its grid worker's rounds; due on the last working day
    with db() as session:
        grids = session.scalar(
            select(func.count(func.distinct(Item.unit))).where(
                Item.kind == "duty_round", Item.data["list"].as_string() == "dl.grid_worker"
            )
        )
    assert grids > 100
    monthly = next(r for r in rounds(db, unit=GRID) if r.data["period"] == "2026-12")
    assert monthly.due_at.replace(tzinfo=dt.UTC) == dt.datetime(2026, 12, 31, 16, tzinfo=dt.UTC)
    weekly = next(r for r in rounds(db, unit=GRID) if r.data["period"] == "2026-W49")
    daily = next(x for x in rows(weekly) if x.id == "d.gw.2")
    assert daily.expected == 5  # once per working day of that week
    with db() as session:
        assert verify(session).ok


def test_a_grid_worker_ticks_with_evidence_and_nothing_ticked_is_lost(db, cuntan):
    open_rounds(db, DEC)
    weekly = next(r for r in rounds(db, unit=GRID) if r.data["period"] == "2026-W49")
    with db() as session, pytest.raises(InvalidSubmission) as bad:
        tick(session, weekly.id, "d.gw.5", WORKER, {"visited": ""}, weekly.version, DEC)
    assert "notes" in bad.value.errors
    with db() as session:
        done = tick(session, weekly.id, "d.gw.5", WORKER, VISIT, weekly.version, DEC)
    row = next(x for x in rows(done) if x.id == "d.gw.5")
    assert (row.done, row.expected, row.late) == (1, 10, 0)
    assert row.ticks[0]["evidence"]["visited"] == VISIT["visited"]
    # another grid's worker is refused in words, and the tick stays
    with db() as session, pytest.raises(Forbidden) as refused:
        tick(session, weekly.id, "d.gw.5", OTHER, VISIT, done.version, DEC)
    assert refused.value.problems[0].code == "duty-not-yours"
    text = messages.text(refused.value.problems[0].code, refused.value.problems[0].params, "zh")
    assert "兰溪社区第1网格" in text
    # not applicable needs a reason; an item with ticks cannot be marked so
    with db() as session:
        with pytest.raises(Conflict):
            tick(
                session,
                weekly.id,
                "d.gw.5",
                WORKER,
                {"reason": "无"},
                done.version,
                DEC,
                "zh",
                True,
            )
        na = tick(
            session,
            weekly.id,
            "d.gw.4",
            WORKER,
            {"reason": "本周无新政策"},
            done.version,
            DEC,
            "zh",
            True,
        )
    assert na.result["na"]["d.gw.4"]["evidence"]["reason"] == "本周无新政策"
    with db() as session:
        steps = item_trail(session, weekly.id)
        assert [s.action for s in steps] == ["file", "duty.tick", "duty.not_applicable"]
        assert verify(session).ok


def test_a_tick_after_the_due_moment_is_late_and_a_closed_round_takes_none(db, cuntan):
    open_rounds(db, DEC)
    monthly = next(r for r in rounds(db, unit="blk.economy") if r.data["period"] == "2026-12")
    january = dt.datetime(2027, 1, 5, 2, tzinfo=dt.UTC)
    report = {"title": "12月统计报表", "summary": "已按时报送"}
    with db() as session:
        late = tick(session, monthly.id, "d.economy.05", ECONOMY, report, monthly.version, january)
    assert late.result["ticks"]["d.economy.05"][0]["late"] is True
    # the sweep at the end of January closes December (and opens January's)
    assert open_rounds(db, dt.datetime(2027, 2, 1, 1, tzinfo=dt.UTC))
    with db() as session:
        closed = session.get(Item, monthly.id)
        assert closed.closed_at is not None
        with pytest.raises(Conflict) as refused:
            tick(session, monthly.id, "d.economy.04", ECONOMY, report, closed.version, january)
    assert refused.value.problems[0].code == "duty-round-closed"
    assert "2026年12月" in messages.text("duty-round-closed", refused.value.problems[0].params)
    assert rounds(db, id=monthly.id)[0].result["ticks"]["d.economy.05"]  # kept


def test_the_sweep_warns_the_holder_of_a_round_due_soon_and_flags_it_overdue(db, cuntan):
    open_rounds(db, DEC)
    weekly = next(r for r in rounds(db, unit=GRID) if r.data["period"] == "2026-W49")
    assert sweep(db, now=weekly.warn_at + dt.timedelta(minutes=1)).items.warned
    assert sweep(db, now=weekly.due_at + dt.timedelta(minutes=1)).items.supervised
    with db() as session:
        told = session.scalars(
            select(Notification).where(Notification.event.like("duty_round.%"))
        ).all()
        flagged = session.get(Item, weekly.id)
    assert any(GRID in n.units for n in told if n.payload["item"] == weekly.id)
    assert (flagged.overdue, flagged.supervised) == (True, True)
    assert {n.event for n in told} >= {"duty_round.warn", "duty_round.supervise"}


def test_closing_a_business_complaint_case_ticks_economy_03(db, cuntan):
    open_rounds(db, DEC)
    reporter = Actor("gw", (Binding("grid_worker", GRID),))
    case_id = loop_case(db, cuntan, "m.business_complaints", GRID, reporter, "on_time", DEC)
    monthly = round_of(db, "blk.economy", "d.economy.03")
    ticked = monthly.result["ticks"]["d.economy.03"]
    assert [t["case"] for t in ticked] == [case_id]
    assert ticked[0]["evidence"] == {"case": case_id}
    with db() as session:
        assert "duty.tick" in [s.action for s in item_trail(session, monthly.id)]


def test_a_superior_assigns_a_plus_one_task_and_the_figures_count_it(db, cuntan):
    open_rounds(db, DEC)
    monthly = next(r for r in rounds(db, unit=GRID) if r.data["period"] == "2026-12")
    community = Actor("sec", (Binding("community_secretary", "comm.lanxi"),))
    with db() as session:
        with pytest.raises(Forbidden):
            act_item(
                session,
                monthly.id,
                "duty.assign",
                WORKER,
                {"task": "x", "due": "2026-12-10"},
                monthly.version,
            )
        given = act_item(
            session,
            monthly.id,
            "duty.assign",
            community,
            {"task": "协助开展冬季消防检查", "due": "2026-12-10"},
            monthly.version,
            now=DEC,
        )
    task = given.result["tasks"][0]
    with db() as session:
        done = tick(
            session, monthly.id, task["id"], WORKER, {"record": "已检查 12 户"}, given.version, DEC
        )
    assert done.result["ticks"][task["id"]][0]["late"] is False
    month = period_of("month", dt.date(2026, 12, 1))
    with db() as session:
        figures = completion(session, "cuntan", month, now=dt.datetime(2027, 1, 3, tzinfo=dt.UTC))
    mine = figures[GRID]
    assert mine.complete >= 1 and mine.expected > mine.complete
    assert mine.overdue == mine.expected - mine.complete
    assert figures["comm.lanxi"].rounds > mine.rounds  # a community counts its grids
