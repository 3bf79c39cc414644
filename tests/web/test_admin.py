"""Administration pages and their API: pack with origins, checks, versions, registry, dashboard."""

import pytest

from web.webapp import PASSWORD


@pytest.fixture
def admin(client):
    r = client.post("/auth/login", data={"username": "admin", "password": PASSWORD})
    assert r.status_code == 302
    return client


def test_pack_page_shows_where_each_item_came_from(admin):
    page = admin.get("/admin/").get_data(as_text=True)
    assert "甲一网格" in page and "grid.a1" in page
    assert "org.yaml:" in page and "matters.yaml:" in page
    assert "m.litter" in page and "form.report" in page


def test_pack_api_gives_origins(admin):
    data = admin.get("/api/v1/pack").get_json()
    litter = next(m for m in data["items"]["matter"] if m["id"] == "m.litter")
    assert litter["origin"].endswith(tuple(f"matters.yaml:{n}" for n in range(1, 20)))


def test_matter_form_api(admin):
    data = admin.get("/api/v1/matters/m.litter/form").get_json()
    assert [f["code"] for f in data["fields"]][:2] == ["description", "count"]
    assert admin.get("/api/v1/matters/m.nothing/form").status_code == 404


def test_checks_page(admin):
    r = admin.get("/admin/checks")
    assert r.status_code == 200


def test_versions_and_publish(admin, app, web_pack):
    page = admin.get("/admin/versions").get_data(as_text=True)
    assert "✓" in page and 'id="publish"' not in page  # the loaded pack is published
    versions = admin.get("/api/v1/versions").get_json()
    assert len(versions) == 1
    # publishing the same content again stores nothing new
    assert admin.post("/admin/versions/publish").status_code == 302
    assert len(admin.get("/api/v1/versions").get_json()) == 1


def test_dashboard_is_by_month_and_area(admin):
    # the two cases were dispatched just now: nothing is due to close yet
    page = admin.get("/admin/dashboard").get_data(as_text=True)
    assert 'id="period"' in page and 'id="area"' in page and 'id="no-data"' in page
    assert admin.get("/api/v1/dashboard").get_json() == []
    assert admin.get("/admin/dashboard?period=2026-13").status_code == 404
    assert admin.get("/admin/dashboard?area=nowhere").status_code == 404
    # the figures themselves: tests/web/test_scores.py on a generated month


def test_registry_report_of_a_bundled_pack(app_factory):
    app = app_factory(ONEGRID_CATALOG="kunqu")
    client = app.test_client()
    client.post("/auth/login", data={"username": "admin", "password": PASSWORD})
    r = client.get("/admin/registry")
    assert r.status_code == 200
    assert "registry/grids.csv" in r.get_data(as_text=True)


def test_registry_is_404_without_a_registry(admin):
    assert admin.get("/admin/registry").status_code == 404


def test_openapi_document_covers_the_api(client, app):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    documented = set(doc["paths"])
    served = {
        rule.rule.removeprefix("/api/v1").replace("<int:", "{").replace("<", "{").replace(">", "}")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and not rule.rule.endswith("openapi.json")
    }
    assert served == documented


def test_edit_reload_publish(app_factory, web_pack, tmp_path):
    """An administrator edits a deadline, reloads, and publishes a new version;
    the open case keeps the version it was opened under."""
    import shutil

    pack = tmp_path / "edited"
    shutil.copytree(web_pack, pack)
    app = app_factory(ONEGRID_CATALOG=str(pack))
    client = app.test_client()
    client.post("/auth/login", data={"username": "admin", "password": PASSWORD})
    matters = pack / "matters.yaml"
    matters.write_text(matters.read_text().replace("handle: 3wd", "handle: 5wd"))
    assert client.post("/admin/reload").status_code == 302
    page = client.get("/admin/versions").get_data(as_text=True)
    assert 'id="publish"' in page
    assert client.post("/admin/versions/publish").status_code == 302
    assert [v["id"] for v in client.get("/api/v1/versions").get_json()] == [2, 1]
    assert client.get("/api/v1/cases/1").get_json()["policy_version"] == 1
