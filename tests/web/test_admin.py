"""Administration pages and their API: pack with origins, checks, versions, registry, dashboard."""

import json
import re

import pytest
from sqlalchemy import select

from onegrid.store import AuditEntry
from onegrid.web import db
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
    form = publish_form(admin)
    assert "与现行版本没有差异" in admin.get("/admin/versions/publish").get_data(as_text=True)
    r = admin.post("/admin/versions/publish", data=form)
    assert r.status_code == 303
    assert "未发布新版本" in admin.get("/admin/versions").get_data(as_text=True)
    assert len(admin.get("/api/v1/versions").get_json()) == 1


def publish_form(client, path="/admin/versions/publish") -> dict:
    """The hidden fields of a confirmation page's form (the live version it showed)."""
    page = client.get(path).get_data(as_text=True)
    return dict(re.findall(r'<input type="hidden" name="(live|hash)" value="([^"]*)">', page))


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
    r = client.post("/admin/reload", follow_redirects=True)
    assert "已重新读取策略包：0 个错误" in r.get_data(as_text=True)
    page = client.get("/admin/versions").get_data(as_text=True)
    assert 'id="publish"' in page
    # a POST that skipped the confirmation page publishes nothing
    r = client.post("/admin/versions/publish")
    assert r.status_code == 303 and r.headers["Location"].endswith("/admin/versions/publish")
    assert len(client.get("/api/v1/versions").get_json()) == 1
    # the confirmation page shows the semantic diff against the live version
    preview = client.get("/admin/versions/publish").get_data(as_text=True)
    assert "1 处改动" in preview and "修改" in preview
    assert "/limits/handle" in preview and "3wd" in preview and "5wd" in preview
    r = client.post("/admin/versions/publish", data=publish_form(client))
    assert r.status_code == 303
    assert [v["id"] for v in client.get("/api/v1/versions").get_json()] == [2, 1]
    assert client.get("/api/v1/cases/1").get_json()["policy_version"] == 1
    page = client.get("/admin/versions").get_data(as_text=True)
    assert "已发布版本 2（与原现行版本 1 相比：1 处改动" in page
    # roll back: version 1 published again, after its own confirmation page
    preview = client.get("/admin/versions/1/restore").get_data(as_text=True)
    assert "回退到版本 1" in preview and "5wd" in preview and "data-confirm=" in preview
    form = publish_form(client, "/admin/versions/1/restore")
    r = client.post("/admin/versions/1/restore", data=form)
    assert r.status_code == 303
    versions = client.get("/api/v1/versions").get_json()
    assert [v["id"] for v in versions] == [3, 2, 1]
    assert versions[0]["content_hash"] == versions[2]["content_hash"]
    page = client.get("/admin/versions").get_data(as_text=True)
    assert "已回退：版本 1 的内容重新发布为版本 3，取代版本 2" in page
    # the same confirmation sent again (the live version moved on): refused, nothing stored
    r = client.post("/admin/versions/1/restore", data=form)
    assert r.status_code == 303 and len(client.get("/api/v1/versions").get_json()) == 3
    # new cases open under the restored content; the audit chain has the rollback
    with app.app_context():
        row = (
            db.session()
            .scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "publish")
                .order_by(AuditEntry.seq.desc())
            )
            .first()
        )
        data = json.loads(row.payload)["data"]
        assert data["restores"] == 1 and data["replaces"] == 2 and row.actor == "admin"
