"""Web fixtures, after flaskr's tests/conftest.py: a fresh app on a fresh
SQLite database per test, `client`, `runner` and an `AuthActions` helper."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import select

from onegrid.cli.serve import prepare
from onegrid.store import accounts
from onegrid.web import casework, create_app, db
from web.webapp import CASES, FAST_HASH, PACK, PASSWORD, PROJECT, USERS, AuthActions, config


@pytest.fixture(scope="session")
def web_pack(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("webpack") / "webtest"
    root.mkdir()
    for name, text in PACK.items():
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    # the shared closed loop and calendar, copied in as a pack that includes them would get them
    shutil.copy(PROJECT / "rules/closed-loop/workflow.yaml", root / "workflow.yaml")
    shutil.copy(PROJECT / "rules/closed-loop/forms.yaml", root / "forms-closed-loop.yaml")
    shutil.copy(PROJECT / "rules/calendar-cn/calendar.yaml", root / "calendar.yaml")
    return root


@pytest.fixture(scope="session")
def template_db(web_pack, tmp_path_factory) -> Path:
    """A migrated database with the pack published and the users created, copied per test."""
    folder = tmp_path_factory.mktemp("template")
    app = create_app(config(web_pack, folder))
    prepare(app, seed_demo=False)
    with app.app_context():
        session = db.session()
        for username, (role, unit) in USERS.items():
            accounts.create_user(
                session, username, PASSWORD, bindings=[(role, unit)], method=FAST_HASH
            )
        accounts.create_user(session, "admin", PASSWORD, is_admin=True, method=FAST_HASH)
        session.commit()
        users = {u.username: u for u in session.scalars(select(accounts.User))}
    with app.test_request_context():
        session = db.session()
        for matter, place, reporter in CASES:
            casework.open_case(session, users[reporter], matter, place, {"description": "测试"})
    db.engine(app).dispose()
    return folder / "onegrid.sqlite"


@pytest.fixture
def app_factory(web_pack, template_db, tmp_path):
    apps = []

    def make(**extra):
        folder = tmp_path / f"instance{len(apps)}"
        folder.mkdir()
        shutil.copy(template_db, folder / "onegrid.sqlite")
        app = create_app(config(web_pack, folder, **extra))
        apps.append(app)
        return app

    yield make
    for app in apps:
        db.engine(app).dispose()


@pytest.fixture
def app(app_factory):
    return app_factory()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def auth(client):
    return AuthActions(client)
