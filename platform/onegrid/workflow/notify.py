"""Notifications: the outbox written inside the caller's transaction, and
the worker that delivers it to each unit's webhook.

`enqueue` never commits: it adds rows to the caller's session, so the
notification is stored exactly when the step that caused it is (and rolled
back with it). `deliver` runs apart (the scheduler, or `onegrid notify
deliver`) and posts each pending delivery; see the package docs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update

from onegrid.store.accounts import RoleBinding, User
from onegrid.store.base import utcnow
from onegrid.store.clients import CaseClient
from onegrid.store.outbox import Delivery, Notification, NotificationRecipient, Webhook
from onegrid.workflow.party import seats

log = logging.getLogger(__name__)

# retries: 30 s, 1 min, 2 min, … doubling, at most an hour apart; then failed
FIRST_RETRY = dt.timedelta(seconds=30)
LONGEST_RETRY = dt.timedelta(hours=1)
MAX_ATTEMPTS = 8
# a claimed delivery is another worker's again if its worker died mid-post
LEASE = dt.timedelta(seconds=60)
TIMEOUT = 10.0
SIGNATURE = "X-Onegrid-Signature"


def enqueue(
    session,
    event: str,
    *,
    units: Iterable[str] = (),
    users: Iterable[str] = (),
    subject: Any = "",
    payload: dict[str, Any] | None = None,
    case_id: int | None = None,
    exclude: Iterable[str] = (),
    now: dt.datetime | None = None,
) -> Notification:
    """Add a notification of `event` for `units` (every user bound to one,
    and the unit's webhook) and `users` (usernames), but not the users in
    `exclude` (who caused it), to the caller's transaction; flushed, never
    committed."""
    now = now or utcnow()
    units = list(dict.fromkeys(u for u in units if u))
    users = list(dict.fromkeys(u for u in users if u))
    note = Notification(
        event=event,
        case_id=case_id,
        subject=subject,
        payload=payload or {},
        units=units,
        users=users,
        created_at=now,
    )
    session.add(note)
    session.flush()
    readers = set(users)
    if units:
        bound = select(User.username).join(RoleBinding).where(RoleBinding.unit.in_(units))
        readers |= set(session.scalars(bound.where(User.active.is_(True))))
        hooks = session.scalars(
            select(Webhook.unit).where(Webhook.unit.in_(units), Webhook.active.is_(True))
        ).all()
        for unit in hooks:
            session.add(Delivery(notification_id=note.id, unit=unit, next_at=now))
    for username in sorted(readers - set(exclude)):
        session.add(NotificationRecipient(notification_id=note.id, username=username))
    session.flush()
    return note


def case_step(session, book, case, event: str, actor: str | None = None, now=None) -> None:
    """Tell whoever must act next on `case` after `event` (the case opened,
    or a transition taken): the units and users holding its open
    transitions, except the actor who just acted. Nothing when it closed."""
    from onegrid.workflow.case import waiting_on  # case.py calls us

    if case.closed_at is not None:
        return
    units: list[str] = []
    users: list[str] = []
    actions: list[str] = []
    for holder in waiting_on(case):
        units += holder.units
        users += holder.users
        actions.append(holder.transition)
    if not units and not users:
        return
    matter = book.matters.get(case.matter) or {}
    state = book.states.get(case.state) or {}
    names = [book.transitions.get(a) for a in dict.fromkeys(actions)]
    subject = {
        lang: f"#{case.id} {book.name(matter, lang, case.matter)}："
        f"{book.name(state, lang, case.state)}，"
        + ("待" if lang == "zh" else "to do: ")
        + ("、" if lang == "zh" else ", ").join(book.name(t, lang, "") for t in names if t)
        for lang in ("zh", "en")
    }
    subject["en"] = subject["en"].replace("：", ": ").replace("，", ", ")
    enqueue(
        session,
        event,
        units=units,
        users=users,
        subject=subject,
        case_id=case.id,
        exclude=(actor,) if actor else (),
        payload={
            "case": case.id,
            "matter": case.matter,
            "state": case.state,
            "unit": case.unit,
            "place": case.place,
            "actions": list(dict.fromkeys(actions)),
            "due_at": case.due_at.isoformat() if case.due_at else None,
        },
        now=now,
    )


CLIENT_HOOK = "client:{id}"  # the Webhook.unit of a connector's callback URL


def client_hook(client_id: int) -> str:
    return CLIENT_HOOK.format(id=client_id)


def case_changed(
    session, book, case, transition: str, before: str, actor: str | None = None, now=None
) -> None:
    """Tell the connector that filed `case` (a hotline, an Open311 client
    with a callback URL) that its state changed: a `case.state` delivery to
    the client's webhook, signed and retried like every other. Nothing when
    the state stayed or the client registered no callback."""
    if case.state == before:
        return
    client_id = session.scalar(select(CaseClient.client_id).where(CaseClient.case_id == case.id))
    if client_id is None:
        return
    hook = client_hook(client_id)
    active = session.scalar(
        select(Webhook.id).where(Webhook.unit == hook, Webhook.active.is_(True))
    )
    if active is None:
        return
    state = book.states.get(case.state) or {}
    step = book.transitions.get(transition)
    subject = {
        lang: f"#{case.id} {book.name(book.states.get(before), lang, before)} → "
        f"{book.name(state, lang, case.state)}"
        for lang in ("zh", "en")
    }
    enqueue(
        session,
        "case.state",
        units=[hook],
        subject=subject,
        case_id=case.id,
        payload={
            "case": case.id,
            "external_id": (case.facts or {}).get("external_id"),
            "matter": case.matter,
            "from": before,
            "to": case.state,
            "state_name": {lang: book.name(state, lang, case.state) for lang in ("zh", "en")},
            "transition": transition,
            "transition_name": {lang: book.name(step, lang, transition) for lang in ("zh", "en")},
            "status": "closed" if case.closed_at is not None else "open",
            "version": case.version,
            "at": (now or utcnow()).isoformat(),
        },
        now=now,
    )


# what the sweep did, in words: (zh, en)
DEADLINE_WORDS = {
    "warn": ("即将超时", "due soon"),
    "escalate": ("已超时，升级至{unit}", "overdue, escalated to {unit}"),
    "supervise": ("已超时，督办", "overdue, supervised"),
}


def case_deadline(
    session, book, case, event: str, unit_before: str | None = None, now=None
) -> None:
    """Tell of a deadline the sweep acted on (`warn`, `escalate`, `supervise`):
    whoever holds the case now; on an escalation or supervision also every
    unit above the case's level over its place (its superiors, who must
    know a case under them lapsed) and the unit it was taken from."""
    from onegrid.workflow.case import waiting_on  # case.py calls us

    if case.closed_at is not None or event not in DEADLINE_WORDS:
        return
    units: list[str] = []
    users: list[str] = []
    for holder in waiting_on(case):
        units += holder.units
        users += holder.users
    if event != "warn":
        units += seats(book, case, "superior")
        if unit_before and unit_before != case.unit:
            units.append(unit_before)
    if not units and not users:
        return
    matter = book.matters.get(case.matter) or {}
    zh, en = DEADLINE_WORDS[event]
    subject = {}
    for lang, words in (("zh", zh), ("en", en)):
        unit = book.name(book.units.get(case.unit) or book.departments.get(case.unit), lang, "")
        sep = "：" if lang == "zh" else ": "
        subject[lang] = f"#{case.id} {book.name(matter, lang, case.matter)}{sep}" + words.format(
            unit=unit or case.level or ""
        )
    enqueue(
        session,
        event,
        units=units,
        users=users,
        subject=subject,
        case_id=case.id,
        payload={
            "case": case.id,
            "matter": case.matter,
            "state": case.state,
            "level": case.level,
            "unit": case.unit,
            "from_unit": unit_before,
            "place": case.place,
            "due_at": case.due_at.isoformat() if case.due_at else None,
        },
        now=now,
    )


# --- delivery ------------------------------------------------------------------


@dataclass
class DeliveryReport:
    delivered: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed try."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def post(url: str, body: bytes, headers: dict[str, str]) -> None:
    """POST the body; raise on anything but a 2xx answer."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        if not 200 <= response.status < 300:
            raise OSError(f"HTTP {response.status}")


