"""我的职责 on Cuntan's pack, through its doors: the sweep opens this
period's rounds; a grid worker ticks two items in Chromium at 390 px (a
photo and a visit record, forms generated from the pack); another grid's
item and a closed round are refused in words through the API; the
community's secretary sees the completion figures. Screenshots go to
ONEGRID_SHOTS when it is set."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import pytest

from onegrid.store import Item, make_engine, sessions, utcnow
from onegrid.store import sessions as store_sessions
from onegrid.web import create_app, db
from onegrid.workflow.rounds import open_rounds
from web.test_admission_web import make, token
from web.test_attachments import png
from web.test_browser import login
from web.webapp import PROJECT, config

SHOTS = os.environ.get("ONEGRID_SHOTS")
GRID = "g.lanxi.01"
USERS = {
    "ct_gw": ("grid_worker", GRID),
    "ct_gw2": ("grid_worker", "g.lanxi.02"),
    "ct_sec": ("community_secretary", "comm.lanxi"),
}
VISIT = {"visited": "兰溪社区 3 户居民", "date": "2026-12-02", "notes": "收集到 2 条意见"}


@pytest.fixture(scope="module")
def cuntan_db(tmp_path_factory):
    path = make(tmp_path_factory, "cuntan", USERS)
    engine = make_engine(f"sqlite:///{path}")
    open_rounds(sessions(engine), utcnow())
    engine.dispose()
    return path


@pytest.fixture
def app(cuntan_db, tmp_path):
    shutil.copy(cuntan_db, tmp_path / "onegrid.sqlite")
    app = create_app(config(PROJECT / "catalogs" / "cuntan", tmp_path))
    yield app
    db.engine(app).dispose()


def weekly(app) -> Item:
    with app.app_context():
        return next(
            r
            for r in db.session().query(Item).filter(Item.unit == GRID)
            if r.data["period"].count("-W")
        )


def test_api_lists_my_rounds_and_refuses_another_holders_item(app):
    client = app.test_client()
    mine = client.get("/api/v1/duties", headers=token(client, "ct_gw")).get_json()
    lists = {r["list"] for r in mine}
    assert lists == {"dl.grid_worker"} and all(r["holder"] == GRID for r in mine)
    items = {i["id"] for r in mine for i in r["items"]}
    assert items == {f"d.gw.{n}" for n in range(1, 7)} | {"d.gw.plus1"}
    rnd = weekly(app)
    url = f"/api/v1/duties/{rnd.id}/items/d.gw.5"
    other = token(client, "ct_gw2")
    r = client.post(url, json={"version": rnd.version, "submission": VISIT}, headers=other)
    assert r.status_code == 403
    assert "兰溪社区第1网格" in r.get_json()["message"]
    r = client.post(
        url + "?lang=en",
        json={"version": rnd.version, "submission": {}},
        headers=token(client, "ct_gw"),
    )
    assert r.status_code == 422 and "visited" in r.get_json()["errors"]
    r = client.post(
        url, json={"version": rnd.version, "submission": VISIT}, headers=token(client, "ct_gw")
    )
    assert r.status_code == 200, r.get_json()
    row = next(i for i in r.get_json()["items"] if i["id"] == "d.gw.5")
    assert (row["done"], row["expected"]) == (1, 10)
    # the sweep two weeks on closes the week (its grace ends when the next week is due)
    with app.app_context():
        open_rounds(store_sessions(db.engine(app)), utcnow() + dt.timedelta(days=15))
        closed = db.session().get(Item, rnd.id)
        assert closed.closed_at is not None
        version = closed.version
    r = client.post(
        url + "?lang=zh",
        json={"version": version, "submission": VISIT},
        headers=token(client, "ct_gw"),
    )
    assert r.status_code == 409 and "已结束" in r.get_json()["message"]


def shot(page, name):
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for lang in ("zh", "en"):
        for width in (390, 1366):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(Path(SHOTS) / f"{name}-{lang}-{width}.png"), full_page=True)
        page.click("#lang")
        page.wait_for_load_state()
    page.set_viewport_size({"width": 390, "height": 844})


def test_a_grid_worker_ticks_two_items_on_a_phone(page, app, tmp_path):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "ct_gw")
    page.click("#duties-link")
    page.wait_for_url(re.compile(r"/duties/$"))
    rnd = weekly(app)
    shot(page, "mine")
    # a photo of a safety hazard (d.gw.2: evidence photo)
    hazard = page.locator(f"#r{rnd.id}-d-gw-2")
    hazard.locator("summary").first.click()
    picture = tmp_path / "hazard.png"
    picture.write_bytes(png())
    hazard.locator("input[type=file]").set_input_files(str(picture))
    hazard.locator(".tick-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/duties/"))
    assert "已销号" in page.locator(".flash").first.inner_text()
    # a household visit (d.gw.5: evidence visit)
    visit = page.locator(f"#r{rnd.id}-d-gw-5")
    visit.locator("summary").first.click()
    prefix = f"r{rnd.id}-d-gw-5-"
    visit.locator(f"#{prefix}visited").fill(VISIT["visited"])
    visit.locator(f"#{prefix}date").fill(VISIT["date"])
    visit.locator(f"#{prefix}notes").fill(VISIT["notes"])
    visit.locator(".tick-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/duties/"))
    assert "1/10" in page.locator(f"#r{rnd.id}-d-gw-5 .duty-status").inner_text()
    assert "1/" in page.locator(f"#r{rnd.id}-d-gw-2 .duty-status").inner_text()
    with app.app_context():
        stored = db.session().get(Item, rnd.id)
        assert stored.result["ticks"]["d.gw.2"][0]["evidence"]["photos"]
        assert stored.result["ticks"]["d.gw.5"][0]["evidence"]["visited"] == VISIT["visited"]
    page.locator(f"#r{rnd.id}-d-gw-5 summary").first.click()
    shot(page, "mine-ticked")
    # the community's secretary sees the figures for the month
    page.click("#logout")
    login(page, "ct_sec")
    page.goto("/duties/completion")
    row = page.locator(f"tr[data-unit='{GRID}']")
    done, due = row.locator("td.done").inner_text().split("/")
    assert int(due) >= 4 and int(done) >= 0
    assert page.locator("tr[data-unit='comm.lanxi']").count() == 1
    shot(page, "completion")
