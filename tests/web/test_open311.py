"""Open311 GeoReport v2: responses validate against the published schemas,
and the `georeport` client from PyPI works against a real server."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import requests
from georeport import GeoReport
from jsonschema import Draft7Validator
from referencing import Registry, Resource

from onegrid.web import open311
from web.webapp import client_key, token_for

# ../shared beside the project; ONEGRID_SHARED names it elsewhere (a worktree)
SHARED = Path(
    os.environ.get("ONEGRID_SHARED") or Path(__file__).resolve().parents[2] / ".." / "shared"
)
SCHEMAS = SHARED / "open311-schemas"


@pytest.fixture(scope="module")
def schemas():
    if not SCHEMAS.is_dir():
        pytest.skip(
            f"the Open311 schemas are not beside the project ({SCHEMAS.resolve()} is absent)"
        )
    resources = {
        p.name: Resource.opaque(json.loads(p.read_text(encoding="utf-8")))
        for p in SCHEMAS.glob("*.json")
    }
    registry = Registry().with_resources(resources.items())

    def validator(name):
        return Draft7Validator(
            resources[name].contents,
            registry=registry,
            format_checker=Draft7Validator.FORMAT_CHECKER,
        )

    return validator


@pytest.fixture
def key(app):
    return client_key(app)


def post(client, key, **fields):
    data = {"api_key": key, "service_code": "m.litter", "address_id": "grid.a1", **fields}
    return client.post("/open311/v2/requests.json", data=data)


def test_services_validate(client, schemas):
    services = client.get("/open311/v2/services.json").get_json()
    schemas("services.json").validate(services)
    assert {s["service_code"] for s in services} == {"m.litter", "m.pothole"}
    for code in ("m.litter", "m.pothole"):
        for path in (f"/open311/v2/services/{code}.json", f"/open311/v2/service/{code}.json"):
            definition = client.get(path).get_json()
            schemas("service-definition.json").validate(definition)
    attrs = {a["code"]: a for a in definition["attributes"]}
    assert attrs["description"]["datatype"] == "text"
    assert attrs["kinds"]["datatype"] == "multivaluelist"


def test_post_then_get_validate(app, client, key, schemas):
    r = post(
        client,
        key,
        **{
            "description": "垃圾",
            "attribute[description]": "路口垃圾",
            "media_url": "https://example.org/p.jpg",
        },
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    created = r.get_json()
    assert isinstance(created, list) and created[0]["service_request_id"]
    rid = created[0]["service_request_id"]
    one = client.get(f"/open311/v2/requests/{rid}.json").get_json()
    assert isinstance(one, list) and len(one) == 1  # always an array, even of one
    schemas("requests.json").validate(one)
    listed = client.get("/open311/v2/requests.json").get_json()
    schemas("requests.json").validate(listed)
    assert [x["service_request_id"] for x in listed] == [rid]
    assert "token" not in created[0]  # GeoReport v2: a token only when there is no id yet
    with app.test_request_context():
        token = open311.case_token(int(rid))
    by_token = client.get(f"/open311/v2/tokens/{token}.json").get_json()
    assert by_token == [{"service_request_id": rid, "token": token}]


def test_api_key_and_jurisdiction_from_query_or_body(client, key):
    body = {"service_code": "m.litter", "address_id": "grid.a1", "attribute[description]": "x"}
    r = client.post(f"/open311/v2/requests.json?api_key={key}&jurisdiction_id=", data=body)
    assert r.status_code == 200, r.get_data(as_text=True)
    r = client.post(
        "/open311/v2/requests.json?jurisdiction_id=webtest", data={**body, "api_key": key}
    )
    assert r.status_code == 200
    r = client.post("/open311/v2/requests.json", data={**body, "jurisdiction_id": "elsewhere"})
    assert r.status_code == 404
    assert client.get("/open311/v2/services.json?jurisdiction_id=").status_code == 200
    assert client.get("/open311/v2/services.json?jurisdiction_id=webtest").status_code == 200


def test_errors(client, key):
    r = client.post("/open311/v2/requests.json", data={"service_code": "m.litter"})
    assert r.status_code == 403
    assert r.get_json()[0]["code"] == 403
    r = post(client, "wrong-key")
    assert r.status_code == 403
    r = post(client, key, service_code="m.nothing")
    assert r.status_code == 404  # GeoReport v2: an unknown service_code
    r = post(client, key, **{"attribute[description]": ""})
    assert r.status_code == 400
    assert "description" in r.get_json()[0]["description"]
    r = client.post(
        "/open311/v2/requests.json",
        data={"api_key": key, "service_code": "m.litter", "attribute[description]": "x"},
    )
    assert r.status_code == 400  # no location at all
    assert client.get("/open311/v2/requests/999.json").status_code == 404
    r = post(client, key, **{"attribute[description]": "x", "media_url": "javascript:alert(1)"})
    assert r.status_code == 400
    r = post(client, key, **{"attribute[description]": "x", "description": "长" * 4001})
    assert r.status_code == 400
    r = client.get("/open311/v2/services/m.nothing.xml")
    assert r.status_code == 404 and b"<errors><error><code>404</code>" in r.data


def test_multivalue_attributes(client, key, app):
    data = {
        "api_key": key,
        "service_code": "m.litter",
        "lat": "40.65",
        "long": "109.84",
        "attribute[description]": "多种垃圾",
        "attribute[kinds][]": ["paper", "glass"],
    }
    r = client.post("/open311/v2/requests.json", data=data)
    assert r.status_code == 200, r.get_data(as_text=True)
    rid = r.get_json()[0]["service_request_id"]
    staff = {"Authorization": f"Bearer {token_for(app, 'admin')}"}
    case = client.get(f"/api/v1/cases/{rid}", headers=staff)
    assert case.get_json()["submission"]["kinds"] == ["paper", "glass"]
    one = client.get(f"/open311/v2/requests/{rid}.json").get_json()[0]
    assert (one["lat"], one["long"]) == (40.65, 109.84)


def test_filters(client, key):
    ids = [
        post(client, key, **{"attribute[description]": f"#{i}"}).get_json()[0]["service_request_id"]
        for i in range(3)
    ]
    both = client.get(f"/open311/v2/requests.json?service_request_id={ids[0]},{ids[2]}").get_json()
    assert sorted(x["service_request_id"] for x in both) == sorted([ids[0], ids[2]])
    assert len(client.get("/open311/v2/requests.json?service_code=m.litter").get_json()) == 3
    assert client.get("/open311/v2/requests.json?service_code=m.pothole").get_json() == []
    assert len(client.get("/open311/v2/requests.json?status=open").get_json()) == 3
    assert client.get("/open311/v2/requests.json?status=closed").get_json() == []
    assert (
        client.get(
            "/open311/v2/requests.json?start_date=2000-01-01T00:00:00Z&end_date=2000-02-01T00:00:00Z"
        ).get_json()
        == []
    )
    assert client.get("/open311/v2/requests.json?status=maybe").status_code == 400


def test_xml(client, key):
    data = {"api_key": key, "service_code": "m.litter", "address_id": "grid.a1"}
    r = client.post("/open311/v2/requests.xml", data={**data, "attribute[description]": "x"})
    assert r.status_code == 200 and r.mimetype == "text/xml"
    assert b"<service_requests><request><service_request_id>" in r.data
    rid = post(client, key, **{"attribute[description]": "x"}).get_json()[0]["service_request_id"]
    r = client.get(f"/open311/v2/requests/{rid}.xml")
    assert r.mimetype == "text/xml"
    assert b"<service_requests><request><service_request_id>" in r.data
    r = client.get("/open311/v2/discovery.xml")
    assert b"<discovery>" in r.data and b"<format>text/xml</format>" in r.data


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_client(server, key, fmt):
    root = f"{server}/open311/v2"
    # the package has no POST; a form-encoded POST as any client sends it
    r = requests.post(
        f"{root}/requests.json",
        data={
            "api_key": key,
            "jurisdiction_id": "",
            "service_code": "m.litter",
            "address_id": "grid.a1",
            "attribute[description]": "客户端上报",
        },
        timeout=10,
    )
    assert r.status_code == 200, r.text
    rid = r.json()[0]["service_request_id"]
    client = GeoReport(root, jurisdiction="webtest", api_key=key, output_format=fmt)
    services = client.get_service_list()
    codes = {s["service_code"] for s in services}
    assert codes == {"m.litter", "m.pothole"}
    definition = client.get_service_definition("m.litter")
    assert definition["service_code"] == "m.litter"
    one = client.get_service_request(rid)
    assert one["service_request_id"] == rid and one["status"] == "open"
    listed = client.get_service_requests(service_code="m.litter", status="open")
    if fmt == "xml" and isinstance(listed, dict):  # xmltodict gives a dict for a single element
        listed = [listed]
    assert [x["service_request_id"] for x in listed] == [rid]


@pytest.mark.parametrize(
    "fields",
    [
        {"lat": "north", "long": "1"},
        {"attribute[count]": "many"},
        {"attribute[kinds][]": ["paper", "gold"]},
        {"address_id": "grid.nowhere"},
        {"service_code": ""},
        {"jurisdiction_id": "elsewhere"},
    ],
)
def test_bad_open311_input_is_a_4xx_never_a_500(client, key, fields):
    data = {"attribute[description]": "坏输入", **fields}
    r = post(client, key, **data)
    assert 400 <= r.status_code < 500, r.get_data(as_text=True)
    assert r.get_json()[0]["description"]


@pytest.mark.parametrize(
    "query",
    ["start_date=yesterday", "end_date=2026-13-40", "status=maybe", "service_request_id=x,y"],
)
def test_bad_open311_queries(client, query):
    r = client.get(f"/open311/v2/requests.json?{query}")
    assert r.status_code in (200, 400)
    assert isinstance(r.get_json(), list)


def walk(client, path):
    """Every page of an Open311 list, following its Link header: the ids
    in order, and the X-Total-Count of each page."""
    got, totals = [], set()
    while path:
        r = client.get(path)
        assert r.status_code == 200, r.get_data(as_text=True)
        got += [x.get("update_id") or x["service_request_id"] for x in r.get_json()]
        totals.add(r.headers["X-Total-Count"])
        link = r.headers.get("Link")
        path = link[1 : link.index(">")] if link else None
        assert (link is None) == ("X-Next-Cursor" not in r.headers)
    return got, totals


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_requests_and_updates_page_by_cursor(client, key, fmt):
    """The paging extension (`page_size`, `cursor`, Link rel=next): pages of
    3 are the unpaged answer in its order, each request once, the total on
    every page; XML pages too."""
    for i in range(7):
        post(client, key, **{"attribute[description]": f"第{i}件"})
    for name in ("requests", "servicerequestupdates"):
        whole = client.get(f"/open311/v2/{name}.json?service_code=m.litter")
        want = [x.get("update_id") or x["service_request_id"] for x in whole.get_json()]
        assert len(want) >= 7 and "Link" not in whole.headers
        assert whole.headers["X-Total-Count"] == str(len(want))
        got, totals = walk(client, f"/open311/v2/{name}.json?service_code=m.litter&page_size=3")
        assert got == want and totals == {str(len(want))}, name
    first = client.get(f"/open311/v2/requests.{fmt}?page_size=2")
    assert first.status_code == 200 and first.headers["X-Total-Count"] == "7"
    assert f"/open311/v2/requests.{fmt}?page_size=2&cursor=" in first.headers["Link"]
    if fmt == "xml":
        assert first.data.count(b"<request>") == 2


@pytest.mark.parametrize(
    "query", ["page_size=0", "page_size=1001", "page_size=ten", "cursor=nonsense", "cursor=WyJ4Il0"]
)
def test_bad_paging_is_a_400_that_says_what(client, key, query):
    post(client, key, **{"attribute[description]": "一件"})
    for name in ("requests", "servicerequestupdates"):
        r = client.get(f"/open311/v2/{name}.json?{query}")
        assert r.status_code == 400, (name, query)
        said = r.get_json()[0]["description"]
        assert ("page_size" in said) if "page_size" in query else ("cursor" in said), said
