"""Bad input never answers 500 (issue 20): sizes before parsing, JSON depth,
NUL bytes, ids, dates and coordinates at the edge, errors in the caller's
format with the headers their status needs."""

from __future__ import annotations

import json
import math
import shutil
import xml.etree.ElementTree as ET

import pytest

from onegrid.cli.serve import prepare
from onegrid.errors import PolicyError
from onegrid.web import create_app
from web.test_attachments import login, png, report
from web.webapp import PASSWORD, client_key, config, token_for

BIG = 2**63  # one above the largest BIGINT


def bearer(app, user="gw_a"):
    return {"Authorization": f"Bearer {token_for(app, user)}"}


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def strict(text: str):
    """JSON.parse's rules: NaN and Infinity are not JSON."""

    def refuse(name):
        raise ValueError(f"bare {name} in the output")

    return json.loads(text, parse_constant=refuse)


# --- JSON bodies ---------------------------------------------------------------


@pytest.mark.parametrize("depth", [17, 5000, 100_000])
@pytest.mark.parametrize(
    "path", ["/api/v1/cases", "/api/v1/cases/1/actions/accept", "/api/v1/tokens"]
)
def test_deep_json_is_refused(app, path, depth):
    body = '{"matter": "m.litter", "version": 1, "submission": {"x": ' + nested(depth) + "}}"
    r = app.test_client().post(
        path, data=body, content_type="application/json", headers=bearer(app, "dispatcher")
    )
    # refused for its depth, or (tokens take 4 KB) for its size first
    assert r.status_code == (400 if depth < 100 else 413 if "tokens" in path else 400)
    assert r.is_json


def test_json_nan_and_infinity_are_refused(app):
    body = '{"matter": "m.litter", "place": "grid.a1", "submission": {"description": "x", "count": NaN}}'
    r = app.test_client().post(
        "/api/v1/cases", data=body, content_type="application/json", headers=bearer(app)
    )
    assert r.status_code == 400


def test_output_is_strict_json_even_for_stored_nan(app, key):
    """A case stored with NaN coordinates (before the edge refused them) is
    served with null, never a bare NaN."""
    from onegrid.store import Case
    from onegrid.web import db

    client = app.test_client()
    r = post311(client, key, lat="1", long="2")
    case_id = int(r.get_json()[0]["service_request_id"])
    with app.app_context():
        session = db.session()
        case = session.get(Case, case_id)
        case.facts = {**case.facts, "lat": math.nan, "long": math.inf}
        session.commit()
    for path in ("/open311/v2/requests.json", f"/open311/v2/requests/{case_id}.json"):
        r = client.get(path)
        assert r.status_code == 200
        (listed,) = [
            x for x in strict(r.get_data(as_text=True)) if x["service_request_id"] == str(case_id)
        ]
        assert listed["lat"] is None and listed["long"] is None
    r = client.get(f"/api/v1/cases/{case_id}", headers=bearer(app))
    strict(r.get_data(as_text=True))


# --- ids, dates, strings ---------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/cases/{BIG}",
        f"/api/v1/cases/{BIG}/trail",
        f"/api/v1/cases/{10**30}",
        f"/cases/{BIG}",
        "/open311/v2/requests/99999999999999999999.json",
        f"/open311/v2/requests/{BIG}.json",
        "/open311/v2/requests/٣.json",  # a digit, but not an ASCII one
    ],
)
def test_ids_beyond_bigint_are_not_found(app, auth, path):
    client = app.test_client()
    client.post("/auth/login", data={"username": "admin", "password": PASSWORD})
    assert client.get(path).status_code == 404


def test_list_ids_beyond_bigint_are_ignored(client):
    r = client.get(f"/open311/v2/requests.json?service_request_id={BIG},1,99999999999999999999")
    assert r.status_code == 200 and r.get_json() == []


@pytest.mark.parametrize(
    "value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2026-13-01", "x"]
)
def test_out_of_range_dates_are_refused(app, client, value):
    r = client.get("/api/v1/cases", query_string={"start": value}, headers=bearer(app))
    assert r.status_code == 400 and r.is_json, r.get_data(as_text=True)
    r = client.get("/open311/v2/requests.json", query_string={"start_date": value})
    assert r.status_code == 400
    assert r.get_json()[0]["code"] == 400


def test_nul_bytes_are_refused(app, client):
    assert (
        client.post("/api/v1/tokens", json={"username": "a\x00", "password": "x"}).status_code
        == 400
    )
    assert client.get("/open311/v2/requests.json?service_code=a%00b").status_code == 400
    assert client.get("/open311/v2/services/a%00b.json").status_code == 400
    r = client.post(
        "/api/v1/cases",
        json={"matter": "m.litter", "place": "grid.a1", "submission": {"description": "a\x00"}},
        headers=bearer(app),
    )
    assert r.status_code == 400
    r = client.post("/auth/login", data={"username": "gw_a\x00", "password": PASSWORD})
    assert r.status_code == 400


