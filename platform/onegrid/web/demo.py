"""Demo users for `make serve`: one per role of the served pack, plus an
administrator and an Open311 client. Unit roles sit along one chain of
units; department roles sit in every department a route can name (lead,
assistant, a rung of a ladder) at their level, enterprise roles in every
enterprise, so that whoever a route names has a demo user who can act."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid.grids.registry import grid_units
from onegrid.messages import localized
from onegrid.policy.pack import Policy
from onegrid.store import accounts, clients
from onegrid.workflow.channels import door_channel


@dataclass
class DemoUser:
    username: str
    role: str | None
    unit: str | None
    password: str
    api_key: str | None = None


def chain(units: list[dict]) -> dict[str, str]:
    """level id → one unit, from the top unit down through first children."""
    children: dict[str | None, list] = {}
    for unit in units:
        children.setdefault(unit.get("parent"), []).append(unit)
    out: dict[str, str] = {}
    level = children.get(None) or units[:1]
    while level:
        unit = level[0]
        out.setdefault(unit["level"], unit["id"])
        level = children.get(unit["id"])
    return out


def named(policy: Policy) -> set[str]:
    """Every unit, department or enterprise a route of the pack can name:
    matters' responsible units, assistants and obliged enterprises, routing
    rules' leads, assistants and enterprises, ladders' rung leads."""
    out: set[str] = set()

    def add(value):
        if isinstance(value, str):
            out.add(value)
        elif isinstance(value, list):
            out.update(v for v in value if isinstance(v, str))

    for matter in policy.items("matter"):
        for key in ("unit", "assist", "obliged"):
            add(matter.get(key))
    for table in (policy.sections.get("routing") or {}).get("tables") or ():
        for rule in table.get("rules") or ():
            then = rule.get("then") or {}
            for key in ("lead", "assist", "enterprise"):
                add(then.get(key))
    for ladder in (policy.sections.get("escalation") or {}).get("ladders") or ():
        for rung in ladder.get("rungs") or ():
            add(rung.get("lead"))
    return out


def units_for(
    policy: Policy, role, along: dict[str, str], names: set[str] = frozenset()
) -> list[str]:
    """Where a demo holder of `role` sits: a department role in every
    department at its level that a route can name (so one demo user can act
    on any case), an enterprise role in every enterprise."""
    if role.get("bound_to") == "enterprise":
        return [e["id"] for e in policy.items("enterprise")]
    if role.get("bound_to") == "department":
        departments = policy.items("department")
        if not departments:
            return []
        if role["id"] == "dispatcher":
            centre = [d for d in departments if d.get("type") == "centre"]
            return [(centre or departments)[0]["id"]]
        named_here = [
            d["id"]
            for d in departments
            if d["id"] in names
            and d.get("type") != "centre"
            and d.get("level") == role.get("level")
        ]
        if named_here:
            return named_here
        at_level = [
            d["id"]
            for d in departments
            if d.get("type") != "centre" and d.get("level") == role.get("level")
        ]
        if at_level:
            return at_level
        leads = {m.get("unit") for m in policy.items("matter")}
        led = [d["id"] for d in departments if d["id"] in leads and d.get("type") != "centre"]
        return led or [departments[0]["id"]]
    if role.get("level") in along:
        return [along[role["level"]]]
    # no unit at that level (buildings, units): the lowest unit of the chain above it
    rank = {lv["id"]: lv.get("rank", 0) for lv in policy.items("level")}
    wanted = rank.get(role.get("level"), 0)
    above = [(rank.get(lv, 0), u) for lv, u in along.items() if rank.get(lv, 0) <= wanted]
    return [max(above)[1]] if above else []


def plan(policy: Policy) -> list[tuple[str, str, list[str]]]:
    """(username, role, units) of each demo user but the administrator and Open311."""
    along = chain([*policy.items("unit"), *grid_units(policy)])
    names = named(policy)
    out = []
    for role in policy.items("role"):
        units = units_for(policy, role, along, names)
        if units:
            out.append((role["id"], role["id"], units))
    # a named department no role's level reaches: the first department role sits there too
    departments = {d["id"] for d in policy.items("department")}
    held = {u for _, _, units in out for u in units}
    left = sorted((names & departments) - held)
    bound = {r["id"] for r in policy.items("role") if r.get("bound_to") == "department"}
    for i, (username, role, units) in enumerate(out):
        if left and role in bound and role != "dispatcher":
            out[i] = (username, role, [*units, *left])
            break
    return out


def display_name(policy: Policy, role: str | None) -> str:
    """A demo user's name as pages show it: the role's Chinese name."""
    if role is None:
        return "管理员"
    item = policy.get("role", role)
    return localized(item.get("name"), "zh") if item is not None else role


def seed(
    session: Session, policy: Policy, password: str | None = None, api_key: str | None = None
) -> list[DemoUser]:
    """Create the demo users that do not exist yet; return all of them.

    The password and the Open311 client's api_key are random (never a fixed
    default in code) unless given: `onegrid serve` keeps them per instance."""
    password = password or secrets.token_urlsafe(6)
    api_key = api_key or secrets.token_urlsafe(18)
    users: list[DemoUser] = []
    existing = set(session.scalars(select(accounts.User.username)).all())
    for username, role, units in plan(policy):
        if username not in existing:
            bindings = [(role, unit) for unit in units]
            accounts.create_user(
                session,
                username,
                password,
                name=display_name(policy, role),
                bindings=bindings,
            )
        users.append(DemoUser(username, role, ", ".join(units), password))
    if "admin" not in existing:
        accounts.create_user(
            session, "admin", password, name=display_name(policy, None), is_admin=True
        )
    users.append(DemoUser("admin", None, None, password))
    # an Open311 client key of its own kind (submit and read its own), not a staff token
    channel = door_channel(policy.section("routing").get("channels") or (), "open311")
    if channel is not None and clients.client_for_key(session, api_key) is None:
        clients.create_client(session, "演示客户端 demo client", channel, by="onegrid", key=api_key)
    users.append(DemoUser("open311", None, None, "", api_key))
    session.commit()
    return users
