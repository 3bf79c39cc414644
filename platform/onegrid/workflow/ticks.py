"""A duty round's ticks (打勾销号): the `tick`, `not_applicable` and
`add_task` effects of the round's transitions, and the ticks a closed case
gives the `on_event` items that name its matter.

A tick is appended, never rewritten: `result.ticks[duty]` is a list of
{at, by, unit, late, evidence, case?}; `result.na[duty]` says why an item
did not apply; `result.tasks` are the "+1" tasks a superior assigned, each
ticked like a listed item. Every one is an audited step on the round's own
chain. The submission of a tick names the `duty` beside its evidence; the
evidence form is the item's `evidence.form`, else the pack's
`duties.evidence_forms` for its `evidence.type`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from onegrid import messages
from onegrid.errors import Problem
from onegrid.store.items import Item
from onegrid.workflow import audit, duty_plan, submission
from onegrid.workflow.errors import Conflict, Forbidden, InvalidSubmission
from onegrid.workflow.rulebook import rulebook

DECISION = "duty_round"  # the decision that makes an item kind a duty round

messages.register(
    {
        "duty-unknown-list": {
            "zh": "策略版本中没有职责清单 '{list}'",
            "en": "the policy version has no duty list '{list}'",
        },
        "duty-bad-period": {
            "zh": "'{period}' 不是期间（如 2026-W49、2026-12、2026-Q4、2026-H2、2026）",
            "en": "'{period}' is not a period (e.g. 2026-W49, 2026-12, 2026-Q4, 2026-H2, 2026)",
        },
        "duty-no-items": {
            "zh": "“{holder}”在清单 '{list}' 中本期没有职责",
            "en": "'{holder}' has no duties of list '{list}' in this period",
        },
        "duty-unknown-item": {
            "zh": "本轮职责中没有 '{duty}'",
            "en": "this round has no duty '{duty}'",
        },
        "duty-round-closed": {
            "zh": "{period}的职责已结束，不能再销号或标为不适用",
            "en": "the round for {period} is closed: it takes no more ticks",
        },
        "duty-not-yours": {
            "zh": "这项职责属于“{holder}”，您不能为它销号",
            "en": "this duty belongs to '{holder}': you cannot tick it off",
        },
        "duty-already-done": {
            "zh": "“{duty}”本期已销号（{done}/{times}），原有记录保留不变",
            "en": "'{duty}' is already ticked off this period ({done}/{times}); what was recorded stays",
        },
        "duty-already-na": {
            "zh": "“{duty}”本期已标为不适用",
            "en": "'{duty}' is already marked not applicable this period",
        },
        "duty-ticked-not-na": {
            "zh": "“{duty}”本期已有销号记录，不能再标为不适用",
            "en": "'{duty}' already has ticks this period: it cannot be marked not applicable",
        },
        "duty-task-past": {
            "zh": "完成期限 {due} 已过（今天是 {today}），请定一个今天或以后的日期",
            "en": "the deadline {due} has passed (today is {today}): give today or a later date",
        },
        "duty-no-form": {
            "zh": "“{duty}”的销号依据（{type}）没有对应的表单（duties 的 evidence_forms）",
            "en": "no form records '{duty}''s evidence ({type}): see evidence_forms in duties",
        },
    }
)


def kinds(book) -> list[str]:
    """The kinds of workflow item that are duty rounds."""
    return [k for k, spec in book.kinds.items() if spec.get("decision") == DECISION]


def by_effect(book, effect: str) -> dict | None:
    """The round's transition that has `effect` (tick, not_applicable, add_task)."""
    return next((t for t in book.transitions.values() if t.get("effect") == effect), None)


def duties_section(book) -> dict:
    return book.resolved.get("duties") or {}


def duty_of(book, rnd: Item, duty_id: str | None) -> dict | None:
    """One item of the round's list (or one of its "+1" tasks), as declared."""
    if duty_id in ((rnd.result or {}).get("decision") or {}).get("items", ()):
        lst = duty_plan.lists(book).get(rnd.data.get("list")) or {}
        for item in lst.get("items") or ():
            if item.get("id") == duty_id:
                return item
    for task in (rnd.result or {}).get("tasks") or ():
        if task.get("id") == duty_id:
            return task
    return None


def form_of(book, duty: dict) -> str | None:
    evidence = duty.get("evidence") or {}
    return evidence.get("form") or (duties_section(book).get("evidence_forms") or {}).get(
        evidence.get("type")
    )


def period_of(rnd: Item) -> duty_plan.Period | None:
    return duty_plan.parse(str(rnd.data.get("period") or ""))


def due_of(rnd: Item) -> dt.datetime | None:
    when = ((rnd.result or {}).get("decision") or {}).get("due")
    return dt.datetime.fromisoformat(when) if when else None