def test_empty_idempotency_key_is_no_key(app, client):
    headers = {**bearer(app), "Idempotency-Key": ""}
    body = {"matter": "m.litter", "place": "grid.a1", "submission": {"description": "x"}}
    ids = set()
    for _ in range(2):
        r = client.post("/api/v1/cases", json={**body, "idempotency_key": ""}, headers=headers)
        assert r.status_code == 201, r.get_data(as_text=True)
        ids.add(r.get_json()["id"])
    assert len(ids) == 2


def test_over_long_keys_are_refused(app, client):
    headers = {**bearer(app), "Idempotency-Key": "k" * 300}
    body = {"matter": "m.litter", "place": "grid.a1", "submission": {"description": "x"}}
    assert client.post("/api/v1/cases", json=body, headers=headers).status_code == 400
    r = client.post(
        "/api/v1/tokens", json={"username": "gw_a", "password": PASSWORD, "name": "n" * 500}
    )
    assert r.status_code == 400


def test_idempotency_keys_are_per_user(app, client):
    """Another user's key is another request: never a 409 naming their case."""
    body = {"matter": "m.litter", "place": "grid.a1", "submission": {"description": "x"}}
    mine = client.post("/api/v1/cases", json=body, headers={**bearer(app), "Idempotency-Key": "k1"})
    again = client.post(
        "/api/v1/cases", json=body, headers={**bearer(app), "Idempotency-Key": "k1"}
    )
    assert mine.status_code == 201 and again.get_json()["id"] == mine.get_json()["id"]
    other = {**body, "submission": {"description": "y"}}
    theirs = client.post(
        "/api/v1/cases", json=other, headers={**bearer(app, "street_a"), "Idempotency-Key": "k1"}
    )
    assert theirs.status_code == 201 and theirs.get_json()["id"] != mine.get_json()["id"]
    clash = client.post(
        "/api/v1/cases", json=other, headers={**bearer(app), "Idempotency-Key": "k1"}
    )
    assert clash.status_code == 409


# --- Open311 coordinates and services ----------------------------------------------


@pytest.fixture
def key(app):
    return client_key(app)


def post311(client, key, path="/open311/v2/requests.json", **fields):
    data = {
        "api_key": key,
        "service_code": "m.litter",
        "address_id": "grid.a1",
        "attribute[description]": "路灯不亮",
        **fields,
    }
    return client.post(path, data=data)


@pytest.mark.parametrize(
    "where",
    [
        {"lat": "nan", "long": "inf"},
        {"lat": "NaN", "long": "1"},
        {"lat": "1", "long": "-Infinity"},
        {"lat": "31.2"},
        {"long": "121.4"},
        {"lat": "400", "long": "1"},
        {"lat": "1", "long": "181"},
        {"lat": "north", "long": "1"},
    ],
)
def test_bad_coordinates_are_refused(client, key, where):
    r = post311(client, key, **where)
    assert r.status_code == 400, r.get_data(as_text=True)
    assert r.get_json()[0]["code"] == 400


def test_good_coordinates_are_kept(client, key):
    r = post311(client, key, lat="-90", long="180")
    assert r.status_code == 200
    case_id = r.get_json()[0]["service_request_id"]
    got = client.get(f"/open311/v2/requests/{case_id}.json", query_string={"api_key": key})
    assert got.get_json()[0]["lat"] == -90.0


def test_unknown_service_code_is_404(client, key):
    r = post311(client, key, service_code="m.nothing")
    assert r.status_code == 404
    r = post311(client, key, path="/open311/v2/requests.xml", service_code="m.nothing")
    assert r.status_code == 404 and r.mimetype == "text/xml"


# --- formats and headers ----------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/open311/v2/requests/nope.xml", 404),
        ("/open311/v2/services/m.nothing.xml", 404),
        ("/open311/v2/nothing-here.xml", 404),
        ("/open311/v2/requests.xml?start_date=x", 400),
        ("/open311/v2/requests.xml?service_code=%00", 400),
    ],
)
def test_errors_to_xml_paths_are_xml(client, path, status):
    r = client.get(path)
    assert r.status_code == status and r.mimetype == "text/xml", r.get_data(as_text=True)
    root = ET.fromstring(r.data)
    assert root.tag == "errors" and root.find("error/code").text == str(status)


