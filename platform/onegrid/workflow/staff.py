"""People and roles: creating, disabling and binding staff, resetting
passwords, importing a CSV of staff; every change is a platform audit row.

A binding gives one role of the pack's `org.roles` at one place the pack
knows: an org unit (a registry grid too), a department or post, or an
enterprise. The pages (`onegrid.web.people`) and `onegrid users` call the
functions here, so both refuse the same things with the same words. The
caller commits; on a problem nothing is changed (`OnegridError`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import secrets
from dataclasses import dataclass, field

from sqlalchemy import select

from onegrid import messages
from onegrid.errors import Loc, OnegridError, Problem
from onegrid.policy.suggest import did_you_mean
from onegrid.store.accounts import RoleBinding, User, create_user, end_sessions
from onegrid.store.base import utcnow
from onegrid.workflow import audit

messages.register(
    {
        "staff-unknown-role": {
            "zh": "策略包没有角色 '{role}'",
            "en": "the pack has no role '{role}'",
        },
        "staff-unknown-unit": {
            "zh": "策略包中没有单位、部门或企业 '{unit}'",
            "en": "the pack has no unit, department or enterprise '{unit}'",
        },
        "staff-bad-username": {
            "zh": "用户名 '{username}' 无效：须为 2–64 个字母、数字或 . _ @ -",
            "en": "the username '{username}' is not valid: 2-64 letters, digits or . _ @ -",
        },
        "staff-exists": {
            "zh": "用户 '{username}' 已存在",
            "en": "the user '{username}' exists already",
        },
        "staff-unknown-user": {
            "zh": "没有用户 '{username}'",
            "en": "there is no user '{username}'",
        },
        "staff-short-password": {
            "zh": "密码至少 {min} 个字符",
            "en": "a password needs {min} characters at least",
        },
        "staff-not-bound": {
            "zh": "用户 '{username}' 在 {unit} 没有角色 {role}",
            "en": "the user '{username}' holds no role {role} at {unit}",
        },
        "staff-last-admin": {
            "zh": "不能停用最后一个可用的管理员",
            "en": "the last active administrator cannot be disabled",
        },
        "staff-csv-header": {
            "zh": "人员表缺少列：{columns}（应有 username, name, role, unit；password 可选）",
            "en": "the staff table lacks the column(s) {columns} (username, name, role, unit; password optional)",
        },
        "staff-csv-conflict": {
            "zh": "用户 '{username}' 的姓名与第 {line} 行不同",
            "en": "the name of '{username}' differs from line {line}",
        },
    }
)

USERNAME = re.compile(r"^[A-Za-z0-9._@-]{2,64}$")
MIN_PASSWORD = 8
CSV_COLUMNS = ("username", "name", "role", "unit")


def places(book) -> dict[str, dict]:
    """Every place a role may be held at: units (grids too), departments, enterprises."""
    return {**book.units, **book.departments, **book.enterprises}


def binding_problems(book, role: str, unit: str, loc: Loc | None = None) -> list[Problem]:
    out = []
    if role not in book.roles:
        out.append(
            Problem("staff-unknown-role", {"role": role}, loc, did_you_mean(role, book.roles))
        )
    known = places(book)
    if unit not in known:
        out.append(Problem("staff-unknown-unit", {"unit": unit}, loc, did_you_mean(unit, known)))
    return out


def find(session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise OnegridError(Problem("staff-unknown-user", {"username": username}))
    return user


def _record(session, action: str, by: str | None, data: dict, now: dt.datetime | None) -> None:
    # a platform row (no case): who changed whom, never a password
    audit.append(session, None, action, by, now or utcnow(), data)


def new_password() -> str:
    return secrets.token_urlsafe(9)


def _password_problems(password: str) -> list[Problem]:
    if len(password) < MIN_PASSWORD:
        return [Problem("staff-short-password", {"min": MIN_PASSWORD})]
    return []


def create(
    session,
    book,
    username: str,
    name: str = "",
    bindings: list[tuple[str, str]] = (),
    password: str | None = None,
    is_admin: bool = False,
    by: str | None = None,
    now: dt.datetime | None = None,
    method: str = "scrypt",
) -> tuple[User, str]:
    """The new user and their password (random unless given)."""
    problems = []
    if not USERNAME.match(username or ""):
        problems.append(Problem("staff-bad-username", {"username": username}))
    elif session.scalar(select(User.id).where(User.username == username)) is not None:
        problems.append(Problem("staff-exists", {"username": username}))
    for role, unit in bindings:
        problems += binding_problems(book, role, unit)
    if password is not None:
        problems += _password_problems(password)
    if problems:
        raise OnegridError(problems)
    password = password or new_password()
    user = create_user(
        session,
        username,
        password,
        name=name,
        bindings=list(bindings),
        is_admin=is_admin,
        method=method,
    )
    _record(
        session,
        "user.create",
        by,
        {
            "user": username,
            "name": user.name,
            "admin": is_admin,
            "bindings": [[r, u] for r, u in bindings],
        },
        now,
    )
    return user, password


def set_active(session, username: str, active: bool, by: str | None = None, now=None) -> User:
    user = find(session, username)
    if not active and user.is_admin and user.active:
        others = session.scalar(
            select(User.id).where(
                User.is_admin.is_(True), User.active.is_(True), User.id != user.id
            )
        )
        if others is None:
            raise OnegridError(Problem("staff-last-admin", {}))
    if user.active == active:
        return user
    user.active = active
    if not active:
        end_sessions(user)  # a disabled user's open sessions end now
    _record(session, "user.enable" if active else "user.disable", by, {"user": username}, now)
    session.flush()
    return user


def bind(
    session, book, username: str, role: str, unit: str, by: str | None = None, now=None
) -> User:
    user = find(session, username)
    problems = binding_problems(book, role, unit)
    if problems:
        raise OnegridError(problems)
    if any(b.role == role and b.unit == unit for b in user.bindings):
        return user
    user.bindings.append(RoleBinding(role=role, unit=unit))
    _record(session, "user.bind", by, {"user": username, "role": role, "unit": unit}, now)
    session.flush()
    return user


def unbind(session, username: str, role: str, unit: str, by: str | None = None, now=None) -> User:
    user = find(session, username)
    held = [b for b in user.bindings if b.role == role and b.unit == unit]
    if not held:
        raise OnegridError(
            Problem("staff-not-bound", {"username": username, "role": role, "unit": unit})
        )
    for b in held:
        user.bindings.remove(b)
    end_sessions(user)  # what the old sessions were allowed is no longer so
    _record(session, "user.unbind", by, {"user": username, "role": role, "unit": unit}, now)
    session.flush()
    return user


def reset_password(
    session,
    username: str,
    password: str | None = None,
    by: str | None = None,
    now=None,
    method: str = "scrypt",
) -> str:
    """Set a new password (random unless given) and end the user's sessions."""
    user = find(session, username)
    if password is not None and _password_problems(password):
        raise OnegridError(_password_problems(password))
    password = password or new_password()
    user.set_password(password, method)
    end_sessions(user)
    _record(session, "user.password", by, {"user": username}, now)
    session.flush()
    return password


