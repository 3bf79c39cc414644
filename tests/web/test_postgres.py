"""The web app on PostgreSQL: migrations (accounts included) and scoping,
whose JSON-list test must behave as on SQLite."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from onegrid.cli.serve import prepare
from onegrid.store import Case, accounts
from onegrid.web import casework, create_app, db
from web.webapp import CASES, FAST_HASH, USERS, dispatch, token_for

_numbers = itertools.count(1)


@pytest.fixture
def pg_app(postgres, web_pack, tmp_path):
    name = f"onegrid_web_{next(_numbers)}"
    postgres.execute(f"CREATE DATABASE {name}")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "INSTANCE_PATH": str(tmp_path),
            "ONEGRID_CATALOG": str(web_pack),
            "ONEGRID_DATABASE_URL": postgres.url(name),
        }
    )
    prepare(app, seed_demo=False)
    with app.app_context():
        session = db.session()
        for username, (role, unit) in USERS.items():
            accounts.create_user(session, username, "pw", bindings=[(role, unit)], method=FAST_HASH)
        session.commit()
        users = {u.username: u for u in session.scalars(select(accounts.User))}
    with app.test_request_context():
        session = db.session()
        for matter, place, reporter in CASES:
            casework.open_case(session, users[reporter], matter, place, {"description": "测试"})
        session.get(Case, 2).assistants = ["dept.urban"]
        session.commit()
        for case_id in (1, 2):
            dispatch(session, case_id, users["dispatcher"])
    yield app
    db.engine(app).dispose()


@pytest.mark.parametrize(
    ("user", "seen"),
    [("gw_a", [1]), ("street_b", [2]), ("urban", [1, 2]), ("housing", [2]), ("dispatcher", [1, 2])],
)
def test_scope_on_postgres(pg_app, user, seen):
    client = pg_app.test_client()
    headers = {"Authorization": f"Bearer {token_for(pg_app, user)}"}
    listed = sorted(c["id"] for c in client.get("/api/v1/cases", headers=headers).get_json())
    assert listed == seen
    for case in (1, 2):
        status = client.get(f"/api/v1/cases/{case}", headers=headers).status_code
        assert status == (200 if case in seen else 404)
