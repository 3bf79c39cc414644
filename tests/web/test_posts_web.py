"""认岗领责 on Jinshui's pack in Chromium: an in-service party member
registers in her home grid and claims one of the six posts with the pack's
form; the grid's party branch secretary confirms; the grid's coverage row
changes. Screenshots go to ONEGRID_SHOTS when it is set."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from onegrid.web import create_app, db
from web.test_admission_web import make
from web.test_browser import login
from web.webapp import PROJECT, config

SHOTS = os.environ.get("ONEGRID_SHOTS")
GRID = "g.jingbalu.1.1"
USERS = {
    "js_member": ("party_member", "g.jingbalu.1.2"),  # an account: not the person record
    "js_sec": ("grid_branch_secretary", GRID),
}


@pytest.fixture(scope="module")
def jinshui_db(tmp_path_factory):
    return make(tmp_path_factory, "jinshui", USERS)


@pytest.fixture
def app(jinshui_db, tmp_path):
    shutil.copy(jinshui_db, tmp_path / "onegrid.sqlite")
    app = create_app(config(PROJECT / "catalogs" / "jinshui", tmp_path))
    yield app
    db.engine(app).dispose()


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


def covered(page) -> tuple[str, str]:
    row = page.locator(f"tr[data-unit='{GRID}']")
    return row.locator("td.people").inner_text(), row.locator("td.held").inner_text()


def test_a_party_member_claims_a_post_and_the_branch_confirms(page, app):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "js_sec")
    page.goto("/posts/")
    assert covered(page) == ("0", "0/6")
    page.click("#logout")
    login(page, "js_member")
    page.goto("/posts/new")
    shot(page, "claim-new")
    page.fill("#claim-name", "张建国")
    page.fill("#claim-phone", "13800000001")
    page.check("#claim-party_member-1")  # 是
    page.select_option("#claim-home_grid", GRID)
    page.select_option("#claim-post", "dl.six.law")
    page.click("form:has(#claim-name) button[type=submit]")
    page.wait_for_url(re.compile(r"/posts/$"))
    said = page.locator(".flash").first.inner_text()
    assert said.startswith("已提交认岗登记 #") and "现为“待网格党支部确认”" in said
    assert "法治建设宣传员" in page.locator("#mine").inner_text()
    page.click("#logout")
    login(page, "js_sec")
    page.goto("/posts/")
    shot(page, "claim-confirm")
    page.locator("section.card button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/posts/$"))
    assert covered(page) == ("1", "1/6")
    shot(page, "claim-coverage")
