"""The closed loop through the staff pages: report, accept, dispatch, handle,
feed back, evaluate, each by the user whose turn it is."""

import re

from web.webapp import PASSWORD


def login(client, username):
    client.post("/auth/logout")
    r = client.post("/auth/login", data={"username": username, "password": PASSWORD})
    assert r.status_code == 302, r.get_data(as_text=True)


def act(client, case_id, action, data=None):
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    m = re.search(rf'action="(/cases/{case_id}/act/{action}\?version=\d+[^"]*)"', page)
    assert m, f"{action} not offered:\n{page}"
    r = client.post(m.group(1).replace("&amp;", "&"), data=data or {})
    assert r.status_code == 303, r.get_data(as_text=True)
    return client.get(f"/cases/{case_id}").get_data(as_text=True)


def test_walk_the_loop(client):
    login(client, "gw_a")
    r = client.get("/cases/new?matter=m.litter&place=grid.a1", follow_redirects=True)
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    m = re.search(r'action="(/cases/new\?[^"]+)"', page)
    target = m.group(1).replace("&amp;", "&")
    r = client.post(target, data={"description": "", "count": "0"})
    assert r.status_code == 422
    assert "问题描述" in r.get_data(as_text=True)
    r = client.post(target, data={"description": "路口有垃圾", "count": "3"})
    assert r.status_code == 302, r.get_data(as_text=True)
    case_id = int(r.headers["Location"].rsplit("/", 1)[1])
    said = client.get(r.headers["Location"]).get_data(as_text=True)
    assert f"已上报：案件 #{case_id}（" in said and "下一步：" in said
    # a double submit of the same form opens no second case, and says so
    again = client.post(target, data={"description": "路口有垃圾", "count": "3"})
    assert again.headers["Location"] == r.headers["Location"]
    said = client.get(again.headers["Location"]).get_data(as_text=True)
    assert f"这份上报已提交过：案件 #{case_id}（" in said and "未重复上报" in said

    login(client, "dispatcher")
    act(client, case_id, "accept")
    act(client, case_id, "dispatch")
    login(client, "urban")
    act(client, case_id, "handle", {"result": "已清理"})
    login(client, "dispatcher")
    act(client, case_id, "feed_back", {"message": "已清理完毕"})
    login(client, "gw_a")
    page = act(client, case_id, "approve", {"comment": "满意"})
    assert 'id="state" data-state="closed">已办结<' in page
    for step in ("accept", "dispatch", "handle", "feed_back", "approve"):
        assert f'data-action="{step}"' in page
    # the evaluation step sees what was done and said
    for said in ("处置情况", "已清理", "反馈内容", "已清理完毕"):
        assert said in page


def test_case_page_says_why_it_was_routed_there(client):
    login(client, "housing")
    page = client.get("/cases/2").get_data(as_text=True)
    why = page[page.index('id="why"') :]
    assert "按《吹哨报到》" in why and "协办：城管局" in why
    # the rule's file and line are for administrators only
    assert "routing.yaml:" not in why and "whistle/pothole_needs_urban" not in why
    data = client.get("/api/v1/cases/2").get_json()
    assert data["assistants"] == ["dept.urban"]
    assert not any("routing.yaml" in line for line in data["why"])
    login(client, "admin")
    page = client.get("/cases/2").get_data(as_text=True)
    why = page[page.index('id="why"') :]
    assert "whistle/pothole_needs_urban" in why and "routing.yaml:" in why
    data = client.get("/api/v1/cases/2").get_json()
    assert any("whistle/pothole_needs_urban" in line for line in data["why"])


def test_a_stale_action_is_a_conflict_not_an_overwrite(app):
    first, second = app.test_client(), app.test_client()
    login(first, "gw_a")
    body = {"matter": "m.litter", "place": "grid.a1", "submission": {"description": "并发"}}
    case = first.post("/api/v1/cases", json=body).get_json()["id"]
    login(first, "dispatcher")
    login(second, "dispatcher")
    page = second.get(f"/cases/{case}").get_data(as_text=True)  # seen at version 1
    stale = re.search(rf'action="(/cases/{case}/act/accept\?version=1[^"]*)"', page).group(1)
    act(first, case, "accept")
    r = second.post(stale.replace("&amp;", "&"))
    assert r.status_code == 303
    assert "已被他人更新" in second.get(f"/cases/{case}").get_data(as_text=True)
    r = second.post(f"/api/v1/cases/{case}/actions/dispatch", json={"version": 1})
    assert r.status_code == 409 and r.get_json()["error"] == "conflict"
    trail = [s["action"] for s in second.get(f"/api/v1/cases/{case}/trail").get_json()]
    assert trail == ["open", "accept"]


def test_api_report_is_idempotent(client):
    login(client, "gw_a")
    body = {"matter": "m.litter", "place": "grid.a1", "submission": {"description": "重复提交"}}
    headers = {"Idempotency-Key": "phone-42"}
    one = client.post("/api/v1/cases", json=body, headers=headers)
    two = client.post("/api/v1/cases", json=body, headers=headers)
    assert one.status_code == two.status_code == 201
    assert one.get_json()["id"] == two.get_json()["id"]
    other = {**body, "submission": {"description": "另一份内容"}}
    assert client.post("/api/v1/cases", json=other, headers=headers).status_code == 409
