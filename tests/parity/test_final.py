"""A final rung is final: Luohu's enforcement committee decides, and no
transition leaves its decision (sending back, reopening, escalating); the
API and the case page say which rung a case is on and that it is final."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from onegrid import paths
from onegrid.cli.live import LiveApp, request_of
from onegrid.policy.pack import load_policy
from onegrid.store import accounts
from onegrid.web import db

PASSWORD = "pw-for-tests"


@pytest.fixture(scope="module")
def luohu(tmp_path_factory):
    app = LiveApp(paths.CATALOGS / "luohu", tmp_path_factory.mktemp("luohu"))
    with app.app.app_context():
        session = db.session()
        keys = {}
        for name, role, unit in [
            ("platform", "dispatcher", "dept.platform"),
            ("committee", "dept_handler", "dept.enforcement_committee"),
            ("bureau", "dept_handler", "dept.enforcement"),
        ]:
            user = accounts.create_user(session, name, PASSWORD, bindings=[(role, unit)])
            keys[name] = accounts.issue_token(session, user, name="test")
        session.commit()
    app.keys = keys
    yield app
    app.close()


def call(app, who, method, path, json=None):
    r = app.client.open(
        path, method=method, json=json, headers={"Authorization": f"Bearer {app.keys[who]}"}
    )
    return r.status_code, r.get_json(silent=True)


def climb(app, case_id, times):
    for _ in range(times):
        due = app.case(case_id)["due_at"]
        app.sweep(dt.datetime.fromisoformat(due) + dt.timedelta(seconds=1))
    return app.case(case_id)


def take(app, who, case_id, action, submission=None):
    case = app.case(case_id)
    body = {"version": case["version"], "submission": submission or {}}
    return call(app, who, "POST", f"/api/v1/cases/{case_id}/actions/{action}", body)


def dispute(app) -> int:
    body, why = request_of(
        load_policy(paths.CATALOGS / "luohu"), {"matter": "m.enforcement_dispute"}
    )
    assert body is not None, why
    status, case = app.file_api(body)
    assert status == 201, case
    assert case["rung"] == {
        "ladder": "enforcement",
        "id": "authority",
        "name": "区住房和建设局",
        "final": False,
    }
    return case["id"]


def test_at_the_committee_nothing_leaves_the_decision(luohu):
    case_id = dispute(luohu)
    case = climb(luohu, case_id, 2)
    assert (case["unit"], case["rung"]["id"], case["rung"]["final"]) == (
        "dept.enforcement_committee",
        "committee",
        True,
    )
    for step in ("accept", "dispatch"):
        status, got = take(luohu, "platform", case_id, step)
        assert status == 200, got
    status, got = call(luohu, "committee", "GET", f"/api/v1/cases/{case_id}")
    assert status == 200 and got["rung"]["final"] is True
    offered = {a["id"] for a in got["actions"]}
    assert "sign" in offered  # forward moves stay open (the closed loop's 签收 first)
    assert not offered & {"send_back", "escalate", "reopen"}
    status, got = take(luohu, "committee", case_id, "send_back", {"reason": "不归我们管"})
    assert status == 409, got
    assert (
        got["message"] == f"案件 {case_id} 已在终局层级“区综合行政执法委员会”作出决定，不能“退单”"
    )
    # the case page says so too
    form = luohu.client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    login = {"username": "committee", "password": PASSWORD, "csrf_token": token}
    r = luohu.client.post("/auth/login", data=login)
    assert r.status_code in (302, 303)
    page = luohu.client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="rung" data-final="true"' in page and "终局决定" in page
    luohu.client.post("/auth/logout")


def test_below_the_final_rung_a_case_may_be_sent_back(luohu):
    case_id = dispute(luohu)
    case = climb(luohu, case_id, 1)
    assert (case["rung"]["id"], case["rung"]["final"]) == ("bureau", False)
    for step in ("accept", "dispatch"):
        status, got = take(luohu, "platform", case_id, step)
        assert status == 200, got
    status, got = call(luohu, "bureau", "GET", f"/api/v1/cases/{case_id}")
    assert "send_back" in {a["id"] for a in got["actions"]}