def is_late(rnd: Item, duty: dict, now: dt.datetime) -> bool:
    """After the period's due moment (a "+1" task: after its own due day) a tick is late."""
    own = duty.get("due")
    if own:
        return now.date() > dt.date.fromisoformat(own)
    due = due_of(rnd)
    return due is not None and now > due


def expected(book, rnd: Item, duty: dict) -> int:
    """Ticks the duty asks for in the round's period (0: only when it happens)."""
    if "due" in duty:  # a "+1" task: once
        return 1
    period = period_of(rnd)
    return duty_plan.expected(book, duty, period) if period else 1


def ticks_of(rnd: Item, duty_id: str) -> list[dict]:
    return list(((rnd.result or {}).get("ticks") or {}).get(duty_id) or ())


def na_of(rnd: Item, duty_id: str) -> dict | None:
    return ((rnd.result or {}).get("na") or {}).get(duty_id)


def holder_name(book, rnd: Item, lang: str) -> str:
    if (rnd.data or {}).get("claimant"):
        return str(rnd.data["claimant"])
    unit = book.units.get(rnd.unit) or book.departments.get(rnd.unit)
    return book.name(unit, lang, rnd.unit or "")


def refusal(book, rnd: Item, duty: dict | None, actor, lang: str):
    """Why `actor` may not tick `duty` of `rnd` now (an error to raise), or None.
    The round's unit holds it: when the list's holder is a role, only that
    role there; a cross-block item's `with` units contribute."""
    period = period_of(rnd)
    if rnd.closed_at is not None:
        label = period.label(lang) if period else str(rnd.data.get("period"))
        return Conflict("duty-round-closed", {"period": label})
    if duty is None:
        return None
    claimant = (rnd.data or {}).get("person")
    if claimant is not None:
        # a claimed post's round: its claimant alone (through a linked account)
        if getattr(actor, "person", None) == claimant:
            return None
        return Forbidden("duty-not-yours", {"holder": holder_name(book, rnd, lang)})
    lst = duty_plan.lists(book).get(rnd.data.get("list")) or {}
    role = lst.get("holder") if lst.get("holder") in book.roles else None
    for b in actor.bindings:
        if b.unit == rnd.unit and (role is None or b.role == role or "due" in duty):
            return None
        if b.unit in (duty.get("with") or ()):
            return None
    return Forbidden("duty-not-yours", {"holder": holder_name(book, rnd, lang)})


def _name(book, duty: dict, lang: str) -> str:
    return book.name(duty, lang, duty.get("id", ""))


def _duty(step) -> tuple[dict, str, dict]:
    data = dict(step.submission or {})
    duty_id = data.pop("duty", None)
    duty = duty_of(step.book, step.case, duty_id)
    if duty is None:
        params = {"duty": str(duty_id)}
        raise InvalidSubmission(
            [Problem("duty-unknown-item", params)],
            {"duty": [messages.text("duty-unknown-item", params, step.lang)]},
        )
    refused = refusal(step.book, step.case, duty, step.actor, step.lang)
    if refused is not None:
        raise refused
    return duty, duty_id, data


def entry(step, late: bool, evidence: dict, **more) -> dict[str, Any]:
    return {
        "at": audit.stamp(step.now),
        "by": step.actor.id,
        "unit": step.unit,
        "late": late,
        "evidence": evidence,
        **more,
    }


def add(rnd: Item, what: str, duty_id: str, value: dict) -> None:
    """Append a tick, set a not-applicable, or add a task: never rewrite one."""
    result = dict(rnd.result or {})
    if what == "tasks":
        result["tasks"] = [*(result.get("tasks") or ()), value]
    else:
        table = dict(result.get(what) or {})
        table[duty_id] = [*(table.get(duty_id) or ()), value] if what == "ticks" else value
        result[what] = table
    rnd.result = result


def all_done(book, rnd: Item) -> bool:
    """Every item the period asks for is ticked as often as asked, or does not apply."""
    ids = list(((rnd.result or {}).get("decision") or {}).get("items", ()))
    ids += [t["id"] for t in (rnd.result or {}).get("tasks") or ()]
    for duty_id in ids:
        duty = duty_of(book, rnd, duty_id) or {}
        need = expected(book, rnd, duty)
        if need and not na_of(rnd, duty_id) and len(ticks_of(rnd, duty_id)) < need:
            return False
    return True


def _stop_clock_when_done(book, rnd: Item) -> None:
    # nothing left to do: the sweep has nothing to warn of (late stays
    # measured against the period's due moment in result.decision)
    if all_done(book, rnd):
        rnd.warn_at = rnd.due_at = None


