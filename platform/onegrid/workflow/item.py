"""Workflow items other than cases (`items:` in the pack's workflow):
filed, decided, moved one audited step at a time, swept like cases.

Everything below takes a SQLAlchemy session and commits itself (one call =
one transaction), rolling back and raising a `CaseError` on a refusal, as
`onegrid.workflow.case` does; the steps, states and transitions come from
the item's kind in the version it was filed under (`Rulebook.for_item`).

- `file_item(session, version, kind, data, actor, idempotency_key=None,
  now=None, lang="zh") -> Item`: validate `data` with the kind's form,
  apply its `decision` (field-level `InvalidSubmission` and nothing stored
  when the request cannot be decided), store and audit it, then take the
  `auto` transition the decision's outcome names.
- `act_item(session, item_id, transition, actor, submission,
  expected_version, now=None, lang="zh") -> Item`; `actions_for_item(item,
  actor, lang)`; `get_item(session, item_id)`; `item_trail(session,
  item_id) -> list[Step]`.
- Audit rows are on the item's own chain, subject "item:<id>", with
  `{"item": id, "kind": kind}` in their data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from onegrid import messages
from onegrid.errors import Problem
from onegrid.store.accounts import User
from onegrid.store.base import utcnow
from onegrid.store.items import Item
from onegrid.store.models import AuditEntry
from onegrid.store.people import Person
from onegrid.workflow import (
    audit,
    deadline,
    decisions,
    effects,
    idempotency,
    notify,
    party,
    separation,
    submission,
)
from onegrid.workflow.actor import SWEEP, Actor
from onegrid.workflow.case import Step, _apply, request_hash, steps_of
from onegrid.workflow.errors import CaseNotFound, Conflict, InvalidSubmission
from onegrid.workflow.rulebook import rulebook
from onegrid.workflow.transition import Action, by_engine, checked, offered

DECIDER = Actor("system:decision", (), "onegrid")

messages.register(
    {
        "item-not-found": {"zh": "找不到 {item}", "en": "{item} not found"},
        "unknown-item-kind": {
            "zh": "流程中没有事项类型 '{kind}'",
            "en": "the workflow declares no kind of item '{kind}'",
        },
    }
)


def book_of(item: Item):
    return rulebook(item.policy_version).for_item(item.kind)


def label(book, item: Item, lang: str = "zh") -> str:
    return f"{book.name(book.kind, lang, item.kind)} {item.id}"


subject = audit.item_subject


def append(session, item: Item, action: str, actor: str | None, at: dt.datetime, data: dict):
    """One audit row on the item's own chain (subject "item:<id>")."""
    return audit.append(
        session,
        None,
        action,
        actor,
        at,
        {"item": item.id, "kind": item.kind, **data},
        subject=subject(item.id),
    )


def file_item(
    session,
    version,
    kind: str,
    data: dict[str, Any],
    actor: Actor,
    idempotency_key: str | None = None,
    now: dt.datetime | None = None,
    lang: str = "zh",
    commit: bool = True,
) -> Item:
    """Validate, decide, store and audit a new item (see the module docs).
    `commit=False`: in the caller's transaction, which has made sure the key
    is new (the sweep opening a period's duty rounds in batches)."""
    now = now or utcnow()
    idempotency_key = idempotency_key or None
    digest = request_hash({"kind": kind}, submission.jsonable(data or {}), "item", actor)

    def create() -> Item:
        book = rulebook(version).for_item(kind)
        if book is None:
            raise InvalidSubmission([Problem("unknown-item-kind", {"kind": kind})])
        clean = submission.validate(book, book.kind.get("form"), data or {}, lang)
        decided = decisions.decide(book, clean, lang)
        item = Item(
            policy_version_id=version.id,
            pack=book.pack or version.pack,
            kind=kind,
            state=book.initial,
            unit=decided.unit,
            level=book.level_of(decided.unit),
            place=book.home(decided.unit) if decided.unit else None,
            reporter=actor.id,
            data=clean,
            result={
                **({"decision": submission.jsonable(decided.record)} if decided.record else {}),
                **({"assign": decided.assign} if decided.assign else {}),
            },
            assistants=list(decided.assistants),
            limits={},
            hands=[],
            supervised=False,
            escalations=0,
            reopened=0,
            warned=False,
            overdue=False,
            idempotency_key=idempotency_key,
            request_hash=digest,
            created_at=now,
            updated_at=now,
        )
        deadline.start_step(book, item, now, decided.due)
        session.add(item)
        session.flush()
        set_committed_value(item, "policy_version", version)
        append(
            session,
            item,
            "file",
            actor.id,
            now,
            {"to": item.state, "policy_version": version.id, "data": clean, **item.result},
        )
        _auto(session, book, item, decided, now)
        tell(session, book, item, "file", actor.id, now)
        return item

    if not commit:
        return create()
    return idempotency.once(session, Item, idempotency_key, digest, create)


def _auto(session, book, item: Item, decided, now: dt.datetime) -> None:
    """Take the transitions the decision's outcome names, from where the item is."""
    for _ in range(len(book.transitions)):
        t = next(
            (
                t
                for t in book.transitions.values()
                if decided.outcome
                and t.get("auto") == decided.outcome
                and item.state in t.get("from", ())
            ),
            None,
        )
        if t is None:
            return
        target = book.states.get(t.get("to"), {})
        if decided.limit and target.get("step"):
            item.limits = {**(item.limits or {}), target["step"]: decided.limit}
        _take(session, book, item, t, DECIDER, {}, now)


