"""Every case reaches someone: a report with coordinates only is placed in
the grid whose registry centroid is nearest (Kunqu's registry carries
illustrative centroids), an address names its unit, and a report nothing
places goes to the pack's intake unit (the command centre), whose staff
see it in their inbox."""

from __future__ import annotations

import pytest

from onegrid import paths
from onegrid.cli.live import LiveApp, request_of
from onegrid.decide import explain
from onegrid.decide.trace import render
from onegrid.policy.pack import load_policy
from onegrid.store import accounts
from onegrid.web import db


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    apps = {}

    def get(name: str) -> LiveApp:
        if name not in apps:
            apps[name] = LiveApp(paths.CATALOGS / name, tmp_path_factory.mktemp(name))
        return apps[name]

    yield get
    for app in apps.values():
        app.close()


def staff_key(app: LiveApp, username: str, role: str, unit: str) -> str:
    with app.app.app_context():
        session = db.session()
        user = accounts.create_user(session, username, "pw-for-tests", bindings=[(role, unit)])
        key = accounts.issue_token(session, user, name="test")
        session.commit()
    return key


def inbox(app: LiveApp, key: str) -> list[int]:
    r = app.client.get("/api/v1/cases?tab=mine", headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 200, r.get_data(as_text=True)
    return [c["id"] for c in r.get_json()]


def open311(app: LiveApp, name: str, matter: str, **where) -> dict:
    body, why = request_of(load_policy(paths.CATALOGS / name), {"matter": matter, **where})
    assert body is not None, why
    status, answer = app.file_open311(body)
    assert status == 200, answer
    return app.case(int(answer[0]["service_request_id"]))


def test_an_open311_request_with_only_lat_long_lands_in_the_grids_inbox(live):
    app = live("kunqu")
    # near the centroid of 和平社区第2网格 (registry: 40.5800, 109.7250)
    case = open311(app, "kunqu", "m.party.activity", lat=40.5801, long=109.7249)
    assert (case["place"], case["unit"], case["level"]) == ("g.heping.02", "g.heping.02", "grid")
    assert case["facts"]["located"] == "coordinates"
    assert case["id"] in inbox(app, staff_key(app, "gw2", "grid_worker", "g.heping.02"))
    assert case["id"] not in inbox(app, staff_key(app, "gw1", "grid_worker", "g.heping.01"))


def test_an_address_names_its_unit(live):
    app = live("kunqu")
    case = open311(app, "kunqu", "m.party.activity", address="和平社区第3网格 钢铁大街 5 号")
    assert (case["place"], case["facts"]["located"]) == ("g.heping.03", "address")


def test_a_report_nothing_places_goes_to_the_command_centre(live):
    app = live("luohu")  # no centroids in Luohu's registry
    case = open311(app, "luohu", "m.rubbish", lat=22.55, long=114.12)
    assert case["facts"]["located"] == "intake"
    # the department the catalog names still leads; the case sits where the centre dispatches
    assert (case["place"], case["unit"], case["level"]) == ("luohu", "dept.enforcement", "district")
    key = staff_key(app, "platform", "dispatcher", "dept.platform")
    assert case["id"] in inbox(app, key)
    # through the API without any place: the same
    status, got = app.file_api({"matter": "m.rubbish", "submission": case["submission"]})
    assert status == 201, got
    assert (got["place"], got["level"]) == ("luohu", "district")
    assert got["id"] in inbox(app, key)


def test_explain_says_how_the_place_was_found():
    policy = load_policy(paths.CATALOGS / "kunqu")
    text = render(
        policy,
        explain(policy, {"matter": "m.party.activity", "lat": 40.5801, "long": 109.7249}),
        "en",
    )
    assert (
        "place: g.heping.02" in text and "nearest grid by coordinates (registry centroids)" in text
    )
    text = render(policy, explain(policy, {"matter": "m.party.activity"}), "en")
    # the catalog's department leads; the case sits at the centre's level, where it dispatches
    assert "lead: dept.organisation" in text and "level: district" in text
    assert "intake unit: no place found" in text and "place: dept.command" in text
