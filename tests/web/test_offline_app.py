"""The installable app's server side (issue 19 item 1), over HTTP: the
manifest and its icons, the service worker served from the root with its
scope allowed, every page naming the version it was rendered under, the
list of pages a phone keeps, and a duty tick or a case step sent twice
with the same once-token done once."""

from __future__ import annotations

import os
import re
import struct
import zlib
from pathlib import Path

from onegrid.store import Case
from onegrid.web import db
from web.test_browser import login as browser_login
from web.test_duties_web import cuntan_db  # noqa: F401 (a fixture)
from web.test_offline_browser import all_sent, phone, shot  # noqa: F401 (phone: a fixture)
from web.test_oldforms_web import ANSWERS, FORM_URL, cuntan, opened  # noqa: F401 (cuntan: a fixture)
from web.webapp import PASSWORD


def login(client, who="gw_a"):
    r = client.post("/auth/login", data={"username": who, "password": PASSWORD})
    assert r.status_code == 302


def test_manifest_icons_and_worker(client):
    r = client.get("/manifest.webmanifest")
    assert r.status_code == 200 and r.mimetype == "application/manifest+json"
    manifest = r.get_json()
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone" and manifest["name"].startswith("一网")
    for icon in manifest["icons"]:
        png = client.get(icon["src"])
        assert png.status_code == 200 and png.mimetype == "image/png"
        width, height = struct.unpack(">II", png.data[16:24])
        assert f"{width}x{height}" == icon["sizes"]
    assert client.get("/offline/icon-64.png").status_code == 404
    sw = client.get("/sw.js")
    assert sw.status_code == 200 and sw.mimetype == "text/javascript"
    assert sw.headers["Service-Worker-Allowed"] == "/"
    assert sw.headers["Cache-Control"] == "no-cache"
    # the worker's scope is the whole app, under the app's CSP
    assert "script-src 'self'" in sw.headers["Content-Security-Policy"]


def test_pages_name_their_version_and_the_phone_keeps_hers(client):
    login(client)
    html = client.get("/").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert 'name="onegrid-policy-version" content="1"' in html
    assert 'id="outbox-link"' in html
    kept = client.get("/offline/pages.json").get_json()
    assert kept["version"] == 1 and kept["user"] == "gw_a"
    urls = kept["urls"]
    assert {"/", "/duties/", "/offline/outbox", "/cases/new"} <= set(urls)
    forms = [u for u in urls if u.startswith("/cases/new?")]
    assert forms and all("&key=" in u for u in forms)
    for url in [*forms, "/offline/outbox"]:
        assert client.get(url).status_code == 200  # none redirects: each can be kept
    # a photo field asks for the camera and says its limit, for the phone to shrink to
    page = client.get(forms[0]).get_data(as_text=True)
    assert 'capture="environment"' in page and 'data-max-bytes="1048576"' in page  # max_size: 1MB


def test_logged_out_there_is_nothing_to_keep(client):
    r = client.get("/offline/pages.json")
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]
    assert "onegrid-policy-version" not in client.get("/auth/login").get_data(as_text=True)


