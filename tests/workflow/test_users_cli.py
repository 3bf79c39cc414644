"""`onegrid users`: create, bind, disable, reset and import staff against a
bundled pack's org; every change is a platform audit row; bad rows are
refused with FILE:LINE and did-you-mean, and nothing is saved."""

from __future__ import annotations

import json

from sqlalchemy import select

from onegrid.store import AuditEntry, make_engine, sessions
from onegrid.store.accounts import User, authenticate

STAFF_CSV = """\
username,name,role,unit
zhao,赵一,enterprise_handler,ent.property.a
zhao,赵一,enterprise_handler,ent.property.b
qian,钱二,dept_handler,dept.enforcement_committee
sun,孙三,dispatcher,dept.platform,
"""


def users(db_url):
    engine = make_engine(db_url)
    with sessions(engine)() as session:
        out = {u.username: u for u in session.scalars(select(User))}
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
        log = [(r.action, json.loads(r.payload)["data"].get("user"), r.case_id) for r in rows]
        for u in out.values():
            u.held = sorted((b.role, b.unit) for b in u.bindings)
    engine.dispose()
    return out, log


def test_users_from_the_command_line(onegrid, db_url, tmp_path):
    base = ("--url", db_url, "--catalog", "luohu")
    r = onegrid("users", "create", "lin", "--name", "林", "--role", "mediator",
                "--unit", "dept.enforcment", *base)  # fmt: skip
    assert r.code == 1
    assert "error[staff-unknown-unit]" in r.err and "'dept.enforcement'" in r.err, r.err
    r = onegrid("users", "create", "lin", "--name", "林", "--role", "dept_handler",
                "--unit", "dept.enforcement", "--by", "admin", *base)  # fmt: skip
    assert r.code == 0 and "已创建用户 lin，初始密码：" in r.out
    first = r.out.rsplit("：", 1)[1].strip()
    r = onegrid("users", "bind", "lin", "dept_handler", "dept.enforcement_committee", *base)
    assert r.code == 0
    r = onegrid("users", "create", "lin", *base, "--lang", "en")
    assert r.code == 1 and "the user 'lin' exists already" in r.err

    staff = tmp_path / "staff.csv"
    staff.write_text(STAFF_CSV.replace("dept.platform,", "dept.platfrom,"), encoding="utf-8")
    r = onegrid("users", "import", staff, *base)
    assert r.code == 1 and f"{staff}:5:1: error[staff-unknown-unit]" in r.err, r.err
    assert "'dept.platform'" in r.err
    assert set(users(db_url)[0]) == {"lin"}  # nothing of the bad file was saved
    staff.write_text(STAFF_CSV, encoding="utf-8")
    r = onegrid("users", "import", staff, *base)
    assert r.code == 0 and "新建 3 人" in r.out, r.out + r.err

    r = onegrid("users", "reset", "lin", "--password", "short", "--url", db_url)
    assert r.code == 1 and "密码至少 8 个字符" in r.err
    r = onegrid("users", "reset", "lin", "--url", db_url)
    assert r.code == 0
    second = r.out.rsplit("：", 1)[1].strip()
    r = onegrid("users", "disable", "qian", "--url", db_url)
    assert r.code == 0
    r = onegrid("users", "list", "--url", db_url)
    assert "qian\t钱二\tdisabled\tdept_handler@dept.enforcement_committee" in r.out

    people, log = users(db_url)
    assert people["zhao"].held == [
        ("enterprise_handler", "ent.property.a"),
        ("enterprise_handler", "ent.property.b"),
    ]
    assert people["lin"].held == [
        ("dept_handler", "dept.enforcement"),
        ("dept_handler", "dept.enforcement_committee"),
    ]
    assert not people["qian"].active
    assert [(a, u) for a, u, case in log if case is None] == [
        ("user.create", "lin"), ("user.bind", "lin"), ("user.create", "zhao"),
        ("user.create", "qian"), ("user.create", "sun"), ("user.password", "lin"),
        ("user.disable", "qian"),
    ]  # fmt: skip
    assert all(first not in str(entry) and second not in str(entry) for entry in log)
    engine = make_engine(db_url)
    with sessions(engine)() as session:
        assert authenticate(session, "lin", first) is None
        assert authenticate(session, "lin", second) is not None
    engine.dispose()
    assert onegrid("audit", "verify", "--url", db_url).code == 0
