"""Private by declaration (issue 20), on the bundled packs through the real
Open311 door: each matter's `visibility` decides what anyone reads without
a key; the client that filed a request reads it whole; a case's channel
and publicity come from its door and credential, never from the client."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from onegrid import forms
from onegrid.checks import check_pack
from onegrid.cli.serve import prepare
from onegrid.forms.example import valid_example
from onegrid.store import accounts
from onegrid.web import create_app, db
from web.webapp import FAST_HASH, PASSWORD, PROJECT, client_key, config, token_for

PACKS = ("kunqu", "baohe", "cuntan", "luohu", "jinshui")
# what each bundled pack must keep private (Luohu's women and children and
# petitions; every pack's disputes)
MUST_BE_PRIVATE = {
    "luohu": {"m.domestic_violence", "m.child_welfare", "m.petition", "m.neighbour"},
    "kunqu": {"m.gov.dispute", "m.gov.petition"},
    "baohe": {"m.neighbour_dispute", "m.property_dispute", "m.petition"},
    "cuntan": {"m.protecting_women_children_rights", "m.neighbour_dispute", "m.letters_visits"},
    "jinshui": {"m.neighbour", "m.property", "m.petition"},
}


@pytest.fixture(scope="module")
def pack_dbs(tmp_path_factory):
    """One migrated database per bundled pack, with the pack published and an admin."""
    made = {}

    def make(pack):
        if pack not in made:
            folder = tmp_path_factory.mktemp(f"privacy-{pack}")
            app = create_app(config(PROJECT / "catalogs" / pack, folder))
            prepare(app, seed_demo=False)
            with app.app_context():
                accounts.create_user(
                    db.session(), "admin", PASSWORD, is_admin=True, method=FAST_HASH
                )
                db.session().commit()
            db.engine(app).dispose()
            made[pack] = folder
        return made[pack]

    return make


@pytest.fixture
def pack_app(pack_dbs, tmp_path):
    apps = []

    def make(pack):
        folder = tmp_path / f"{pack}{len(apps)}"
        shutil.copytree(pack_dbs(pack), folder)
        app = create_app(config(PROJECT / "catalogs" / pack, folder))
        apps.append(app)
        return app

    yield make
    for app in apps:
        db.engine(app).dispose()


def load_pack(root):
    return check_pack(root)[0]


def attributes(pack: str, matter_id: str) -> dict:
    """A valid Open311 body for the matter: its form's example as attributes."""
    policy = load_pack(PROJECT / "catalogs" / pack)
    matter = policy.get("matter", matter_id)
    out: dict = {"service_code": matter_id, "lat": "22.548765", "long": "114.131234"}
    if not matter.get("form"):
        return out
    example = valid_example(forms.forms_of(policy).form(matter["form"]))
    for name, value in example.items():
        if isinstance(value, list):
            out[f"attribute[{name}][]"] = [str(v) for v in value]
        elif isinstance(value, bool):
            out[f"attribute[{name}]"] = "true" if value else "false"
        else:
            out[f"attribute[{name}]"] = str(value)
    return out


def file(client, key, pack, matter_id, **extra):
    body = {
        "api_key": key,
        "description": "住在 3 栋 502 的张某，电话 13800000000",
        "address_string": "3栋502",
        "media_url": "https://example.org/p.jpg",
        **attributes(pack, matter_id),
        **extra,
    }
    r = client.post("/open311/v2/requests.json", data=body)
    assert r.status_code == 200, (matter_id, r.get_data(as_text=True))
    return r.get_json()[0]["service_request_id"]


def visibilities(pack: str) -> dict[str, str]:
    policy = load_pack(PROJECT / "catalogs" / pack)
    return {m["id"]: m.get("visibility") or "public" for m in policy.items("matter")}


@pytest.mark.parametrize("pack", PACKS)
def test_bundled_packs_declare_sensitive_matters_private(pack):
    declared = visibilities(pack)
    assert {m for m, v in declared.items() if v == "private"} >= MUST_BE_PRIVATE[pack]
    assert "summary" in declared.values() and "public" in declared.values()


