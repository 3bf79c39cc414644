"""The monthly run freezes each period once; a correction is a new revision."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from onegrid.scoring import run as scoring_run
from onegrid.scoring import schemes_of
from onegrid.scoring.periods import parse
from onegrid.store.scores import ScoreRow, ScoreRun
from onegrid.workflow.case import act, get_case
from onegrid.workflow.rulebook import rulebook
from scoring.month import COMMAND, STREET

DEC = dt.datetime(2026, 12, 1, 2, tzinfo=dt.UTC)  # 10:00 on 1 December in Chongqing


def test_the_sweep_freezes_november_once_and_a_correction_is_a_revision(
    db, cuntan, month, onegrid, db_url
):
    first = scoring_run.close_periods(db, DEC)
    monthly = {s["id"] for s in schemes_of(rulebook(cuntan)) if s["period"] == "monthly"}
    assert {(r.scheme, r.period, r.revision) for r in first} >= {
        (sid, "2026-11", 1) for sid in monthly
    }
    assert scoring_run.close_periods(db, DEC + dt.timedelta(hours=1)) == []  # idempotent
    scheme = next(s for s in schemes_of(rulebook(cuntan)) if s["id"] == "sc.grid_worker")
    with db() as s:
        again = scoring_run.freeze(s, cuntan, scheme, parse("2026-11"))
        assert not again.created and again.run.revision == 1  # same record, nothing new
        before = {r.subject: r.score for r in again.run.rows}
    # a correction: a case left open and overdue is closed with a November date, late
    with db() as s:
        rows = s.scalars(
            select(ScoreRow).join(ScoreRun).where(ScoreRun.scheme == "sc.grid_worker")
        ).all()
        gw = next(r for r in rows if any(not i["ok"] for i in r.evidence["closure"]))
        who = gw.subject
        missing = [i["case"] for i in gw.evidence["closure"] if not i["ok"]]
        case = get_case(s, missing[0])
        at = dt.datetime(2026, 11, 29, 3, tzinfo=dt.UTC)
        case = act(s, case.id, "handle", COMMAND, {"result": "补录"}, case.version, now=at)
        case = act(s, case.id, "feed_back", STREET, {"message": "补录"}, case.version, now=at)
        act(s, case.id, "approve", STREET, {}, case.version, now=at)
    with db() as s:
        revised = scoring_run.freeze(s, cuntan, scheme, parse("2026-11"), by="test")
        assert revised.created and revised.run.revision == 2
        after = {r.subject: r.score for r in revised.run.rows}
        assert after[who] > before[who]
        assert {k: v for k, v in after.items() if k != who} == {
            k: v for k, v in before.items() if k != who
        }
        # the first revision is still there, unchanged
        old = scoring_run.revisions(s, "cuntan", "sc.grid_worker", "2026-11")[0]
        assert {r.subject: r.score for r in old.rows} == before
    r = onegrid("scores", "catalogs/cuntan", "--period", "2026-11", "--url", db_url, "--lang", "en")
    assert r.code == 0, r.err
    assert "revision 2" in r.out and who in r.out


def test_frozen_rows_cannot_be_changed(db, cuntan, month):
    scoring_run.close_periods(db, DEC)
    with db() as s, pytest.raises(DatabaseError):
        s.execute(text("UPDATE score_rows SET score = 100"))
    with db() as s, pytest.raises(DatabaseError):
        s.execute(text("DELETE FROM score_runs"))


def test_scores_on_the_command_line_and_its_errors(db, cuntan, month, onegrid, db_url):
    r = onegrid("scores", "catalogs/cuntan", "--period", "2026-11", "--url", db_url)
    assert r.code == 0, r.err
    assert "专职网格员月度积分考核" in r.out and "未冻结" in r.out and "网格员01" in r.out
    r = onegrid("scores", "catalogs/cuntan", "--period", "2026-11", "--url", db_url, "--recompute")
    assert r.code == 0 and "第 1 版" in r.out
    r = onegrid("scores", "catalogs/cuntan", "--period", "2026-13", "--url", db_url)
    assert r.code == 2 and "2026-11" in r.err
    r = onegrid("scores", "catalogs/cuntan", "--period", "2026", "--url", db_url, "--lang", "en")
    assert r.code == 2 and "yearly" in r.err
    r = onegrid("scores", "catalogs/kunqu", "--period", "2026-11", "--url", db_url, "--lang", "en")
    assert r.code == 2 and "no published version" in r.err
