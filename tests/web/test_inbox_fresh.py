"""Work finds people (issue 14 point 6): the open inbox asks for its counts
every minute and says when they changed, with a link to reload (never a
reload under the user's hands); the header's unread badge follows."""

from __future__ import annotations

from web.test_browser import login
from web.test_loop import login as client_login


def test_the_counts_answer_for_the_same_filters(client):
    client_login(client, "dispatcher")
    data = client.get("/inbox/counts").get_json()
    assert set(data["counts"]) == {"mine", "due_soon", "overdue", "supervised", "all"}
    assert data["counts"]["all"] == 2 and data["estimated"] == []
    assert client.get("/inbox/counts?q=nothing-like-it").get_json()["counts"]["all"] == 0
    client.post("/auth/logout")
    assert client.get("/inbox/counts").status_code == 302  # not without logging in


def test_the_open_inbox_says_when_work_arrived(page, app):
    page.clock.install()
    login(page, "dispatcher")
    before = page.get_attribute('#tabs a[data-tab="all"] .count', "data-count")
    assert page.locator("#fresh").is_hidden()
    # a grid worker reports meanwhile (through the API: another door, same engine)
    other = app.test_client()
    client_login(other, "gw_a")
    r = other.post(
        "/api/v1/cases",
        json={"matter": "m.litter", "place": "grid.a1", "submission": {"description": "新来的"}},
    )
    assert r.status_code == 201, r.get_json()
    page.clock.fast_forward(61_000)
    page.wait_for_selector("#fresh:not([hidden])")
    said = page.inner_text("#fresh")
    assert f"全部 {before} → {int(before) + 1}" in said and "待办有变化" in said
    page.click("#fresh-reload")
    page.wait_for_load_state()
    assert page.get_attribute('#tabs a[data-tab="all"] .count', "data-count") == str(
        int(before) + 1
    )
