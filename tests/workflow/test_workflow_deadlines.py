"""Working days, warnings, supervision and escalation up the ladder."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select, update

from onegrid import paths
from onegrid.policy.pack import load_policy
from onegrid.store import AuditEntry, Case
from onegrid.workflow import get_case, open_case, sweep, trail, verify
from onegrid.workflow.calendar import BusinessCalendar

from .conftest import REPORTER

CN = BusinessCalendar.from_section(load_policy(paths.RULES / "calendar-cn").sections["calendar"])
BEIJING = dt.timezone(dt.timedelta(hours=8))


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BEIJING)


@pytest.mark.parametrize(
    ("start", "limit", "due"),
    [
        ("2026-11-20 10:00", "1wd", "2026-11-23 10:00"),  # Friday → Monday
        ("2026-11-21 10:00", "1wd", "2026-11-24 00:00"),  # Saturday: all of Monday
        ("2026-02-13 10:00", "1wd", "2026-02-14 10:00"),  # Saturday 14 Feb is a make-up day
        ("2026-02-14 10:00", "1wd", "2026-02-24 10:00"),  # then nine days of Spring Festival
        ("2026-09-30 10:00", "1wd", "2026-10-08 10:00"),  # National Day week
        ("2026-09-30 10:00", "3wd", "2026-10-10 10:00"),  # Saturday 10 Oct is a make-up day
        ("2026-09-30 10:00", "2d", "2026-10-02 10:00"),  # calendar days ignore holidays
        ("2026-09-30 23:30", "1h", "2026-10-01 00:30"),
        ("2026-09-30 10:00", "45m", "2026-09-30 10:45"),
    ],
)
def test_business_calendar(start, limit, due):
    assert CN.add(at(start), limit) == at(due)


def test_calendar_days():
    assert CN.is_workday(dt.date(2026, 9, 20))  # a Sunday, but a make-up day
    assert not CN.is_workday(dt.date(2026, 10, 5))
    assert not CN.is_workday(dt.date(2027, 2, 8))  # provisional 2027 Spring Festival


def test_sweep_warns_then_escalates_up_the_ladder(db, version):
    t0 = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)
    with db() as session:
        case = open_case(
            session, version, {"matter": "m.litter", "place": "g1"}, {}, REPORTER, "grid", now=t0
        )
    assert case.due_at == t0 + dt.timedelta(hours=1)  # accept: 1h
    assert case.warn_at == t0 + dt.timedelta(minutes=45)
    assert sweep(db, t0 + dt.timedelta(minutes=30)).total == 0
    report = sweep(db, t0 + dt.timedelta(minutes=50))
    assert report.warned == [case.id]
    assert sweep(db, t0 + dt.timedelta(minutes=50)).total == 0  # idempotent
    levels = []
    now = t0
    for _ in range(4):
        now += dt.timedelta(hours=1, minutes=1)
        report = sweep(db, now)
        with db() as session:
            case = get_case(session, case.id)
        levels.append((case.level, case.unit, report.escalated == [case.id]))
        assert sweep(db, now).total == 0
    assert levels == [
        ("community", "c1", True),
        ("street", "s1", True),
        ("district", "d", True),
        ("district", "d", False),  # the top: supervised, overdue, no further
    ]
    assert case.supervised and case.overdue and case.escalations == 3 and case.due_at is None
    with db() as session:
        actions = [s.action for s in trail(session, case.id)]
        assert actions == ["open", "warn", "escalate", "escalate", "escalate", "supervise"]
        assert verify(session).ok


def test_concurrent_sweeps_never_act_twice(db, version):
    t0 = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)
    ids = []
    with db() as session:
        for i in range(40):
            place = "g1" if i % 2 else "g2"
            facts = {"matter": "m.litter", "place": place}
            ids.append(open_case(session, version, facts, {}, REPORTER, "grid", now=t0).id)
    now = t0 + dt.timedelta(hours=2)
    reports, errors = [], []
    start = threading.Barrier(4)

    def run():
        try:
            start.wait()
            reports.append(sweep(db, now, batch=3))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    escalated = sorted(i for r in reports for i in r.escalated)
    assert escalated == sorted(ids)
    with db() as session:
        rows = session.execute(
            select(AuditEntry.case_id, func.count())
            .where(AuditEntry.action == "escalate")
            .group_by(AuditEntry.case_id)
        ).all()
        assert sorted(rows) == [(i, 1) for i in sorted(ids)]
        assert verify(session).ok


def test_the_app_scheduler_sweeps_in_the_background(db, version):
    import time

    from onegrid.workflow.scheduler import Scheduler

    with db() as session:
        past = dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC)
        case = open_case(
            session, version, {"matter": "m.litter", "place": "g1"}, {}, REPORTER, "grid", now=past
        )
    scheduler = Scheduler(db, interval=0.05).start()
    try:
        deadline = time.monotonic() + 20
        while scheduler.runs < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        scheduler.stop()
    with db() as session:
        assert get_case(session, case.id).escalations >= 1


def test_one_broken_case_does_not_stop_the_sweep(db, version, caplog):
    t0 = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)
    with db() as session:
        good, bad = (
            open_case(
                session,
                version,
                {"matter": "m.litter", "place": "g1"},
                {},
                REPORTER,
                "grid",
                now=t0,
            )
            for _ in range(2)
        )
    with db() as session:
        # not a duration: escalating it fails (written around the ORM, so the
        # case's version, which the trail replays, stays as it was)
        session.execute(
            update(Case).where(Case.id == bad.id).values(limits={"accept": "soon"}),
            execution_options={"synchronize_session": False},
        )
        session.commit()
    report = sweep(db, t0 + dt.timedelta(hours=2))
    assert (report.escalated, report.failed) == ([good.id], [bad.id])
    assert "cannot act on case" in caplog.text
    with db() as session:
        assert get_case(session, bad.id).escalations == 0
        assert verify(session).ok
