"""A staff form submitted twice takes its step once (issue 14 item 5): a
double tap, back and submit again, a reload after the POST, a retry after
a lost response. The second submit is shown what the first did, with a
flash saying so; every flash names the case and what happened to it."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from onegrid.store import AuditEntry, Case
from onegrid.web import db
from web.test_browser import login as browser_login
from web.test_loop import login


def form_target(page: str, case_id: int, action: str) -> str:
    m = re.search(rf'action="(/cases/{case_id}/act/{action}\?[^"]+)"', page)
    assert m, f"{action} not offered"
    return m.group(1).replace("&amp;", "&")


def steps(app, case_id: int, action: str) -> int:
    with app.app_context():
        return db.session().scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.case_id == case_id, AuditEntry.action == action)
        )


def new_case(client, description: str) -> int:
    login(client, "gw_a")
    body = {"matter": "m.litter", "place": "grid.a1", "submission": {"description": description}}
    return client.post("/api/v1/cases", json=body).get_json()["id"]


def test_a_step_submitted_twice_is_taken_once_and_says_so(app, client):
    case = new_case(client, "两次提交")
    login(client, "dispatcher")
    target = form_target(client.get(f"/cases/{case}").get_data(as_text=True), case, "accept")
    first = client.post(target)
    assert first.status_code == 303
    said = client.get(f"/cases/{case}").get_data(as_text=True)
    assert f"案件 #{case}（乱扔垃圾）已受理；下一步：" in said
    # the same form again (double tap, back and submit, reload after the POST)
    for _ in range(2):
        again = client.post(target)
        assert again.status_code == 303 and again.headers["Location"] == f"/cases/{case}"
        said = client.get(f"/cases/{case}").get_data(as_text=True)
        assert f"这张表单已提交过：案件 #{case}（乱扔垃圾）已于" in said and "未重复办理" in said
    assert steps(app, case, "accept") == 1
    # dispatching names where the case went
    target = form_target(client.get(f"/cases/{case}").get_data(as_text=True), case, "dispatch")
    client.post(target)
    said = client.get(f"/cases/{case}").get_data(as_text=True)
    flash = re.findall(r'<p class="flash">(.*?)</p>', said)
    assert flash == [
        f"案件 #{case}（乱扔垃圾）已转办，由城管局主办；下一步：城管局（退单、处置完毕）。"
    ]


def test_flashes_in_english(app, client):
    case = new_case(client, "English")
    login(client, "dispatcher")
    client.post("/auth/lang/en", data={"next": "/"})
    target = form_target(client.get(f"/cases/{case}").get_data(as_text=True), case, "accept")
    client.post(target)
    said = client.get(f"/cases/{case}").get_data(as_text=True)
    assert f"done on case #{case} (" in said and "Next: " in said
    client.post(target)
    said = client.get(f"/cases/{case}").get_data(as_text=True)
    assert "This form was already sent" in said and "it was not done twice" in said


def test_a_bulk_form_submitted_twice_acts_once(app, client):
    made = [new_case(client, f"批量{n}") for n in range(2)]
    login(client, "dispatcher")
    page = client.get("/").get_data(as_text=True)
    token = re.search(r'name="once" value="([^"]+)"', page).group(1)
    values = [re.search(rf'value="({i}:\d+)"', page).group(1) for i in made]
    body = {"action": "accept", "case": values, "once": token}
    assert client.post("/cases/bulk", data=body).status_code == 303
    assert client.post("/cases/bulk", data=body).status_code == 303
    page = client.get("/").get_data(as_text=True)
    assert f"这张表单已提交过：案件 #{made[0]}、#{made[1]}已于" in page
    assert "未办理" not in page  # not reported as stale: it was this form's own doing
    assert [steps(app, i, "accept") for i in made] == [1, 1]


def test_the_report_form_keeps_its_key_in_its_own_url(app, client):
    login(client, "gw_a")
    r = client.get("/cases/new?matter=m.litter&place=grid.a1")
    assert r.status_code == 302 and "key=" in r.headers["Location"]
    url = r.headers["Location"]
    # reloading the form page (or coming back to it) brings the same key
    pages = [client.get(url).get_data(as_text=True) for _ in range(2)]
    actions = [re.search(r'action="(/cases/new\?[^"]+)"', p).group(1) for p in pages]
    assert actions[0] == actions[1] and "key=" in actions[0]


def test_back_and_resubmit_and_a_lost_response_file_one_case(app, page):
    with app.app_context():
        before = db.session().scalar(select(func.count(Case.id)))
    browser_login(page, "gw_a")
    page.goto("/cases/new")
    page.select_option("#matter", "m.litter")
    page.select_option("#place", "grid.a1")
    page.click("#choose-matter")
    page.wait_for_selector("#report-description")
    page.fill("#report-description", "返回后再次提交")
    page.click("form.og-form button[type=submit]")
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    first = page.url
    assert "已上报：案件 #" in page.inner_text("body")
    # back to the form, submit it again
    page.go_back()
    page.wait_for_selector("#report-description")
    page.fill("#report-description", "返回后再次提交")
    page.click("form.og-form button[type=submit]")
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    assert page.url == first
    assert "这份上报已提交过" in page.inner_text("body")
    # a lost response: the server files the report, the answer never arrives
    page.goto("/cases/new")
    page.select_option("#matter", "m.litter")
    page.select_option("#place", "grid.a1")
    page.click("#choose-matter")
    page.wait_for_selector("#report-description")
    page.fill("#report-description", "回应丢失")

    def drop_answer(route):
        route.fetch()  # the request reaches the server, which files the case ...
        route.fulfill(status=204)  # ... and its answer never arrives: the form stays

    page.route(re.compile(r"/cases/new\?.*key="), drop_answer)
    page.click("form.og-form button[type=submit]")
    page.wait_for_timeout(500)
    page.unroute(re.compile(r"/cases/new\?.*key="))
    assert "/cases/new" in page.url
    # nothing seemed to happen: the worker taps 上报 again on the same form
    page.click("form.og-form button[type=submit]")
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    assert page.url != first and "这份上报已提交过" in page.inner_text("body")
    with app.app_context():
        assert db.session().scalar(select(func.count(Case.id))) == before + 2
