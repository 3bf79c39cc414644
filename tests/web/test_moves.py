"""The hotline moves on Kunqu as served, through the JSON API and the case
page: 签收 (sign), 退单 and 改派 (a wrongly dispatched case is returned and
re-dispatched), 延期 (an extension asked and granted on the business
calendar), 回访 and 返工; each in the trail, each refused to the wrong hand."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from onegrid.forms import forms_of
from onegrid.forms.example import valid_example
from onegrid.web import casework, db, policyview
from onegrid.workflow.rulebook import rulebook
from web.webapp import PASSWORD, serve_with_staff

STAFF = {
    "finder": ("grid_worker", "g.heping.01"),
    "centre": ("dispatcher", "dept.command"),
    "propaganda": ("dept_handler", "dept.propaganda"),
    "urban": ("dept_handler", "dept.urban"),
    "street": ("street_officer", "st.linyin"),
}


@pytest.fixture(scope="module")
def kunqu(tmp_path_factory):
    app, bearer = serve_with_staff("kunqu", tmp_path_factory.mktemp("kunqu-moves"), STAFF)
    yield app, bearer
    db.engine(app).dispose()


class Api:
    def __init__(self, app, bearer):
        self.client, self.bearer = app.test_client(), bearer
        policy = policyview.policy(app)
        matter = next(m for m in policy.items("matter") if m["id"] == "m.ideology.rumour")
        r = self.client.post(
            "/api/v1/cases",
            json={
                "matter": matter["id"],
                "place": "g.heping.01",
                "submission": valid_example(forms_of(policy).form(matter["form"])),
            },
            headers=bearer["finder"],
        )
        assert r.status_code == 201, r.get_data(as_text=True)
        self.case = r.get_json()

    def offered(self, who):
        r = self.client.get(f"/api/v1/cases/{self.case['id']}", headers=self.bearer[who])
        return [a["id"] for a in r.get_json()["actions"]]

    def post(self, who, action, body=None):
        return self.client.post(
            f"/api/v1/cases/{self.case['id']}/actions/{action}",
            json={"version": self.case["version"], "submission": body or {}},
            headers=self.bearer[who],
        )

    def take(self, who, action, body=None):
        assert action in self.offered(who), (who, action, self.case["state"], self.offered(who))
        r = self.post(who, action, body)
        assert r.status_code == 200, r.get_data(as_text=True)
        self.case = r.get_json()
        return self.case

    def trail(self):
        r = self.client.get(f"/api/v1/cases/{self.case['id']}/trail", headers=self.bearer["centre"])
        return r.get_json()


def due(case) -> dt.datetime:
    return dt.datetime.fromisoformat(case["due_at"])


def test_returned_reassigned_extended_revisited_on_the_api(kunqu):
    app, bearer = kunqu
    api = Api(app, bearer)
    assert api.case["unit"] == "dept.propaganda"
    api.take("centre", "accept")
    api.take("centre", "dispatch")
    # 签收 restarts the handling clock; nobody signs twice
    before = due(api.case)
    api.take("propaganda", "sign")
    assert due(api.case) >= before and "sign" not in api.offered("propaganda")
    # 退单: not the propaganda department's; a reason is required
    r = api.post("propaganda", "send_back", {})
    assert r.status_code == 422 and "reason" in r.get_json()["errors"]
    api.take("propaganda", "send_back", {"reason": "属城管职责，派错了"})
    assert api.case["state"] == "accepted"
    # the unit that returned it may not pick the next lead itself
    assert "reassign" not in api.offered("propaganda")
    # nor does a plain 转办 hand it back to the unit that returned it
    r = api.post("centre", "dispatch", {})
    assert r.status_code == 422 and "lead" in r.get_json()["errors"]
    assert "已退回此案件" in r.get_json()["errors"]["lead"][0]
    # 改派: the dispatcher names another lead, not the same one
    r = api.post("centre", "reassign", {"lead": "dept.propaganda", "reason": "再试"})
    assert r.status_code == 422
    api.take("centre", "reassign", {"lead": "dept.urban", "reason": "城管负责清理"})
    assert (api.case["state"], api.case["unit"]) == ("dispatched", "dept.urban")
    # 延期: asked by the lead, granted by the centre; the deadline moves 3 working days
    api.take("urban", "sign")
    before = due(api.case)
    api.take("urban", "ask_extension", {"duration": "3wd", "reason": "需协调多部门"})
    assert "grant_extension" not in api.offered("urban")
    assert "ask_extension" not in api.offered("urban")  # one waiting at a time
    api.take("centre", "grant_extension", {"comment": "同意"})
    with app.app_context():
        book = rulebook(casework.current_version(db.session()))
    assert due(api.case) == book.calendar.add(before, "3wd")
    api.take("urban", "ask_extension", {"duration": "1wd", "reason": "再等一天"})
    api.take("centre", "refuse_extension", {"reason": "不能再延"})
    r = api.post("urban", "ask_extension", {"duration": "1wd", "reason": "最后一次"})
    assert r.status_code == 409 and "最多 2 次" in r.get_json()["message"]
    # handled, fed back, called back, evaluated unsatisfied (返工), then closed
    api.take("urban", "handle", {"result": "已清理"})
    api.take("centre", "feed_back", {"message": "已清理"})
    api.take("centre", "revisit", {"reached": True, "satisfaction": "unsatisfied"})
    assert "revisit" not in api.offered("centre")
    api.take("finder", "reopen", {"reason": "没清干净"})
    api.take("urban", "handle", {"result": "已彻底清理"})
    api.take("centre", "feed_back", {"message": "已复查"})
    api.take("finder", "approve")
    assert api.case["state"] == "closed"
    steps = [(s["action"], s["actor"]) for s in api.trail()]
    assert steps == [
        ("open", "finder"), ("accept", "centre"), ("dispatch", "centre"),
        ("sign", "propaganda"), ("send_back", "propaganda"), ("reassign", "centre"),
        ("sign", "urban"), ("ask_extension", "urban"), ("grant_extension", "centre"),
        ("ask_extension", "urban"), ("refuse_extension", "centre"), ("handle", "urban"),
        ("feed_back", "centre"), ("revisit", "centre"), ("reopen", "finder"),
        ("handle", "urban"), ("feed_back", "centre"), ("approve", "finder"),
    ]  # fmt: skip
    data = {s["action"]: s.get("data") or s for s in api.trail()}
    assert "reopen" in data


def page_act(client, case_id, action, data=None):
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    m = re.search(rf'action="(/cases/{case_id}/act/{action}\?version=\d+[^"]*)"', page)
    assert m, f"{action} not offered"
    r = client.post(m.group(1).replace("&amp;", "&"), data=data or {})
    assert r.status_code == 303, r.get_data(as_text=True)[-2000:]
    return client.get(f"/cases/{case_id}").get_data(as_text=True)


def login(app, who):
    client = app.test_client()
    assert (
        client.post("/auth/login", data={"username": who, "password": PASSWORD}).status_code == 302
    )
    return client


def test_returned_and_extended_through_the_case_page(kunqu):
    app, bearer = kunqu
    api = Api(app, bearer)
    case_id = api.case["id"]
    centre, propaganda, urban = login(app, "centre"), login(app, "propaganda"), login(app, "urban")
    page_act(centre, case_id, "accept")
    page_act(centre, case_id, "dispatch")
    page_act(propaganda, case_id, "send_back", {"reason": "不属本部门"})
    page = page_act(centre, case_id, "reassign", {"lead": "dept.urban", "reason": "改派城管"})
    assert 'data-state="dispatched"' in page
    page_act(urban, case_id, "ask_extension", {"duration": "5wd", "reason": "天气原因"})
    page = page_act(centre, case_id, "grant_extension", {"comment": "同意"})
    for action in ("send_back", "reassign", "ask_extension", "grant_extension"):
        assert action in page[page.index('id="trail"') :]
