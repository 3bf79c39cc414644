"""Indicators computed from the record: the generated Cuntan month, recomputed by hand."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest
from sqlalchemy import select

from conftest import CATALOGS
from onegrid.policy.kinds.scoring import FORMULAS
from onegrid.scoring import formulas, record, schemes_of, standings
from onegrid.scoring.periods import parse
from onegrid.store import AuditEntry, Case, Item
from onegrid.workflow.actor import Actor, Binding
from onegrid.workflow.rounds import open_rounds, tick
from onegrid.workflow.rulebook import rulebook
from scoring.month import NOV, run_case, worker
from scoring.test_duty_indicators import evidence

START = dt.datetime(2026, 10, 31, 16, tzinfo=dt.UTC)  # 1 November, midnight in Chongqing
END = dt.datetime(2026, 11, 30, 16, tzinfo=dt.UTC)


def scheme(version, sid):
    return next(s for s in schemes_of(rulebook(version)) if s["id"] == sid)


def test_every_declared_formula_is_implemented_and_nothing_else():
    assert set(FORMULAS) == set(formulas.IMPLEMENTATIONS)


def test_a_month_is_the_pack_clock_month():
    assert parse("2026-11").bounds(dt.timezone(dt.timedelta(hours=8))) == (START, END)


def registry_row(grid: str) -> dict:
    with open(CATALOGS / "cuntan" / "registry" / "grids.csv", encoding="utf-8") as f:
        return next(r for r in csv.DictReader(f) if r["grid"] == grid)


def patrols(session, username: str) -> int:
    """Ticks of the patrol duty (d.gw.2) made by the worker in November."""
    rounds = session.scalars(select(Item).where(Item.kind == "duty_round")).all()
    made = [t for r in rounds for t in ((r.result or {}).get("ticks") or {}).get("d.gw.2", ())]
    return sum(
        1 for t in made if t["by"] == username and START <= dt.datetime.fromisoformat(t["at"]) < END
    )


def by_hand(session, username: str, grid: str, fields: int) -> float:
    """Cuntan's three grid-worker indicators from the raw rows of the store
    (and the registry CSV: her grid's row counts in her completeness)."""
    cases = session.scalars(select(Case)).all()
    mine = [c for c in cases if c.reporter == username and START <= c.created_at < END]
    filled = [
        sum(1 for v in c.submission.values() if v not in (None, "", [])) / fields for c in mine
    ]
    row = registry_row(grid)
    filled.append(sum(1 for k in ("name", "households") if row[k].strip()) / 2)
    completeness = sum(filled) / len(filled)
    activity = min(1, (len(mine) + patrols(session, username)) / 10)
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
    # gw03 patrols (ticks d.gw.2 in her weekly round) twice in week 46, once in December
    open_rounds(db, dt.datetime(2026, 11, 9, 2, tzinfo=dt.UTC))
    with db() as s:
        rows_ = standings(
            s, book, scheme(cuntan, "sc.grid_worker"), record.load(s, "cuntan", START, END)
        )
        home = next(r for r in rows_ if r.subject == "gw03").units[0]
        weekly = next(
            r
            for r in s.scalars(select(Item).where(Item.unit == home, Item.kind == "duty_round"))
            if r.data["period"] == "2026-W46"
        )
        photo = evidence(book, weekly, "d.gw.2")
        gw03 = Actor("gw03", (Binding("grid_worker", home),))
        for day in (10, 11):
            weekly = tick(s, weekly.id, "d.gw.2", gw03, photo, weekly.version,
                          dt.datetime(2026, 11, day, 2, tzinfo=dt.UTC))  # fmt: skip
    with db() as s:
        assert patrols(s, "gw03") == 2
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
    # the breakdown names the cases and the patrols behind every number
    activity = got["gw03"].evidence["activity"]
    assert {i["case"] for i in activity if "case" in i} == set(month["gw03"])
    assert [i["duty"] for i in activity if "duty" in i] == ["d.gw.2", "d.gw.2"]
    assert {i.get("grid") for i in got["gw03"].evidence["completeness"]} >= {home}


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
