"""Web fixtures, after flaskr's tests/conftest.py: a fresh app on a fresh
SQLite database per test, `client`, `runner` and an `AuthActions` helper."""

from __future__ import annotations

import os
import shutil
import textwrap
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from onegrid.cli.serve import prepare
from onegrid.store import Case, accounts
from onegrid.web import casework, create_app, db
from web import bundled
from web.webapp import (
    CASES,
    FAST_HASH,
    PACK,
    PASSWORD,
    PROJECT,
    USERS,
    AuthActions,
    config,
    dispatch,
)


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
        # what routing.yaml's rule decides, set here too so that the scoping
        # tests do not depend on the routing stage
        case = session.get(Case, 2)
        case.assistants = ["dept.urban"]
        session.commit()
        # accepted and dispatched, so that the departments have them (version 3)
        for case_id in (1, 2):
            dispatch(session, case_id, users["dispatcher"])
    db.engine(app).dispose()
    return folder / "onegrid.sqlite"


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory) -> Path:
    """An empty database migrated to heads, copied by every bundled-pack app."""
    folder = tmp_path_factory.mktemp("migrated")
    app = create_app(config(PROJECT / "catalogs" / "kunqu", folder))
    db.upgrade(app)
    db.engine(app).dispose()
    return folder / "onegrid.sqlite"


@pytest.fixture(scope="session")
def bundled_templates(migrated_db, tmp_path_factory):
    """pack → (a seeded database of that bundled pack, {state: case ids}), made once."""
    made: dict[str, tuple[Path, dict]] = {}

    def template(pack: str) -> tuple[Path, dict]:
        if pack not in made:
            folder = tmp_path_factory.mktemp(f"bundled-{pack}")
            app = bundled.serve_pack(pack, migrated_db, folder)
            states = bundled.seed(app)
            db.engine(app).dispose()
            made[pack] = (folder / "onegrid.sqlite", states)
        return made[pack]

    return template


@pytest.fixture
def bundled_app(bundled_templates, tmp_path):
    """bundled_app(pack) → an app serving a bundled pack on its own copy of the
    seeded database (`app.config["SEEDED"]`: {state: case ids})."""
    apps = []

    def make(pack: str, **extra):
        seeded, states = bundled_templates(pack)
        app = bundled.serve_pack(pack, seeded, tmp_path / f"{pack}{len(apps)}", **extra)
        app.config["SEEDED"] = states
        apps.append(app)
        return app

    yield make
    for app in apps:
        db.engine(app).dispose()


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


@pytest.fixture
def server(app):
    """The app on a real loopback port, for real clients."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join()
    httpd.server_close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, for screenshots on failure."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = PROJECT / "test-artifacts"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests: .ci/run installs chromium")
        pytest.skip("no /usr/bin/chromium here (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server, request):
    context = browser.new_context(base_url=server, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def console(message):
        # the 422 of a rejected form is expected; any other error (a CSP
        # refusal, a missing file, a script error) is not
        if message.type == "error" and "status of 422" not in message.text:
            errors.append(message.text)

    page.on("console", console)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    # a CSP violation or a script error is a failure too
    assert not errors, errors
