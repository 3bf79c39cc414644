"""Person records through the pages on Jinshui's pack: a party member with
no account registers in her home grid on the self-service page (bounded and
throttled like the other anonymous doors), the grid's party branch confirms
on /posts/, the people page lists her (phone masked outside
administration), an administrator links her record to an account, and the
grids report page counts her beside the registry's figures."""

from __future__ import annotations

import html
import re
import shutil

import pytest
from sqlalchemy import func, select

from onegrid.store import Item, Person, accounts
from onegrid.store import sessions as store_sessions
from onegrid.web import create_app, db
from onegrid.workflow.rounds import open_rounds
from web.test_admission_web import make
from web.webapp import FAST_HASH, PASSWORD, PROJECT, config

GRID = "g.jingbalu.1.1"
USERS = {
    "js_sec": ("grid_branch_secretary", GRID),
    "js_other": ("grid_branch_secretary", "g.jingbalu.1.2"),
}
ZHANG = {
    "name": "张建国",
    "phone": "138 0000 0001",
    "party_member": "yes",
    "home_grid": GRID,
    "post": "dl.six.law",
}


@pytest.fixture(scope="module")
def jinshui_db(tmp_path_factory):
    folder = make(tmp_path_factory, "jinshui", USERS)
    app = create_app(config(PROJECT / "catalogs" / "jinshui", folder.parent))
    with app.app_context():
        accounts.create_user(db.session(), "root", PASSWORD, is_admin=True, method=FAST_HASH)
        accounts.create_user(db.session(), "zhang", PASSWORD, method=FAST_HASH)
        db.session().commit()
    db.engine(app).dispose()
    return folder


def app_for(jinshui_db, tmp_path, **extra):
    shutil.copy(jinshui_db, tmp_path / "onegrid.sqlite")
    return create_app(config(PROJECT / "catalogs" / "jinshui", tmp_path, **extra))


@pytest.fixture
def app(jinshui_db, tmp_path):
    app = app_for(jinshui_db, tmp_path)
    yield app
    db.engine(app).dispose()


def login(client, who):
    client.post("/auth/login", data={"username": who, "password": PASSWORD})


def stored(app):
    with app.app_context():
        s = db.session()
        return (
            s.scalar(select(func.count()).select_from(Person)),
            s.scalar(select(func.count()).select_from(Item)),
        )


def test_a_member_without_an_account_registers_and_the_branch_confirms(app):
    client = app.test_client()
    page = client.get("/posts/join")
    assert page.status_code == 200
    assert "无需账号" in page.text and "法治建设宣传员" in page.text
    key = re.search(r"/posts/join\?key=([\w-]+)", page.text).group(1)
    done = client.post(f"/posts/join?key={key}", data=ZHANG)
    assert done.status_code == 303 and "/posts/join/" in done.headers["Location"]
    again = client.post(f"/posts/join?key={key}", data=ZHANG)  # a double submit
    assert again.headers["Location"] == done.headers["Location"]
    assert stored(app) == (1, 1)
    shown = client.get(done.headers["Location"])
    assert "待网格党支部确认" in shown.text and "张建国" not in shown.text

    login(client, "js_other")  # the branch of another grid sees nobody
    assert "张建国" not in client.get("/people/").text
    client.post("/auth/logout")
    login(client, "js_sec")
    listed = client.get("/people/")
    assert "张建国" in listed.text and "138****0001" in listed.text
    assert "13800000001" not in listed.text
    posts = client.get("/posts/").text
    target = re.search(r'action="(/posts/\d+/act/claim\.confirm\?version=\d+)"', posts).group(1)
    assert client.post(target).status_code == 303
    assert "已确认" in client.get("/people/").text
    client.post("/auth/logout")

    login(client, "root")
    report = client.get("/admin/registry").text
    assert "在册人员" in report
    role, post = [line.split() for line in report.splitlines() if "法治建设宣传员" in line]
    # the role's people and accounts with no person record; the post's
    assert (role[1:], post[1:]) == (["1", "0"], ["1", "1/500"])
    person_id = int(re.search(r'data-person="(\d+)"', client.get("/people/").text).group(1))
    refused = client.post(
        f"/people/{person_id}/link", data={"username": "nobody"}, follow_redirects=True
    )
    assert "没有用户 &#39;nobody&#39;" in refused.text
    client.post(f"/people/{person_id}/link", data={"username": "zhang"})
    page = client.get(f"/people/{person_id}").text
    assert 'id="account">zhang<' in page and "13800000001" in page
    assert "关联账号" in page and "登记" in page
    client.post("/auth/logout")

    # the sweep opens her post's rounds; she ticks one on 我的职责 from her account
    with app.app_context():
        open_rounds(store_sessions(db.engine()))
    login(client, "zhang")
    mine = client.get("/duties/").text
    assert "法治建设宣传员" in mine and "张建国" in mine
    found = re.search(r'action="(/duties/\d+/d\.law\.2\?version=\d+[^"]*)"', mine).group(1)
    target = html.unescape(found)  # with the form's once token
    assert client.post(target, data={"record": "为 2 户居民指引法律援助"}).status_code == 303
    assert "随事销号 1 次" in client.get("/duties/").text


