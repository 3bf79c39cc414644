"""Object-level scoping: the one place that decides which cases a user sees.

Every list, search, export, attachment and single-case lookup in the pages,
the JSON API and Open311 goes through `visible(user)` or `case_or_404`, so
a case outside the user's scope answers 404 everywhere alike.

A binding to an org unit sees the cases that happened in that unit or below
it, or that are led by such a unit (a grid worker: her grid; a street: its
communities and their grids); a binding to a department or enterprise sees
the cases dispatched to it, as lead or as an assistant, once they have
been dispatched (a routed case the dispatcher has not handed over yet is
not the department's to see), except a command
centre (a department of type `centre`), which dispatches and so sees every
case of its area (its `unit`, else the whole pack). Everyone sees the
cases they reported themselves. Administrators see every case. Without
an account, Open311 readers see the requests Open311 clients filed, of
matters not declared private; a client key sees those and its own.

Each case stores who may see it (`case_access`, kept at every step by
workflow/visibility.py): the units from its place and its lead up to the
top, its lead, assistants and enterprise once dispatched, its reporter. A
user's scope is then their few parties (`parties(user)`), so every list is
a range scan of that table's key, never an IN list of the units of an area.
"""

from __future__ import annotations

from flask import abort
from sqlalchemy import Select, and_, exists, false, or_, select

from onegrid.store import Case
from onegrid.store.accounts import User
from onegrid.store.clients import CaseClient
from onegrid.web import bounds, db, policyview
from onegrid.workflow import visibility


def reach(user: User) -> tuple[set[str], set[str]]:
    """(org units in scope, departments and enterprises in scope)."""
    loaded = policyview.load()
    policy = loaded.policy
    units: set[str] = set()
    bodies: set[str] = set()
    for binding in user.bindings:
        if loaded.unit(binding.unit) is not None:
            units |= loaded.subtree(binding.unit)
            continue
        bodies.add(binding.unit)
        department = policy.get("department", binding.unit) if policy is not None else None
        if department is not None and department.get("type") == "centre":
            # a command centre dispatches every case of its area, so it sees them all
            units |= loaded.subtree(department.get("unit") or loaded.top())
    return units, bodies


def parties(user: User) -> list[str]:
    """The user's parties in `case_access`: a few strings, whatever the size
    of the user's area (store/access.py)."""
    loaded = policyview.load()
    policy = loaded.policy
    out = [visibility.reporter_party(user.username)]
    for binding in user.bindings:
        if loaded.unit(binding.unit) is not None:
            out.append(visibility.unit_party(binding.unit))
            continue
        out.append(visibility.body_party(binding.unit))
        department = policy.get("department", binding.unit) if policy is not None else None
        if department is not None and department.get("type") == "centre":
            # a command centre dispatches every case of its area, so it sees them all
            area = department.get("unit") or loaded.top()
            if area:
                out.append(visibility.unit_party(area))
    return sorted(set(out))


def condition(user: User | None):
    """The WHERE clause of the user's cases: one semi-join on the stored
    visible-to set, a range scan of its primary key per party."""
    if user is None:
        return false()
    if user.is_admin:
        return Case.id.is_not(None)
    return visibility.among(parties(user))


def visible(user: User | None) -> Select:
    """SELECT of the cases the user may see; add filters and order to it."""
    return select(Case).where(condition(user))


def matter_visibility(matter_id: str | None) -> str:
    """A matter's `visibility` (public, summary, private) in the served pack;
    a matter the pack no longer has is private."""
    policy = policyview.load().policy
    matter = policy.get("matter", matter_id) if policy is not None and matter_id else None
    if matter is None:
        return "private"
    return matter.get("visibility") or "public"


def listed_matters() -> list[str]:
    """The matters whose requests anyone may list: all but the private ones."""
    policy = policyview.load().policy
    if policy is None:
        return []
    return [m["id"] for m in policy.items("matter") if matter_visibility(m["id"]) != "private"]


def filed_by_a_client():
    """The case was filed through the Open311 door with a client key: the
    door and the credential say so, never the channel a client picked."""
    return exists().where(CaseClient.case_id == Case.id)


def visible_public() -> Select:
    """What anyone may read without logging in: requests filed by Open311
    clients (the public view a 311 server gives) of matters not private."""
    return select(Case).where(filed_by_a_client(), Case.matter.in_(listed_matters()))


def visible_to_client(client) -> Select:
    """An Open311 client key: the public view, and its own requests whole."""
    own = exists().where(CaseClient.case_id == Case.id, CaseClient.client_id == client.id)
    return select(Case).where(
        or_(own, and_(filed_by_a_client(), Case.matter.in_(listed_matters())))
    )


def filed_by(case: Case, client) -> bool:
    """Whether the client filed this case (it then reads the case whole)."""
    if client is None:
        return False
    found = db.session().scalar(select(CaseClient.client_id).where(CaseClient.case_id == case.id))
    return found == client.id


def case_or_404(user: User | None, case_id: int) -> Case:
    if bounds.case_id(case_id) is None:  # above BIGINT: no such row, and no overflow
        abort(404)
    case = db.session().scalar(visible(user).where(Case.id == case_id))
    if case is None:
        abort(404)
    return case
