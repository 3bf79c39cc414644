"""The grid worker's phone without a signal (issue 19), in Debian's chromium
at 390 px on Cuntan's pack: the app is opened once online (the service
worker keeps her pages), the network goes, she reports two cases with
photos and ticks a duty item, reloads, the network comes back: exactly two
cases and one tick arrive, with their photos, and the outbox shows them
sent. A report filled offline under version N and sent after N+1 is
published: taken under N within Cuntan's 3-day window; returned after it,
with the reason, fixed from the outbox and sent again. No request leaves for
any host but the app's own. Screenshots of the outbox go to ONEGRID_SHOTS
when it is set."""

from __future__ import annotations

import base64
import datetime as dt
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from flask import request
from sqlalchemy import select

from onegrid.store import Case, Item, accounts
from onegrid.web import casework, create_app, db
from onegrid.workflow import rounds
from web.oldforms import publish_next
from web.test_attachments import png
from web.test_browser import login
from web.test_duties_web import GRID, VISIT, cuntan_db, weekly  # noqa: F401 (cuntan_db: a fixture)
from web.webapp import PROJECT, config

SHOTS = os.environ.get("ONEGRID_SHOTS")
MATTERS = ("m.three_meetings_one_lesson", "m.guiding_party_branch_elections")
# what chromium logs for a request it could not make while offline, or a refusal: expected here
OFFLINE_NOISE = ("ERR_INTERNET_DISCONNECTED", "status of 409", "status of 422", "status of 503")


@pytest.fixture
def app(cuntan_db, tmp_path):  # noqa: F811
    shutil.copy(cuntan_db, tmp_path / "onegrid.sqlite")
    app = create_app(config(PROJECT / "catalogs" / "cuntan", tmp_path))
    # every request the server sees, to prove that offline pages came from the phone
    app.config["HITS"] = hits = []
    app.before_request(lambda: hits.append(f"{request.method} {request.full_path}"))
    yield app
    db.engine(app).dispose()


# Playwright's set_offline cuts the network, but Debian's chromium 150 keeps
# navigator.onLine true under it (a phone in airplane mode says false): the
# pages read it from a flag the fixture sets with the network, in each page
# of the context (localStorage: shared by them, kept across navigations)
SAYS_OFFLINE = """(() => {
  const real = Object.getOwnPropertyDescriptor(Navigator.prototype, "onLine");
  Object.defineProperty(Navigator.prototype, "onLine", {
    configurable: true,
    get() {
      try { if (localStorage.getItem("test-offline") === "1") { return false; } } catch (e) {}
      return real.get.call(this);
    },
  });
})();"""
TELL_OFFLINE = """(offline) => {
  if (offline) { localStorage.setItem("test-offline", "1"); }
  else { localStorage.removeItem("test-offline"); }
  window.dispatchEvent(new Event(offline ? "offline" : "online"));
}"""


@pytest.fixture
def phone(browser, server):
    """A phone-sized page; every request the context makes (pages and the
    service worker) is logged, and any script error fails the test."""
    context = browser.new_context(
        base_url=server,
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        service_workers="allow",
    )
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    context.add_init_script(SAYS_OFFLINE)
    going = context.set_offline

    def set_offline(offline: bool) -> None:
        # the network goes and, as on a phone, navigator.onLine says so
        going(offline)
        for open_page in context.pages:
            if open_page.url.startswith("http"):
                open_page.evaluate(TELL_OFFLINE, offline)

    context.set_offline = set_offline
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and not any(n in m.text for n in OFFLINE_NOISE)
            and errors.append(m.text)
        ),
    )
    page.requests = requests
    yield page
    context.close()
    assert not errors, errors
    hosts = {urlsplit(u).netloc for u in requests if urlsplit(u).scheme in ("http", "https")}
    assert hosts == {urlsplit(server).netloc}, hosts  # no request for any other host
    assert all(urlsplit(u).scheme in ("http", "data", "blob") for u in requests), requests


def ready(page):
    """Online once: the service worker has kept this version's pages."""
    page.goto("/")
    page.wait_for_selector("html[data-offline-ready]", state="attached", timeout=90_000)


def report(page, matter, title, photo: Path, locate=False):
    page.goto(f"/cases/new?matter={matter}&place={GRID}")  # the kept copy
    page.fill("#report-title", title)
    page.fill("#report-description", f"{title}：离线填报")
    page.fill("#report-location-text", "兰溪社区活动室")
    if locate:  # "use my location": the phone's position, offline too
        page.click("#report-location-locate")
        page.wait_for_function("() => document.querySelector('#report-location-at').value !== ''")
    page.check("#report-urgency-1")
    page.set_input_files("#report-photos", str(photo))
    page.click("form.og-form button[type=submit]")
    page.wait_for_url(re.compile(r"/offline/outbox"))
    page.wait_for_selector("#outbox-list li")


