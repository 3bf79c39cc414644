"""Web test data and helpers (the fixtures are in conftest.py), after flaskr's tests/conftest.py: a fresh app on a fresh
SQLite database per test, `client`, `runner` and an `AuthActions` helper.

The app serves a small pack written here (two streets, one community and
one grid each, a command centre and two departments) with the shared
closed loop and calendar from `rules/`, so that "own" and "other" units
exist for every role whatever the bundled packs hold today.
"""

from __future__ import annotations

from pathlib import Path

from onegrid.store import accounts
from onegrid.web import db

PROJECT = Path(__file__).resolve().parents[2]
PASSWORD = "pw-for-tests"
# a cheap hash keeps the many logins of the tests fast; the app's default is scrypt
FAST_HASH = "pbkdf2:sha256:1000"

PACK = {
    "pack.yaml": """
        kind: pack
        id: webtest
        name: {zh: 网页测试区, en: Web test district}
    """,
    "org.yaml": """
        kind: org
        levels:
          - {id: district, name: 区, rank: 1}
          - {id: street, name: 街道, rank: 2}
          - {id: community, name: 社区, rank: 3}
          - {id: grid, name: 网格, rank: 4}
        units:
          - {id: d, name: {zh: 测试区, en: Test district}, level: district}
          - {id: st.a, name: {zh: 甲街道, en: Street A}, level: street, parent: d}
          - {id: st.b, name: {zh: 乙街道, en: Street B}, level: street, parent: d}
          - {id: comm.a1, name: {zh: 甲一社区, en: Community A1}, level: community, parent: st.a}
          - {id: comm.b1, name: {zh: 乙一社区, en: Community B1}, level: community, parent: st.b}
          - {id: grid.a1, name: {zh: 甲一网格, en: Grid A1}, level: grid, parent: comm.a1}
          - {id: grid.b1, name: {zh: 乙一网格, en: Grid B1}, level: grid, parent: comm.b1}
        departments:
          - {id: dept.centre, name: {zh: 指挥中心, en: Command centre}, type: centre, level: district}
          - {id: dept.urban, name: {zh: 城管局, en: Urban bureau}, type: department, level: district}
          - {id: dept.housing, name: {zh: 住建局, en: Housing bureau}, type: department, level: district}
        roles:
          - {id: grid_worker, name: {zh: 网格员, en: Grid worker}, level: grid}
          - {id: street_officer, name: {zh: 街道工作人员, en: Street officer}, level: street}
          - {id: dispatcher, name: {zh: 调度员, en: Dispatcher}, level: district, bound_to: department}
          - {id: dept_handler, name: {zh: 部门处置人员, en: Handler}, level: district, bound_to: department}
    """,
    "matters.yaml": """
        kind: matters
        matters:
          - id: m.litter
            code: T-01
            name: {zh: 乱扔垃圾, en: Litter}
            unit: dept.urban
            level: district
            limits: {accept: 2h, handle: 3wd}
            form: form.report
          - id: m.pothole
            code: T-02
            name: {zh: 道路坑洼, en: Pothole}
            unit: dept.housing
            level: district
            form: form.report
    """,
    "routing.yaml": """
        kind: routing
        channels:
          - {id: web, name: {zh: 网页, en: Web}, doors: [pages, api]}
          - {id: hotline, name: {zh: 12345 热线, en: 12345 hotline}, doors: [import]}
          - {id: open311, name: {zh: 市民上报, en: Residents' reports}, doors: [open311]}
        tables:
          - id: whistle
            name: {zh: 吹哨报到, en: Whistle}
            hit: collect
            rules:
              - id: pothole_needs_urban
                when: {matter: m.pothole}
                then: {assist: [dept.urban]}
    """,
    "forms.yaml": """
        kind: forms
        forms:
          - id: form.report
            name: {zh: 问题上报, en: Report}
            fields:
              - {name: description, type: textarea, label: {zh: 问题描述, en: Description}, required: true, max_length: 500}
              - {name: count, type: integer, label: {zh: 数量, en: Count}, minimum: 1, maximum: 100}
              - name: kinds
                type: multichoice
                label: {zh: 垃圾种类, en: Kinds}
                choices:
                  - {value: paper, label: {zh: 纸, en: Paper}}
                  - {value: plastic, label: {zh: 塑料, en: Plastic}}
                  - {value: glass, label: {zh: 玻璃, en: Glass}}
              - {name: photo, type: photo, label: {zh: 现场照片, en: Photo}, max_size: 1MB}
    """,
}

# username → (role, unit)
USERS = {
    "gw_a": ("grid_worker", "grid.a1"),
    "gw_b": ("grid_worker", "grid.b1"),
    "street_a": ("street_officer", "st.a"),
    "street_b": ("street_officer", "st.b"),
    "urban": ("dept_handler", "dept.urban"),
    "housing": ("dept_handler", "dept.housing"),
    "dispatcher": ("dispatcher", "dept.centre"),
}

# cases in the template database, both dispatched: case 1 in street A (urban
# leads), case 2 in street B (housing leads, urban assists by the routing rule)
CASES = [("m.litter", "grid.a1", "gw_a"), ("m.pothole", "grid.b1", "gw_b")]


def config(pack: Path, folder: Path, **extra) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "INSTANCE_PATH": str(folder),
        "ONEGRID_CATALOG": str(pack),
        "ONEGRID_DATABASE_URL": f"sqlite:///{folder / 'onegrid.sqlite'}",
        "WTF_CSRF_ENABLED": False,
        **extra,
    }


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, username="gw_a", password=PASSWORD):
        return self._client.post("/auth/login", data={"username": username, "password": password})

    def logout(self):
        return self._client.post("/auth/logout")


def token_for(app, username: str) -> str:
    with app.app_context():
        session = db.session()
        user = session.scalar(
            accounts.select(accounts.User).where(accounts.User.username == username)
        )
        token = accounts.issue_token(session, user, name="test")
        session.commit()
        return token


def dispatch(session, case_id: int, dispatcher) -> None:
    """Accept and dispatch a case as the dispatcher (through the engine)."""
    from onegrid.web import casework
    from onegrid.workflow import case as wf_case

    actor = casework.actor_of(dispatcher)
    for step in ("accept", "dispatch"):
        case = wf_case.get_case(session, case_id)
        wf_case.act(session, case_id, step, actor, {}, case.version)


def client_key(app, name: str = "test client", channel: str | None = None) -> str:
    """A new Open311 client key (its own kind of credential, not a staff token),
    for `channel` or the one the served pack marks for the open311 door."""
    from onegrid.store import clients
    from onegrid.web import casework
    from onegrid.workflow import channels, rulebook

    with app.app_context():
        session = db.session()
        if channel is None:
            book = rulebook(casework.current_version(session))
            channel = channels.default_channel(book, "open311")
        _, key = clients.create_client(session, name, channel, by="test")
        session.commit()
        return key


def serve_with_staff(pack: str, folder: Path, staff: dict[str, tuple[str, str]]):
    """A bundled pack served on a fresh database, with `staff` (username →
    (role, unit)) as users; (app, {username: bearer headers})."""
    from onegrid import paths
    from onegrid.cli.serve import prepare
    from onegrid.web import create_app

    app = create_app(config(paths.CATALOGS / pack, folder))
    prepare(app, seed_demo=False)
    with app.app_context():
        session = db.session()
        for name, (role, unit) in staff.items():
            accounts.create_user(session, name, PASSWORD, bindings=[(role, unit)], method=FAST_HASH)
        session.commit()
    return app, {name: {"Authorization": f"Bearer {token_for(app, name)}"} for name in staff}
