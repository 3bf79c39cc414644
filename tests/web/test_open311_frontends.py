"""Open311 as front ends use it, on every bundled pack, over real HTTP.

`FrontEnd` is written from the GeoReport v2 spec the way FixMyStreet-style
front ends talk to a 311 server: it reads the services and a service
definition, posts a request with the core fields only (description,
lat/long, the reporter's e-mail, names and phone) and then polls
`servicerequestupdates` while staff move the case round the loop.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from contextlib import contextmanager

import pytest
import requests
from sqlalchemy import select
from werkzeug.serving import make_server

from onegrid.forms import forms_of
from onegrid.store import Case, accounts
from onegrid.web import db, policyview
from onegrid.workflow import case as wf_case
from onegrid.workflow import rulebook
from web import bundled
from web.test_open311 import schemas  # noqa: F401 - the fixture
from web.webapp import FAST_HASH, PASSWORD, client_key, token_for

TIMEOUT = 10


@contextmanager
def serving(app):
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join()
        httpd.server_close()


class FrontEnd:
    """A GeoReport v2 client as a resident's app is: JSON, form-encoded POSTs."""

    def __init__(self, root: str, api_key: str):
        self.root = f"{root}/open311/v2"
        self.api_key = api_key

    def get(self, path: str, **params):
        r = requests.get(f"{self.root}/{path}", params=params, timeout=TIMEOUT)
        assert r.status_code == 200, (path, r.status_code, r.text)
        return r.json()

    def services(self):
        return self.get("services.json")

    def definition(self, code: str):
        return self.get(f"services/{code}.json")

    def post(self, **fields):
        return requests.post(
            f"{self.root}/requests.json",
            data={"api_key": self.api_key, **fields},
            timeout=TIMEOUT,
        )

    def request(self, rid: str):
        return self.get(f"requests/{rid}.json", api_key=self.api_key)[0]

    def updates(self, since: dt.datetime):
        return self.get(
            "servicerequestupdates.json",
            api_key=self.api_key,
            start_date=since.isoformat(timespec="seconds"),
        )


def general_matter(app) -> dict:
    """The first matter reported on the pack's general report form."""
    with app.app_context():
        items = policyview.policy(app).items("matter")
        return next(m for m in items if m.get("form") == "form.report.general")


def place_of(app) -> tuple[float, float]:
    """A point inside the pack's own area (its location field's bounds)."""
    with app.app_context():
        field = policyview.policy(app).get("field", "field.location") or {}
    bounds = field.get("bounds") or {"lat": [39.0, 41.0], "lng": [116.0, 118.0]}
    return (
        round(sum(bounds["lat"]) / 2, 6),
        round(sum(bounds["lng"]) / 2, 6),
    )


def walk(app, case_id: int) -> list[str]:
    """Staff take the case forward round the loop (a member of staff made
    for each seat the case waits on that the demo users do not fill, as
    the router may place a front end's report in any grid); the states it passed."""
    states = []
    with app.test_request_context():
        policy = policyview.policy(app)
        session = db.session()
        for n in range(12):
            case = session.get(Case, case_id)
            book = rulebook(case.policy_version)
            for i, h in enumerate(wf_case.waiting_on(case)):
                if not h.units or h.transition in bundled.SIDE_STEPS:
                    continue
                level = book.level_of(h.units[0])
                roles = [h.role] if h.role else [
                    r["id"] for r in policy.items("role") if r.get("level") == level
                ]  # fmt: skip
                for m, role in enumerate(roles):
                    accounts.create_user(
                        session, f"seat{case_id}.{n}.{i}.{m}", PASSWORD,
                        bindings=[(role, h.units[0])], method=FAST_HASH,
                    )  # fmt: skip
            session.commit()
            users = list(session.scalars(select(accounts.User)))
            if not bundled.advance(session, policy, case_id, users):
                break
            session.commit()
            states.append(session.get(Case, case_id).state)
    return states