def tick(step) -> dict:
    """The `tick` effect: the duty's evidence, validated with its form."""
    book, rnd, lang = step.book, step.case, step.lang
    duty, duty_id, data = _duty(step)
    name = _name(book, duty, lang)
    if na_of(rnd, duty_id):
        raise Conflict("duty-already-na", {"duty": name})
    done, need = ticks_of(rnd, duty_id), expected(book, rnd, duty)
    if need and len(done) >= need:
        raise Conflict("duty-already-done", {"duty": name, "done": len(done), "times": need})
    form = form_of(book, duty)
    if form is None and "due" not in duty:
        params = {"duty": name, "type": str((duty.get("evidence") or {}).get("type"))}
        raise InvalidSubmission([Problem("duty-no-form", params)])
    evidence = submission.validate(book, form, data, lang) if form else {}
    late = is_late(rnd, duty, step.now)
    add(rnd, "ticks", duty_id, entry(step, late, evidence))
    _stop_clock_when_done(book, rnd)
    return {"duty": duty_id, "late": late, "evidence": evidence}


def not_applicable(step) -> dict:
    """The `not_applicable` effect: why the duty does not apply this period."""
    book, rnd, lang = step.book, step.case, step.lang
    duty, duty_id, data = _duty(step)
    name = _name(book, duty, lang)
    if na_of(rnd, duty_id):
        raise Conflict("duty-already-na", {"duty": name})
    if ticks_of(rnd, duty_id):
        raise Conflict("duty-ticked-not-na", {"duty": name})
    form = duties_section(book).get("not_applicable_form")
    reason = submission.validate(book, form, data, lang) if form else data
    late = is_late(rnd, duty, step.now)
    add(rnd, "na", duty_id, entry(step, late, reason))
    _stop_clock_when_done(book, rnd)
    return {"duty": duty_id, "late": late, "reason": reason}


def add_task(step) -> dict:
    """The `add_task` effect: a superior's "+1" task, due on the form's date."""
    rnd = step.case
    today = step.now.astimezone(step.book.calendar.tz).date()
    due_day = dt.date.fromisoformat(str(step.submission.get("due")))
    if due_day < today:
        params = {"due": due_day.isoformat(), "today": today.isoformat()}
        raise InvalidSubmission(
            [Problem("duty-task-past", params)],
            {"due": [messages.text("duty-task-past", params, step.lang)]},
        )
    n = len((rnd.result or {}).get("tasks") or ()) + 1
    task = {
        "id": f"+{n}",
        "name": {"zh": step.submission.get("task"), "en": step.submission.get("task")},
        "due": str(step.submission.get("due")),
        "by": step.actor.id,
        "evidence": {"type": "record"},
        "frequency": "once",
    }
    add(rnd, "tasks", task["id"], task)
    due = due_of(rnd)
    if rnd.due_at is None and due is not None and due > step.now:
        rnd.due_at = due  # a new task to do: the period's clock runs again
    return {"task": task["id"]}


def case_closed(session, case, actor: str, now: dt.datetime) -> list[tuple[int, str]]:
    """Tick the open rounds' `on_event` items that name the closed case's
    matter, for the unit that led the case (or a department above it), with
    the case as evidence; [(round, duty)] ticked."""
    if not case.matter:
        return []
    book = rulebook(case.policy_version)
    units: set[str] = set()
    for unit in (case.unit,):
        seen: set[str] = set()
        while unit is not None and unit not in seen:
            seen.add(unit)
            units.add(unit)
            unit = (book.departments.get(unit) or {}).get("parent")
    if not units:
        return []
    rounds = session.scalars(
        select(Item).where(
            Item.pack == case.pack,
            Item.closed_at.is_(None),
            Item.unit.in_(sorted(units)),
            Item.kind.in_(kinds(book) or [""]),
        )
    ).all()
    out = []
    for rnd in rounds:
        if (rnd.data or {}).get("person") is not None:
            continue  # a claimant's round: the grid's case is not the claimant's doing
        rbook = rulebook(rnd.policy_version).for_item(rnd.kind)
        t = by_effect(rbook, "tick") if rbook is not None else None
        if t is None:
            continue
        for duty_id in ((rnd.result or {}).get("decision") or {}).get("items", ()):
            duty = duty_of(rbook, rnd, duty_id) or {}
            if duty.get("frequency") not in duty_plan.EVENTS:
                continue
            if case.matter not in (duty.get("matters") or ()):
                continue
            if any(x.get("case") == case.id for x in ticks_of(rnd, duty_id)):
                continue
            late = is_late(rnd, duty, now)
            value = {
                "at": audit.stamp(now),
                "by": actor,
                "unit": case.unit,
                "late": late,
                "case": case.id,
                "evidence": {"case": case.id},
            }
            add(rnd, "ticks", duty_id, value)
            rnd.updated_at = now
            session.flush()
            audit.append(
                session,
                None,
                t["id"],
                actor,
                now,
                {
                    "item": rnd.id,
                    "kind": rnd.kind,
                    "from": rnd.state,
                    "to": rnd.state,
                    "version": rnd.version,
                    "duty": duty_id,
                    "late": late,
                    "case": case.id,
                    "unit": case.unit,
                },
                subject=audit.item_subject(rnd.id),
            )
            out.append((rnd.id, duty_id))
    return out
