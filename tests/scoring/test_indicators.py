"""Indicators computed from the record: the generated Cuntan month, recomputed by hand."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from onegrid.policy.kinds.scoring import FORMULAS
from onegrid.scoring import formulas, record, schemes_of, standings
from onegrid.scoring.periods import parse
from onegrid.store import AuditEntry, Case
from onegrid.workflow.rulebook import rulebook
from scoring.month import NOV, run_case, worker

START = dt.datetime(2026, 10, 31, 16, tzinfo=dt.UTC)  # 1 November, midnight in Chongqing
END = dt.datetime(2026, 11, 30, 16, tzinfo=dt.UTC)


def scheme(version, sid):
    return next(s for s in schemes_of(rulebook(version)) if s["id"] == sid)


def test_every_declared_formula_is_implemented_and_nothing_else():
    assert set(FORMULAS) == set(formulas.IMPLEMENTATIONS)


def test_a_month_is_the_pack_clock_month():
    assert parse("2026-11").bounds(dt.timezone(dt.timedelta(hours=8))) == (START, END)


def by_hand(session, username: str, grid: str, fields: int) -> float:
    """Cuntan's three grid-worker indicators from the raw rows of the store."""
    cases = session.scalars(select(Case)).all()
    mine = [c for c in cases if c.reporter == username and START <= c.created_at < END]
    filled = [
        sum(1 for v in c.submission.values() if v not in (None, "", [])) / fields for c in mine
    ]
    completeness = sum(filled) / len(filled)
    activity = min(1, len(mine) / 10)
    closed = due = 0
    for c in cases:
        if c.place != grid:
            continue
        rows = [
            json.loads(a.payload)["data"]
            for a in session.scalars(
                select(AuditEntry).where(AuditEntry.case_id == c.id).order_by(AuditEntry.seq)
            )
        ]
        if c.closed_at is not None and START <= c.closed_at < END:
            closed += 1
            due += 1
        elif c.closed_at is None and any("overdue_since" in r for r in rows):
            due += 1
    closure = closed / due
    return round(100 * (0.4 * completeness + 0.3 * activity + 0.3 * closure), 2)


def test_three_grid_workers_scores_agree_with_a_hand_count(db, cuntan, month):
    book = rulebook(cuntan)
    fields = len(record.form_fields(book, "m.gas_safety_hazards"))
    with db() as s:
        rows = standings(
            s, book, scheme(cuntan, "sc.grid_worker"), record.load(s, "cuntan", START, END)
        )
        got = {r.subject: r for r in rows}
        assert set(got) == set(month)  # every grid worker is ranked …
        assert all(r.tier in {"first", "second", "third", "fourth"} for r in rows)  # … in a tier
        for username in ("gw01", "gw03", "gw04"):
            grid = got[username].units[0]
            assert got[username].score == pytest.approx(
                by_hand(s, username, grid, fields), abs=0.01
            )
    # the breakdown names the cases behind every number
    assert {i["case"] for i in got["gw03"].evidence["activity"]} == set(month["gw03"])


def test_a_step_overdue_at_a_department_is_late_for_it_not_for_whoever_closes(db, cuntan):
    book = rulebook(cuntan)
    grid = sorted(u for u, spec in book.units.items() if spec.get("level") == "grid")[0]
    # overdue at the work-safety post, escalated by the sweep, closed by the command centre
    late = run_case(db, cuntan, worker(1, grid), grid, "late", NOV)
    with db() as s:
        rec = record.load(s, "cuntan", START, END)
        (case,) = rec.cases
        assert case.id == late and case.lead == "ct.command" and case.closed_at is not None
        assert case.late_units() == {"post.worksafety"}
        on_time = {"formula": "on_time_closure_rate", "attribution": "holder"}
        found = {
            unit: item["ok"]
            for keys, item in formulas.on_time_closure_rate(on_time, rec)
            for _, unit in keys
        }
    assert found == {"post.worksafety": 0.0, "ct.command": 1.0}
    with db() as s:
        posts = standings(s, book, scheme(cuntan, "sc.post"), rec)
    worksafety = next(r for r in posts if r.subject == "post.worksafety")
    assert worksafety.values["on_time"]["value"] == 0.0
    assert worksafety.evidence["on_time"] == [
        {"case": late, "ok": 0.0, "late_at": ["post.worksafety"]}
    ]
