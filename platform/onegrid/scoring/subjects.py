"""Who a scheme scores: read from the pack's own org file and the staff
accounts, never from level names written in Python.

A scheme's `subject` is a role id (the active staff bound to that role, each
answering for the units she is bound to in it), a level id (the org units at
that level, the registry's grids included), `department` (optionally only
the `types` listed) or `enterprise`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from onegrid.store.accounts import RoleBinding, User


@dataclass(frozen=True)
class Subject:
    key: str
    name: object  # text or {zh, en}
    units: tuple[str, ...]  # the org units it answers for
    keys: frozenset[tuple[str, str]]


def kind_of(book, subject: str) -> str:
    """`role`, `level`, `department` or `enterprise` (what the id names)."""
    if subject in book.roles:
        return "role"
    if subject in book.levels:
        return "level"
    return subject


def subjects(session, book, scheme) -> list[Subject]:
    subject, types = scheme["subject"], set(scheme.get("types") or ())
    kind = kind_of(book, subject)
    if kind == "level":
        items = [u for u in book.units.values() if u.get("level") == subject]
    elif kind == "department":
        items = [d for d in book.departments.values() if not types or d.get("type") in types]
    elif kind == "enterprise":
        items = list(book.enterprises.values())
    else:
        return _staff(session, subject)
    return [
        Subject(i["id"], i.get("name", i["id"]), (i["id"],), frozenset({("unit", i["id"])}))
        for i in items
    ]


def _staff(session, role: str) -> list[Subject]:
    rows = session.execute(
        select(User.username, User.name, RoleBinding.unit)
        .join(RoleBinding, RoleBinding.user_id == User.id)
        .where(RoleBinding.role == role, User.active.is_(True))
        .order_by(User.username, RoleBinding.unit)
    ).all()
    people: dict[str, tuple[str, list[str]]] = {}
    for username, name, unit in rows:
        people.setdefault(username, (name or username, []))[1].append(unit)
    return [
        Subject(
            username,
            name,
            tuple(units),
            frozenset({("person", username), *(("unit", u) for u in units)}),
        )
        for username, (name, units) in people.items()
    ]


def every_unit(book) -> list[Subject]:
    """Every org unit, department and enterprise (the dashboard's rollup)."""
    items = [*book.units.values(), *book.departments.values(), *book.enterprises.values()]
    return [
        Subject(i["id"], i.get("name", i["id"]), (i["id"],), frozenset({("unit", i["id"])}))
        for i in items
    ]