# what a camera gives: a 2048 × 1536 JPEG of noise (it does not compress), over 8MB
CAMERA_JPEG = """async () => {
    const c = document.createElement('canvas'); c.width = 2048; c.height = 1536;
    const ctx = c.getContext('2d'); const img = ctx.createImageData(c.width, c.height);
    const px = new Uint32Array(img.data.buffer);
    let s = 2463534242;
    for (let i = 0; i < px.length; i++) { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; px[i] = s | 0xff000000; }
    ctx.putImageData(img, 0, 0);
    const blob = await new Promise(r => c.toBlob(r, 'image/jpeg', 1.0));
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let out = '';
    for (let i = 0; i < bytes.length; i += 0x8000) out += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(out);
}"""
PHOTO_LIMIT = 8 * 1024 * 1024  # the bundled packs' field.photos: max_size 8MB


def camera_photo(page, path: Path) -> Path:
    """A real JPEG larger than the photo field's limit, made by the page's canvas."""
    path.write_bytes(base64.b64decode(page.evaluate(CAMERA_JPEG)))
    assert path.read_bytes()[:3] == b"\xff\xd8\xff" and path.stat().st_size > PHOTO_LIMIT
    return path


def outbox_files(page) -> list[list[dict]]:
    """Per outbox item, in order: the photos IndexedDB holds (type, size, first bytes)."""
    return page.evaluate("""async () => {
        const db = await new Promise(r => { const q = indexedDB.open('onegrid-outbox'); q.onsuccess = () => r(q.result); });
        const items = await new Promise(r => { const q = db.transaction('items').objectStore('items').getAll(); q.onsuccess = () => r(q.result); });
        const out = [];
        for (const item of items.sort((a, b) => a.id - b.id)) {
            const files = [];
            for (const f of item.files) {
                const head = f.blob ? [...new Uint8Array(await f.blob.slice(0, 3).arrayBuffer())] : [];
                files.push({type: f.blob ? f.blob.type : null, size: f.blob ? f.blob.size : f.size, head, filename: f.filename});
            }
            out.push(files);
        }
        return out;
    }""")


def statuses(page) -> list[str]:
    return page.eval_on_selector_all("#outbox-list li", "els => els.map(e => e.dataset.status)")


def all_sent(page, n):
    page.wait_for_function(
        f"() => {{ const s = [...document.querySelectorAll('#outbox-list li')]"
        f".map(e => e.dataset.status); return s.length === {n} && s.every(x => x === 'sent'); }}",
        timeout=60_000,
    )


def shot(page, name):
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for width in (390, 1366):
        page.set_viewport_size({"width": width, "height": 844})
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})


def cases_of(app, title_part):
    with app.app_context():
        found = db.session().scalars(select(Case).order_by(Case.id)).all()
        return [c for c in found if title_part in (c.submission or {}).get("title", "")]