def test_405_says_allow(client):
    r = client.delete("/api/v1/cases")
    assert r.status_code == 405 and set(r.headers["Allow"].split(", ")) >= {"GET", "POST"}
    r = client.put("/open311/v2/requests.json")
    assert r.status_code == 405 and "GET" in r.headers["Allow"]
    r = client.delete("/auth/login")
    assert r.status_code == 405 and "POST" in r.headers["Allow"]


def test_401_says_how_to_authenticate(client):
    for r in (
        client.get("/api/v1/me"),
        client.get("/api/v1/me", headers={"Authorization": "Bearer nope"}),
        client.post("/api/v1/tokens", json={"username": "gw_a", "password": "wrong"}),
    ):
        assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")


# --- sizes before parsing ------------------------------------------------------------


def test_anonymous_bodies_are_small(app_factory):
    client = app_factory(WTF_CSRF_ENABLED=True).test_client()
    big = {"username": "x" * (100 * 1024), "password": "x"}
    assert client.post("/auth/login", data=big).status_code == 413
    assert client.post("/api/v1/tokens", data=big).status_code == 413
    form = {"api_key": "k", "description": "x" * (100 * 1024)}
    r = client.post("/open311/v2/requests.xml", data=form)
    assert r.status_code == 413 and r.mimetype == "text/xml"
    # a page form (photos) is only big for someone logged in; the CSRF check never reads it
    # (the body as bytes: werkzeug's test client would spool a big form to a file it never closes)
    body = (
        b'--b\r\nContent-Disposition: form-data; name="photo"; filename="a.png"\r\n\r\n'
        + b"\0" * (2 * 1024 * 1024)
        + b"\r\n--b--\r\n"
    )
    r = client.post("/cases/new", data=body, content_type="multipart/form-data; boundary=b")
    assert r.status_code == 413


def test_authenticated_json_is_bounded(app, client):
    body = {
        "matter": "m.litter",
        "place": "grid.a1",
        "submission": {"description": "x" * (2 << 20)},
    }
    r = client.post("/api/v1/cases", json=body, headers=bearer(app))
    assert r.status_code == 413 and r.is_json


def test_logged_in_staff_may_upload_photos(app):
    client = app.test_client()
    login(client, "gw_a")
    assert report(client, "a.png", png() + b"\0" * (200 * 1024)).status_code in (200, 302, 422)


# --- redirects, photos, serve -----------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "/%09/evil.example",
        "/\t/evil.example",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "/\n/evil.example",
        " /evil",
    ],
)
def test_login_next_is_a_local_path(client, target):
    data = {"username": "gw_a", "password": PASSWORD}
    r = client.post("/auth/login", query_string={"next": target}, data=data)
    assert r.status_code == 302 and r.headers["Location"] == "/"
    client.post("/auth/logout")
    # as a browser sends it: %09 decoded to a tab by the server
    r = client.post(f"/auth/login?next={target}", data=data)
    assert r.status_code == 302 and r.headers["Location"] == "/"


def test_login_next_keeps_a_local_path(client):
    r = client.post(
        "/auth/login",
        query_string={"next": "/cases/1?tab=all"},
        data={"username": "gw_a", "password": PASSWORD},
    )
    assert r.headers["Location"] == "/cases/1?tab=all"


def test_a_photo_is_shown_only_through_the_case_that_owns_it(app):
    client = app.test_client()
    login(client, "gw_a")
    r = report(client, "a.png", png())
    owner = int(r.headers["Location"].rsplit("/", 1)[1])
    (name,) = client.get(f"/api/v1/cases/{owner}").get_json()["submission"]["photo"]
    # street_a learns the name and cites it in a report of her own
    r = client.post(
        "/api/v1/cases",
        json={
            "matter": "m.litter",
            "place": "grid.a1",
            "submission": {"description": "x", "photo": [name]},
        },
        headers=bearer(app, "gw_b"),
    )
    assert r.status_code == 201, r.get_data(as_text=True)
    thief = r.get_json()["id"]
    r = app.test_client().get(f"/api/v1/cases/{thief}/photos/{name}", headers=bearer(app, "gw_b"))
    assert r.status_code == 404
    assert client.get(f"/cases/{owner}/photos/{name}").status_code == 200


def test_serve_refuses_a_pack_that_fails_check(web_pack, tmp_path):
    pack = tmp_path / "broken"
    shutil.copytree(web_pack, pack)
    routing = pack / "routing.yaml"
    routing.write_text(
        routing.read_text(encoding="utf-8").replace(
            "assist: [dept.urban]", "assist: [dept.nowhere]"
        ),
        encoding="utf-8",
    )
    folder = tmp_path / "instance"
    folder.mkdir()
    app = create_app(config(pack, folder))
    with pytest.raises(PolicyError) as caught:
        prepare(app, seed_demo=False)
    assert any("dept.nowhere" in str(p.params) for p in caught.value.problems)
