"""Task admission in headless Chromium on Kunqu's pack: a department files
with the pack's form (a listed task admitted, one without funds refused),
an unlisted task goes to review, the reviewer approves with conditions, a
lapsed review escalates, and the community sees the task in its register.
Screenshots of the new pages go to ONEGRID_SHOTS when it is set."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from onegrid.store import Item, make_engine, sessions
from onegrid.web import db
from onegrid.workflow import sweep
from web import test_admission_web as kunqu
from web.test_browser import login, logout

SHOTS = os.environ.get("ONEGRID_SHOTS")
# the Kunqu app and database of the API tests
kunqu_db = kunqu.kunqu_db
app = kunqu.app


def shot(page, name):
    """The page at 390 px and 1366 px, in Chinese and in English (then back)."""
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for lang in ("zh", "en"):
        for width in (390, 1366):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(Path(SHOTS) / f"{name}-{lang}-{width}.png"), full_page=True)
        page.click("#lang")
        page.wait_for_load_state()
    page.set_viewport_size(size)


def file_request(page, fields: dict, selects: dict, checks=()) -> None:
    page.goto("/admission/new")
    for name, value in selects.items():
        if name.endswith("_per"):  # a choice: radio buttons
            page.check(f"input[name={name}][value={value}]")
        else:
            page.select_option(f"#adm-{name}", value)
    for name, value in fields.items():
        page.fill(f"#adm-{name}", value)
    for box in checks:
        page.check(f"input[name=attachments][value='{box}']")
    page.click("form:has(#adm-department) button[type=submit]")
    page.wait_for_url(re.compile(r"/admission/\d+$"))


def decide(page, url, action, fields):
    page.goto(url)
    section = page.locator(f"#action-{action.replace('.', '-')}")
    prefix = action.replace(".", "-")
    for name, value in fields.items():
        section.locator(f"#{prefix}-{name}").fill(value)
    section.locator("button[type=submit]").click()
    page.wait_for_url(url)


CENSUS = {
    "task": "task.census",
    "period_from": "2026-01-01",
    "period_to": "2026-12-31",
    "funds_yuan": "30000",
    "training": "普查业务培训",
    "data": "普查区划图",
}


def test_admission_in_the_browser(page, app):
    login(page, "kq_stats")
    page.goto("/admission/new")
    shot(page, "new")
    file_request(
        page, CENSUS, {"department": "dept.statistics", "reach": "st.linyin", "funds_per": "year"}
    )
    assert page.locator("#state").get_attribute("data-state") == "adm.admitted"
    assert "所需资源齐全" in page.locator("#reasons").inner_text()
    shot(page, "admitted")
    file_request(
        page,
        {k: v for k, v in CENSUS.items() if k != "funds_yuan"},
        {"department": "dept.statistics", "reach": "st.linyin"},
    )
    assert page.locator("#state").get_attribute("data-state") == "adm.refused"
    assert "必须随之下沉经费" in page.locator("#reasons").inner_text()
    logout(page)

    login(page, "kq_housing")
    file_request(
        page,
        {
            "name": "小区充电桩安装意愿摸底",
            "period_from": "2026-03-01",
            "period_to": "2026-06-30",
            "basis": "《电动汽车充电基础设施建设实施方案》",
            "funds_yuan": "5000",
            "staff_headcount": "1",
        },
        {"department": "dept.housing", "reach": "comm.heping", "funds_per": "once"},
        checks=("att.request", "att.basis", "att.support"),
    )
    assert page.locator("#state").get_attribute("data-state") == "adm.in_review"
    said = page.locator(".flash").first.inner_text()  # what happened, in words
    assert said.startswith("已提交准入申请 #") and said.endswith("现为“一事一议审核中”。")
    assert page.locator("#reviewer").inner_text() == "区委、区政府"
    review_url = page.url
    logout(page)

    login(page, "kq_review")
    page.goto(review_url)
    shot(page, "review")
    decide(
        page,
        review_url,
        "adm.approve_conditions",
        {"reasons": "确有必要", "conditions": "经费于 4 月底前拨付社区"},
    )
    assert page.locator("#state").get_attribute("data-state") == "adm.approved_conditions"
    said = page.locator(".flash").first.inner_text()
    assert "已附条件同意" in said and "现为“附条件同意”" in said, said
    assert page.locator("#conditions").inner_text() == "经费于 4 月底前拨付社区"
    logout(page)

    login(page, "kq_heping")
    page.goto("/admission/register?year=2026")
    entries = page.locator("#entries").inner_text()
    assert "小区充电桩安装意愿摸底" in entries and "经费于 4 月底前拨付社区" in entries
    # the census reaches every community of its street, Heping's among them
    assert "人口普查入户登记协助" in entries
    assert page.locator("#counts tr[data-unit='comm.heping'] .after").inner_text() == "2"
    shot(page, "register")
    logout(page)


def test_a_lapsed_review_shows_as_escalated(page, app):
    login(page, "kq_housing")
    file_request(
        page,
        {
            "name": "另一项清单外事务",
            "period_from": "2026-03-01",
            "period_to": "2026-06-30",
            "basis": "《某文件》",
            "funds_yuan": "5000",
            "staff_headcount": "1",
        },
        {"department": "dept.housing", "reach": "comm.heping", "funds_per": "once"},
        checks=("att.request", "att.basis", "att.support"),
    )
    url = page.url
    item_id = int(url.rsplit("/", 1)[1])
    with app.app_context():
        due = db.session().get(Item, item_id).due_at
    engine = make_engine(app.config["ONEGRID_DATABASE_URL"])
    assert sweep(sessions(engine), now=due + dt.timedelta(minutes=1)).items.escalated == [item_id]
    engine.dispose()
    page.goto(url)
    assert "是" in page.locator("#supervised").inner_text()
    assert page.locator("#trail li[data-action=escalate]").inner_text().count("逾期升级") == 1
    shot(page, "escalated")
