"""Cuntan's mooncake case in headless Chromium (issue 13's browser test):
dispatched to the enforcement post with the business post assisting, both
act, the case closes, and the page shows each part and its time."""

from __future__ import annotations

import re

import pytest

from onegrid.forms import forms_of
from onegrid.forms.example import valid_example
from onegrid.web import db, policyview
from web.test_browser import login, logout, take
from web.webapp import serve_with_staff, token_for

STAFF = {
    "finder": ("grid_worker", "g.lanxi.01"),
    "centre": ("dispatcher", "ct.command"),
    "enforcement": ("post_staff", "post.enforcement"),
    "business": ("post_staff", "post.business"),
}


@pytest.fixture
def app(tmp_path):
    """Cuntan as served, instead of the web tests' small pack."""
    app, _ = serve_with_staff("cuntan", tmp_path, STAFF)
    yield app
    db.engine(app).dispose()


def test_mooncake_case_worked_together_in_the_browser(app, page):
    policy = policyview.policy(app)
    matter = next(m for m in policy.items("matter") if m["id"] == "m.expired_food_vendor")
    form = forms_of(policy).form(matter["form"])
    photos = {f.name for f in form.spec.fields if f.type == "photo"}  # none uploaded here
    report = {k: v for k, v in valid_example(form).items() if k not in photos}
    r = app.test_client().post(
        "/api/v1/cases",
        json={"matter": matter["id"], "place": "g.lanxi.01", "submission": report},
        headers={"Authorization": f"Bearer {token_for(app, 'finder')}"},
    )
    assert r.status_code == 201, r.get_data(as_text=True)
    case_url = f"/cases/{r.get_json()['id']}"

    login(page, "centre")
    page.goto(case_url)
    why = page.inner_text("#why")
    assert "综合执法岗" in why and "优化营商岗" in why  # the proposed route, before acting
    take(page, case_url, "accept_and_dispatch", {"instruction": "10 分钟内到场处置"})
    assert page.get_attribute("#state", "data-state") == "dispatched"
    logout(page)

    login(page, "business")
    take(page, case_url, "assist_sign")
    take(page, case_url, "assist_report", {"result": "已核查摊主证照，登记在案"})
    assert page.get_attribute('#parts li[data-unit="post.business"]', "data-state") == "done"
    logout(page)

    login(page, "enforcement")
    take(page, case_url, "handle", {"result": "现场收缴过期月饼 20 盒，游摊已劝离"})
    logout(page)
    login(page, "centre")
    take(page, case_url, "feed_back", {"message": "已现场处置完毕"})
    logout(page)
    login(page, "finder")
    take(page, case_url, "approve")
    assert page.get_attribute("#state", "data-state") == "closed"

    part = page.inner_text('#parts li[data-unit="post.business"]')
    assert "优化营商岗" in part and "已完成" in part
    assert re.search(r"签收于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}", part), part
    assert re.search(r"完成于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}", part), part
    steps = page.locator("#trail li.step")
    actions = [steps.nth(i).get_attribute("data-action") for i in range(steps.count())]
    assert actions == [
        "open", "accept_and_dispatch", "assist_sign", "assist_report", "handle", "feed_back",
        "approve",
    ]  # fmt: skip
    trail = page.inner_text("#trail")
    assert "协办签收" in trail and "协办反馈" in trail and "优化营商岗" in trail
    page.set_viewport_size({"width": 390, "height": 900})
    page.screenshot(path="/work/wt/shots/casework/mooncake-390-zh.png", full_page=True)