def noise_png(width: int, height: int) -> bytes:
    """A photo that does not compress: width × height random pixels."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + os.urandom(width * 3) for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 1))
        + chunk(b"IEND", b"")
    )


def test_a_photo_over_the_limit_is_shrunk_on_the_phone(page, app, tmp_path):
    """The form's photo may be 1MB; a 2.9MB one from the camera arrives as
    a JPEG under the limit instead of being refused."""
    big = tmp_path / "camera.png"
    big.write_bytes(noise_png(1200, 800))
    assert big.stat().st_size > 2 * 1024 * 1024
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, "gw_a")
    page.goto("/cases/new?matter=m.litter&place=grid.a1")
    page.fill("#report-description", "大件垃圾堆在楼道")
    page.set_input_files("#report-photo", str(big))
    page.click("form.og-form button[type=submit]")
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    case_id = int(page.url.rsplit("/", 1)[1])
    with app.app_context():
        (name,) = db.session().get(Case, case_id).submission["photo"]
        stored = Path(app.instance_path) / "photos" / name
        assert name.endswith(".jpg") and stored.stat().st_size <= 1024 * 1024


def test_a_step_taken_offline_is_taken_once_when_the_network_returns(phone, app):  # noqa: F811
    """The handler opens case 1 online; offline she records what was done
    (处置完毕 and its form, from the kept page); back online it is taken, once."""
    page = phone
    browser_login(page, "urban")
    page.goto("/cases/1")
    page.wait_for_selector("html[data-offline-ready]", state="attached", timeout=90_000)
    page.goto("/cases/1")  # kept as she opened it
    page.context.set_offline(True)
    page.reload()
    section = page.locator("#action-handle")
    section.locator("#handle-result").fill("已清运，路面冲洗干净")
    section.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/offline/outbox"))
    page.wait_for_selector("#outbox-list li[data-kind=step][data-status=pending]")
    with app.app_context():
        assert db.session().get(Case, 1).state == "dispatched"
    page.context.set_offline(False)
    all_sent(page, 1)
    with app.app_context():
        case = db.session().get(Case, 1)
        assert case.state != "dispatched" and case.version == 4


def test_a_report_is_kept_as_a_draft_until_it_is_sent(page, app):
    """Typed into the form, the tab closed, the form opened again: her answers
    are back; once the case is reported the form opens empty."""
    browser_login(page, "gw_a")
    url = "/cases/new?matter=m.litter&place=grid.a1"
    page.goto(url)
    page.fill("#report-description", "楼道里堆着旧家具")
    page.fill("#report-count", "4")
    page.wait_for_function(
        "() => Object.keys(localStorage).some(k => k.startsWith('onegrid-draft:')"
        " && localStorage[k].includes('旧家具'))"
    )
    again = page.context.new_page()
    page.close()  # the tab closed
    again.goto(url)
    again.wait_for_selector("#draft-restored")
    assert again.input_value("#report-description") == "楼道里堆着旧家具"
    assert again.input_value("#report-count") == "4"
    again.click("form.og-form button[type=submit]")
    again.wait_for_url(re.compile(r"/cases/\d+$"))
    # the copy kept while it was sent is dropped once the case page shows it arrived
    again.wait_for_selector("html[data-outbox-settled]", state="attached")
    assert outbox_count(again) == 0
    again.goto(url)
    assert again.input_value("#report-description") == ""
    assert again.locator("#draft-restored").count() == 0


def test_a_report_saved_before_she_logs_in_again_is_still_sent(phone, app):  # noqa: F811
    """Her session ended while the report waited (the form's CSRF token is
    the old session's): the outbox says to log in, and once she has, the
    report goes with a fresh token, once."""
    page = phone
    browser_login(page, "gw_a")
    page.goto("/cases/new?matter=m.litter&place=grid.a1")
    page.wait_for_selector("html[data-offline-ready]", state="attached", timeout=90_000)
    page.context.set_offline(True)
    page.goto("/cases/new?matter=m.litter&place=grid.a1")
    page.fill("#report-description", "会话过期后补发")
    page.click("form.og-form button[type=submit]")
    page.wait_for_url(re.compile(r"/offline/outbox"))
    page.context.clear_cookies()  # the session is gone
    page.context.set_offline(False)
    page.wait_for_function(
        "() => (document.querySelector('#outbox-list li .outbox-reason') || {}).textContent"
        "?.includes('登录')"
    )
    assert page.get_attribute("#outbox-list li", "data-status") == "pending"
    browser_login(page, "gw_a")
    page.goto("/offline/outbox")
    all_sent(page, 1)
    with app.app_context():
        found = [c for c in db.session().query(Case) if "会话过期后补发" in str(c.submission)]
        assert len(found) == 1


def test_a_position_goes_with_the_time_it_was_taken(cuntan):  # noqa: F811
    """The address's `[at]` part ("use my location" fills it with the phone's
    position time): kept with the case in UTC; one that is not a time with
    its zone, or comes without coordinates, is refused on the field with the
    answers kept."""
    url = FORM_URL.replace("-1", "-at")
    client, _, csrf = opened(cuntan, "ct_gw", url)
    body = {**ANSWERS, "csrf_token": csrf, "location[lat]": "29.6", "location[lng]": "106.6"}
    for bad in (
        {"location[at]": "2026-12-02 13:05"},  # no zone: not one moment
        {"location[at]": "2026-12-02T13:05:00+08:00", "location[lat]": "", "location[lng]": ""},
    ):
        r = client.post(url, data={**body, **bad})
        html = r.get_data(as_text=True)
        assert r.status_code == 422 and "定位时间须与经纬度一同提供" in html
        assert ANSWERS["title"] in html  # her answers stay on the form
    r = client.post(url, data={**body, "location[at]": "2026-12-02T13:05:00+08:00"})
    assert r.status_code == 302
    with cuntan.app_context():
        case = db.session().get(Case, int(r.headers["Location"].rsplit("/", 1)[1]))
        assert case.submission["location"]["at"] == "2026-12-02T05:05:00+00:00"
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "兰溪社区活动室（2026-12-02 13:05 定位：29.6, 106.6）" in page  # in Cuntan's time


def outbox_count(page) -> int:
    return page.evaluate("""async () => {
        const db = await new Promise(r => { const q = indexedDB.open('onegrid-outbox'); q.onsuccess = () => r(q.result); });
        return await new Promise(r => { const q = db.transaction('items').objectStore('items').count(); q.onsuccess = () => r(q.result); });
    }""")


def test_a_step_refused_or_cut_off_keeps_her_answers(phone, app):  # noqa: F811
    """Online, the server refuses her step on its field: the case page comes
    back with the error and what she typed, and the copy kept while it was
    sent is dropped. Sent again, the network fails mid-submit: no page of
    ours answers; the next one she opens finds her answers in the outbox,
    sent once when the network is there."""
    page = phone
    browser_login(page, "urban")
    page.goto("/cases/1")
    section = page.locator("#action-handle")
    section.locator("#handle-result").fill("好")  # min_length 2: the server refuses it
    section.locator("button[type=submit]").click()
    page.wait_for_selector("#action-handle .og-error")
    assert page.input_value("#handle-result") == "好"  # on the page, with the error
    page.wait_for_selector("html[data-outbox-settled]", state="attached")
    assert outbox_count(page) == 0  # the copy kept while it was sent: dropped
    # the network fails as she sends it again: the browser's own error page
    page.route(re.compile(r"/cases/1/act/"), lambda route: route.abort("internetdisconnected"))
    page.locator("#handle-result").fill("已清运，路面冲洗干净")
    page.locator("#action-handle button[type=submit]").click()
    page.wait_for_url(re.compile(r"^chrome-error://"))
    with app.app_context():
        assert db.session().get(Case, 1).state == "dispatched"
    page.unroute(re.compile(r"/cases/1/act/"))
    page.goto("/offline/outbox")
    page.wait_for_selector("#outbox-cut")
    shot(page, "outbox-cut-zh")
    all_sent(page, 1)
    with app.app_context():
        case = db.session().get(Case, 1)
        assert case.state != "dispatched" and case.version == 4
    page.goto("/cases/1")
    assert "已清运，路面冲洗干净" in page.inner_text("main")


def test_a_report_sent_after_her_session_ended_waits_for_her_login(phone, app):  # noqa: F811
    """Online, her session ended while she typed: the submit lands on the
    login page, her report waits in the outbox saying so, and once she has
    logged in it is sent, once."""
    page = phone
    browser_login(page, "gw_a")
    page.goto("/cases/new?matter=m.litter&place=grid.a1")
    page.fill("#report-description", "会话过期后在线提交")
    page.context.clear_cookies()  # the session is gone
    page.click("form.og-form button[type=submit]")
    page.wait_for_url(re.compile(r"/auth/login"))
    page.wait_for_selector("html[data-outbox-settled]", state="attached")
    reasons = page.evaluate("""async () => {
        const db = await new Promise(r => { const q = indexedDB.open('onegrid-outbox'); q.onsuccess = () => r(q.result); });
        return await new Promise(r => { const q = db.transaction('items').objectStore('items').getAll(); q.onsuccess = () => r(q.result.map(i => [i.status, i.reason])); });
    }""")
    assert reasons == [["pending", "登录已过期：登录后自动重发"]]  # not a network failure
    browser_login(page, "gw_a")
    page.goto("/offline/outbox")
    all_sent(page, 1)
    with app.app_context():
        found = [c for c in db.session().query(Case) if "会话过期后在线提交" in str(c.submission)]
        assert len(found) == 1