def _take(session, book, item: Item, t: dict, actor: Actor, clean: dict, now, unit=None) -> None:
    before = item.state
    said = _apply(
        book, item, t, now, effects.Taken(book, item, t, now, clean, actor, unit, session=session)
    )
    outcome = book.states.get(item.state, {}).get("outcome")
    if outcome != item.outcome:
        item.outcome = outcome
        if outcome:
            item.result = {
                **(item.result or {}),
                "outcome": {
                    "state": item.state,
                    "by": actor.id,
                    "at": audit.stamp(now),
                    "transition": t["id"],
                    "submission": clean,
                },
            }
    session.flush()
    append(
        session,
        item,
        t["id"],
        actor.id,
        now,
        {
            "from": before,
            "to": item.state,
            "version": item.version,
            "submission": clean,
            "unit": item.unit,
            **said,
            "due_at": audit.stamp(item.due_at) if item.due_at else None,
        },
    )


def tell(session, book, item: Item, event: str, actor: str | None, now) -> None:
    """Through the notification outbox, in the caller's transaction: whoever
    may act on the item next (the reviewer, once it is in review), or, once
    it rests in a state with an outcome, whoever filed it."""
    open_now = [
        t
        for t in book.transitions.values()
        if item.state in t.get("from", ()) and not by_engine(t) and not t.get("stay")
    ]
    holders = party.holders(book, item, open_now) if item.closed_at is None else []
    units = [u for h in holders for u in h.units]
    if not open_now and item.closed_at is None and event != "file":
        # an item worked by steps that leave it where it is (a duty round's
        # ticks): whoever holds it hears when it is due soon or overdue,
        # not each time one is opened
        units = [u for u in (item.unit, *(item.assistants or ())) if u]
    users = [u for h in holders for u in h.users]
    claimant = (item.data or {}).get("person")
    if claimant is not None and item.closed_at is None and event != "file":
        # a claimed post's round is the claimant's own (party `claimant`):
        # the sweep's warning reaches her account; the grid hears only of a
        # lapse, or of the warning too when she has no account to hear it
        # with; her own ticks tell nobody
        if actor != SWEEP.id:
            units = []
        else:
            account = _account_of(session, claimant)
            if account is not None:
                users.append(account)
                if event == "warn":
                    units = []
    if item.closed_at is not None and item.outcome:
        users.append(item.reporter)
    users = [u for u in users if u != actor]  # who acted knows
    if not units and not users:
        return
    subject = {
        lang: f"{label(book, item, lang)}{'：' if lang == 'zh' else ': '}"
        + book.name(book.states.get(item.state), lang, item.state)
        for lang in ("zh", "en")
    }
    notify.enqueue(
        session,
        f"{item.kind}.{event}",
        units=units,
        users=users,
        subject=subject,
        exclude=(actor,) if actor else (),
        payload={
            "item": item.id,
            "kind": item.kind,
            "state": item.state,
            "outcome": item.outcome,
            "unit": item.unit,
            "actions": [t["id"] for t in open_now],
            "due_at": item.due_at.isoformat() if item.due_at else None,
        },
        now=now,
    )


def _account_of(session, person_id) -> str | None:
    """The username of the account tied to a person record, if any."""
    return session.scalar(
        select(User.username)
        .join(Person, Person.user_id == User.id)
        .where(Person.id == person_id, User.active.is_(True))
    )


def get_item(session, item_id: int, kind: str | None = None) -> Item:
    item = session.get(Item, item_id, populate_existing=True)
    if item is None or (kind is not None and item.kind != kind):
        raise CaseNotFound("item-not-found", {"item": item_id})
    return item


def actions_for_item(item: Item, actor: Actor, lang: str = "zh") -> list[Action]:
    return offered(book_of(item), item, actor, lang)


def act_item(
    session,
    item_id: int,
    transition: str,
    actor: Actor,
    submission_data: dict[str, Any] | None,
    expected_version: int,
    now: dt.datetime | None = None,
    lang: str = "zh",
) -> Item:
    """Take one transition, if the item is still at `expected_version`."""
    now = now or utcnow()
    try:
        item = get_item(session, item_id)
        book = book_of(item)
        name = label(book, item, lang)
        if item.version != expected_version:
            raise Conflict(
                "item-stale", {"item": name, "expected": expected_version, "current": item.version}
            )
        t, clean, units = checked(book, item, transition, actor, submission_data, lang, name)
        separation.record(item, transition, actor, units[0])
        _take(session, book, item, t, actor, clean, now, units[0])
        tell(session, book, item, transition, actor.id, now)
        session.commit()
        return item
    except StaleDataError:
        session.rollback()
        raise Conflict(
            "item-stale", {"item": f"#{item_id}", "expected": expected_version, "current": "?"}
        ) from None
    except BaseException:
        session.rollback()
        raise


def item_trail(session, item_id: int) -> list[Step]:
    """Every audited step of an item, oldest first."""
    rows = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.subject == subject(item_id))
        .order_by(AuditEntry.subject_seq)
    ).all()
    return steps_of(rows)