def test_two_reports_and_a_tick_made_offline_arrive_once_with_their_photos(phone, app, tmp_path):
    page = phone
    login(page, "ct_gw")
    camera = camera_photo(page, tmp_path / "camera.jpg")
    page.context.grant_permissions(["geolocation"])
    ready(page)
    rnd = weekly(app)
    picture = tmp_path / "hazard.png"
    picture.write_bytes(png())
    page.context.set_offline(True)
    seen = len(app.config["HITS"])
    # the emulated position may carry the moment it was set, and the stored
    # time whole seconds: a second's slack either side
    before = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(seconds=1)
    page.context.set_geolocation({"latitude": 29.6012, "longitude": 106.6034, "accuracy": 12})
    # over the field's limit: shrunk on the phone; located by the phone
    report(page, MATTERS[0], "离线一号", camera, locate=True)
    after = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    report(page, MATTERS[1], "离线二号", picture)
    page.goto("/duties/")
    hazard = page.locator(f"#r{rnd.id}-d-gw-2")
    hazard.locator("summary").first.click()
    hazard.locator("input[type=file]").set_input_files(str(picture))
    hazard.locator(".tick-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/offline/outbox"))
    page.reload()  # offline: the kept outbox page, the items from IndexedDB
    page.wait_for_function("() => document.querySelectorAll('#outbox-list li').length === 3")
    assert statuses(page) == ["pending"] * 3
    located = page.inner_text("#outbox-list li[data-kind=report] >> nth=-1")
    # what the outbox keeps of the camera's photo: a JPEG shrunk under the limit
    (shrunk,), (small,), _ = outbox_files(page)
    assert shrunk["type"] == "image/jpeg" and shrunk["head"] == [0xFF, 0xD8, 0xFF]
    assert shrunk["filename"] == "camera.jpg" and shrunk["size"] <= PHOTO_LIMIT
    assert small["size"] == picture.stat().st_size  # one under the limit is kept as it was
    assert "离线" in page.inner_text("#outbox-net")
    shot(page, "outbox-offline-zh")
    # nothing reached the server while offline: every page came from the phone (the
    # browser's own check for a newer /sw.js is made past the emulated offline, and
    # sometimes falls in here when the machine is busy: it is no page of hers)
    assert [h for h in app.config["HITS"][seen:] if not h.startswith("GET /sw.js")] == []
    assert cases_of(app, "离线") == []
    with app.app_context():
        assert not db.session().get(Item, rnd.id).result.get("ticks", {}).get("d.gw.2")
    page.context.set_offline(False)
    all_sent(page, 3)
    assert page.locator("#outbox-count").is_hidden()
    shot(page, "outbox-sent-zh")
    arrived = cases_of(app, "离线")
    assert [c.submission["title"] for c in arrived] == ["离线一号", "离线二号"]  # in order, once
    assert all(len(c.submission["photos"]) == 1 for c in arrived)
    # the server received the shrunk photo itself, byte for byte the outbox's
    (name,) = arrived[0].submission["photos"]
    stored = Path(app.instance_path) / "photos" / name
    assert name.endswith(".jpg") and stored.stat().st_size == shrunk["size"]
    # the position went with the report, with the time the phone took it
    where = arrived[0].submission["location"]
    assert (where["lat"], where["lng"]) == (29.6012, 106.6034)
    at = dt.datetime.fromisoformat(where["at"])
    assert before <= at <= after and at.utcoffset() == dt.timedelta(0)
    local = at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")  # Cuntan's zone
    # the outbox said it in the pack's zone too, whatever the phone's
    assert f"位置记录于 {local} (29.6012, 106.6034)" in located
    page.goto(f"/cases/{arrived[0].id}")
    assert f"兰溪社区活动室（{local} 定位：29.6012, 106.6034）" in page.inner_text("main")
    shot(page, "case-located-zh")
    page.goto("/offline/outbox")
    page.wait_for_selector("#outbox-list li")
    with app.app_context():
        ticks = db.session().get(Item, rnd.id).result["ticks"]["d.gw.2"]
        assert len(ticks) == 1 and ticks[0]["evidence"]["photos"]
    # each sent item links to what it made
    links = page.eval_on_selector_all("#outbox-list li .outbox-open", "els => els.map(e => e.href)")
    assert sum("/cases/" in u for u in links) == 2
    # sending again (another tab, a retry after a lost answer) makes nothing twice
    page.evaluate("""async () => {
        const db = await new Promise(r => { const q = indexedDB.open('onegrid-outbox'); q.onsuccess = () => r(q.result); });
        const items = await new Promise(r => { const q = db.transaction('items').objectStore('items').getAll(); q.onsuccess = () => r(q.result); });
        for (const item of items) {
            const body = new FormData(); item.fields.forEach(f => body.append(f[0], f[1]));
            await fetch(item.url, {method: 'POST', body});
        }
    }""")
    assert len(cases_of(app, "离线")) == 2
    with app.app_context():
        assert len(db.session().get(Item, rnd.id).result["ticks"]["d.gw.2"]) == 1
    page.click("#lang")
    page.wait_for_load_state()
    page.wait_for_selector("#outbox-list li")
    assert page.inner_text("#outbox-list li .outbox-status >> nth=0") == "Sent"
    shot(page, "outbox-sent-en")
    page.goto(f"/cases/{arrived[0].id}")
    assert f"(located {local}: 29.6012, 106.6034)" in page.inner_text("main")
    shot(page, "case-located-en")


