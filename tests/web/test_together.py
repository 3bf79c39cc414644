"""Working a case together, through the JSON API on the bundled packs as
served: Cuntan's mooncake case accepted and dispatched in one action to the
enforcement post with the business post assisting, each doing its part;
dispatch with judgement within the pack's `dispatch:` options; a part
waived; Luohu's property complaint signed for and handled by the property
company, the regulator seeing what it did."""

from __future__ import annotations

import pytest

from onegrid.forms import forms_of
from onegrid.forms.example import valid_example
from onegrid.web import db, policyview
from web.webapp import PASSWORD, serve_with_staff

STAFF = {
    "cuntan": {
        "finder": ("grid_worker", "g.lanxi.01"),
        "centre": ("dispatcher", "ct.command"),
        "enforcement": ("post_staff", "post.enforcement"),
        "business": ("post_staff", "post.business"),
        "urban": ("post_staff", "post.urban"),
    },
    "luohu": {
        "finder": ("grid_worker", "g.caiwuwei.01"),
        "platform": ("dispatcher", "dept.platform"),
        "housing": ("dept_handler", "dept.housing"),
        "emergency": ("dept_handler", "dept.emergency"),
        "property": ("enterprise_handler", "ent.property.a"),
        "gas": ("enterprise_handler", "ent.gas"),
    },
}


def served(tmp_path_factory, pack):
    return serve_with_staff(pack, tmp_path_factory.mktemp(pack), STAFF[pack])


@pytest.fixture(scope="module")
def cuntan(tmp_path_factory):
    app, bearer = served(tmp_path_factory, "cuntan")
    yield app, bearer
    db.engine(app).dispose()


@pytest.fixture(scope="module")
def luohu(tmp_path_factory):
    app, bearer = served(tmp_path_factory, "luohu")
    yield app, bearer
    db.engine(app).dispose()


class Case:
    def __init__(self, app, bearer, matter_id, place):
        self.client, self.bearer = app.test_client(), bearer
        policy = policyview.policy(app)
        matter = next(m for m in policy.items("matter") if m["id"] == matter_id)
        r = self.client.post(
            "/api/v1/cases",
            json={
                "matter": matter_id,
                "place": place,
                "submission": valid_example(forms_of(policy).form(matter["form"])),
            },
            headers=bearer["finder"],
        )
        assert r.status_code == 201, r.get_data(as_text=True)
        self.data = r.get_json()

    def get(self, who):
        r = self.client.get(f"/api/v1/cases/{self.data['id']}", headers=self.bearer[who])
        return r

    def offered(self, who):
        r = self.get(who)
        return [a["id"] for a in r.get_json()["actions"]] if r.status_code == 200 else r.status_code

    def post(self, who, action, body=None):
        return self.client.post(
            f"/api/v1/cases/{self.data['id']}/actions/{action}",
            json={"version": self.data["version"], "submission": body or {}},
            headers=self.bearer[who],
        )

    def take(self, who, action, body=None):
        offered = self.offered(who)
        assert action in offered, (who, action, self.data["state"], offered)
        r = self.post(who, action, body)
        assert r.status_code == 200, r.get_data(as_text=True)
        self.data = r.get_json()
        return self.data

    def trail(self, who):
        r = self.client.get(f"/api/v1/cases/{self.data['id']}/trail", headers=self.bearer[who])
        assert r.status_code == 200
        return r.get_json()


def test_mooncake_both_posts_act_and_the_case_closes(cuntan):
    app, bearer = cuntan
    case = Case(app, bearer, "m.expired_food_vendor", "g.lanxi.01")
    assert (case.data["unit"], case.data["assistants"]) == ("post.enforcement", ["post.business"])
    # the proposal is shown, and this matter is accepted and dispatched in one action
    why = " ".join(case.get("centre").get_json()["why"])
    assert "综合执法岗" in why and "优化营商岗" in why
    assert "accept_and_dispatch" in case.offered("centre")
    case.take("centre", "accept_and_dispatch", {"instruction": "10 分钟内到场"})
    assert case.data["state"] == "dispatched"
    # the business post now has its own part (no more 403), the lead waits for it
    assert case.offered("business") == ["assist_sign", "assist_report"]
    assert "handle" not in case.offered("enforcement")
    r = case.post("enforcement", "handle", {"result": "已收缴"})
    assert r.status_code == 409
    case.take("business", "assist_sign")
    assert case.offered("business") == ["assist_report"]
    case.take("business", "assist_report", {"result": "已核查摊主证照并登记"})
    assert case.offered("business") == []
    case.take("enforcement", "handle", {"result": "现场收缴过期月饼 20 盒"})
    case.take("centre", "feed_back", {"message": "已处置"})
    case.take("finder", "approve")
    assert case.data["state"] == "closed"
    steps = case.trail("enforcement")
    mine = [(s["action"], s["actor"]) for s in steps]
    assert mine == [
        ("open", "finder"), ("accept_and_dispatch", "centre"), ("assist_sign", "business"),
        ("assist_report", "business"), ("handle", "enforcement"), ("feed_back", "centre"),
        ("approve", "finder"),
    ]  # fmt: skip
    assert all(s["at"] for s in steps)