@pytest.mark.parametrize("pack", PACKS)
def test_anonymous_reads_show_only_what_visibility_allows(pack_app, pack):
    app = pack_app(pack)
    client = app.test_client()
    key = client_key(app)
    declared = visibilities(pack)
    one = {v: next(m for m, w in declared.items() if w == v) for v in set(declared.values())}
    filed = {v: file(client, key, pack, m) for v, m in one.items()}
    listed = {
        x["service_request_id"]: x for x in client.get("/open311/v2/requests.json").get_json()
    }
    # private: neither listed nor found, by id or by token
    assert filed["private"] not in listed
    assert client.get(f"/open311/v2/requests/{filed['private']}.json").status_code == 404
    # summary: no words, address or media; coordinates rounded to the pack's precision
    summary = listed[filed["summary"]]
    assert summary["description"] is None and summary["address"] is None
    assert summary["media_url"] is None
    policy = load_pack(PROJECT / "catalogs" / pack)
    digits = policy.section("matters")["open311"]["precision"]
    assert summary["lat"] == round(22.548765, digits) and summary["long"] == round(
        114.131234, digits
    )
    # public: everything a GeoReport request has, never who reported it
    public = listed[filed["public"]]
    assert public["description"].startswith("住在") and public["lat"] == 22.548765
    for shown in listed.values():
        assert "open311-client" not in str(shown) and "reporter" not in shown
    # the client that filed them reads all three whole
    own = client.get("/open311/v2/requests.json", query_string={"api_key": key}).get_json()
    mine = {x["service_request_id"]: x for x in own}
    assert set(filed.values()) <= set(mine)
    assert mine[filed["private"]]["description"].startswith("住在")
    assert mine[filed["summary"]]["lat"] == 22.548765
    # another client sees the public view only
    other = client_key(app, name="other")
    theirs = client.get("/open311/v2/requests.json", query_string={"api_key": other}).get_json()
    assert filed["private"] not in {x["service_request_id"] for x in theirs}


def test_luohu_domestic_violence_is_never_public(pack_app):
    app = pack_app("luohu")
    client = app.test_client()
    key = client_key(app)
    rid = file(client, key, "luohu", "m.domestic_violence")
    assert client.get("/open311/v2/requests.json").get_json() == []
    assert b"<request>" not in client.get("/open311/v2/requests.xml").data
    assert client.get(f"/open311/v2/requests/{rid}.xml").status_code == 404
    r = client.get("/open311/v2/requests.json", query_string={"service_request_id": rid})
    assert r.get_json() == []


def test_a_staff_case_is_never_public_whatever_its_channel(pack_app):
    """A staff case on any channel, even the one Open311 clients enter by, is
    not in the anonymous view (publicity comes from the door). A staff account
    refused a channel only Open311 clients enter by: tests/parity/test_doors.py."""
    app = pack_app("luohu")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token_for(app, 'admin')}"}
    body = {
        "matter": "m.rubbish",
        "submission": valid_example(
            forms.forms_of(load_pack(PROJECT / "catalogs/luohu")).form(
                load_pack(PROJECT / "catalogs/luohu").get("matter", "m.rubbish")["form"]
            )
        ),
    }
    # Luohu's Open311 clients enter by the hotline channel; a hotline operator's
    # case through the API enters by it too, and is still no resident's report
    r = client.post("/api/v1/cases", json={**body, "channel": "hotline"}, headers=headers)
    assert r.status_code == 201, r.get_data(as_text=True)
    case_id = r.get_json()["id"]
    assert client.get(f"/open311/v2/requests/{case_id}.json").status_code == 404
    assert client.get("/open311/v2/requests.json").get_json() == []