def secretaries(report: str) -> list[str]:
    """The registry page's row of the branch secretaries among people on record."""
    text = html.unescape(report)
    people = text[text.index("在册人员") :]
    return next(line.split() for line in people.splitlines() if "网格党支部书记" in line)


def test_an_administrator_records_a_staff_member_and_the_report_counts_her(app):
    client = app.test_client()
    login(client, "root")
    # two secretaries' accounts and no person record: no one on record
    assert secretaries(client.get("/admin/registry").text)[-2:] == ["0", "2"]
    page = client.get("/people/")
    assert 'id="record-form"' in page.text and "居住地网格（编号或名称）" in page.text
    typed = {
        "name": "王芳",
        "phone": "1370000",
        "home_grid": "金八路一号网格",
        "username": "js_sec",
    }
    refused = client.post("/people/", data={**typed, "phone": "12"})
    assert refused.status_code == 422
    assert "手机号码只能包含数字" in refused.text and 'value="王芳"' in refused.text
    unknown = client.post("/people/", data={**typed, "phone": "13700000003"})
    assert unknown.status_code == 422 and "没有叫“金八路一号网格”的网格" in unknown.text
    assert stored(app) == (0, 0)  # nothing half-made
    # the grid by its name, as the registry spells it
    done = client.post(
        "/people/", data={**typed, "phone": "13700000003", "home_grid": "和平社区第1网格"}
    )
    assert done.status_code == 303
    shown = client.get(done.headers["Location"]).text
    assert 'id="account">js_sec<' in shown and "已登记 王芳" in shown and "和平社区第1网格" in shown
    # one secretary is now somebody; the other is still an account alone
    assert secretaries(client.get("/admin/registry").text)[-2:] == ["1", "1"]
    exported = client.get("/people/export.csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    lines = exported.data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("编号,姓名,手机,中共党员,居住地网格")
    assert lines[1].split(",")[1:] == ["王芳", "13700000003", "否", "和平社区第1网格", "", "js_sec"]
    assert client.get("/people/export.xlsx").data[:2] == b"PK"  # a zip: the Excel file
    client.post("/auth/logout")
    login(client, "js_sec")  # not an administrator: the phone masked, as on the page
    assert "137****0003" in client.get("/people/export.csv").data.decode("utf-8-sig")
    client.post("/auth/logout")
    login(client, "js_other")
    assert client.post("/people/", data=typed).status_code == 404  # administrators only
    assert stored(app) == (1, 0)


def test_self_service_refusals_name_the_field_and_keep_what_was_typed(app):
    client = app.test_client()
    client.post("/posts/join", data=ZHANG)
    other = {**ZHANG, "name": "李四"}
    page = client.post("/posts/join", data=other)
    assert page.status_code == 422
    assert "这个手机号码已由另一人登记" in page.text and 'value="李四"' in page.text
    second = client.post("/posts/join", data={**ZHANG, "post": "dl.six.safety"})
    assert second.status_code == 422 and "每人认领一个岗位" in second.text
    assert stored(app) == (1, 1)


def test_the_self_service_door_is_throttled_and_bounded(jinshui_db, tmp_path):
    app = app_for(jinshui_db, tmp_path, ONEGRID_THROTTLES={"register-address": (2, 3600)})
    client = app.test_client()
    for n in range(2):
        assert (
            client.post("/posts/join", data={**ZHANG, "phone": f"1380000000{n}"}).status_code == 303
        )
    blocked = client.post("/posts/join", data={**ZHANG, "phone": "13800000009"})
    assert blocked.status_code == 429 and "登记次数过多" in blocked.text
    assert stored(app) == (2, 2)
    big = client.post("/posts/join", data={**ZHANG, "name": "张" * 20_000})
    assert big.status_code == 413
    db.engine(app).dispose()
