"""The report form for phones (issue 14 point 4), through the page on every
bundled pack: the grouped, searchable matter picker (plain grouped select
without JavaScript), the place and the grid field filled from the worker's
grid, 已当场处置 offered only for matters that allow it and closing the case
when ticked (two audited steps), over-long text refused by name and limit,
and a too-large photo refused on its field with every answer kept."""

from __future__ import annotations

import io
import re
from html import unescape

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from onegrid.store import Case
from onegrid.store.accounts import User
from onegrid.web import db, policyview
from onegrid.workflow import case as wf_case
from web import bundled
from web.webapp import PASSWORD

OPTION = re.compile(r'<option value="([^"]+)" data-search="([^"]*)" data-group="([^"]*)"')


def reporter(app) -> tuple[str, str]:
    with app.app_context():
        policy = policyview.policy(app)
        users = db.session().scalars(select(User)).all()
        user = next(u for u in users if bundled._reports(u, policy))
        return user.username, user.bindings[0].unit


def logged_in(app):
    client = app.test_client()
    username, place = reporter(app)
    r = client.post("/auth/login", data={"username": username, "password": PASSWORD})
    assert r.status_code == 302
    return client, place


def as_form(values: dict) -> dict:
    """A submission as a browser's form sends it."""
    out: dict = {}
    for name, value in values.items():
        if isinstance(value, dict):
            for part, v in value.items():
                out[f"{name}[{part}]"] = str(v)
        elif isinstance(value, bool):
            out[name] = "yes" if value else "no"
        elif isinstance(value, list):
            if value and not str(value[0]).endswith((".jpg", ".png", ".webp")):
                out[name] = [str(v) for v in value]
        else:
            out[name] = str(value)
    return out


def post_multipart(client, url: str, data: dict):
    """A multipart POST encoded in memory (the test client's own encoder
    spools a large body to a temporary file it never closes)."""
    boundary, body = encode_multipart(MultiDict(data))
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def photo(size: int) -> FileStorage:
    """An upload that starts as a JPEG does."""
    data = b"\xff\xd8\xff\xe0" + b"\0" * (size - 4)
    return FileStorage(io.BytesIO(data), filename="big.jpg", content_type="image/jpeg")


def form_url(client, matter: str) -> str:
    """The report form's own URL (with its place and key), as step one leads to it."""
    r = client.get(f"/cases/new?matter={matter}")
    assert r.status_code == 302
    return r.headers["Location"]


def matters_by_spot(app) -> tuple[dict | None, dict | None]:
    """(a matter that allows collect-and-handle, one that does not), with a report form."""
    with app.app_context():
        matters = [m for m in policyview.policy(app).items("matter") if m.get("form")]
    return (
        next((m for m in matters if m.get("on_the_spot")), None),
        next((m for m in matters if not m.get("on_the_spot")), None),
    )


@pytest.mark.parametrize("pack", bundled.PACKS)
def test_the_matter_picker_is_grouped_and_every_matter_is_in_it_once(bundled_app, pack):
    app = bundled_app(pack)
    client, place = logged_in(app)
    html = client.get("/cases/new").get_data(as_text=True)
    with app.app_context():
        policy = policyview.policy(app)
        wanted = [m["id"] for m in policy.items("matter") if m.get("form")]
    found = [unescape(v) for v, _s, _g in OPTION.findall(html)]
    assert sorted(found) == sorted(wanted)
    assert html.count("<optgroup label=") >= 1
    assert 'id="matter-search"' in html and "hidden" in html.split('id="matter-picker"')[1][:20]
    # the place starts at the worker's own grid
    assert re.search(rf'<option value="{re.escape(place)}" selected>', html)


def test_typing_mooncake_finds_the_cuntan_matter_grouped_with_its_category(bundled_app):
    app = bundled_app("cuntan")
    client, _place = logged_in(app)
    html = client.get("/cases/new").get_data(as_text=True)
    options = {v: (s, g) for v, s, g in OPTION.findall(html)}
    assert len(options) >= 125  # the 125 business matters (and an unlisted-matter catch-all)
    search, group = options["m.expired_food_vendor"]
    assert "月饼" in search and "mooncake" in search
    assert [v for v, (s, _g) in options.items() if "月饼" in s] == ["m.expired_food_vendor"]
    assert group == "经济发展 · 市场秩序与食品安全"
    en = client.get("/cases/new?lang=en").get_data(as_text=True)
    assert 'data-group="Economic development · Market order and food safety"' in en