@dataclass
class Imported:
    created: list[tuple[str, str]] = field(default_factory=list)  # (username, password)
    bound: list[tuple[str, str, str]] = field(default_factory=list)  # (username, role, unit)


def import_csv(
    session,
    book,
    text: str,
    source: str = "<csv>",
    by: str | None = None,
    now=None,
    method: str = "scrypt",
) -> Imported:
    """Staff from a CSV (username, name, role, unit, optional password; one
    row per binding). Every row is checked first: one problem, nothing saved."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise OnegridError(
            Problem("staff-csv-header", {"columns": ", ".join(missing)}, Loc(source, 1, 1))
        )
    people: dict[str, dict] = {}
    problems: list[Problem] = []
    for row in reader:
        line = reader.line_num
        loc = Loc(source, line, 1)
        username = (row.get("username") or "").strip()
        role, unit = (row.get("role") or "").strip(), (row.get("unit") or "").strip()
        if not USERNAME.match(username):
            problems.append(Problem("staff-bad-username", {"username": username}, loc))
            continue
        problems += binding_problems(book, role, unit, loc)
        person = people.setdefault(
            username,
            {
                "name": (row.get("name") or "").strip(),
                "line": line,
                "bindings": [],
                "password": None,
            },
        )
        if (row.get("name") or "").strip() not in ("", person["name"]):
            problems.append(
                Problem("staff-csv-conflict", {"username": username, "line": person["line"]}, loc)
            )
        password = (row.get("password") or "").strip()
        if password:
            for p in _password_problems(password):
                problems.append(Problem(p.code, p.params, loc))
            person["password"] = password
        if (role, unit) not in person["bindings"]:
            person["bindings"].append((role, unit))
    if problems:
        raise OnegridError(problems)
    out = Imported()
    for username, person in people.items():
        existing = session.scalar(select(User).where(User.username == username))
        if existing is None:
            _, password = create(
                session, book, username, person["name"], person["bindings"], person["password"],
                by=by, now=now, method=method,
            )  # fmt: skip
            out.created.append((username, password))
            continue
        for role, unit in person["bindings"]:
            if not any(b.role == role and b.unit == unit for b in existing.bindings):
                bind(session, book, username, role, unit, by=by, now=now)
                out.bound.append((username, role, unit))
    return out
