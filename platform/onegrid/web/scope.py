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
an account, Open311 readers see the requests filed through Open311.
"""

from __future__ import annotations

from flask import abort
from sqlalchemy import Select, String, and_, cast, exists, false, or_, select

from onegrid.store import AuditEntry, Case
from onegrid.store.accounts import User
from onegrid.web import bounds, db, policyview

PUBLIC_CHANNEL = "open311"


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


def _like_member(value: str) -> str:
    """A LIKE pattern matching the JSON string "value" inside a JSON list."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f'%"{escaped}"%'


def condition(user: User | None):
    """The WHERE clause of the user's cases."""
    if user is None:
        return false()
    if user.is_admin:
        return Case.id.is_not(None)
    units, bodies = reach(user)
    terms = [Case.reporter == user.username]
    if units:
        terms += [Case.place.in_(units), Case.unit.in_(units)]
    if bodies:
        named = [Case.unit.in_(bodies)]
        named += [cast(Case.assistants, String).like(_like_member(b), escape="\\") for b in bodies]
        terms.append(and_(dispatched(), or_(*named)))
    return or_(*terms)


def handovers() -> set[str]:
    """The transitions that hand a case to its handlers: those into a state
    whose running step is `handle` (the closed loop's dispatch, and reopen)."""
    policy = policyview.load().policy
    workflow = policy.section("workflow") if policy is not None else {}
    handling = {s.get("id") for s in workflow.get("states") or () if s.get("step") == "handle"}
    ids = {t.get("id") for t in workflow.get("transitions") or () if t.get("to") in handling}
    return ids or {"dispatch"}


def dispatched():
    """The case has been handed over at least once (its trail says so)."""
    return exists().where(AuditEntry.case_id == Case.id, AuditEntry.action.in_(handovers()))


def visible(user: User | None) -> Select:
    """SELECT of the cases the user may see; add filters and order to it."""
    return select(Case).where(condition(user))


def visible_public() -> Select:
    """What anyone may read without logging in: requests filed through Open311
    (the public view a 311 server gives), and nothing else."""
    return select(Case).where(Case.channel == PUBLIC_CHANNEL)


def case_or_404(user: User | None, case_id: int) -> Case:
    if bounds.case_id(case_id) is None:  # above BIGINT: no such row, and no overflow
        abort(404)
    case = db.session().scalar(visible(user).where(Case.id == case_id))
    if case is None:
        abort(404)
    return case