def body_of(note: Notification, delivery: Delivery) -> bytes:
    return json.dumps(
        {
            "id": note.id,
            "delivery": delivery.id,
            "event": note.event,
            "case": note.case_id,
            "unit": delivery.unit,
            "subject": note.subject,
            "payload": note.payload,
            "users": note.users,
            "created_at": note.created_at.isoformat(),
        },
        ensure_ascii=False,
        sort_keys=True,
    ).encode()


def deliver(
    sessions,
    now: dt.datetime | None = None,
    batch: int = 50,
    send: Callable[[str, bytes, dict[str, str]], None] = post,
) -> DeliveryReport:
    """Post every delivery due at `now` to its unit's webhook, once.

    Each is claimed first in a short transaction (its next try moved a lease
    ahead, so another worker skips it), posted outside any transaction, and
    the outcome stored: delivered, or tried again after `backoff`, or failed
    after MAX_ATTEMPTS. Safe to run in several processes at once."""
    now = now or utcnow()
    report = DeliveryReport()
    with sessions() as session:
        due = session.scalars(
            select(Delivery.id)
            .where(Delivery.state == "pending", Delivery.next_at <= now)
            .order_by(Delivery.next_at, Delivery.id)
            .limit(batch)
        ).all()
        claimed = []
        for delivery_id in due:
            won = session.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id, Delivery.state == "pending")
                .where(Delivery.next_at <= now)
                .values(next_at=now + LEASE)
            ).rowcount
            if won:
                claimed.append(delivery_id)
        session.commit()
    for delivery_id in claimed:
        with sessions() as session:
            delivery = session.get(Delivery, delivery_id)
            note = session.get(Notification, delivery.notification_id)
            hook = session.scalar(select(Webhook).where(Webhook.unit == delivery.unit))
            target = (hook.url, hook.secret) if hook is not None and hook.active else None
            body = body_of(note, delivery)
            event = note.event
            session.rollback()  # no transaction held while posting
        error = None
        if target is None:
            error = "no active webhook for the unit"
        else:
            headers = {
                "Content-Type": "application/json; charset=utf-8",
                SIGNATURE: sign(target[1], body),
                "X-Onegrid-Event": event,
                "X-Onegrid-Delivery": str(delivery_id),
            }
            try:
                send(target[0], body, headers)
            except (OSError, ValueError, urllib.error.URLError) as exc:
                error = str(exc)[:500] or type(exc).__name__
        with sessions() as session:
            delivery = session.get(Delivery, delivery_id)
            delivery.attempts += 1
            if error is None:
                delivery.state, delivery.delivered_at = "delivered", utcnow()
                delivery.last_error = None
                report.delivered.append(delivery_id)
            elif delivery.attempts >= MAX_ATTEMPTS:
                delivery.state, delivery.last_error = "failed", error
                report.failed.append(delivery_id)
            else:
                delivery.next_at = now + backoff(delivery.attempts)
                delivery.last_error = error
                report.retried.append(delivery_id)
            session.commit()
    if report.failed:
        log.warning("notify: %d deliveries failed for good", len(report.failed))
    return report


