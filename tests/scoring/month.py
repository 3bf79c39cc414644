"""A generated month of Cuntan cases, made through the engine's own doors
(open_case, act, sweep with `now=` in November 2026), for the scoring tests."""

from __future__ import annotations

import datetime as dt

from onegrid.forms import forms_of
from onegrid.forms.example import valid_example
from onegrid.store import accounts
from onegrid.workflow import Actor, Binding
from onegrid.workflow.case import act, get_case, open_case
from onegrid.workflow.rulebook import rulebook
from onegrid.workflow.sweep import sweep

NOV = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)  # Monday 09:00 in Chongqing
MATTER = "m.gas_safety_hazards"  # led by post.worksafety, ladder post → ct.command
DISPATCHER = Actor("disp", (Binding("dispatcher", "ct.command"),))
HANDLER = Actor("ws", (Binding("post_staff", "post.worksafety"),))
COMMAND = Actor("cmd", (Binding("dispatcher", "ct.command"),))
# feeds back at street level: never the unit that handled (separation of duties)
STREET = Actor("street", (Binding("dispatcher", "cuntan"),))
# optional fields left out of some reports, so completeness differs between workers
OPTIONAL = ("photos", "occurred_at", "urgency", "spot_result")
# what happens to each worker's cases, in turn
PLANS = ("on_time", "on_time", "late", "open_overdue", "reworked", "on_time", "late")


def worker(i: int, grid: str) -> Actor:
    return Actor(f"gw{i:02d}", (Binding("grid_worker", grid),))


def submission(book, place: str, leave_out: int) -> dict:
    form = forms_of(book.policy).form(book.matters[MATTER]["form"])
    data = {**valid_example(form), "grid": place}
    for name in OPTIONAL[:leave_out]:
        data.pop(name, None)
    return data


def step(session, case_id, transition, actor, data, at):
    case = get_case(session, case_id)
    return act(session, case_id, transition, actor, data, case.version, now=at)


def run_case(db, version, reporter: Actor, place: str, plan: str, at: dt.datetime, leave_out=0):
    book = rulebook(version)
    with db() as s:
        case = open_case(
            s,
            version,
            {"matter": MATTER, "place": place},
            submission(book, place, leave_out),
            reporter,
            "grid",
            now=at,
        )
        cid = case.id
        step(s, cid, "accept", DISPATCHER, {}, at + dt.timedelta(minutes=10))
        step(s, cid, "dispatch", DISPATCHER, {}, at + dt.timedelta(minutes=20))
    if plan in ("late", "open_overdue"):
        # the post lets the 3-working-day limit pass: the sweep hands it to the centre
        sweep(db, now=at + dt.timedelta(days=6))
        if plan == "open_overdue":
            return cid
        handler, done = COMMAND, at + dt.timedelta(days=6, hours=2)
    else:
        handler, done = HANDLER, at + dt.timedelta(days=1)
    with db() as s:
        step(s, cid, "handle", handler, {"result": "已处置"}, done)
        step(s, cid, "feed_back", STREET, {"message": "已反馈"}, done + dt.timedelta(hours=1))
        if plan == "reworked":
            step(s, cid, "reopen", reporter, {"reason": "没修好"}, done + dt.timedelta(hours=2))
            done += dt.timedelta(hours=4)
            step(s, cid, "handle", HANDLER, {"result": "返工"}, done)
            step(s, cid, "feed_back", STREET, {"message": "已反馈"}, done + dt.timedelta(hours=1))
        step(s, cid, "approve", reporter, {}, done + dt.timedelta(hours=2))
    return cid


def generate(db, version, workers: int = 6) -> dict[str, list[int]]:
    """Grid workers gw01… (accounts bound to the first grids of the
    registry), each reporting a different number of cases with a different
    share of optional fields; returns each worker's case ids."""
    book = rulebook(version)
    grids = sorted(u for u, spec in book.units.items() if spec.get("level") == "grid")
    made: dict[str, list[int]] = {}
    with db() as s:
        for i in range(1, workers + 1):
            accounts.create_user(
                s,
                f"gw{i:02d}",
                "pw",
                name=f"网格员{i:02d}",
                bindings=[("grid_worker", grids[i - 1])],
                method="pbkdf2:sha256:1000",
            )
        s.commit()
    for i in range(1, workers + 1):
        reporter, grid = worker(i, grids[i - 1]), grids[i - 1]
        made[reporter.id] = []
        for n in range(i + 1):  # gw01 reports 2 cases, gw02 3, …
            at = NOV + dt.timedelta(days=2 * n, hours=i)
            plan = PLANS[(i + n) % len(PLANS)]
            made[reporter.id].append(run_case(db, version, reporter, grid, plan, at, (i + n) % 3))
    # the sweep runs on at the end of the month (and would freeze October)
    sweep(db, now=dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC))
    return made
