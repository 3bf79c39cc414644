"""Working a case together, through the JSON API on the bundled packs as
served: Cuntan's mooncake case accepted and dispatched in one action to the
enforcement post with the business post assisting, each doing its part;
dispatch with judgement within the pack's `dispatch:` options; a part
waived; Luohu's property complaint signed for and handled by the property
company, the regulator seeing what it did (also when another department
leads); 改派 on the API and the page within the dispatch options; an
assistant's part warned and escalated on its own clock by `onegrid sweep`;
`onegrid explain --case` showing proposed vs chosen; an enforcement dispute
climbing to the committee, whose decision is final."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from onegrid.forms import forms_of
from onegrid.forms.example import valid_example
from onegrid.store import Case as StoredCase
from onegrid.web import db, policyview
from web.test_moves import login, page_act
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
        "bureau": ("dept_handler", "dept.enforcement"),
        "committee": ("dept_handler", "dept.enforcement_committee"),
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


def test_the_dispatcher_changes_the_route_within_what_the_pack_allows(cuntan, onegrid):
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
    # the case page: the router's proposal, then the dispatcher's change and why
    page = login(app, "centre").get(f"/cases/{case.data['id']}").get_data(as_text=True)
    why_html = page[page.index('id="why"') :]
    assert why_html.index("拟派主办：优化营商岗") < why_html.index("调度员调整拟派路线")
    assert "主办 优化营商岗 → 综合执法岗" in why_html and "（涉及占道经营）" in why_html
    # onegrid explain on the live case: the proposal as the rules made it, and the choice
    url = app.config["ONEGRID_DATABASE_URL"]
    r = onegrid("explain", "--case", case.data["id"], "--url", url)
    assert r.code == 0, r.err
    proposal, choice = r.out.split("调度员的选择（拟派 → 实际）:")
    assert "牵头: post.business（优化营商岗）" in proposal
    assert "dispatch_changed (调度员 centre)" in choice
    assert "牵头: post.business（优化营商岗） → post.enforcement（综合执法岗）" in choice
    assert "协办: 无 → post.urban（城市管理岗）" in choice
    assert "理由: 涉及占道经营" in choice and "转办意见: 联合执法" in choice
    r = onegrid("explain", "--case", case.data["id"], "--url", url, "--format", "json")
    said = json.loads(r.out)["dispatched"]
    assert [(c["action"], c["changed"], c["reason"]) for c in said] == [
        ("dispatch_changed", True, "涉及占道经营")
    ]
    # a facts file is explained as before; neither is a usage error in words
    r = onegrid("explain", "--url", url, "--lang", "en")
    assert r.code == 2 and "--case ID" in r.err
    r = onegrid("explain", "--case", "999999", "--url", url)
    assert r.code != 0 and "Traceback" not in r.err and "999999" in r.err
    # the dispatcher waives the urban post's part, with a reason; then the lead can finish;
    # the waiving form offers only the parts still open
    page = login(app, "centre").get(f"/cases/{case.data['id']}").get_data(as_text=True)
    form = page[page.index('id="action-waive_part"') :]
    form = form[: form.index("</select>")]
    assert re.findall(r'<option value="([^"]+)"', form) == ["post.urban"]
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


def test_an_assistants_part_has_its_own_deadline_warning_and_escalation(cuntan, onegrid):
    """Each assisting unit's part is swept on its own clock (the `assist` step's
    limit on the business calendar): warned when due soon, escalated (督办)
    when overdue, each through the outbox; the lead's clock does not move."""
    app, bearer = cuntan
    case = Case(app, bearer, "m.expired_food_vendor", "g.lanxi.01")
    case.take("centre", "accept_and_dispatch", {"instruction": "联合处置"})
    url = app.config["ONEGRID_DATABASE_URL"]
    with app.app_context():
        stored = db.session().get(StoredCase, case.data["id"])
        part = stored.progress["parts"]["post.business"]
        due, warn = (
            dt.datetime.fromisoformat(part["due_at"]),
            dt.datetime.fromisoformat(part["warn_at"]),
        )
        assert stored.sweep_at == min(warn, stored.warn_at)
    assert warn < due
    # the business post was told of its part at dispatch, and the case page waits on it
    business = login(app, "business")
    before = business.get("/notifications").get_data(as_text=True)
    assert re.search(rf"#{case.data['id']} [^<]*待[^<]*协办签收", before), before[-3000:]
    page = login(app, "centre").get(f"/cases/{case.data['id']}").get_data(as_text=True)
    waiting = page[page.index('id="waiting"') :][:1500]
    assert "优化营商岗" in waiting and "协办签收" in waiting, waiting
    # due soon: the business post is warned (in its notifications), nobody else is told
    assert "优化营商岗的协办任务即将到期" not in before
    moments = sorted({warn, due})
    r = onegrid("sweep", "--url", url, "--now", (warn + dt.timedelta(minutes=1)).isoformat(),
                "--format", "json")  # fmt: skip
    assert r.code == 0, r.err
    counts = json.loads(r.out)
    assert counts["parts"] == 1 and case.data["id"] in counts["cases"]["parts"]
    page = business.get("/notifications").get_data(as_text=True)
    assert f"#{case.data['id']}" in page and "优化营商岗的协办任务即将到期" in page
    # overdue: escalated, and the lead and the centre hear of it too
    r = onegrid("sweep", "--url", url, "--now", (moments[-1] + dt.timedelta(minutes=1)).isoformat(),
                "--format", "json")  # fmt: skip
    assert r.code == 0, r.err
    steps = case.trail("centre")
    mine = [(s["action"], s["data"].get("part")) for s in steps if s["action"].startswith("part_")]
    assert mine == [("part_warn", "post.business"), ("part_escalate", "post.business")]
    # the assisting post, the lead (by now the centre: the case's own clock ran out
    # first and climbed, on its own ladder) and whoever may waive a part hear of it
    assert [s["data"].get("unit") for s in steps if s["action"] == "escalate"] == [
        ["post.enforcement", "ct.command"]
    ]
    for who in ("centre", "business"):
        notes = login(app, who).get("/notifications").get_data(as_text=True)
        assert "优化营商岗的协办任务已超时，督办" in notes, who
    # a second sweep at the same moment finds nothing more on the part
    r = onegrid("sweep", "--url", url, "--now", (moments[-1] + dt.timedelta(minutes=1)).isoformat(),
                "--format", "json")  # fmt: skip
    assert case.data["id"] not in json.loads(r.out)["cases"]["parts"]
    # the case page says the part is overdue; the trail names whose part
    page = business.get(f"/cases/{case.data['id']}").get_data(as_text=True)
    assert re.search(r'data-unit="post.business" data-state="open">.*已超时，督办中', page)
    assert "协办任务超时督办（优化营商岗）" in page
    # once done, the part needs the sweep no more
    case.data = case.get("business").get_json()
    case.take("business", "assist_report", {"result": "已补查证照"})
    with app.app_context():
        stored = db.session().get(StoredCase, case.data["id"])
        assert "parts_at" not in stored.progress


