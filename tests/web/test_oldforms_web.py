"""A report filled under policy version N and sent after N+1 is published
(issue 19 item 3), through the report page's own POST: Cuntan's pack.yaml
takes older forms for 3 days (`offline.version_window: 3d`), so within the
window the case is validated and routed under N; later it is returned with
the reason, the answers kept in the new form, and no case; Kunqu declares no
window, so it returns any older form; a version that never existed is
refused too."""

from __future__ import annotations

import datetime as dt
import shutil
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from onegrid.store import Case, PolicyVersion
from onegrid.web import create_app, db
from web.oldforms import csrf_of, page_version, publish_next
from web.test_admission_web import kunqu_db  # noqa: F401 (a fixture)
from web.test_duties_web import cuntan_db  # noqa: F401 (a fixture)
from web.webapp import PASSWORD, PROJECT, config

MATTER = "m.three_meetings_one_lesson"
FORM_URL = f"/cases/new?matter={MATTER}&place=g.lanxi.01&key=offline-test-1"
ANSWERS = {
    "title": "三会一课记录缺失",
    "description": "兰溪社区第1网格党小组本月未见三会一课记录",
    "location[text]": "兰溪社区活动室",
    "urgency": "normal",
}


def served(pack, database, folder):
    shutil.copy(database, folder / "onegrid.sqlite")
    app = create_app(config(PROJECT / "catalogs" / pack, folder))
    yield app
    db.engine(app).dispose()


@pytest.fixture
def cuntan(cuntan_db, tmp_path):  # noqa: F811
    yield from served("cuntan", cuntan_db, tmp_path)


@pytest.fixture
def kunqu(kunqu_db, tmp_path):  # noqa: F811
    yield from served("kunqu", kunqu_db, tmp_path)


def opened(app, username, url):
    """A logged-in client and the report form as the phone kept it: (client, version, csrf)."""
    client = app.test_client()
    r = client.post("/auth/login", data={"username": username, "password": PASSWORD})
    assert r.status_code == 302
    html = client.get(url).get_data(as_text=True)
    return client, page_version(html), csrf_of(html)


def cases(app) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(Case))


def test_within_the_window_the_case_is_routed_under_the_version_it_was_filled_under(cuntan):
    client, filled, csrf = opened(cuntan, "ct_gw", FORM_URL)
    newer = publish_next(cuntan)
    assert newer > filled
    body = {**ANSWERS, "csrf_token": csrf, "_policy_version": str(filled)}
    r = client.post(FORM_URL, data=body)
    assert r.status_code == 302, r.get_data(as_text=True)[-2000:]
    case_id = int(r.headers["Location"].rsplit("/", 1)[1])
    with cuntan.app_context():
        case = db.session().get(Case, case_id)
        assert case.policy_version_id == filled
        assert case.submission["title"] == ANSWERS["title"]
    # a form filled under the newest version is the newest version's
    r = client.post(FORM_URL.replace("-1", "-2"), data={**body, "_policy_version": str(newer)})
    with cuntan.app_context():
        case = db.session().get(Case, int(r.headers["Location"].rsplit("/", 1)[1]))
        assert case.policy_version_id == newer


def test_after_the_window_it_is_returned_with_the_answers_kept(cuntan):
    client, filled, csrf = opened(cuntan, "ct_gw", FORM_URL)
    before = cases(cuntan)
    newer = publish_next(cuntan, ago=dt.timedelta(days=3, hours=1))
    body = {**ANSWERS, "csrf_token": csrf, "_policy_version": str(filled)}
    r = client.post(FORM_URL, data=body)
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    # the publication in Cuntan's own time (Asia/Shanghai), the window in words
    with cuntan.app_context():
        published = db.session().get(PolicyVersion, newer).published_at
    local = published.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    assert f"此表单按第 {filled} 版策略填写，第 {newer} 版已于 {local} 发布" in html
    assert "新版发布后 3 天内受理" in html and "已填内容已保留" in html
    assert "UTC" not in html and "3d" not in html
    assert ANSWERS["title"] in html and ANSWERS["description"] in html  # kept in the new form
    assert page_version(html) == newer  # the form now shown is the new one
    assert cases(cuntan) == before
    # sent again from the new form: taken under the new version
    r = client.post(FORM_URL, data={**body, "_policy_version": str(newer)})
    assert r.status_code == 302
    with cuntan.app_context():
        case = db.session().get(Case, int(r.headers["Location"].rsplit("/", 1)[1]))
        assert case.policy_version_id == newer
    # in English too
    client.post("/auth/lang/en", data={"csrf_token": csrf, "next": "/"})
    r = client.post(FORM_URL.replace("-1", "-3"), data=body)
    html = r.get_data(as_text=True)
    assert f"published on {local} and older forms are taken only within 3 days" in html


def test_a_pack_without_a_window_returns_any_older_form(kunqu):
    with kunqu.app_context():
        from onegrid.web import policyview

        matter = next(m["id"] for m in policyview.policy(kunqu).items("matter") if m.get("form"))
    url = f"/cases/new?matter={matter}&place=comm.heping&key=offline-test-kq"
    client, filled, csrf = opened(kunqu, "kq_heping", url)
    publish_next(kunqu)
    before = cases(kunqu)
    r = client.post(url, data={"csrf_token": csrf, "_policy_version": str(filled)})
    assert r.status_code == 422
    assert "本地区不受理旧版表单" in r.get_data(as_text=True)
    r = client.post(url, data={"csrf_token": csrf, "_policy_version": "999"})
    assert "策略版本 999 不存在" in r.get_data(as_text=True)
    assert cases(kunqu) == before
