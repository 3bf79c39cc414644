"""并单 on Kunqu as served: a repeat report of the same matter nearby is
offered to the reporting form and to the dispatcher, merged (API and case
page), linked both ways, counted once, and every reporter hears the outcome."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from onegrid.forms import forms_of
from onegrid.forms.example import valid_example
from onegrid.scoring import record as scoring_record
from onegrid.web import db, policyview
from onegrid.workflow import notify
from web.webapp import PASSWORD, serve_with_staff

STAFF = {
    "finder": ("grid_worker", "g.heping.01"),
    "neighbour": ("grid_worker", "g.heping.02"),
    "centre": ("dispatcher", "dept.command"),
    "propaganda": ("dept_handler", "dept.propaganda"),
}
MATTER = "m.ideology.rumour"


@pytest.fixture
def kunqu(tmp_path):
    app, bearer = serve_with_staff("kunqu", tmp_path, STAFF)
    yield app, bearer
    db.engine(app).dispose()


def report(app, bearer, who, place):
    policy = policyview.policy(app)
    matter = next(m for m in policy.items("matter") if m["id"] == MATTER)
    r = app.test_client().post(
        "/api/v1/cases",
        json={
            "matter": MATTER,
            "place": place,
            "submission": valid_example(forms_of(policy).form(matter["form"])),
        },
        headers=bearer[who],
    )
    assert r.status_code == 201, r.get_data(as_text=True)
    return r.get_json()


def act(app, bearer, who, case, action, body=None):
    r = app.test_client().post(
        f"/api/v1/cases/{case['id']}/actions/{action}",
        json={"version": case["version"], "submission": body or {}},
        headers=bearer[who],
    )
    return r


def test_a_repeat_report_is_offered_merged_counted_once_and_told(kunqu):
    app, bearer = kunqu
    first = report(app, bearer, "finder", "g.heping.01")
    # the reporting form of the neighbouring grid shows the open case
    client = app.test_client()
    client.post("/auth/login", data={"username": "neighbour", "password": PASSWORD})
    page = client.get(
        f"/cases/new?matter={MATTER}&place=g.heping.02", follow_redirects=True
    ).get_data(as_text=True)
    assert f'data-case="{first["id"]}"' in page and "疑似重复" in page
    second = report(app, bearer, "neighbour", "g.heping.02")
    assert second["duplicates"] == []  # the API lists only cases in the reader's scope
    seen = app.test_client().get(f"/api/v1/cases/{second['id']}", headers=bearer["centre"])
    assert seen.get_json()["duplicates"] == [first["id"]]

    # the dispatcher merges it: never into itself, nor into another matter or a closed case
    r = act(app, bearer, "centre", second, "merge", {"into": second["id"]})
    assert r.status_code == 422 and "不能并入" in r.get_json()["message"]
    r = act(app, bearer, "centre", second, "merge", {"into": first["id"], "reason": "同一谣言"})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.get_json()["state"] == "merged"
    trail = app.test_client().get(f"/api/v1/cases/{first['id']}/trail", headers=bearer["centre"])
    assert [s["action"] for s in trail.get_json()][-1] == "merge_in"
    page = client.get(f"/cases/{second['id']}").get_data(as_text=True)
    assert 'id="merged-into"' in page and f"/cases/{first['id']}" in page

    # the open case runs its loop; both reporters hear the outcome
    case = (
        app.test_client().get(f"/api/v1/cases/{first['id']}", headers=bearer["centre"]).get_json()
    )
    for who, action, body in (
        ("centre", "accept", {}),
        ("centre", "dispatch", {}),
        ("propaganda", "handle", {"result": "已澄清"}),
        ("centre", "feed_back", {"message": "已澄清"}),
        ("finder", "approve", {}),
    ):
        r = act(app, bearer, who, case, action, body)
        assert r.status_code == 200, (action, r.get_data(as_text=True))
        case = r.get_json()
    assert case["state"] == "closed"
    with app.test_request_context():
        session = db.session()
        told = [n.event for _, n in notify.inbox(session, "neighbour")]
        assert "merged" in told and "merged-outcome" in told
        # the merged report counts once: the indicators' record leaves it out
        far = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
        record = scoring_record.load(
            session, policyview.policy().id, dt.datetime(2000, 1, 1, tzinfo=dt.UTC), far
        )
        assert len(record.cases) == 1


def test_merged_through_the_case_page(kunqu):
    app, bearer = kunqu
    first = report(app, bearer, "finder", "g.heping.01")
    second = report(app, bearer, "neighbour", "g.heping.01")
    client = app.test_client()
    client.post("/auth/login", data={"username": "centre", "password": PASSWORD})
    page = client.get(f"/cases/{second['id']}").get_data(as_text=True)
    assert f'data-case="{first["id"]}"' in page[page.index('id="duplicates"') :]
    target = re.search(
        rf'action="(/cases/{second["id"]}/act/merge\?version=\d+[^"]*)"', page
    ).group(1)
    r = client.post(target.replace("&amp;", "&"), data={"into": str(first["id"]), "reason": "重复"})
    assert r.status_code == 303, r.get_data(as_text=True)[-1500:]
    page = client.get(f"/cases/{second['id']}").get_data(as_text=True)
    assert 'data-state="merged"' in page
