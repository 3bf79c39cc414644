"""Photos through the JSON API: a report sent as multipart/form-data with its
photos, checked as the pages check them, on Kunqu's illegal construction
matter, whose form requires a photo."""

from __future__ import annotations

import io
import json

from sqlalchemy import select

from onegrid.store import Case, accounts
from onegrid.web import db, policyview
from web import bundled
from web.webapp import token_for

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100
MATTER = "m.city.illegal_building"


def reporter(app):
    with app.app_context():
        policy = policyview.policy(app)
        users = db.session().scalars(select(accounts.User)).all()
        user = next(u for u in users if bundled._reports(u, policy))
        return user.username, user.bindings[0].unit


def report(place):
    return {
        "title": "楼顶私搭乱建",
        "description": "钢铁大街 3 号楼顶新搭了一间彩钢房",
        "location": {"text": "钢铁大街 3 号", "lat": 40.65, "lng": 109.84},
        "city_type": "building",
    }


def test_a_required_photo_matter_is_reported_through_the_api_with_its_photo(bundled_app):
    app = bundled_app("kunqu")
    with app.app_context():
        form = policyview.policy(app).get("matter", MATTER)["form"]
        assert form == "form.report.city"
    username, place = reporter(app)
    headers = {"Authorization": f"Bearer {token_for(app, username)}"}
    client = app.test_client()
    fields = {"matter": MATTER, "place": place, "submission": json.dumps(report(place))}
    # JSON alone cannot carry the photo the form requires
    r = client.post(
        "/api/v1/cases",
        json={"matter": MATTER, "place": place, "submission": report(place)},
        headers=headers,
    )
    assert r.status_code == 422 and "photos" in r.get_json()["errors"]
    r = client.post(
        "/api/v1/cases",
        data={**fields, "photos": (io.BytesIO(JPEG), "site.jpg")},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert r.status_code == 201, r.get_data(as_text=True)
    case = r.get_json()
    (name,) = case["submission"]["photos"]
    photo = client.get(f"/api/v1/cases/{case['id']}/photos/{name}", headers=headers)
    assert photo.status_code == 200 and photo.data == JPEG
    with app.app_context():
        assert db.session().get(Case, case["id"]).submission["photos"] == [name]
    # the pages' checks (formview.save_photos): not a picture
    r = client.post(
        "/api/v1/cases",
        data={**fields, "photos": (io.BytesIO(b"GIF89a not ours"), "x.gif")},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert r.status_code == 422 and "photos" in r.get_json()["errors"]
    r = client.post(
        "/api/v1/cases",
        data={**fields, "submission": "{not json"},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert r.status_code == 400
    # a large body without a login is refused unread
    r = client.post(
        "/api/v1/cases",
        data={**fields, "photos": (io.BytesIO(JPEG + b"\x00" * (200 * 1024)), "p.jpg")},
        content_type="multipart/form-data",
    )
    assert r.status_code in (401, 413)


def test_the_openapi_document_describes_uploads_and_the_connector(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    post = doc["paths"]["/cases"]["post"]
    assert "multipart/form-data" in post["requestBody"]["description"]
    names = {p["name"] for p in doc["paths"]["/cases"]["get"]["parameters"]}
    assert {"updated_since", "cursor", "limit"} <= names
    assert {"/connector/batches", "/connector/cases", "/connector/callback"} <= set(doc["paths"])
    assert doc["components"]["securitySchemes"]["clientKey"]["scheme"] == "bearer"