def test_an_enforcement_dispute_climbs_to_the_committee_whose_decision_is_final(luohu):
    """Luohu's three tiers through the API: the housing bureau, then the
    enforcement bureau hand the dispute up (提请上级); the committee signs for
    it and decides; nobody may then reopen or send back its decision."""
    app, bearer = luohu
    case = Case(app, bearer, "m.enforcement_dispute", "g.caiwuwei.01")
    assert case.data["unit"] == "dept.housing" and case.data["rung"]["id"] == "authority"
    for lead, reason in (("housing", "涉及多部门执法职责"), ("bureau", "城管局协调未果")):
        if case.data["state"] == "reported":
            case.take("platform", "accept")
        case.take("platform", "dispatch")
        case.take(lead, "escalate", {"reason": reason})
        assert case.data["state"] == "accepted"
    assert (case.data["unit"], case.data["rung"]["id"], case.data["rung"]["final"]) == (
        "dept.enforcement_committee", "committee", True,
    )  # fmt: skip
    case.take("platform", "dispatch")
    assert "escalate" not in case.offered("committee")
    case.take("committee", "sign")
    case.take("committee", "handle", {"result": "认定由区住房和建设局负责查处，即日生效"})
    case.take("platform", "feed_back", {"message": "已告知协调决定"})
    # the reporter may be unsatisfied, but the committee's decision stands
    assert "reopen" not in case.offered("finder")
    r = case.post("finder", "reopen", {"reason": "不服"})
    assert r.status_code == 409
    assert "终局层级“区综合行政执法委员会”作出决定" in r.get_json()["message"]
    case.take("finder", "approve")
    assert case.data["state"] == "closed"
    steps = [(s["action"], s["actor"]) for s in case.trail("committee")]
    assert ("handle", "committee") in steps and steps[-1] == ("approve", "finder")


