""" "+1" 交办 on Cuntan's pack through its page: the community secretary
assigns a grid of her community a task with a deadline; it appears in the
grid worker's round on 我的职责 and is ticked there like a listed item;
a grid outside her community, a past deadline and a deadline after the
rounds close are refused in words, and nothing is added."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from onegrid.store import Item, utcnow
from onegrid.web import db
from web import test_duties_web as duties
from web.webapp import PASSWORD

# its Cuntan database with this period's rounds open, and its users (ct_sec, ct_gw)
cuntan_db, app, GRID = duties.cuntan_db, duties.app, duties.GRID
OTHER = "g.cuntan.01"  # a grid of another community


def login(client, who):
    client.post("/auth/login", data={"username": who, "password": PASSWORD})


def tasks(app) -> list[dict]:
    with app.app_context():
        rows = db.session().query(Item).filter(Item.unit == GRID).all()
        return [t for r in rows for t in (r.result or {}).get("tasks") or ()]


def today() -> dt.date:
    return (utcnow() + dt.timedelta(hours=8)).date()  # Chongqing


def test_a_superior_assigns_a_task_and_the_holder_ticks_it(app):
    client = app.test_client()
    login(client, "ct_sec")
    page = client.get("/duties/assign/")
    assert page.status_code == 200
    assert f'<option value="{GRID}"' in page.text and "兰溪社区第1网格" in page.text
    form = client.get(f"/duties/assign/?holder={GRID}").text
    assert "交办事项" in form and "完成期限" in form
    due = today().isoformat()
    done = client.post(
        f"/duties/assign/?holder={GRID}", data={"task": "协助冬季消防检查", "due": due}
    )
    assert done.status_code == 303
    assert "已交办的任务" in client.get(done.headers["Location"]).text
    [task] = tasks(app)
    assert (task["name"]["zh"], task["due"], task["by"]) == ("协助冬季消防检查", due, "ct_sec")
    client.post("/auth/logout")

    login(client, "ct_gw")
    mine = client.get("/duties/").text
    assert "协助冬季消防检查" in mine
    found = re.search(r'action="(/duties/\d+/\+1\?version=\d+[^"]*)"', mine).group(1)
    target = html.unescape(found)  # with the form's once token
    ticked = client.post(target, data={"record": "检查 12 户，发现 1 处隐患"})
    assert ticked.status_code == 303
    assert client.get("/duties/assign/").status_code == 200  # a grid worker: nobody below
    assert "您没有可交办任务的下级" in client.get("/duties/assign/").text
    with app.app_context():
        rows = db.session().query(Item).filter(Item.unit == GRID).all()
        [tick] = [t for r in rows for t in ((r.result or {}).get("ticks") or {}).get("+1", ())]
    assert tick["late"] is False and tick["by"] == "ct_gw"


@pytest.mark.parametrize(
    ("holder", "due", "status", "text"),
    [
        ("g.other", 2, 403, "不是您的下级"),
        (GRID, -1, 422, "已过（今天是"),
        (GRID, 400, 409, "晚于“兰溪社区第1网格”本期职责的关闭日"),
    ],
)
def test_refusals_say_why_and_add_nothing(app, cuntan_db, holder, due, status, text):
    client = app.test_client()
    login(client, "ct_sec")
    if holder == "g.other":
        holder = OTHER
    day = (today() + dt.timedelta(days=due)).isoformat()
    r = client.post(f"/duties/assign/?holder={holder}", data={"task": "临时任务", "due": day})
    assert r.status_code == status, r.text
    assert text in r.text
    assert tasks(app) == []