def test_the_grid_field_is_filled_from_the_workers_grid(bundled_app):
    app = bundled_app("cuntan")
    client, place = logged_in(app)
    html = client.get(form_url(client, "m.expired_food_vendor")).get_data(as_text=True)
    grid = html.split('id="report-grid"')[1].split("</select>")[0]
    assert f'<option value="{place}" selected>' in grid


@pytest.mark.parametrize("pack", bundled.PACKS)
def test_on_the_spot_is_offered_only_where_the_matter_allows_it(bundled_app, pack):
    app = bundled_app(pack)
    client, _place = logged_in(app)
    spot, plain = matters_by_spot(app)
    if plain is not None:
        html = client.get(form_url(client, plain["id"])).get_data(as_text=True)
        assert 'name="on_spot"' not in html and 'name="spot_result"' not in html
    if spot is not None:
        html = client.get(form_url(client, spot["id"])).get_data(as_text=True)
        assert 'name="on_spot"' in html and 'name="spot_result"' in html


@pytest.mark.parametrize("pack", [p for p in bundled.PACKS if p != "jinshui"])
def test_ticking_on_the_spot_closes_the_case_in_two_audited_steps(bundled_app, pack):
    app = bundled_app(pack)
    spot, plain = matters_by_spot(app)
    if spot is None:
        pytest.skip(f"{pack} has no collect-and-handle matter")
    client, _place = logged_in(app)
    with app.app_context():
        body = bundled.example(policyview.policy(app), spot["form"])
    body.update(on_spot=True, spot_result="已当场劝离并清理干净")
    r = client.post(form_url(client, spot["id"]), data=as_form(body))
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    case_id = int(r.headers["Location"].rsplit("/", 1)[1])
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "已结案" in page and "已当场劝离并清理干净" in page
    with app.app_context():
        case = db.session().get(Case, case_id)
        assert case.closed_at is not None and case.state == "closed"
        steps = wf_case.trail(db.session(), case_id)
        assert [s.action for s in steps] == ["open", "handle_on_the_spot"]
        assert steps[1].data["submission"]["result"] == "已当场劝离并清理干净"
        assert steps[1].actor == case.reporter
    if plain is None:
        return
    # ticked on a matter without it (a hand-made post): refused, naming the field, nothing filed
    with app.app_context():
        before = db.session().scalar(select(func.count(Case.id)))
        body = bundled.example(policyview.policy(app), plain["form"])
    body.update(on_spot=True, spot_result="已当场处置")
    r = client.post(form_url(client, plain["id"]), data=as_form(body))
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "不准许" in html and "已当场处置" in html
    with app.app_context():
        assert db.session().scalar(select(func.count(Case.id))) == before


def test_over_long_text_is_refused_by_name_and_limit_and_kept(bundled_app):
    app = bundled_app("cuntan")
    client, _place = logged_in(app)
    with app.app_context():
        body = bundled.example(policyview.policy(app), "form.report.general")
        before = db.session().scalar(select(func.count(Case.id)))
    pasted = "长" * 10_000
    body["description"] = pasted
    url = form_url(client, "m.guiding_party_branch_elections")
    html = client.get(url).get_data(as_text=True)
    # no maxlength: a browser would cut the paste without a word; a counter says the limit
    assert ' maxlength="2000"' not in html and 'data-maxlength="2000"' in html
    r = client.post(url, data=as_form(body))
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "问题描述</a>：最多 2000 个字（现有 10000 个）" in html
    assert pasted in html  # kept whole, not cut
    with app.app_context():
        assert db.session().scalar(select(func.count(Case.id))) == before


def test_a_20_mb_photo_is_refused_on_its_field_with_the_answers_kept(bundled_app, tmp_path):
    app = bundled_app("cuntan")
    client, _place = logged_in(app)
    with app.app_context():
        body = bundled.example(policyview.policy(app), "form.report.general")
    body["title"] = "二十兆的照片"
    url = form_url(client, "m.guiding_party_branch_elections")
    size = 20 * 1024 * 1024
    assert size > app.config["MAX_CONTENT_LENGTH"]  # it used to answer a bare 413 page
    data = as_form(body)
    data["photos"] = [photo(size)]
    r = post_multipart(client, url, data)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "二十兆的照片" in html
    assert "现场照片</a>：照片超过 8MB" in html
    # nothing of it stored
    photos = tmp_path.rglob("photos/*")
    assert not [p for p in photos if p.is_file()]