# --- what a user reads -----------------------------------------------------------


def unread(session, username: str) -> int:
    from sqlalchemy import func

    return session.scalar(
        select(func.count(NotificationRecipient.id)).where(
            NotificationRecipient.username == username, NotificationRecipient.read_at.is_(None)
        )
    )


def inbox(session, username: str, limit: int = 50, before: int | None = None):
    """(recipient row, notification) of the user, newest first."""
    stmt = (
        select(NotificationRecipient, Notification)
        .join(Notification, Notification.id == NotificationRecipient.notification_id)
        .where(NotificationRecipient.username == username)
    )
    if before is not None:
        stmt = stmt.where(NotificationRecipient.notification_id < before)
    stmt = stmt.order_by(NotificationRecipient.notification_id.desc()).limit(limit)
    return session.execute(stmt).all()


def mark_read(session, username: str, ids: Iterable[int] | None = None, now=None) -> int:
    """Mark the user's notifications read (`ids`, or all); flushed, not committed."""
    stmt = update(NotificationRecipient).where(
        NotificationRecipient.username == username, NotificationRecipient.read_at.is_(None)
    )
    if ids is not None:
        stmt = stmt.where(NotificationRecipient.notification_id.in_(list(ids)))
    return session.execute(stmt.values(read_at=now or utcnow())).rowcount


def is_for(session, username: str, notification_id: int) -> bool:
    return (
        session.scalar(
            select(NotificationRecipient.id).where(
                NotificationRecipient.username == username,
                NotificationRecipient.notification_id == notification_id,
            )
        )
        is not None
    )
