"""Person records (`onegrid.store.people`): registering in a home grid and
claiming a post, linking a record to a login account, and counting real
people per role and post for the grids report.

A registration is one transaction: the person's record (found again by
phone within the pack, else created) and the post-claim item filed with the
same form (`onegrid.workflow.claims`), tied by `result.person`; the grid's
party branch confirms the claim as before. A person holds one post at a
time: a second claim while one is awaiting confirmation or confirmed is
refused, naming the post. Each change is a row on the person's own audit
chain (`person:<id>`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from onegrid import messages
from onegrid.errors import Problem
from onegrid.store.accounts import RoleBinding, User
from onegrid.store.base import utcnow
from onegrid.store.items import Item
from onegrid.store.people import Person
from onegrid.workflow import audit, claims, idempotency, submission
from onegrid.workflow import item as wf_item
from onegrid.workflow.actor import Actor
from onegrid.workflow.case import request_hash
from onegrid.workflow.errors import CaseNotFound, InvalidSubmission
from onegrid.workflow.rulebook import rulebook

messages.register(
    {
        "person-phone-taken": {
            "zh": "这个手机号码已由另一人登记；如号码有误请联系网格党支部",
            "en": "this phone number is registered to someone else; ask the grid's party branch if it is wrong",
        },
        "person-other-grid": {
            "zh": "这个手机号码已在另一个网格登记；更换居住地网格请联系网格党支部",
            "en": "this phone number is registered in another grid; ask the grid's party branch to move it",
        },
        "person-has-post": {
            "zh": "您已认领“{post}”（{state}），每人认领一个岗位",
            "en": "you have claimed '{post}' already ({state}); each person claims one post",
        },
        "person-bad-phone": {
            "zh": "手机号码只能包含数字（可带 +86、空格或短横线），7–15 位",
            "en": "a phone number is 7-15 digits (a +86 prefix, spaces and dashes allowed)",
        },
        "person-not-found": {"zh": "没有人员记录 {person}", "en": "no person record {person}"},
        "person-no-claims": {
            "zh": "策略包没有认岗登记（post_claim）流程",
            "en": "the pack has no post-claim (post_claim) workflow",
        },
        "person-no-name": {"zh": "请填写姓名", "en": "a name is required"},
        "person-unknown-grid": {
            "zh": "没有叫“{grid}”的{level}（填写其编号或名称）",
            "en": "there is no {level} '{grid}' (give its id or name)",
        },
        "person-account-taken": {
            "zh": "账号 '{username}' 已关联人员记录 {person}",
            "en": "the account '{username}' is linked to person record {person} already",
        },
    }
)

SUBJECT = "person:{}"
PHONE = re.compile(r"^\d{7,15}$")


def subject(person_id: int) -> str:
    return SUBJECT.format(int(person_id))


def normal_phone(text: Any) -> str:
    """Digits only: '+86 138-0000-0001' and '13800000001' are one person."""
    digits = re.sub(r"[\s\-()]", "", str(text or ""))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("+"):
        digits = digits[1:]
    return digits


def _field_error(code: str, name: str, params: dict, lang: str) -> InvalidSubmission:
    return InvalidSubmission([Problem(code, params)], {name: [messages.text(code, params, lang)]})


def _append(session, person: Person, action: str, actor: str, now, data: dict) -> None:
    audit.append(
        session, None, action, actor, now, {"person": person.id, **data}, subject(person.id)
    )


def claims_of(session, book, person_id: int) -> list[Item]:
    """The post-claim items tied to a person, oldest first."""
    return claims_by_person(session, book).get(person_id, [])


def claims_by_person(session, book) -> dict[int, list[Item]]:
    """Every post-claim item of the pack by the person it is tied to, oldest
    first: one read for a whole list of people (the tie is in `result`)."""
    rows = session.scalars(
        select(Item)
        .where(Item.pack == book.pack, Item.kind.in_(claims.kinds(book) or [""]))
        .order_by(Item.id)
    )
    out: dict[int, list[Item]] = {}
    for claim in rows:
        person = (claim.result or {}).get("person")
        if isinstance(person, int):
            out.setdefault(person, []).append(claim)
    return out


def person_of(session, claim: Item) -> Person | None:
    found = (claim.result or {}).get("person")
    return session.get(Person, found) if isinstance(found, int) else None


def register(
    session,
    version,
    values: dict[str, Any],
    actor: Actor,
    idempotency_key: str | None = None,
    now: dt.datetime | None = None,
    lang: str = "zh",
) -> tuple[Person, Item]:
    """Register a person in their home grid and file their claim of a post
    (one transaction); the same key and body give back what was filed."""
    now = now or utcnow()
    book = rulebook(version)
    kinds = claims.kinds(book)
    if not kinds:
        raise InvalidSubmission([Problem("person-no-claims", {})])
    kind = kinds[0]
    digest = request_hash({"kind": kind}, submission.jsonable(values or {}), "item", actor)

    def create() -> Item:
        kbook = book.for_item(kind)
        clean = submission.validate(kbook, kbook.kind.get("form"), values or {}, lang)
        phone = normal_phone(clean.get("phone"))
        if not PHONE.match(phone):
            raise _field_error("person-bad-phone", "phone", {}, lang)
        name = str(clean.get("name") or "").strip()
        grid = clean.get("home_grid")
        person = session.scalar(
            select(Person).where(Person.pack == book.pack, Person.phone == phone)
        )
        if person is not None:
            if person.name != name:
                raise _field_error("person-phone-taken", "phone", {}, lang)
            if person.home_grid != grid:
                raise _field_error("person-other-grid", "home_grid", {}, lang)
            for held in claims_of(session, book, person.id):
                if held.outcome in (None, "confirmed") and (
                    held.closed_at is None or held.outcome == "confirmed"
                ):
                    post = claims.posts(book).get(held.data.get("post")) or {}
                    state = book.for_item(kind).states.get(held.state)
                    params = {
                        "post": book.name(post, lang, held.data.get("post", "")),
                        "state": book.name(state, lang, held.state),
                    }
                    raise _field_error("person-has-post", "post", params, lang)
        claim = wf_item.file_item(
            session, version, kind, values, actor, idempotency_key, now=now, lang=lang, commit=False
        )
        if person is None:
            person = _create(
                session,
                book.pack,
                name,
                phone,
                bool(clean.get("party_member")),
                grid,
                actor.id,
                now,
            )
        claim.result = {**(claim.result or {}), "person": person.id}
        session.flush()
        _append(
            session,
            person,
            "person.claim",
            actor.id,
            now,
            {"claim": claim.id, "post": clean.get("post"), "home_grid": grid},
        )
        return claim

    claim = idempotency.once(session, Item, idempotency_key, digest, create)
    return person_of(session, claim), claim


def record(
    session,
    version,
    values: dict[str, Any],
    by: str,
    now: dt.datetime | None = None,
    lang: str = "zh",
) -> Person:
    """An administrator records a person with no post claim (a grid worker,
    a secretary: staff whose account alone is not counted as somebody),
    tied to `values["username"]` when given; audited. The caller commits.
    `home_grid` is a grid's id or its name in the pack."""
    now = now or utcnow()
    book = rulebook(version)
    name = str(values.get("name") or "").strip()[:128]
    if not name:
        raise _field_error("person-no-name", "name", {}, lang)
    phone = normal_phone(values.get("phone"))
    if not PHONE.match(phone):
        raise _field_error("person-bad-phone", "phone", {}, lang)
    level = claims.lowest_level(book)
    grid = _grid(book, str(values.get("home_grid") or "").strip(), level)
    if grid is None:
        named = book.name(book.levels.get(level), lang, level or "")
        params = {"grid": str(values.get("home_grid") or ""), "level": named}
        raise _field_error("person-unknown-grid", "home_grid", params, lang)
    same = session.scalar(select(Person).where(Person.pack == book.pack, Person.phone == phone))
    if same is not None:
        raise _field_error("person-phone-taken", "phone", {}, lang)
    person = _create(
        session, book.pack, name, phone, bool(values.get("party_member")), grid, by, now
    )
    if values.get("username"):
        link(session, person.id, str(values["username"]).strip(), by, now)
    return person


