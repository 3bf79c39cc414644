"""Separation of duties through the doors a user uses, on Kunqu as served:
the one-officer sequence is refused, with the reason, on the JSON API and
on the case page; a lead department cannot feed back its own handling."""

from __future__ import annotations

import re

import pytest

from onegrid.forms import forms_of
from onegrid.forms.example import valid_example
from onegrid.web import db, policyview
from web.webapp import PASSWORD, serve_with_staff

STAFF = {
    "officer": ("community_officer", "comm.heping"),
    "colleague": ("community_officer", "comm.heping"),
    "finder": ("grid_worker", "comm.heping"),
    "propaganda": ("dept_handler", "dept.propaganda"),
    "propaganda2": ("dept_handler", "dept.propaganda"),
    "centre": ("dispatcher", "kunqu"),
}


@pytest.fixture(scope="module")
def kunqu_app(tmp_path_factory):
    app, tokens = serve_with_staff("kunqu", tmp_path_factory.mktemp("kunqu-sod"), STAFF)
    yield app, tokens
    db.engine(app).dispose()


def open_report(app, bearer, matter_id, place):
    policy = policyview.policy(app)
    matter = next(m for m in policy.items("matter") if m["id"] == matter_id)
    body = valid_example(forms_of(policy).form(matter["form"]))
    r = app.test_client().post(
        "/api/v1/cases",
        json={"matter": matter_id, "place": place, "submission": body},
        headers=bearer,
    )
    assert r.status_code == 201, r.get_data(as_text=True)
    return r.get_json()


def api_act(app, bearer, case, action, submission=None, lang="zh"):
    r = app.test_client().post(
        f"/api/v1/cases/{case['id']}/actions/{action}?lang={lang}",
        json={"version": case["version"], "submission": submission or {}},
        headers={**bearer, "Accept-Language": lang},
    )
    return r


def test_one_officer_is_refused_on_the_api_with_the_reason(kunqu_app):
    app, tokens = kunqu_app
    case = open_report(app, tokens["officer"], "m.service.property", "comm.heping")
    assert "accept" not in [a["id"] for a in case["actions"]]
    r = api_act(app, tokens["officer"], case, "accept")
    assert r.status_code == 403
    assert "上报人不能受理本人上报的案件" in r.get_json()["message"], r.get_json()
    r = api_act(app, tokens["officer"], case, "accept", lang="en")
    assert "The reporter may not accept or reject their own report" in r.get_json()["message"]
    # the colleague takes it on; then the community may not feed back its own handling
    for action, body in (("accept", {}), ("dispatch", {}), ("handle", {"result": "已修复"})):
        r = api_act(app, tokens["colleague"], case, action, body)
        assert r.status_code == 200, r.get_data(as_text=True)
        case = r.get_json()
    r = api_act(app, tokens["officer"], case, "feed_back", {"message": "好了"})
    assert r.status_code == 403 and "和平社区已在本案中办理“处置完毕”" in r.get_json()["message"]


def test_empty_handling_results_do_not_pass(kunqu_app):
    app, tokens = kunqu_app
    case = open_report(app, tokens["officer"], "m.service.property", "comm.heping")
    for action in ("accept", "dispatch"):
        case = api_act(app, tokens["colleague"], case, action).get_json()
    for empty in ({}, {"result": ""}, {"result": "   "}, {"result": "好"}):
        r = api_act(app, tokens["colleague"], case, "handle", empty)
        assert r.status_code == 422, (empty, r.get_data(as_text=True))
        assert "result" in r.get_json()["errors"]


def test_a_lead_department_cannot_feed_back_its_own_case(kunqu_app):
    app, tokens = kunqu_app
    case = open_report(app, tokens["finder"], "m.ideology.rumour", "comm.heping")
    for who, action, body in (
        ("centre", "accept", {}),
        ("centre", "dispatch", {}),
        ("propaganda", "handle", {"result": "已澄清"}),
    ):
        r = api_act(app, tokens[who], case, action, body)
        assert r.status_code == 200, (action, r.get_data(as_text=True))
        case = r.get_json()
    # a department that handles is no dispatcher: neither it nor a colleague feeds back
    for who in ("propaganda", "propaganda2"):
        r = api_act(app, tokens[who], case, "feed_back", {"message": "已处理"})
        assert r.status_code == 403
        assert "可由本级指挥中心（调度员）、上级单位办理" in r.get_json()["message"]
    r = api_act(app, tokens["centre"], case, "feed_back", {"message": "已处理"})
    assert r.status_code == 200
    r = api_act(app, tokens["propaganda2"], r.get_json(), "approve")
    assert r.status_code == 403


def test_the_case_page_says_why_a_step_is_not_mine(kunqu_app):
    app, tokens = kunqu_app
    case = open_report(app, tokens["officer"], "m.service.property", "comm.heping")
    client = app.test_client()
    assert (
        client.post("/auth/login", data={"username": "officer", "password": PASSWORD}).status_code
        == 302
    )
    page = client.get(f"/cases/{case['id']}").get_data(as_text=True)
    assert f'action="/cases/{case["id"]}/act/accept' not in page
    refused = page[page.index('id="refused"') :]
    assert "上报人不能受理本人上报的案件" in refused.split("</ul>")[0]
    r = client.post(f"/cases/{case['id']}/act/accept?version={case['version']}")
    assert r.status_code == 403
    text = r.get_data(as_text=True)
    assert re.search(r'class="flash">不能“受理”：上报人不能受理本人上报的案件', text), text
