"""Demo users cover every party a route can name, on every bundled pack;
on Luohu as served, an enforcement dispute climbs to the committee and the
committee's decision is final (through the JSON API)."""

from __future__ import annotations

import pytest

from onegrid import paths
from onegrid.cli.serve import prepare
from onegrid.forms import forms_of
from onegrid.forms.example import valid_example
from onegrid.policy.pack import load_policy
from onegrid.web import casework, create_app, db, demo, policyview
from onegrid.workflow import staff
from onegrid.workflow.rulebook import rulebook
from web.webapp import FAST_HASH, PASSWORD, config, token_for


@pytest.mark.parametrize("name", paths.bundled_packs())
def test_every_place_a_route_names_has_a_demo_user(name):
    policy = load_policy(paths.CATALOGS / name)
    held: dict[str, set[str]] = {}
    for _, role, units in demo.plan(policy):
        for unit in units:
            held.setdefault(unit, set()).add(role)
    named = demo.named(policy)
    assert named, name
    assert sorted(named - set(held)) == []
    enterprises = {e["id"] for e in policy.items("enterprise")}
    for enterprise in enterprises & named:  # bound to the enterprise, never to a grid
        roles = {r["id"]: r for r in policy.items("role")}
        assert any(roles[r].get("bound_to") == "enterprise" for r in held[enterprise])


@pytest.fixture(scope="module")
def luohu(tmp_path_factory):
    folder = tmp_path_factory.mktemp("luohu")
    app = create_app(config(paths.CATALOGS / "luohu", folder))
    users = {u.username: u for u in prepare(app)}  # the demo users, as `make serve` makes them
    with app.app_context():
        session = db.session()
        book = rulebook(casework.current_version(session))
        staff.create(
            session, book, "committee", "执法委委员",
            [("dept_handler", "dept.enforcement_committee")], PASSWORD, method=FAST_HASH,
        )  # fmt: skip
        session.commit()
    yield app, users
    db.engine(app).dispose()


def test_an_enforcement_dispute_climbs_to_the_committee_whose_decision_is_final(luohu):
    app, users = luohu
    bearer = {name: {"Authorization": f"Bearer {token_for(app, name)}"} for name in
              ("grid_worker", "dispatcher", "dept_handler", "committee")}  # fmt: skip
    client = app.test_client()
    policy = policyview.policy(app)
    matter = next(m for m in policy.items("matter") if m["id"] == "m.enforcement_dispute")
    r = client.post(
        "/api/v1/cases",
        json={
            "matter": matter["id"],
            "place": users["grid_worker"].unit,
            "submission": valid_example(forms_of(policy).form(matter["form"])),
        },
        headers=bearer["grid_worker"],
    )
    assert r.status_code == 201, r.get_data(as_text=True)
    case = r.get_json()
    assert case["unit"] == "dept.housing"

    def take(who, action, body=None):
        nonlocal case
        offered = [
            a["id"]
            for a in client.get(f"/api/v1/cases/{case['id']}", headers=bearer[who]).get_json()[
                "actions"
            ]
        ]
        assert action in offered, (who, action, case["state"], case["unit"], offered)
        r = client.post(
            f"/api/v1/cases/{case['id']}/actions/{action}",
            json={"version": case["version"], "submission": body or {}},
            headers=bearer[who],
        )
        assert r.status_code == 200, r.get_data(as_text=True)
        case = r.get_json()
        return case

    take("dispatcher", "accept")
    take("dispatcher", "dispatch")
    take("dept_handler", "escalate", {"reason": "住建局协调不成"})  # the authority → the bureau
    assert case["unit"] == "dept.enforcement"
    take("dispatcher", "dispatch")
    take("dept_handler", "escalate", {"reason": "执法局协调不成"})  # the bureau → the committee
    assert case["unit"] == "dept.enforcement_committee" and case["supervised"]
    take("dispatcher", "dispatch")
    # at the committee the ladder ends: nobody can hand it further up
    for who in ("committee", "dispatcher", "dept_handler"):
        offered = client.get(f"/api/v1/cases/{case['id']}", headers=bearer[who]).get_json()
        assert "escalate" not in [a["id"] for a in offered["actions"]]
    r = client.post(
        f"/api/v1/cases/{case['id']}/actions/escalate",
        json={"version": case["version"], "submission": {"reason": "再上报"}},
        headers=bearer["committee"],
    )
    assert r.status_code in (403, 409)
    take("committee", "sign")  # Luohu signs before handling
    take("committee", "handle", {"result": "执法委裁定：由街道综合执法队负责"})
    take("dispatcher", "feed_back", {"message": "已按执法委裁定办理"})
    take("grid_worker", "approve")
    assert case["state"] == "closed"
    trail = client.get(f"/api/v1/cases/{case['id']}/trail", headers=bearer["committee"]).get_json()
    handled = [s for s in trail if s["action"] == "handle"]
    assert [s["actor"] for s in handled] == ["committee"]