def test_the_dispatcher_changes_the_route_within_what_the_pack_allows(cuntan):
    app, bearer = cuntan
    case = Case(app, bearer, "m.unlicensed_business", "g.lanxi.01")
    assert case.data["unit"] == "post.business"
    case.take("centre", "accept")
    r = case.post("centre", "dispatch_changed", {"lead": "ct.command", "reason": "指挥中心自办"})
    assert r.status_code == 422
    body = r.get_json()
    assert "不在本案可选的主办单位之内" in body["message"] and "综合执法岗" in body["message"]
    r = case.post("centre", "dispatch_changed", {"lead": "post.enforcement"})
    assert r.status_code == 422 and "reason" in r.get_json()["errors"]
    case.take(
        "centre",
        "dispatch_changed",
        {"lead": "post.enforcement", "assist": "post.urban", "reason": "涉及占道经营",
         "instruction": "联合执法"},
    )  # fmt: skip
    assert case.data["unit"] == "post.enforcement" and case.data["assistants"] == ["post.urban"]
    why = case.get("centre").get_json()["why"]
    assert any("调度员调整拟派路线" in line and "涉及占道经营" in line for line in why), why
    step = next(s for s in case.trail("centre") if s["action"] == "dispatch_changed")
    route = step["data"]["route"]
    assert route["proposed"] == {"lead": "post.business", "assistants": []}
    assert route["chosen"] == {"lead": "post.enforcement", "assistants": ["post.urban"]}
    assert route["instruction"] == "联合执法" and route["option"] == "street_posts"
    # the dispatcher waives the urban post's part, with a reason; then the lead can finish
    r = case.post("centre", "waive_part", {"unit": "post.urban"})
    assert r.status_code == 422
    case.take("centre", "waive_part", {"unit": "post.urban", "reason": "摊主已自行撤离"})
    assert "handle" in case.offered("enforcement")
    assert case.offered("urban") == []


def test_a_property_company_signs_for_and_handles_its_case(luohu):
    app, bearer = luohu
    case = Case(app, bearer, "m.property_service", "g.caiwuwei.01")
    assert case.data["enterprise"] == "ent.property.a"
    # pushed, not yet dispatched: the company does not see it; another company never does
    assert case.get("property").status_code == 404
    case.take("platform", "accept")
    case.take("platform", "dispatch")
    assert case.get("gas").status_code == 404
    # Luohu signs before handling
    assert case.offered("property") == ["sign", "ask_extension"]
    case.take("property", "sign")
    case.take("property", "handle", {"result": "已更换单元门禁并回复业主"})
    # the regulator sees what the company did
    steps = case.trail("housing")
    handled = next(s for s in steps if s["action"] == "handle")
    assert handled["actor"] == "property"
    assert handled["data"]["as"] == "ent.property.a"
    page_client = app.test_client()
    page_client.post("/auth/login", data={"username": "housing", "password": PASSWORD})
    page = page_client.get(f"/cases/{case.data['id']}").get_data(as_text=True)
    assert 'data-enterprise="ent.property.a"' in page and "物业服务企业甲" in page


def test_the_regulator_sees_what_the_enterprise_did_when_another_leads(luohu):
    app, bearer = luohu
    case = Case(app, bearer, "m.gas_leak", "g.caiwuwei.01")
    assert (case.data["unit"], case.data["enterprise"]) == ("dept.housing", "ent.gas")
    case.take("platform", "accept")
    # the centre makes the emergency bureau lead instead; the housing bureau regulates the
    # gas company all the same (org.yaml: regulator), so it keeps its sight of the case
    case.take(
        "platform",
        "dispatch_changed",
        {"lead": "dept.emergency", "reason": "涉及人员疏散，应急局牵头"},
    )
    assert case.data["unit"] == "dept.emergency"
    case.take("gas", "sign")
    case.take("gas", "handle", {"result": "已关阀检修，管线恢复供气"})
    assert case.get("housing").status_code == 200
    handled = next(s for s in case.trail("housing") if s["action"] == "handle")
    assert (handled["actor"], handled["data"]["as"]) == ("gas", "ent.gas")
    # and it is in the housing bureau's list of cases, from the stored visible-to set
    listed = case.client.get("/api/v1/cases", headers=bearer["housing"]).get_json()
    rows = listed["cases"] if isinstance(listed, dict) else listed
    assert case.data["id"] in [row["id"] for row in rows]
    # a department that is neither lead nor regulator still does not see it
    assert case.get("housing").status_code == 200 and case.get("property").status_code == 404


def test_a_reassignment_stays_within_the_dispatch_options(luohu):
    app, bearer = luohu
    case = Case(app, bearer, "m.property_service", "g.caiwuwei.01")
    case.take("platform", "accept")
    case.take("platform", "dispatch")
    case.take("housing", "send_back", {"reason": "属燃气管线问题，不归物业监管"})
    r = case.post("platform", "reassign", {"lead": "dept.politics", "reason": "政法委协调"})
    assert r.status_code == 422
    body = r.get_json()
    assert "区委政法委" in body["message"] and "不在本案可选的主办单位之内" in body["message"]
    assert "区应急管理局" in body["message"]  # the allowed ones are named
    r = case.client.post(
        f"/api/v1/cases/{case.data['id']}/actions/reassign?lang=en",
        json={"version": case.data["version"],
              "submission": {"lead": "dept.politics", "reason": "政法委协调"}},
        headers=bearer["platform"],
    )  # fmt: skip
    said = r.get_json()["message"]
    assert r.status_code == 422 and "is not among the leads this case allows" in said, said
    assert "Emergency Management Bureau" in said
    case.take("platform", "reassign", {"lead": "dept.emergency", "reason": "燃气隐患由应急局牵头"})
    assert case.data["unit"] == "dept.emergency"
    why = " ".join(case.get("platform").get_json()["why"])
    assert "燃气隐患由应急局牵头" in why