@pytest.mark.parametrize("pack", bundled.PACKS)
def test_a_front_end_reports_with_core_fields_and_polls_updates(bundled_app, pack, schemas):  # noqa: F811
    app = bundled_app(pack)
    key = client_key(app, name="随手拍前端")
    lat, long = place_of(app)
    started = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    with serving(app) as root:
        front = FrontEnd(root, key)
        services = front.services()
        schemas("services.json").validate(services)
        # a front end offers the services it can file with its own fields
        chosen = None
        for service in services:
            definition = front.definition(service["service_code"])
            schemas("service-definition.json").validate(definition)
            if not [a for a in definition["attributes"] if a["required"]]:
                chosen = service["service_code"]
                break
        assert chosen, "no service takes the core fields alone"
        words = "小区门口路灯不亮已经三天，晚上行人看不清路"
        r = front.post(
            service_code=chosen,
            description=words,
            lat=str(lat),
            long=str(long),
            email="resident@example.org",
            first_name="三",
            last_name="张",
            phone="13800138000",
        )
        assert r.status_code == 200, r.text
        answer = r.json()[0]
        rid = answer["service_request_id"]
        assert "token" not in answer  # the id is there at once
        one = front.request(rid)
        schemas("request.json").validate(one)
        assert one["description"] == words
        assert (one["lat"], one["long"]) == (lat, long)
        assert one["status"] == "open"
        assert one["status_notes"] and "_" not in one["status_notes"]  # words, not an id
        with app.app_context():
            case = db.session().get(Case, int(rid))
            assert case.facts["contact"] == {
                "email": "resident@example.org",
                "first_name": "三",
                "last_name": "张",
                "phone": "13800138000",
            }
            assert case.submission["reporter_name"] == "张三"
            assert case.submission["title"] == words[: len(case.submission["title"])]
        # anyone else reads no contact
        public = requests.get(
            f"{root}/open311/v2/requests/{rid}.json", params={"extensions": "true"}, timeout=10
        )
        if public.status_code == 200:
            shown = public.text
            assert "13800138000" not in shown and "resident@example.org" not in shown
            assert "张三" not in shown
        first = front.updates(started)
        schemas("requests.json")  # the updates list has no published schema
        assert [u["service_request_id"] for u in first] == [rid]
        states = walk(app, int(rid))
        assert states, "staff could not move the case"
        later = front.updates(started)
        mine = [u for u in later if u["service_request_id"] == rid]
        assert [u["external_status_code"] for u in mine[1:]] == states
        assert all(u["description"] and u["updated_datetime"] for u in mine)
        assert len({u["update_id"] for u in mine}) == len(mine)
        last = front.request(rid)
        schemas("request.json").validate(last)
        assert last["status"] == mine[-1]["status"]


def test_core_only_requests_on_the_bundled_packs_are_refused_in_words(bundled_app):
    app = bundled_app("kunqu")
    key = client_key(app)
    client = app.test_client()
    base = {"api_key": key, "service_code": "m.city.garbage"}
    with app.app_context():
        assert policyview.policy(app).get("matter", "m.city.garbage") is not None
    # no location at all
    r = client.post("/open311/v2/requests.json", data={**base, "description": "路灯坏了好几天"})
    assert r.status_code == 400
    # too short for the description field: named
    r = client.post(
        "/open311/v2/requests.json",
        data={**base, "description": "坏", "lat": "40.6", "long": "109.8"},
    )
    assert r.status_code == 400 and "description" in r.get_json()[0]["description"]
    # outside the district
    r = client.post(
        "/open311/v2/requests.json",
        data={**base, "description": "路灯坏了好几天", "lat": "31.2", "long": "121.5"},
    )
    assert r.status_code == 400 and "location" in r.get_json()[0]["description"]
    r = client.post(
        "/open311/v2/requests.json",
        data={
            **base,
            "description": "路灯坏了好几天",
            "address_string": "钢铁大街 1 号",
            "email": "not an address",
        },
    )
    assert r.status_code == 400 and "email" in r.get_json()[0]["description"]


def test_unknown_attributes_are_ignored_and_named(bundled_app):
    app = bundled_app("baohe")
    key = client_key(app)
    client = app.test_client()
    matter = general_matter(app)
    r = client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": key,
            "service_code": matter["id"],
            "description": "井盖松动，车辆经过有响声",
            "address_string": "望湖城南门",
            "attribute[fms_extra]": "x",
            "attribute[category_old]": "y",
        },
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.get_json()[0]["ignored_attributes"] == "category_old, fms_extra"
    rid = r.get_json()[0]["service_request_id"]
    one = client.get(f"/open311/v2/requests/{rid}.json?api_key={key}&extensions=true").get_json()[0]
    assert one["address"] == "望湖城南门"
    assert one["extended_attributes"]["title"] == "井盖松动，车辆经过有响声"
    assert "fms_extra" not in one["extended_attributes"]


