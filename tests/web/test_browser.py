"""The whole loop in headless Chromium: log in, report (one validation error,
then correctly), dispatch, handle, feed back, evaluate.

Debian's chromium, driven by Playwright; never a downloaded browser. On a
failure the page is saved as a screenshot under test-artifacts/.
"""

from __future__ import annotations

import re

from web.webapp import PASSWORD


def login(page, username):
    page.goto("/auth/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))


def logout(page):
    page.click("#logout")
    page.wait_for_url(re.compile(r"/auth/login"))


def take(page, case_url, action, fields=None):
    page.goto(case_url)
    section = page.locator(f"#action-{action}")
    for name, value in (fields or {}).items():
        section.locator(f"#{action}-{name}").fill(value)
    section.locator("button[type=submit]").click()
    page.wait_for_url(case_url)
    page.wait_for_load_state()


def test_the_whole_loop(page):
    login(page, "gw_a")
    page.goto("/cases/new")
    page.select_option("#matter", "m.litter")
    page.select_option("#place", "grid.a1")
    page.click("#choose-matter")
    page.wait_for_selector("#report-description")
    # skip the browser's own checks so the server's message shows
    page.eval_on_selector("form.og-form", "f => f.noValidate = true")
    page.fill("#report-count", "3")
    page.click("form.og-form button[type=submit]")
    error = page.locator("#report-description-error")
    assert error.is_visible()
    assert "问题描述" in page.content()
    page.fill("#report-description", "小区门口堆放垃圾")
    page.click("form.og-form button[type=submit]")
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    case_url = page.url
    assert "乱扔垃圾" in page.inner_text("h1")
    logout(page)

    login(page, "dispatcher")
    take(page, case_url, "accept")
    take(page, case_url, "dispatch")
    logout(page)

    login(page, "urban")
    take(page, case_url, "handle", {"result": "已清运"})
    logout(page)

    login(page, "dispatcher")
    take(page, case_url, "feed_back", {"message": "已清运完毕"})
    logout(page)

    login(page, "gw_a")
    take(page, case_url, "approve", {"comment": "满意"})
    assert page.get_attribute("#state", "data-state") == "closed"
    assert page.inner_text("#state") == "已办结"
    trail = page.inner_text("#trail")
    for step in ("受理", "转办", "处置完毕", "反馈", "评价满意并办结"):
        assert step in trail
    # what was done and said is on the page, by its labels
    for said in ("处置情况", "已清运", "反馈内容", "已清运完毕", "评价意见", "满意"):
        assert said in trail


def test_english_switch_and_inbox(page):
    login(page, "dispatcher")
    assert page.inner_text("h1") == "待办"
    page.click("#lang")
    page.wait_for_load_state()
    assert page.inner_text("h1") == "To do"
    page.goto("/?tab=all")
    assert page.locator("#cases a").count() == 2  # both cases of the district
