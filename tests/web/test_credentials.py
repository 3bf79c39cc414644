"""Keys with scopes, idempotency on Open311 and throttles that hold across
processes (issue 20): staff tokens expire, die at logout and never reach a
log; Open311 retries make one case; guessing is counted in the database."""

from __future__ import annotations

import datetime as dt
import logging

import requests
from sqlalchemy import select, update

from onegrid.store import Case, accounts
from onegrid.web import create_app, db, open311
from web.webapp import PASSWORD, client_key, token_for


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


# --- staff tokens --------------------------------------------------------------


def test_staff_tokens_expire(app, client):
    r = client.post("/api/v1/tokens", json={"username": "gw_a", "password": PASSWORD})
    token = r.get_json()["token"]
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    with app.app_context():
        row = db.session().scalar(select(accounts.ApiToken).order_by(accounts.ApiToken.id.desc()))
        lifetime = row.expires_at - row.created_at
        assert abs(lifetime - accounts.TOKEN_LIFETIME) < dt.timedelta(seconds=5)
        db.session().execute(
            update(accounts.ApiToken)
            .where(accounts.ApiToken.id == row.id)
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
        db.session().commit()
    r = client.get("/api/v1/me", headers=bearer(token))
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")


def test_logout_revokes_the_users_tokens(app, client, auth):
    token = token_for(app, "gw_a")
    other = token_for(app, "gw_b")
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    auth.login("gw_a")
    auth.logout()
    assert app.test_client().get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert app.test_client().get("/api/v1/me", headers=bearer(other)).status_code == 200


def test_tokens_never_reach_the_access_log(server, app, caplog):
    token = token_for(app, "gw_a")
    key = client_key(app)
    with caplog.at_level(logging.INFO):
        requests.get(f"{server}/open311/v2/requests.json?api_key={key}", timeout=10)
        requests.get(
            f"{server}/open311/v2/services.json?jurisdiction_id=&api_key={key}", timeout=10
        )
        requests.get(f"{server}/api/v1/me?token={token}", headers=bearer(token), timeout=10)
        requests.post(f"{server}/auth/login?password=secret-pw", timeout=10)
        app.logger.warning("header was Bearer %s", token)
    text = caplog.text
    assert "/open311/v2/requests.json" in text  # the access log is there
    assert key not in text and token not in text and "secret-pw" not in text
    assert "api_key=[redacted]" in text


# --- Open311 idempotency --------------------------------------------------------------


def body(key, **extra):
    return {
        "api_key": key,
        "service_code": "m.litter",
        "address_id": "grid.a1",
        "attribute[description]": "路口有垃圾",
        **extra,
    }


def case_count(app) -> int:
    with app.app_context():
        return len(db.session().scalars(select(Case.id)).all())


def test_open311_idempotency_key(app, client):
    key = client_key(app)
    before = case_count(app)
    headers = {"Idempotency-Key": "retry-1"}
    ids = {
        client.post("/open311/v2/requests.json", data=body(key), headers=headers).get_json()[0][
            "service_request_id"
        ]
        for _ in range(5)
    }
    assert len(ids) == 1 and case_count(app) == before + 1
    other = body(key, **{"attribute[description]": "另一件事"})
    r = client.post("/open311/v2/requests.json", data=other, headers=headers)
    assert r.status_code == 409
    assert str(ids) not in r.get_data(as_text=True)
    # another client's same key is another request
    theirs = client_key(app, name="other")
    r = client.post("/open311/v2/requests.json", data=body(theirs), headers=headers)
    assert r.status_code == 200 and r.get_json()[0]["service_request_id"] not in ids


def test_open311_retries_without_a_key_make_one_case(app, client):
    key = client_key(app)
    before = case_count(app)
    first = [client.post("/open311/v2/requests.json", data=body(key)) for _ in range(5)]
    ids = {r.get_json()[0]["service_request_id"] for r in first}
    assert len(ids) == 1 and case_count(app) == before + 1
    # the same words from another client, or other words, are other cases
    other = client_key(app, name="other")
    assert (
        client.post("/open311/v2/requests.json", data=body(other)).get_json()[0][
            "service_request_id"
        ]
        not in ids
    )
    r = client.post("/open311/v2/requests.json", data=body(key, description="又一次"))
    assert r.get_json()[0]["service_request_id"] not in ids
    # after the pack's window the same request is a new case
    with app.app_context():
        from onegrid.store.clients import CaseClient

        db.session().execute(
            update(CaseClient).values(filed_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=11))
        )
        db.session().commit()
    r = client.post("/open311/v2/requests.json", data=body(key))
    assert r.get_json()[0]["service_request_id"] not in ids


def test_open311_token_finds_the_request(app, client):
    key = client_key(app)
    created = client.post("/open311/v2/requests.json", data=body(key)).get_json()[0]
    # GeoReport v2: a POST answers the id or a token, not both; the token of a
    # request is derived from its id, for the clients that ask with one
    assert "token" not in created
    with app.test_request_context():
        token = open311.case_token(int(created["service_request_id"]))
    found = client.get(f"/open311/v2/tokens/{token}.json").get_json()
    assert found == [{"service_request_id": created["service_request_id"], "token": token}]
    forged = f"{created['service_request_id']}-{'0' * 24}"
    assert client.get(f"/open311/v2/tokens/{forged}.json").status_code == 404


# --- throttles across processes --------------------------------------------------


def test_throttles_hold_across_app_processes(app_factory, tmp_path):
    """Two app servers on one database: the fifth failure on either blocks both."""
    one = app_factory()
    config = {**one.config}
    two = create_app(
        {k: config[k] for k in ("TESTING", "SECRET_KEY", "ONEGRID_CATALOG")}
        | {
            "INSTANCE_PATH": one.instance_path,
            "ONEGRID_DATABASE_URL": config["ONEGRID_DATABASE_URL"],
            "WTF_CSRF_ENABLED": False,
        }
    )
    try:
        clients = [one.test_client(), two.test_client()]
        for i in range(5):
            r = clients[i % 2].post("/api/v1/tokens", json={"username": "gw_a", "password": "x"})
            assert r.status_code == 401
        for c in clients:
            r = c.post("/api/v1/tokens", json={"username": "gw_a", "password": PASSWORD})
            assert r.status_code == 429 and r.headers["Retry-After"]
            r = c.post("/auth/login", data={"username": "gw_a", "password": "x"})
            assert r.status_code == 401  # the login scope is its own
        for i in range(5):
            clients[i % 2].post("/auth/login", data={"username": "gw_b", "password": "x"})
        for c in clients:
            r = c.post("/auth/login", data={"username": "gw_b", "password": PASSWORD})
            assert r.status_code == 429
    finally:
        db.engine(two).dispose()


def test_open311_key_guessing_is_throttled(app, client):
    good = client_key(app)
    for _ in range(20):
        assert client.get("/open311/v2/requests.json?api_key=guess").status_code == 403
    assert client.get("/open311/v2/requests.json?api_key=guess").status_code == 429
    assert client.get(f"/open311/v2/requests.json?api_key={good}").status_code == 429
    assert client.get("/open311/v2/requests.json").status_code == 200  # reading without a key