def test_a_report_filled_under_an_older_version(phone, app, tmp_path):
    """Within Cuntan's 3-day window it is taken under the version it was
    filled under; after it, returned with the reason, fixed and sent again."""
    page = phone
    login(page, "ct_gw")
    ready(page)
    filled = int(page.get_attribute("meta[name=onegrid-policy-version]", "content"))
    picture = tmp_path / "p.png"
    picture.write_bytes(png())
    page.context.set_offline(True)
    report(page, MATTERS[0], "旧版窗口内", picture)
    newer = publish_next(app)
    page.context.set_offline(False)
    all_sent(page, 1)
    (inside,) = cases_of(app, "旧版窗口内")
    assert inside.policy_version_id == filled and newer > filled
    page.goto(f"/cases/{inside.id}")  # she opens it: kept under version N
    # the new version: the phone keeps its pages again, then a report waits past the window
    ready(page)
    page.wait_for_function(f"() => document.documentElement.dataset.offlineReady === '{newer}'")
    # the new version's cache replaced the old one, with the case page kept under it refreshed
    assert page.evaluate("caches.keys()") == [f"onegrid-pages-{newer}"]
    kept = f"caches.open('onegrid-pages-{newer}').then(c => c.match('/cases/{inside.id}'))"
    assert page.evaluate(f"{kept}.then(r => !!r)")
    page.context.set_offline(True)
    report(page, MATTERS[1], "旧版超窗", picture)
    latest = publish_next(app, ago=dt.timedelta(days=4))
    page.context.set_offline(False)
    page.wait_for_selector("#outbox-list li[data-status=refused]", timeout=60_000)
    reason = page.inner_text("#outbox-list li[data-status=refused] .outbox-reason")
    assert (
        f"第 {newer} 版策略填写" in reason
        and "新版发布后 3 天内受理" in reason
        and "UTC" not in reason
    ), reason
    assert cases_of(app, "旧版超窗") == []
    shot(page, "outbox-refused-zh")
    page.click("#lang")
    page.wait_for_selector("#outbox-list li[data-status=refused] .outbox-fix")
    assert page.inner_text("#outbox-list li[data-status=refused] .outbox-status") == "Returned"
    shot(page, "outbox-refused-en")
    page.click("#outbox-list li[data-status=refused] .outbox-fix")
    page.wait_for_selector("#outbox-fixing")
    assert page.input_value("#report-title") == "旧版超窗"  # her answers, in the new form
    assert page.eval_on_selector("#report-photos", "e => e.files.length") == 1
    page.click("form.og-form button[type=submit]")
    page.wait_for_url(re.compile(r"/offline/outbox"))
    all_sent(page, 2)
    (fixed,) = cases_of(app, "旧版超窗")
    assert fixed.policy_version_id == latest and len(fixed.submission["photos"]) == 1


def test_a_tick_refused_as_stale_keeps_her_answers_to_send_again(phone, app):
    """Online, her household-visit tick is refused (409: her round moved on
    from another phone while she typed, so the form's version is stale) and
    the page shows no form of hers: her answers go to the outbox as returned,
    with the server's reason; fixed from there, the tick is taken, once."""
    page = phone
    login(page, "ct_gw")
    rnd = weekly(app)
    page.goto("/duties/")
    visit = page.locator(f"#r{rnd.id}-d-gw-5")
    visit.locator("summary").first.click()
    prefix = f"r{rnd.id}-d-gw-5-"
    visit.locator(f"#{prefix}visited").fill(VISIT["visited"])
    visit.locator(f"#{prefix}date").fill(VISIT["date"])
    visit.locator(f"#{prefix}notes").fill(VISIT["notes"])
    with app.test_request_context():  # meanwhile, her other phone ticks the round
        session = db.session()
        user = session.scalar(select(accounts.User).where(accounts.User.username == "ct_gw"))
        rounds.tick(session, rnd.id, "d.gw.5", casework.actor_of(user), VISIT, rnd.version)
        session.commit()
    visit.locator(".tick-form button[type=submit]").click()
    page.wait_for_selector("#outbox-kept")  # on the refusal, a word of where her answers are
    page.click("#outbox-kept a")
    page.wait_for_selector("#outbox-list li[data-status=refused] .outbox-fix")
    reason = page.inner_text("#outbox-list li[data-status=refused] .outbox-reason")
    assert "已被他人处理" in reason and "案件" not in reason, reason  # a round, not a case
    shot(page, "outbox-tick-refused-zh")
    page.click("#outbox-list li[data-status=refused] .outbox-fix")
    page.wait_for_selector("#outbox-fixing")
    assert page.input_value(f"#{prefix}notes") == VISIT["notes"]  # her answers, in the form
    page.locator(f"#r{rnd.id}-d-gw-5 .tick-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/offline/outbox"))
    all_sent(page, 1)
    with app.app_context():
        ticks = db.session().get(Item, rnd.id).result["ticks"]["d.gw.5"]
        assert len(ticks) == 2 and ticks[1]["evidence"]["notes"] == VISIT["notes"]