def test_returned_and_reassigned_on_the_pages_within_the_options(luohu):
    """退单 and 改派 through Luohu's case page: a lead outside the pack's
    dispatch: option is refused on the page, in words, naming the allowed."""
    app, bearer = luohu
    case = Case(app, bearer, "m.property_service", "g.caiwuwei.01")
    case.take("platform", "accept")
    case.take("platform", "dispatch")
    housing, platform = login(app, "housing"), login(app, "platform")
    page_act(housing, case.data["id"], "send_back", {"reason": "不属物业监管"})
    # the page offers only the leads the option allows, not the one that returned it
    page = platform.get(f"/cases/{case.data['id']}").get_data(as_text=True)
    form = page[page.index('id="action-reassign"') :]
    form = form[: form.index("</select>")]
    offered = re.findall(r'<option value="([^"]+)"', form)
    assert "dept.emergency" in offered and "dept.water" in offered
    assert not {"dept.housing", "dept.politics", "luohu", "st.guiyuan"} & set(offered)
    r = page_post(
        platform, case.data["id"], "reassign", {"lead": "dept.politics", "reason": "试试"}
    )
    assert r.status_code == 422
    said = r.get_data(as_text=True)
    assert "“区委政法委”不在本案可选的主办单位之内" in said and "区应急管理局" in said
    page = page_act(platform, case.data["id"], "reassign", {"lead": "dept.emergency",
                    "reason": "燃气隐患，应急局牵头"})  # fmt: skip
    assert 'data-state="dispatched"' in page and "主办 区住房和建设局 → 区应急管理局" in page


def page_post(client, case_id, action, data):
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    m = re.search(rf'action="(/cases/{case_id}/act/{action}\?version=\d+[^"]*)"', page)
    assert m, f"{action} not offered"
    return client.post(m.group(1).replace("&amp;", "&"), data=data)


def test_the_property_company_asks_for_more_time_and_the_centre_grants_it(luohu):
    """延期 on Luohu by the enterprise itself, through the page and the API:
    asked by the property company, shown on the case page as waiting, granted
    by the platform centre; the deadline moves on the business calendar."""
    from onegrid.web import casework
    from onegrid.workflow.rulebook import rulebook

    app, bearer = luohu
    case = Case(app, bearer, "m.property_service", "g.caiwuwei.01")
    case.take("platform", "accept")
    case.take("platform", "dispatch")
    case.take("property", "sign")
    before = dt.datetime.fromisoformat(case.data["due_at"])
    company = login(app, "property")
    page = page_act(company, case.data["id"], "ask_extension",
                    {"duration": "3wd", "reason": "需业主大会表决更换门禁"})  # fmt: skip
    assert re.search(r'id="extension">[^<]*3 个工作日[^<]*物业服务企业甲[^<]*待批准', page), page[
        -4000:
    ]
    case.data = case.get("platform").get_json()
    assert "grant_extension" not in case.offered("housing")  # the lead does not decide it
    case.take("platform", "grant_extension", {"comment": "同意延期 3 个工作日"})
    with app.app_context():
        book = rulebook(casework.current_version(db.session()))
    assert dt.datetime.fromisoformat(case.data["due_at"]) == book.calendar.add(before, "3wd")
    page = company.get(f"/cases/{case.data['id']}").get_data(as_text=True)
    assert 'id="extension"' not in page and "已延期次数" in page
    steps = [(s["action"], s["actor"]) for s in case.trail("housing")]
    assert steps[-2:] == [("ask_extension", "property"), ("grant_extension", "platform")]
