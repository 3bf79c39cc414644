"""The permission matrix: every role × own/other unit × every case endpoint,
pages and API alike. A case outside the user's scope answers 404 on every
endpoint and never shows in a list; inside it, reading works and an action
answers by the workflow (`handle` by the lead department only)."""

import pytest

from web.webapp import PASSWORD, token_for

CASE_A, CASE_B = 1, 2

# user → the cases in scope
SEES = {
    "gw_a": {CASE_A},
    "gw_b": {CASE_B},
    "street_a": {CASE_A},
    "street_b": {CASE_B},
    "urban": {CASE_A, CASE_B},  # leads case 1, assists on case 2
    "housing": {CASE_B},
    "dispatcher": {CASE_A, CASE_B},
    "admin": {CASE_A, CASE_B},
}
# both cases are dispatched (version 3); `handle` is the lead department's only
LEADS = {CASE_A: "urban", CASE_B: "housing"}
VERSION = 3

MATRIX = [(user, case, case in seen) for user, seen in SEES.items() for case in (CASE_A, CASE_B)]


@pytest.fixture
def as_user(app):
    """A logged-in page client and an API token for `user`."""

    def make(user):
        client = app.test_client()
        r = client.post("/auth/login", data={"username": user, "password": PASSWORD})
        assert r.status_code == 302
        return client, {"Authorization": f"Bearer {token_for(app, user)}"}

    return make


@pytest.mark.parametrize(("user", "case", "visible"), MATRIX)
def test_matrix(as_user, user, case, visible):
    client, bearer = as_user(user)
    read = 200 if visible else 404
    lead = LEADS[case] == user
    # case 2's lead waits for the assisting urban bureau's part (the closed loop's parts_done)
    waiting = lead and case == CASE_B
    act = (422 if lead and not waiting else 403) if visible else 404  # an empty form is refused
    api_act = (409 if waiting else 200 if lead else 403) if visible else 404

    # pages
    assert client.get(f"/cases/{case}").status_code == read
    listed = f'href="/cases/{case}"' in client.get("/?tab=all").get_data(as_text=True)
    assert listed == visible
    matter = {CASE_A: "m.litter", CASE_B: "m.pothole"}[case]
    found = f'href="/cases/{case}"' in client.get(f"/?matter={matter}").get_data(as_text=True)
    assert found == visible
    exported = client.get("/cases/export.csv").get_data(as_text=True).splitlines()[1:]
    assert (str(case) in [row.split(",")[0] for row in exported]) == visible
    # JSON API, with a token and with the session cookie
    for headers in (bearer, {}):
        api = client if not headers else client.application.test_client()
        assert api.get(f"/api/v1/cases/{case}", headers=headers).status_code == read
        assert api.get(f"/api/v1/cases/{case}/trail", headers=headers).status_code == read
        found = [c["id"] for c in api.get("/api/v1/cases", headers=headers).get_json()]
        assert (case in found) == visible
        found = [c["id"] for c in api.get("/api/v1/cases?tab=all", headers=headers).get_json()]
        assert (case in found) == visible
    # a staff token is not an Open311 api_key (issue 20: client keys are their own kind)
    key = bearer["Authorization"].split()[1]
    assert client.get(f"/open311/v2/requests/{case}.json?api_key={key}").status_code == 403
    assert client.get(f"/open311/v2/requests.json?api_key={key}").status_code == 403
    # actions last: they change the case
    r = client.post(f"/cases/{case}/act/handle?version={VERSION}")
    assert r.status_code == act
    r = client.application.test_client().post(
        f"/api/v1/cases/{case}/actions/handle",
        json={"version": VERSION, "submission": {"result": "已处置"}},
        headers=bearer,
    )
    assert r.status_code == api_act, r.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/cases/{case}", "/api/v1/cases/{case}", "/api/v1/cases"])
def test_anonymous_gets_nothing(client, path):
    r = client.get(path.format(case=CASE_A))
    assert r.status_code in (302, 401)
    assert "测试" not in r.get_data(as_text=True)


def test_public_open311_sees_only_open311_requests(client):
    assert client.get(f"/open311/v2/requests/{CASE_A}.json").status_code == 404
    assert client.get("/open311/v2/requests.json").get_json() == []


def test_unknown_case_is_404_for_admin_too(as_user):
    client, bearer = as_user("admin")
    assert client.get("/cases/999").status_code == 404
    assert client.get("/api/v1/cases/999", headers=bearer).status_code == 404


@pytest.mark.parametrize("user", sorted(set(SEES) - {"admin"}))
def test_admin_pages_are_404_for_staff(as_user, user):
    client, bearer = as_user(user)
    for path in ("/admin/", "/admin/checks", "/admin/versions", "/admin/dashboard"):
        assert client.get(path).status_code == 404
    assert client.get("/api/v1/versions", headers=bearer).status_code == 404


def test_a_department_sees_a_case_once_it_is_dispatched(as_user):
    reporter, _ = as_user("gw_a")
    r = reporter.post(
        "/api/v1/cases",
        json={"matter": "m.litter", "place": "grid.a1", "submission": {"description": "新报"}},
    )
    case = r.get_json()["id"]
    urban, _ = as_user("urban")
    assert urban.get(f"/cases/{case}").status_code == 404  # routed to urban, not handed over yet
    dispatcher, token = as_user("dispatcher")
    for step, version in (("accept", 1), ("dispatch", 2)):
        r = dispatcher.post(
            f"/api/v1/cases/{case}/actions/{step}", json={"version": version}, headers=token
        )
        assert r.status_code == 200, r.get_data(as_text=True)
    assert urban.get(f"/cases/{case}").status_code == 200
    assert case in [c["id"] for c in urban.get("/api/v1/cases?tab=mine").get_json()]