def test_a_body_over_the_page_limit_comes_back_to_the_form_with_the_limit(bundled_app):
    app = bundled_app("cuntan", ONEGRID_PAGE_BODY=1024 * 1024)  # 100 MB unless set
    client, _place = logged_in(app)
    url = form_url(client, "m.guiding_party_branch_elections")
    big = photo(2 * 1024 * 1024)
    r = post_multipart(client, url, {"title": "太大", "photos": [big]})
    assert r.status_code == 303 and "/cases/new?" in r.headers["Location"]
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "超过单次提交 1 MB 的上限" in html and "每张不超过 8 MB" in html


def test_the_report_form_in_a_phones_browser(bundled_app, browser):
    """Cuntan at 390 px in chromium: typing 月饼 finds the matter and a tap
    opens its form; a pasted over-long title is counted and held back with
    the limit named; a photo shows its preview, an oversize one is named
    with the pack's 8MB; "use my location" fills lat/long from the browser."""
    from web.test_walks import serve

    app = bundled_app("cuntan")
    username, _place = reporter(app)
    httpd, thread, base = serve(app)
    context = browser.new_context(
        base_url=base,
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        geolocation={"latitude": 29.6123, "longitude": 106.6011},
        permissions=["geolocation"],
    )
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.goto("/auth/login")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        page.click("form.stack button[type=submit]")
        page.wait_for_url(f"{base}/")
        page.goto("/cases/new")
        page.fill("#matter-search", "月饼")
        hits = page.locator("#matter-hits button.hit")
        assert hits.count() == 1 and "游商销售过期食品" in hits.first.inner_text()
        hits.first.click()
        page.wait_for_selector("#report-title")
        assert "matter=m.expired_food_vendor" in page.url
        # a paste longer than the limit: kept whole, counted, the submit held back
        page.fill("#report-title", "长" * 70)
        counter = page.locator("#report-title-count")
        assert "超出 10 字" in counter.inner_text() and "最多 60 字" in counter.inner_text()
        assert page.eval_on_selector("#report-title", "el => el.value.length") == 70
        assert not page.eval_on_selector("#report-title", "el => el.checkValidity()")
        # photos: a preview; an oversize one named with the limit
        small = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
        page.set_input_files(
            "#report-photos", [{"name": "a.png", "mimeType": "image/png", "buffer": small}]
        )
        assert page.locator(".og-preview img").count() == 1
        big = b"\xff\xd8\xff\xe0" + b"\0" * (9 * 1024 * 1024)
        page.set_input_files(
            "#report-photos", [{"name": "big.jpg", "mimeType": "image/jpeg", "buffer": big}]
        )
        said = page.locator("#report-photos-check").inner_text()
        assert "big.jpg" in said and "9.0 MB" in said and "8MB" in said
        # the browser's own position, inside the pack's bounds
        page.click("#report-location-locate")
        page.wait_for_function("() => document.getElementById('report-location-lat').value !== ''")
        assert page.input_value("#report-location-lat") == "29.6123"
        assert page.input_value("#report-location-lng") == "106.6011"
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        assert not errors, errors
    finally:
        context.close()
        httpd.shutdown()
        thread.join()
        httpd.server_close()


def test_on_the_spot_through_the_json_api_too(bundled_app):
    """The engine does it, so every door does: Luohu's frontage matter closes
    at once; a matter without collect-and-handle answers 422 on the field."""
    from web.webapp import token_for

    app = bundled_app("luohu")
    spot, plain = matters_by_spot(app)
    username, place = reporter(app)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token_for(app, username)}"}
    with app.app_context():
        body = bundled.example(policyview.policy(app), spot["form"])
    body.update(on_spot=True, spot_result="已当场清理")
    r = client.post(
        "/api/v1/cases",
        json={"matter": spot["id"], "place": place, "submission": body},
        headers=headers,
    )
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["state"] == "closed"
    with app.app_context():
        body = bundled.example(policyview.policy(app), plain["form"])
    body.update(on_spot=True, spot_result="已当场处置")
    r = client.post(
        "/api/v1/cases",
        json={"matter": plain["id"], "place": place, "submission": body},
        headers=headers,
    )
    assert r.status_code == 422
    assert "不准许" in r.get_json()["errors"]["on_spot"][0]
