"""The sweep scales out (issue 22 item 2): one case per transaction, claimed
with SKIP LOCKED from a partial index on the next moment it is due."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import select, text

from onegrid.store import Case
from onegrid.workflow import act, open_case, sweep, verify

from .conftest import REPORTER, staff

LITTER = {"matter": "m.litter", "place": "g1"}
T0 = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)


def litter(db, version, n=1, now=T0):
    with db() as session:
        return [
            open_case(session, version, LITTER, {}, REPORTER, "grid", now=now) for _ in range(n)
        ]


def test_the_next_sweep_moment_follows_every_change(db, version):
    (case,) = litter(db, version)
    assert case.sweep_at == case.warn_at  # accept: 1h, warned at 45 min
    sweep(db, T0 + dt.timedelta(minutes=50))
    with db() as session:
        case = session.get(Case, case.id)
        assert case.warned and case.sweep_at == case.due_at
        act(session, case.id, "accept", staff("g1"), {}, case.version)
        case = session.get(Case, case.id)
        assert case.sweep_at == case.warn_at and not case.warned


def test_a_case_held_by_another_sweeper_is_skipped_not_waited_for(db, version):
    held, *others = litter(db, version, 4)
    with db() as probe:
        if probe.bind.dialect.name != "postgresql":
            pytest.skip("SQLite has one writer at a time: there is no row to hold")
    holder = db()
    holder.execute(select(Case).where(Case.id == held.id).with_for_update())
    try:
        started = time.monotonic()
        report = sweep(db, T0 + dt.timedelta(hours=2))
        assert sorted(report.escalated) == sorted(c.id for c in others)
        assert time.monotonic() - started < 5
        # meanwhile intake goes on: nothing it needs is held by the sweep
        litter(db, version, now=T0 + dt.timedelta(hours=2))
    finally:
        holder.rollback()
        holder.close()
    assert sweep(db, T0 + dt.timedelta(hours=2)).escalated == [held.id]
    with db() as session:
        assert verify(session).ok


def test_sweeps_in_threads_share_a_burst_of_same_instant_deadlines(db, version):
    cases = litter(db, version, 30)
    reports = []

    def run():
        reports.append(sweep(db, T0 + dt.timedelta(hours=2)))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    done = [i for r in reports for i in r.escalated]
    assert sorted(done) == sorted(c.id for c in cases)  # each exactly once
    with db() as session:
        assert verify(session).ok


def test_an_idle_and_a_busy_tick_probe_the_partial_index(db, version):
    """EXPLAIN at a few thousand cases: the sweep's claim is an index scan
    of ix_cases_sweep_at, never a scan of the cases."""
    with db() as session:
        if session.bind.dialect.name != "postgresql":
            pytest.skip("the plans are PostgreSQL's")
    (case,) = litter(db, version)
    with db() as session:
        columns = [c.name for c in Case.__table__.c if c.name not in ("id", "idempotency_key")]
        names = ", ".join(columns)
        session.execute(
            text(
                f"INSERT INTO cases ({names}) SELECT {names} FROM cases, generate_series(1, 5000)"
                " WHERE id = :id"
            ),
            {"id": case.id},
        )
        # most of them closed long ago, as in a real year
        session.execute(
            text("UPDATE cases SET closed_at = created_at, sweep_at = NULL WHERE id % 10 <> 0")
        )
        session.commit()
        session.execute(text("ANALYZE cases"))
        from onegrid.workflow.sweep import due

        for moment in (T0, T0 + dt.timedelta(hours=2)):
            query = due(moment).compile(session.bind, compile_kwargs={"literal_binds": True})
            plan = "\n".join(session.execute(text(f"EXPLAIN {query}")).scalars())
            assert "ix_cases_sweep_at" in plan and "Seq Scan" not in plan, plan