def _create(session, pack, name, phone, party_member: bool, grid, by, now) -> Person:
    """A new person record, its creation the first row of its chain."""
    person = Person(
        pack=pack,
        name=name,
        phone=phone,
        party_member=party_member,
        home_grid=grid,
        created_at=now,
        updated_at=now,
    )
    session.add(person)
    session.flush()
    data = {"name": name, "party_member": party_member, "home_grid": grid}
    _append(session, person, "person.create", by, now, data)
    return person


def _grid(book, given: str, level: str | None) -> str | None:
    """The unit of `level` that `given` names, by id or by name (zh or en)."""
    if not given:
        return None
    spec = book.units.get(given)
    if spec is not None and spec.get("level") == level:
        return given
    for unit, spec in book.units.items():
        if spec.get("level") == level and given in (
            book.name(spec, "zh", ""),
            book.name(spec, "en", ""),
        ):
            return unit
    return None


def get(session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise CaseNotFound("person-not-found", {"person": person_id})
    return person


def link(session, person_id: int, username: str | None, by: str, now=None) -> Person:
    """Tie the record to a login account (None: untie it); audited. The caller commits."""
    from onegrid.workflow import staff

    now = now or utcnow()
    person = get(session, person_id)
    user = staff.find(session, username) if username else None
    if user is not None:
        other = session.scalar(
            select(Person).where(Person.user_id == user.id, Person.id != person.id)
        )
        if other is not None and other.pack == person.pack:
            raise InvalidSubmission(
                [Problem("person-account-taken", {"username": username, "person": other.id})]
            )
    person.user_id = user.id if user is not None else None
    person.updated_at = now
    session.flush()
    _append(
        session,
        person,
        "person.link" if user is not None else "person.unlink",
        by,
        now,
        {"user": username},
    )
    return person


def listing(session, pack: str, grids: set[str] | None = None) -> list[Person]:
    """A pack's person records (of `grids` only, when given), by grid then name."""
    query = select(Person).where(Person.pack == pack)
    if grids is not None:
        query = query.where(Person.home_grid.in_(sorted(grids) or [""]))
    return list(session.scalars(query.order_by(Person.home_grid, Person.name, Person.id)))


def history(session, person_id: int) -> list:
    from onegrid.store.models import AuditEntry

    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.subject == subject(person_id))
            .order_by(AuditEntry.subject_seq)
        )
    )