def test_a_client_key_enters_its_own_channel(pack_app):
    app = pack_app("luohu")
    client = app.test_client()
    key = client_key(app, name="12345 热线接口", channel="hotline")
    rid = file(client, key, "luohu", "m.rubbish", channel="open311")
    admin = {"Authorization": f"Bearer {token_for(app, 'admin')}"}
    assert client.get(f"/api/v1/cases/{rid}", headers=admin).get_json()["channel"] == "hotline"


def test_a_client_key_is_not_a_staff_token(pack_app):
    app = pack_app("luohu")
    client = app.test_client()
    key = client_key(app)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401
    assert (
        client.get("/api/v1/cases", headers={"Authorization": f"Bearer {key}"}).status_code == 401
    )


def test_a_revoked_key_stops_at_once(pack_app):
    app = pack_app("luohu")
    client = app.test_client()
    key = client_key(app)
    file(client, key, "luohu", "m.rubbish")
    from onegrid.store import clients

    with app.app_context():
        (row,) = clients.clients(db.session())
        clients.revoke_client(db.session(), row.id, by="test")
        db.session().commit()
    body = {"api_key": key, **attributes("luohu", "m.rubbish")}
    assert client.post("/open311/v2/requests.json", data=body).status_code == 403
    assert client.get("/open311/v2/requests.json", query_string={"api_key": key}).status_code == 403


def test_admin_pages_list_make_and_revoke_client_keys(pack_app):
    app = pack_app("luohu")
    client = app.test_client()
    client.post("/auth/login", data={"username": "admin", "password": PASSWORD})
    page = client.get("/admin/clients/").get_data(as_text=True)
    assert "Open311 客户端密钥" in page and "还没有客户端密钥" in page
    r = client.post("/admin/clients/", data={"name": "罗湖 i深圳", "channel": "hotline"})
    page = r.get_data(as_text=True)
    key = page.split('<div class="notice" id="new-key">')[1].split("<code>")[1].split("</code>")[0]
    assert key.startswith("o311_")
    assert "罗湖 i深圳" in page and "有效" in page
    body = {"api_key": key, **attributes("luohu", "m.rubbish")}
    assert client.post("/open311/v2/requests.json", data=body).status_code == 200
    from onegrid.store import clients

    with app.app_context():
        (row,) = clients.clients(db.session())
    assert f'id="revoke-{row.id}"' in page and "确定吊销“罗湖 i深圳”的密钥吗" in page  # confirmed
    r = client.post(f"/admin/clients/{row.id}/revoke", follow_redirects=True)
    assert "已吊销客户端“罗湖 i深圳”的密钥" in r.get_data(as_text=True)
    assert client.post("/open311/v2/requests.json", data=body).status_code == 403
    # not for anyone but administrators
    other = app.test_client()
    assert other.get("/admin/clients/").status_code == 302


def test_demo_setup_makes_a_client_key(pack_app, tmp_path):
    from onegrid.store import clients
    from onegrid.web import demo, policyview

    app = pack_app("kunqu")
    with app.app_context():
        users = demo.seed(db.session(), policyview.load().policy, password="pw", api_key="demo-key")
        assert clients.client_for_key(db.session(), "demo-key") is not None
        assert accounts.user_for_token(db.session(), "demo-key") is None
        assert (
            not db.session()
            .scalars(select(accounts.User).where(accounts.User.username == "open311"))
            .all()
        )
    assert any(u.api_key == "demo-key" for u in users)


def test_precision_is_checked(tmp_path):
    pack = tmp_path / "luohu"
    shutil.copytree(PROJECT / "catalogs/luohu", pack)
    matters = pack / "matters.yaml"
    text = matters.read_text(encoding="utf-8")
    matters.write_text(
        text.replace("  precision: 3", "  precision: 9").replace(
            "visibility: private", "visibility: secret", 1
        ),
        encoding="utf-8",
    )
    _, problems = check_pack(Path(pack))
    codes = [(p.code, str(p.loc)) for p in problems if p.severity == "error"]
    assert len(codes) == 2, codes
