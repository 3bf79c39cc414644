"""A lapsed case is told (issue 14 item 6): when the sweep escalates a case
or puts it under supervision, the holders at the new level, the units above
it and the unit it was taken from find it in their notifications, through
the same outbox as every step; a warning tells the holder. On the bundled
packs, as their demo users log in."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from onegrid.store import Case, Notification, make_engine, sessions
from onegrid.store.accounts import RoleBinding, User
from onegrid.web import casework, db, policyview
from onegrid.workflow import rulebook, sweep
from onegrid.workflow.party import seats
from web import bundled
from web.webapp import PASSWORD


def run_sweep(app, now):
    engine = make_engine(app.config["ONEGRID_DATABASE_URL"])
    try:
        return sweep(sessions(engine), now=now)
    finally:
        engine.dispose()


@pytest.mark.parametrize("pack", ["kunqu", "cuntan"])
def test_a_lapsed_case_reaches_the_units_above(bundled_app, pack):
    app = bundled_app(pack)
    with app.test_request_context():
        session = db.session()
        policy = policyview.policy(app)
        users = session.scalars(select(User)).all()
        reporter = next(u for u in users if bundled._reports(u, policy))
        matter = next(m for m in policy.items("matter") if m.get("form"))
        body = bundled.example(policy, matter["form"])
        case = casework.open_case(session, reporter, matter["id"], reporter.bindings[0].unit, body)
        case_id, warn_at, due_at = case.id, case.warn_at, case.due_at
        book = rulebook(case.policy_version)
        above = set(seats(book, case, "superior"))
        unit_before = case.unit
        session.commit()
    if warn_at is not None and warn_at < due_at:
        run_sweep(app, warn_at + dt.timedelta(seconds=1))
    report = run_sweep(app, due_at + dt.timedelta(minutes=1))
    assert case_id in report.escalated + report.supervised
    with app.app_context():
        session = db.session()
        notes = session.scalars(select(Notification).where(Notification.case_id == case_id)).all()
        events = [n.event for n in notes]
        lapse = next(n for n in notes if n.event in ("escalate", "supervise"))
        case = session.get(Case, case_id)
        # the units above where it lapsed are told (the superiors of where it is now too)
        assert above and above & set(lapse.units), (above, lapse.units)
        assert set(seats(book, case, "superior")) <= set(lapse.units)
        if unit_before != case.unit:
            assert unit_before in lapse.units
        if warn_at is not None and warn_at < due_at:
            assert "warn" in events
        # someone bound to a unit above reads it in the app, in words
        reader = session.scalar(
            select(User.username).join(RoleBinding).where(RoleBinding.unit.in_(lapse.units))
        )
        subject = lapse.subject["zh"]
    assert reader is not None and re.match(rf"#{case_id} .+：已超时", subject)
    client = app.test_client()
    client.post("/auth/login", data={"username": reader, "password": PASSWORD})
    page = client.get("/notifications").get_data(as_text=True)
    assert subject in page