# --- real people against the grid standards ---------------------------------------


# who holds a role: a person record (or a confirmed claim naming one), or
# an account alone, which may be a shared desk login rather than somebody
ACCOUNT = "user:"
PERSON = "person:"


@dataclass
class Held:
    """Who holds each role, per unit: accounts bound there and confirmed
    claimants of a post whose holder is the role (a person counted once)."""

    by_unit: dict[str, dict[str, set[str]]] = field(default_factory=dict)

    def add(self, unit: str, role: str, who: str) -> None:
        self.by_unit.setdefault(unit, {}).setdefault(role, set()).add(who)

    def per_role(self, accounts: bool = False) -> dict[str, int]:
        """Distinct people (`accounts`: accounts with no person record)
        holding each role anywhere."""
        found: dict[str, set[str]] = {}
        for roles in self.by_unit.values():
            for role, who in roles.items():
                found.setdefault(role, set()).update(
                    w for w in who if w.startswith(ACCOUNT) == accounts
                )
        return {role: len(who) for role, who in found.items()}

    def people(self, units: list[str], roles: list[str]) -> int:
        """Distinct people holding one of `roles` in `units`; an account
        with no person record is not counted as one."""
        found: set[str] = set()
        for unit in units:
            for role in roles:
                found |= self.by_unit.get(unit, {}).get(role, set())
        return sum(1 for w in found if not w.startswith(ACCOUNT))


