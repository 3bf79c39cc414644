"""People and roles in the administration pages: an administrator creates a
user, gives and takes roles, resets the password and disables the account;
each change is audited, and the user's access follows at once."""

from __future__ import annotations

import html
import json
import re

from sqlalchemy import select

from onegrid.store import AuditEntry
from onegrid.web import db
from onegrid.workflow import verify
from web.webapp import PASSWORD


def login(client, username, password=PASSWORD):
    client.post("/auth/logout")
    return client.post("/auth/login", data={"username": username, "password": password})


def flashes(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<p class="flash">([^<]*)</p>', page)]


def test_an_administrator_manages_a_user_end_to_end(app, client):
    assert login(client, "admin").status_code == 302
    page = client.get("/admin/users/").get_data(as_text=True)
    assert 'data-user="urban"' in page and "城管局" in page  # roles shown by name

    # a mistyped unit is refused with did-you-mean, and nothing is created
    r = client.post(
        "/admin/users/",
        data={"username": "liu", "name": "刘", "role": "dept_handler", "unit": "dept.urbn"},
        follow_redirects=True,
    )
    said = flashes(r.get_data(as_text=True))
    assert said == ["策略包中没有单位、部门或企业 'dept.urbn'；你是不是想写 'dept.urban'？"], said
    assert 'data-user="liu"' not in r.get_data(as_text=True)

    r = client.post(
        "/admin/users/",
        data={"username": "liu", "name": "刘", "role": "dept_handler", "unit": "dept.urban"},
        follow_redirects=True,
    )
    page = r.get_data(as_text=True)
    first = re.search(r"已创建用户 liu，初始密码：(\S+?)<", page).group(1)
    assert 'data-role="dept_handler" data-unit="dept.urban"' in page

    # the new user works the lead's step of case 1 straight away
    other = app.test_client()
    assert login(other, "liu", first).status_code == 302
    assert "/cases/1/act/handle" in other.get("/cases/1").get_data(as_text=True)

    # give a role, take the first away: the user's session ends, the case leaves
    r = client.post(
        "/admin/users/liu/bind", data={"role": "dept_handler", "unit": "dept.housing"},
        follow_redirects=True,
    )  # fmt: skip
    assert 'data-unit="dept.housing"' in r.get_data(as_text=True)
    # the flash says what was done, in names (flashes everywhere, issue 14 point 8)
    flash = re.search(r'<p class="flash">([^<]*)</p>', r.get_data(as_text=True)).group(1)
    assert flash.startswith("已授予liu“") and "dept_handler" not in flash
    r = client.post(
        "/admin/users/liu/unbind", data={"role": "dept_handler", "unit": "dept.urban"},
        follow_redirects=True,
    )  # fmt: skip
    assert re.search(
        r'<p class="flash">已收回liu的“[^<]*”角色（[^<]*）</p>', r.get_data(as_text=True)
    )
    assert other.get("/cases/1").status_code in (302, 404)

    # a reset password: the old one stops working
    r = client.post("/admin/users/liu/reset", follow_redirects=True)
    second = re.search(r"已重置 liu 的密码，新密码：(\S+?)<", r.get_data(as_text=True)).group(1)
    assert login(other, "liu", first).status_code != 302
    assert login(other, "liu", second).status_code == 302
    assert other.get("/cases/2").status_code == 200  # housing leads case 2

    # disabled: the session and the API token die with it
    client.post("/admin/users/liu/disable")
    assert other.get("/cases/2").status_code == 302  # back to the login page
    assert login(other, "liu", second).status_code != 302
    page = client.get("/admin/users/liu").get_data(as_text=True)
    assert 'data-active="no"' in page
    history = page[page.index('id="history"') :]
    for action in ("user.create", "user.bind", "user.unbind", "user.password", "user.disable"):
        assert f'data-action="{action}"' in history
    assert "授予角色" in history and "重置密码" in history

    with app.app_context():
        session = db.session()
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.case_id.is_(None), AuditEntry.action.like("user.%"))
        ).all()
        data = [json.loads(r.payload) for r in rows]
        assert [(d["action"], d["actor"]) for d in data][-5:] == [
            ("user.create", "admin"), ("user.bind", "admin"), ("user.unbind", "admin"),
            ("user.password", "admin"), ("user.disable", "admin"),
        ]  # fmt: skip
        assert not any(first in r.payload or second in r.payload for r in rows)
        assert verify(session).ok


def test_the_last_administrator_cannot_be_disabled(client):
    login(client, "admin")
    r = client.post("/admin/users/admin/disable", follow_redirects=True)
    assert flashes(r.get_data(as_text=True)) == ["不能停用最后一个可用的管理员"]
    assert 'data-active="yes"' in r.get_data(as_text=True)


def test_staff_cannot_see_or_change_people(client):
    login(client, "urban")
    assert client.get("/admin/users/").status_code == 404
    assert client.post("/admin/users/urban/reset").status_code == 404
    assert client.post("/admin/users/", data={"username": "x1", "name": "x"}).status_code == 404
