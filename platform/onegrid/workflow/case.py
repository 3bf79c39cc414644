"""Opening cases and moving them round the loop, one audited step at a time."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from onegrid import messages
from onegrid.errors import Problem
from onegrid.store.base import utcnow
from onegrid.store.models import AuditEntry, Case
from onegrid.workflow import (
    audit,
    channels,
    deadline,
    duplicates,
    effects,
    guard,
    idempotency,
    notify,
    onreport,
    party,
    separation,
    submission,
    ticks,
)
from onegrid.workflow.actor import Actor
from onegrid.workflow.errors import CaseNotFound, Conflict, InvalidSubmission
from onegrid.workflow.route import route, seat
from onegrid.workflow.rulebook import rulebook
from onegrid.workflow.transition import Action, acting_for, by_engine, checked, offered


@dataclass
class Step:
    """One row of a case's trail."""

    seq: int
    at: dt.datetime
    action: str
    actor: str | None
    from_state: str | None
    to_state: str | None
    data: dict[str, Any]


def request_hash(facts, body, channel, actor: Actor) -> str:
    blob = json.dumps(
        {"facts": facts, "submission": body, "channel": channel, "reporter": actor.id},
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return "sha256:" + hashlib.sha256(blob.encode()).hexdigest()


def open_case(
    session,
    version,
    facts: dict[str, Any],
    submission_data: dict[str, Any],
    actor: Actor,
    channel: str,
    idempotency_key: str | None = None,
    now: dt.datetime | None = None,
    lang: str = "zh",
    door: str | None = None,
    recorded: Callable[[Case], None] | None = None,
    commit: bool = True,
) -> Case:
    """Validate, route, store and audit a new case (see the package docs).
    `recorded(case)` adds what the door keeps with a new case (which Open311
    client filed it) in the same transaction, before it commits;
    `commit=False` leaves the commit to the caller (a batch)."""
    now = now or utcnow()
    idempotency_key = idempotency_key or None  # an empty key is no key, not a shared one
    facts = submission.jsonable(dict(facts or {}))
    digest = request_hash(facts, submission.jsonable(submission_data or {}), channel, actor)

    def create() -> Case:
        case = _new_case(session, version, facts, submission_data, actor, channel, now, lang)
        case.idempotency_key = idempotency_key
        case.request_hash = digest
        case.door = door
        deadline.start_step(rulebook(version), case, now)
        session.add(case)
        session.flush()
        # the caller's version object, without cascading it into this session
        set_committed_value(case, "policy_version", version)
        audit.append(
            session,
            case.id,
            "open",
            actor.id,
            now,
            {
                "to": case.state,
                "channel": channel,
                "door": door,
                "policy_version": version.id,
                "facts": facts,
                "submission": case.submission,
                "route": case.route,
                "due_at": audit.stamp(case.due_at) if case.due_at else None,
            },
        )
        # whoever must act next hears of it, in this same transaction
        notify.case_step(session, rulebook(version), case, "open", actor.id, now)
        if recorded is not None:
            recorded(case)
        # 采办合一 ticked: the finder's own step, in this same transaction
        onreport.take(session, rulebook(version), case, actor, now, lang, act)
        return case

    return idempotency.once(session, Case, idempotency_key, digest, create, commit)


def _new_case(session, version, facts, submission_data, actor, channel, now, lang) -> Case:
    book = rulebook(version)
    channels.check_channel(book, channel)
    matter_id = facts.get("matter")
    if not matter_id:
        raise InvalidSubmission([Problem("missing-fact", {"fact": "matter"})])
    if matter_id not in book.matters:
        raise InvalidSubmission([Problem("unknown-matter", {"matter": matter_id})])
    place = facts.get("place")
    if place is not None and place not in book.units and place not in book.departments:
        raise InvalidSubmission([Problem("unknown-place", {"place": place})])
    clean = submission.validate(book, book.matters[matter_id].get("form"), submission_data, lang)
    # what the router sees: the one function every door and `explain` use
    facts = routing_facts(book, {**facts, "channel": channel, "submission": clean})
    place = place or placed(book, facts)
    decided = route(book, facts)
    return Case(
        policy_version_id=version.id,
        pack=book.pack or version.pack,
        matter=matter_id,
        channel=channel,
        state=book.initial,
        place=place,
        level=seat(book, place, decided.level),
        unit=decided.lead,
        assistants=decided.assistants,
        enterprise=decided.enterprise,
        reporter=actor.id,
        facts=facts,
        submission=clean,
        route=decided.as_json(),
        limits=decided.limits,
        supervised=decided.supervise,
        escalations=0,
        reopened=0,
        warned=False,
        overdue=False,
        created_at=now,
        updated_at=now,
    )


def routing_facts(book, given: dict[str, Any]) -> dict[str, Any]:
    """A submission → the facts the case stores and the router reads (`onegrid.decide`)."""
    from onegrid.decide import facts_of

    return submission.jsonable(facts_of(book.policy, given))


def placed(book, facts: dict[str, Any]) -> str | None:
    """Where the router placed a case reported without a place: the grid its
    coordinates or the unit its address name; for the intake unit, the org
    unit it sits in (so that its dispatchers see the case)."""
    how, unit = facts.get("located"), facts.get("unit")
    if how in ("coordinates", "address"):
        return unit
    if how == "intake" and unit:
        return book.home(unit)
    return None


def get_case(session, case_id: int) -> Case:
    case = session.get(Case, case_id, populate_existing=True)
    if case is None:
        raise CaseNotFound("case-not-found", {"case": case_id})
    return case


def actions_for(case: Case, actor: Actor, lang: str = "zh") -> list[Action]:
    """The transitions `actor` may take on `case` now."""
    return offered(rulebook(case.policy_version), case, actor, lang)


def refused_for(case: Case, actor: Actor, lang: str = "zh") -> list[tuple[Action, str]]:
    """The transitions open to `actor` by party that separation of duties
    refuses them, each with the reason in `lang` (shown beside the actions)."""
    book = rulebook(case.policy_version)
    out = []
    for t in book.transitions.values():
        if by_engine(t) or case.state not in t.get("from", ()):
            continue
        if guard.failed(book, case, t):
            continue
        refusal = acting_for(book, case, actor, t)[1]
        if refusal is None:
            continue
        label = book.name(t, lang, t["id"])
        to = case.state if t.get("stay") else t["to"]
        params = separation.params(book, refusal, label, lang)
        out.append(
            (Action(t["id"], label, to, t.get("form")), messages.text(refusal.code, params, lang))
        )
    return out


def choices_for(case: Case, transition: str) -> dict[str, list[str]]:
    """field → the only ids a transition's form may name on this case (for pages)."""
    book = rulebook(case.policy_version)
    t = book.transitions.get(transition)
    return effects.choices(book, case, t) if t is not None else {}


def waiting_on(case: Case) -> list[party.Holder]:
    """Who must act next: the holders of each transition open on the case now
    (not the sweep's, not those that leave the state as it is, like 督办)."""
    book = rulebook(case.policy_version)
    open_now = [
        t
        for t in book.transitions.values()
        if case.state in t.get("from", ())
        and not t.get("by_sweep")
        and (not t.get("stay") or t.get("effect") in effects.PER_UNIT)
        and not guard.failed(book, case, t)
    ]
    holders = [_own_parts(book, case, h) for h in party.holders(book, case, open_now)]
    return [h for h in holders if h is not None]


def _own_parts(book, case: Case, holder: party.Holder) -> party.Holder | None:
    """An assistant's part is waited on only from the units whose part is still open."""
    t = book.transitions[holder.transition]
    if t.get("effect") not in effects.PER_UNIT:
        return holder
    units = tuple(u for u in effects.eligible(t, case, list(holder.units)) if u)
    return dataclasses.replace(holder, units=units) if units else None


def act(
    session,
    case_id: int,
    transition: str,
    actor: Actor,
    submission_data: dict[str, Any] | None,
    expected_version: int,
    now: dt.datetime | None = None,
    lang: str = "zh",
    commit: bool = True,
) -> Case:
    """Take one transition, if the case is still at `expected_version`
    (`commit=False`: inside the caller's transaction, as `onreport` does)."""
    now = now or utcnow()
    try:
        case = get_case(session, case_id)
        if case.version != expected_version:
            raise Conflict(
                "case-stale",
                {"case": case_id, "expected": expected_version, "current": case.version},
            )
        book = rulebook(case.policy_version)
        t, clean, units = checked(book, case, transition, actor, submission_data, lang, case_id)
        before = {"state": case.state, "level": case.level, "unit": case.unit}
        said = _apply(
            book,
            case,
            t,
            now,
            effects.Taken(book, case, t, now, clean, actor, units[0], lang, session),
        )
        separation.record(case, transition, actor, units[0])
        session.flush()
        audit.append(
            session,
            case.id,
            transition,
            actor.id,
            now,
            {
                "from": before["state"],
                "to": case.state,
                "version": case.version,
                "submission": clean,
                "as": units[0],
                **said,
                **(
                    {"level": [before["level"], case.level], "unit": [before["unit"], case.unit]}
                    if before["level"] != case.level or before["unit"] != case.unit
                    else {}
                ),
                "due_at": audit.stamp(case.due_at) if case.due_at else None,
            },
        )
        notify.case_step(session, book, case, transition, actor.id, now)
        notify.case_changed(session, book, case, transition, before["state"], actor.id, now)
        duplicates.tell_outcome(session, book, case, actor.id, now)
        if case.closed_at == now and before["state"] != case.state:
            # the duty rounds' on_event items that name this matter tick themselves
            ticks.case_closed(session, case, actor.id, now)
        if commit:
            session.commit()
        return case
    except StaleDataError:
        session.rollback()
        raise Conflict(
            "case-stale", {"case": case_id, "expected": expected_version, "current": "?"}
        ) from None
    except BaseException:
        session.rollback()
        raise


def _apply(book, case: Case, t: dict, now: dt.datetime, taken: effects.Taken) -> dict:
    """Take `t`: its effect (what the trail adds is returned), then the state and clock."""
    said = effects.apply(taken)
    case.updated_at = now
    if t.get("stay"):
        return said  # same state, same clock (unless the effect restarted it)
    case.state = t["to"]
    if book.states.get(case.state, {}).get("final"):
        case.closed_at = now
    deadline.start_step(book, case, now)
    return said


climb = effects.climb  # the sweep's way up the ladder


def trail(session, case_id: int) -> list[Step]:
    """Every audited step of a case, oldest first."""
    rows = session.scalars(
        select(AuditEntry).where(AuditEntry.case_id == case_id).order_by(AuditEntry.seq)
    ).all()
    return [_step(row) for row in rows]


def trails(session, case_ids, before: dt.datetime | None = None) -> dict[int, list[Step]]:
    """The trails of many cases at once (oldest step first), optionally only
    the steps before a moment: what the monthly scoring run reads."""
    out: dict[int, list[Step]] = {i: [] for i in case_ids}
    ids = list(out)
    for start in range(0, len(ids), 500):
        stmt = select(AuditEntry).where(AuditEntry.case_id.in_(ids[start : start + 500]))
        if before is not None:
            stmt = stmt.where(AuditEntry.at < before)
        for row in session.scalars(stmt.order_by(AuditEntry.case_id, AuditEntry.seq)):
            out[row.case_id].append(_step(row))
    return out


def steps_of(rows) -> list[Step]:
    """Audit rows as steps, oldest first (a case's or another item's trail)."""
    return [_step(row) for row in rows]


def _step(row: AuditEntry) -> Step:
    data = json.loads(row.payload)["data"]
    return Step(row.seq, row.at, row.action, row.actor, data.get("from"), data.get("to"), data)