def held(session, book) -> Held:
    """Every role held per unit by real people of the pack."""
    out = Held()
    linked = {
        p.user_id: p.id
        for p in session.scalars(
            select(Person).where(Person.pack == book.pack, Person.user_id.is_not(None))
        )
    }
    rows = session.execute(
        select(RoleBinding.role, RoleBinding.unit, User.id)
        .join(User, User.id == RoleBinding.user_id)
        .where(User.active.is_(True))
    )
    for role, unit, user_id in rows:
        if role in book.roles and (unit in book.units or unit in book.departments):
            # an account and its person record are one person
            who = f"{PERSON}{linked[user_id]}" if user_id in linked else f"{ACCOUNT}{user_id}"
            out.add(unit, role, who)
    posts = claims.posts(book)
    for claim in session.scalars(
        select(Item).where(
            Item.pack == book.pack,
            Item.kind.in_(claims.kinds(book) or [""]),
            Item.outcome == "confirmed",
        )
    ):
        post = posts.get(claim.data.get("post")) or {}
        role = post.get("holder")
        if role in book.roles and claim.unit:
            who = (claim.result or {}).get("person")
            out.add(claim.unit, role, f"{PERSON}{who}" if who else f"claim:{claim.id}")
    return out


def staffing(session, version, rules) -> dict[str, Any]:
    """The people side of the grids report under a published version: each
    staffing rule counted from real people (accounts and confirmed
    claimants), each claimable post's holders, and the grids where
    confirmed people registered."""
    book = rulebook(version)
    who = held(session, book)
    below: dict[str, list[str]] = {}
    for unit in book.units:
        for up in book.ancestors(unit):
            below.setdefault(up, []).append(unit)
    out_rules = []
    for rule in rules or ():
        level = rule.get("per")  # a level id: `check` refuses any other
        subjects = [u for u, spec in book.units.items() if spec.get("level") == level]
        roles = list(rule.get("roles") or ())
        gaps, total = [], 0
        for unit in subjects:
            have = who.people(below.get(unit, [unit]), roles)
            total += have
            low, high = rule.get("min", 0), rule.get("max")
            if have < low or (high is not None and have > high):
                gaps.append({"subject": unit, "have": have, "need": low if have < low else high})
        out_rules.append(
            {
                "rule": rule.get("id"),
                "name": dict(rule["name"])
                if isinstance(rule.get("name"), dict)
                else rule.get("name"),
                "per": rule.get("per"),
                "roles": roles,
                "min": rule.get("min"),
                "max": rule.get("max"),
                "checked": len(subjects),
                "met": len(subjects) - len(gaps),
                "people": total,
                "gaps": gaps,
            }
        )
    figures = claims.coverage(session, version)
    lowest = claims.lowest_level(book)
    grids = [u for u, spec in book.units.items() if spec.get("level") == lowest]
    posts = []
    for post_id, post in claims.posts(book).items():
        posts.append(
            {
                "post": post_id,
                "name": dict(post["name"])
                if isinstance(post.get("name"), dict)
                else post.get("name"),
                "people": sum(figures[g].posts.get(post_id, 0) for g in grids if g in figures),
                "grids_held": sum(
                    1 for g in grids if g in figures and figures[g].posts.get(post_id)
                ),
                "grids": len(grids),
            }
        )
    registered = {
        "people": sum(figures[g].people for g in grids if g in figures),
        "party_members": sum(figures[g].party_members for g in grids if g in figures),
        "grids_with_party_members": sum(
            figures[g].grids_with_party_members for g in grids if g in figures
        ),
        "grids_all_posts": sum(figures[g].grids_all_posts for g in grids if g in figures),
        "grids": len(grids),
    }
    per_role, alone = who.per_role(), who.per_role(accounts=True)
    roles = {role: per_role.get(role, 0) for role in book.roles}
    accounts = {role: alone.get(role, 0) for role in book.roles}
    return {
        "roles": roles,
        "accounts": accounts,
        "staffing": out_rules,
        "posts": posts,
        "registered": registered,
    }