def test_groups_notice_and_a_grid_lookup_instead_of_791_values(bundled_app):
    app = bundled_app("kunqu")
    client = app.test_client()
    services = client.get("/open311/v2/services.json").get_json()
    by_code = {s["service_code"]: s for s in services}
    assert by_code["m.city.food"]["groups"] == ["“3+”综合执法事项"]
    nested = [s for s in services if len(s["groups"]) == 2]
    assert nested and nested[0]["groups"][0] == "网格内事项"
    r = client.get("/open311/v2/services/m.city.food.json")
    definition = r.get_json()
    grid = next(a for a in definition["attributes"] if a["code"] == "grid")
    assert "values" not in grid and grid["datatype"] == "string"
    assert "791" in grid["datatype_description"]
    assert len(r.data) < 8_000, len(r.data)  # was about 63 KB with every grid listed
    lookup = grid["datatype_description"].split("：", 1)[1].split("?")[0]
    found = client.get(lookup.replace("http://localhost", "") + "?q=" + "网格").get_json()
    assert 0 < len(found) <= 50 and all({"key", "name"} <= set(v) for v in found)
    with app.app_context():
        one = forms_of(policyview.policy(app)).form("form.report.general")
        grids = dict(next(f for f in one.spec.fields if f.name == "grid").choices)
    assert all(v["key"] in grids for v in found)
    key = client_key(app)
    r = client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": key,
            "service_code": "m.city.food",
            "description": "路边无证摊贩售卖过期食品",
            "address_string": "钢铁大街 1 号",
            "attribute[grid]": found[0]["key"],
        },
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    notice = r.get_json()[0]["service_notice"]
    assert notice.startswith("受理 1 小时内")
    english = client.get("/open311/v2/services.json", headers={"Accept-Language": "en"})
    assert english.status_code == 200


def test_description_and_address_for_a_case_filed_with_attributes_only(bundled_app):
    app = bundled_app("jinshui")
    key = client_key(app)
    client = app.test_client()
    matter = general_matter(app)
    r = client.post(
        "/open311/v2/requests.json",
        data={
            "api_key": key,
            "service_code": matter["id"],
            "attribute[title]": "楼道堆物",
            "attribute[description]": "三单元楼道堆放杂物堵住通道",
            "attribute[location][text]": "金水路 8 号院",
            "attribute[urgency]": "normal",
            "address_id": "",
            "address_string": "金水路 8 号院",
        },
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    rid = r.get_json()[0]["service_request_id"]
    one = client.get(f"/open311/v2/requests/{rid}.json?api_key={key}").get_json()[0]
    assert one["description"] == "三单元楼道堆放杂物堵住通道"
    assert one["address"] == "金水路 8 号院"
    staff = {"Authorization": f"Bearer {token_for(app, 'admin')}"}
    assert client.get(f"/api/v1/cases/{rid}", headers=staff).status_code == 200


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100


def test_photos_by_media_url_and_by_upload(bundled_app):
    app = bundled_app("cuntan")
    key = client_key(app)
    client = app.test_client()
    matter = general_matter(app)
    base = {
        "api_key": key,
        "service_code": matter["id"],
        "description": "路边垃圾桶满了没人清运",
        "address_string": "南滨路 12 号",
    }
    linked = client.post(
        "/open311/v2/requests.json", data={**base, "media_url": "https://photos.example.org/a.jpg"}
    )
    assert linked.status_code == 200, linked.get_data(as_text=True)
    rid = linked.get_json()[0]["service_request_id"]
    one = client.get(f"/open311/v2/requests/{rid}.json?api_key={key}").get_json()[0]
    assert one["media_url"] == "https://photos.example.org/a.jpg"
    # staff read it as a link they may follow; the server fetched nothing
    staff = app.test_client()
    staff.post("/auth/login", data={"username": "admin", "password": PASSWORD})
    page = staff.get(f"/cases/{rid}").get_data(as_text=True)
    assert '<a href="https://photos.example.org/a.jpg" rel="noopener noreferrer nofollow"' in page
    assert "南滨路 12 号" in page
    uploaded = client.post(
        "/open311/v2/requests.json",
        data={
            **base,
            "description": "垃圾桶旁边堆满了建筑垃圾",
            "media": (io.BytesIO(JPEG), "p.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 200, uploaded.get_data(as_text=True)
    rid = uploaded.get_json()[0]["service_request_id"]
    with app.app_context():
        case = db.session().get(Case, int(rid))
        (name,) = case.submission["photos"]
    photo = staff.get(f"/cases/{rid}/photos/{name}")
    assert photo.status_code == 200 and photo.data == JPEG
    refused = client.post(
        "/open311/v2/requests.json",
        data={
            **base,
            "description": "这不是照片而是文字",
            "media": (io.BytesIO(b"hello"), "p.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400 and "photos" in refused.get_json()[0]["description"]
