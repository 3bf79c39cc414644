"""Inbox tabs: mine, due soon, overdue, supervised (always within scope)."""

import datetime as dt

import pytest

from onegrid.store import Case
from onegrid.web import db
from web.webapp import PASSWORD


@pytest.fixture
def deadlines(app):
    """Case 1 overdue; case 2 past its warning, under supervision."""
    now = dt.datetime.now(dt.UTC)
    with app.app_context():
        session = db.session()
        one, two = session.get(Case, 1), session.get(Case, 2)
        one.warn_at, one.due_at = now - dt.timedelta(hours=2), now - dt.timedelta(hours=1)
        two.warn_at, two.due_at = now - dt.timedelta(hours=1), now + dt.timedelta(hours=1)
        two.supervised = True
        session.commit()


def listed(client, tab):
    r = client.get(f"/api/v1/cases?tab={tab}")
    assert r.status_code == 200
    return sorted(c["id"] for c in r.get_json())


@pytest.mark.parametrize(
    ("user", "tabs"),
    [
        # urban leads case 1 and assists on case 2, where its part waits for it
        ("urban", {"mine": [1, 2], "overdue": [1], "due_soon": [2], "supervised": [2]}),
        ("gw_a", {"mine": [], "overdue": [1], "due_soon": [], "supervised": []}),
        ("housing", {"mine": [2], "overdue": [], "due_soon": [2], "supervised": [2]}),
    ],
)
def test_tabs(client, deadlines, user, tabs):
    client.post("/auth/login", data={"username": user, "password": PASSWORD})
    for tab, expected in tabs.items():
        assert listed(client, tab) == expected, tab
    page = client.get("/?tab=overdue").get_data(as_text=True)
    assert ('class="overdue"' in page) == bool(tabs["overdue"])
