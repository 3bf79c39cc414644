"""The bundled pack as `make serve` serves it: the demo users walk a case
round the whole loop as the README tells, each finding it in their inbox."""

from __future__ import annotations

import pytest

from onegrid import paths
from onegrid.cli.serve import prepare
from onegrid.forms import forms_of
from onegrid.forms.example import valid_example
from onegrid.web import create_app, db, policyview

# README, "Logging in": who does what
WALK = [
    ("dispatcher", "accept"),
    ("dispatcher", "dispatch"),
    ("dept_handler", "handle"),
    ("dispatcher", "feed_back"),
    ("grid_worker", "approve"),
]


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "INSTANCE_PATH": str(folder),
            "ONEGRID_CATALOG": paths.DEFAULT_CATALOG,
            "ONEGRID_DATABASE_URL": f"sqlite:///{folder / 'onegrid.sqlite'}",
            "WTF_CSRF_ENABLED": False,
        }
    )
    users = prepare(app)
    yield app, {u.username: u for u in users}
    db.engine(app).dispose()


def test_demo_users_cover_every_role(demo_app):
    app, users = demo_app
    roles = set(policyview.policy(app).ids("role"))
    assert roles <= set(users)
    assert users["admin"].password and users["open311"].api_key


def test_demo_users_walk_a_case_round_the_loop(demo_app):
    app, users = demo_app
    policy = policyview.policy(app)
    forms = forms_of(policy)
    clients = {}
    for name in {"grid_worker"} | {name for name, _ in WALK}:
        clients[name] = app.test_client()
        r = clients[name].post(
            "/auth/login", data={"username": name, "password": users[name].password}
        )
        assert r.status_code == 302, name
    matter = next(m for m in policy.items("matter") if m.get("form") and not m.get("on_the_spot"))
    r = clients["grid_worker"].post(
        "/api/v1/cases",
        json={
            "matter": matter["id"],
            "place": users["grid_worker"].unit,
            "submission": valid_example(forms.form(matter["form"])),
        },
    )
    assert r.status_code == 201, r.get_data(as_text=True)
    case = r.get_json()
    for name, step in WALK:
        client = clients[name]
        assert case["id"] in [c["id"] for c in client.get("/api/v1/cases?tab=mine").get_json()]
        offered = {
            a["id"]: a for a in client.get(f"/api/v1/cases/{case['id']}").get_json()["actions"]
        }
        assert step in offered, (name, case["state"], sorted(offered))
        body = {"version": case["version"]}
        if offered[step]["form"]:
            body["submission"] = valid_example(forms.form(offered[step]["form"]))
        r = client.post(f"/api/v1/cases/{case['id']}/actions/{step}", json=body)
        assert r.status_code == 200, r.get_data(as_text=True)
        case = r.get_json()
    assert case["state"] == "closed" and case["closed_at"]


def test_the_demo_grid_worker_sits_in_a_registry_grid(demo_app):
    # kunqu's 791 grids live only in its registry; a grid worker belongs in one
    app, users = demo_app
    loaded = policyview.load(app)
    grid = users["grid_worker"].unit
    assert loaded.unit(grid)["level"] == "grid"
    assert policyview.policy(app).get("unit", grid) is None  # from the registry, not org.yaml
    client = app.test_client()
    client.post(
        "/auth/login", data={"username": "grid_worker", "password": users["grid_worker"].password}
    )
    page = client.get("/cases/new").get_data(as_text=True)
    assert f'value="{grid}"' in page
    assert 'value="comm.heping"' not in page  # only her grid, not the community above it
