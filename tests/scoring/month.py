"""A generated month of Cuntan cases, made through the engine's own doors
(open_case, act, sweep with `now=` in November 2026), for the scoring tests."""

from __future__ import annotations

import datetime as dt

from onegrid.forms import forms_of
from onegrid.forms.example import valid_example
from onegrid.store import accounts
from onegrid.workflow import Actor, Binding
from onegrid.workflow.case import act, actions_for, get_case, open_case
from onegrid.workflow.channels import default_channel
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
            default_channel(book, "pages"),
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


def generate(db, version, workers: int = 4) -> dict[str, list[int]]:
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
    duty_month(db, version)
    # the sweep runs on at the end of the month (and would freeze October)
    sweep(db, now=dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC))
    return made


def duty_month(db, version) -> None:
    """November's duty rounds (the sweep opens them on the 2nd); the economic
    block ticks one item with its evidence, the other blocks nothing."""
    from onegrid.store import Item
    from onegrid.workflow import ticks
    from onegrid.workflow.rounds import open_rounds, tick

    book = rulebook(version)
    open_rounds(db, NOV)
    with db() as s:
        rnd = next(
            r
            for r in s.query(Item).filter(Item.unit == "blk.economy", Item.kind == "duty_round")
            if r.data["period"] == "2026-11"
        )
        form = ticks.form_of(book, ticks.duty_of(book, rnd, "d.economy.01"))
        evidence = valid_example(forms_of(book.policy).form(form))
        econ = Actor("econ", (Binding("post_staff", "blk.economy"),))
        tick(s, rnd.id, "d.economy.01", econ, evidence, rnd.version, NOV + dt.timedelta(days=3))


# --- any pack: the closed loop driven by whoever may take each step --------


def _candidates(book, case, reporter: Actor):
    yield reporter
    if case.unit:
        yield Actor(f"lead@{case.unit}", (Binding("staff", case.unit),))
    for unit in case.assistants or ():
        yield Actor(f"assist@{unit}", (Binding("staff", unit),))
    around = book.ancestors(case.place) if case.place else []
    # desks at the case's level first (dispatchers), then the levels above (superiors)
    desks = [u for u in [*book.units, *book.departments] if book.home(u) in around]
    desks.sort(key=lambda u: (book.level_of(u) != case.level, -book.rank(book.level_of(u))))
    for uid in desks:
        yield Actor(f"desk@{uid}", (Binding("staff", uid),))


def take(db, case_id: int, transition: str, reporter: Actor, at: dt.datetime, data=None) -> bool:
    """Take `transition` as the first actor the pack lets take it now
    (False if nobody may)."""
    with db() as s:
        case = get_case(s, case_id)
        book = rulebook(case.policy_version)
        spec = book.transitions.get(transition)
        if spec is None:
            return False
        if data is None and spec.get("form"):
            data = valid_example(forms_of(book.policy).form(spec["form"]))
        for actor in _candidates(book, case, reporter):
            if any(a.id == transition for a in actions_for(case, actor)):
                act(s, case_id, transition, actor, data or {}, case.version, now=at)
                return True
    return False


def close(db, case_id: int, reporter: Actor, at: dt.datetime, rating: str) -> None:
    """Approve; where the pack calls the reporter back first (Jinshui), do that."""
    if take(db, case_id, "approve", reporter, at):
        return
    callback = {"reached": True, "satisfaction": rating}
    assert take(db, case_id, "revisit", reporter, at - dt.timedelta(minutes=30), callback)
    assert take(db, case_id, "approve", reporter, at), f"nobody may approve case {case_id}"


def loop_case(db, version, matter: str, place: str, reporter: Actor, plan: str, at: dt.datetime):
    """One case of `matter` at `place` round the closed loop, as `plan` says."""
    book = rulebook(version)
    form = book.matters[matter].get("form")
    data = valid_example(forms_of(book.policy).form(form)) if form else {}
    data.pop("photos", None)  # the example names a photo that is not in the store
    with db() as s:
        cid = open_case(
            s,
            version,
            {"matter": matter, "place": place},
            data,
            reporter,
            default_channel(book, "pages"),
            now=at,
        ).id
    assert take(db, cid, "accept", reporter, at + dt.timedelta(minutes=5))
    assert take(db, cid, "dispatch", reporter, at + dt.timedelta(minutes=10))
    done = at + dt.timedelta(hours=1)
    if plan in ("late", "open_overdue"):
        sweep(db, now=at + dt.timedelta(days=12))  # past most handling limits
        done = at + dt.timedelta(days=12, hours=1)
        if plan == "open_overdue":
            return cid
        with db() as s:
            if get_case(s, cid).state != "dispatched":
                assert take(db, cid, "dispatch", reporter, done - dt.timedelta(minutes=30))
    # assisting units (吹哨报到) report their parts before the lead may close its handling
    while take(db, cid, "assist_report", reporter, done - dt.timedelta(minutes=20)):
        pass
    assert take(db, cid, "handle", reporter, done)
    assert take(db, cid, "feed_back", reporter, done + dt.timedelta(minutes=30))
    if plan == "reworked":
        assert take(db, cid, "reopen", reporter, done + dt.timedelta(hours=1))
        while take(db, cid, "assist_report", reporter, done + dt.timedelta(minutes=90)):
            pass
        assert take(db, cid, "handle", reporter, done + dt.timedelta(hours=2))
        assert take(db, cid, "feed_back", reporter, done + dt.timedelta(hours=3))
    rating = "unsatisfied" if plan == "late" else "satisfied"
    close(db, cid, reporter, done + dt.timedelta(hours=4), rating)
    return cid


def jinshui_month(db, version) -> list[int]:
    """One case in each street of Jinshui (at its first community), the
    matters taken in turn so that every department with a matter leads one."""
    book = rulebook(version)
    streets = [u for u, spec in book.units.items() if spec.get("level") == "street"]
    matters = list(book.matters)
    made = []
    for i, street in enumerate(streets):
        community = next(u for u, spec in book.units.items() if spec.get("parent") == street)
        reporter = Actor(f"reporter{i:02d}", (Binding("grid_worker", community),))
        for j in range(2 if i < len(matters) - len(streets) else 1):
            matter = matters[(i + j * len(streets)) % len(matters)]
            at = NOV + dt.timedelta(days=i, hours=j)
            made.append(loop_case(db, version, matter, community, reporter, PLANS[i % 7], at))
    return made
