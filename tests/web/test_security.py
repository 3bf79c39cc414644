"""CSRF, cookies, server-side logout, headers, secrets, redirects, escaping."""

import re

import pytest

from onegrid.errors import UsageError
from onegrid.web import create_app
from web.webapp import PASSWORD, config, token_for


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_forms_need_the_csrf_token(app_factory):
    client = app_factory(WTF_CSRF_ENABLED=True).test_client()
    r = client.post("/auth/login", data={"username": "gw_a", "password": PASSWORD})
    assert r.status_code == 400
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    r = client.post(
        "/auth/login", data={"username": "gw_a", "password": PASSWORD, "csrf_token": token}
    )
    assert r.status_code == 302
    # every state-changing page form, and the API with the session cookie
    assert client.post("/cases/1/act/accept?version=1").status_code == 400
    assert client.post("/auth/logout").status_code == 400
    assert client.post("/api/v1/cases", json={"matter": "m.litter"}).status_code == 400


def test_api_with_a_token_needs_no_csrf(app_factory):

    app = app_factory(WTF_CSRF_ENABLED=True)
    token = token_for(app, "gw_a")
    r = app.test_client().post(
        "/api/v1/cases",
        json={"matter": "m.litter", "place": "grid.a1", "submission": {"description": "x"}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 201, r.get_data(as_text=True)


def test_session_cookie_flags(client, auth):
    r = auth.login()
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development and tests run on plain http


def test_cookie_is_secure_outside_development(web_pack, tmp_path):
    app = create_app({**config(web_pack, tmp_path), "TESTING": False, "ONEGRID_ENV": "production"})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_secret_key_is_required_outside_development(web_pack, tmp_path, monkeypatch):
    monkeypatch.delenv("ONEGRID_SECRET_KEY", raising=False)
    cfg = {**config(web_pack, tmp_path), "TESTING": False, "ONEGRID_ENV": "production"}
    del cfg["SECRET_KEY"]
    with pytest.raises(UsageError):
        create_app(cfg)


def test_development_key_is_random_per_instance(web_pack, tmp_path):
    keys = []
    for name in ("one", "two"):
        cfg = {**config(web_pack, tmp_path / name), "ONEGRID_ENV": "development"}
        del cfg["SECRET_KEY"]
        (tmp_path / name).mkdir()
        keys.append(create_app(cfg).config["SECRET_KEY"])
        assert create_app(cfg).config["SECRET_KEY"] == keys[-1]  # kept in the instance folder
    assert keys[0] != keys[1] and len(keys[0]) >= 32


def test_logout_ends_the_session_on_the_server(app, auth, client):
    auth.login()
    stolen = client.get_cookie("onegrid_session").value
    assert client.get("/").status_code == 200
    auth.logout()
    other = app.test_client()
    other.set_cookie("onegrid_session", stolen)
    assert other.get("/").status_code == 302  # the copied cookie is dead too


def test_wrong_password(client, auth):
    r = auth.login(password="nope")
    assert r.status_code == 401
    assert "用户名或密码错误" in r.get_data(as_text=True)


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil"])
def test_login_never_redirects_off_site(client, target):
    r = client.post(f"/auth/login?next={target}", data={"username": "gw_a", "password": PASSWORD})
    assert r.headers["Location"] == "/"


def test_security_headers(client):
    r = client.get("/auth/login")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"
    assert "<script>" not in r.get_data(as_text=True)  # no inline scripts at all


def test_reported_markup_comes_out_inert(client, auth):
    auth.login()
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    r = client.post(
        "/api/v1/cases",
        json={"matter": "m.litter", "place": "grid.a1", "submission": {"description": evil}},
    )
    assert r.status_code == 201
    page = client.get(f"/cases/{r.get_json()['id']}").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_english_switch(client, auth):
    auth.login()
    assert "待办" in client.get("/").get_data(as_text=True)
    client.post("/auth/lang/en", data={"next": "/"})
    page = client.get("/").get_data(as_text=True)
    assert "To do" in page and "待办" not in page
    assert "To do" in client.get("/?lang=en").get_data(as_text=True)


def test_error_pages_speak_the_readers_language(client, auth):
    auth.login()
    r = client.get("/cases/999")
    assert r.status_code == 404 and "找不到该页面" in r.get_data(as_text=True)
    r = client.get("/cases/999?lang=en")
    assert "Not found" in r.get_data(as_text=True)
    assert client.get("/api/v1/nothing").get_json()["error"] == "error"
    assert client.get("/open311/v2/nothing").get_json()[0]["code"] == 404


def test_revoked_token_stops_working(app):
    token = token_for(app, "gw_a")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert client.delete("/api/v1/tokens/current", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_password_guessing_is_throttled(client, auth):
    for _ in range(5):
        assert auth.login(password="guess").status_code == 401
    r = auth.login()  # even the right password waits now
    assert r.status_code == 429
    assert auth.login(username="gw_b").status_code == 302  # other users are not held up


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/tokens", ["a"]),
        ("/api/v1/tokens", {"username": ["a"], "password": 1}),
        ("/api/v1/cases", {"matter": ["m.litter"]}),
        ("/api/v1/cases", {"matter": "m.litter", "place": ["grid.a1"]}),
        ("/api/v1/cases", {"matter": "m.litter", "submission": ["x"]}),
        ("/api/v1/cases", {"matter": "m.litter", "channel": {"a": 1}}),
        ("/api/v1/cases", {"matter": "m.nothing"}),
        ("/api/v1/cases", {"matter": "m.litter", "submission": {"description": 5}}),
        ("/api/v1/cases", {"matter": "m.litter", "submission": {"nope": "x"}}),
        ("/api/v1/cases/1/actions/accept", {"version": "1"}),
        ("/api/v1/cases/1/actions/accept", {"version": 1, "submission": "x"}),
        ("/api/v1/cases/1/actions/nothing", {"version": 1}),
    ],
)
def test_bad_api_input_is_a_4xx_never_a_500(app, path, body):
    headers = {"Authorization": f"Bearer {token_for(app, 'dispatcher')}"}
    r = app.test_client().post(path, json=body, headers=headers)
    assert 400 <= r.status_code < 500, r.get_data(as_text=True)
    assert r.get_json()["error"]
