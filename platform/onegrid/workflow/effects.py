"""What else happens when a transition is taken (`effect:` in the workflow).

A registry keyed by name: each effect is a function of the step being
taken, and returns what the trail should say about it. The names and their
meaning are declared in `onegrid.policy.kinds.workflow.EFFECTS` (the
schema's enum); a test checks both agree. The moves of real hotlines live
here: 签收 (sign), 退单 (give_back) and 改派 (reassign), 延期 (ask, grant,
refuse an extension), 返工 (reopen counts the rework), 回访 (revisit).
Their state is kept in `case.progress`, a mapping of plain JSON.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from onegrid import messages
from onegrid.errors import Problem
from onegrid.workflow import audit, deadline, escalation
from onegrid.workflow.actor import Actor
from onegrid.workflow.errors import InvalidSubmission

messages.register(
    {
        "reassign-same": {
            "zh": "改派须换一个主办单位（现在就是{unit}）",
            "en": "a reassignment needs another lead (it is {unit} now)",
        },
        "transition-max": {
            "zh": "“{transition}”在一个案件中最多 {max} 次，已用完",
            "en": "'{transition}' may be taken {max} time(s) on a case, and it has been",
        },
    }
)


@dataclass
class Taken:
    """One transition being taken, as an effect sees it."""

    book: Any
    case: Any
    transition: dict
    now: dt.datetime
    submission: dict
    actor: Actor
    unit: str | None  # what the actor acts for (None: as themselves)


def climb(book, case, trigger: str = "overdue") -> bool:
    """Hand the case up one rung; False at the top of the ladder."""
    rung = escalation.next_rung(book, case, trigger)
    if rung is None:
        return False
    case.level = rung.level
    if rung.unit:
        case.unit = rung.unit
    if rung.limit and case.step:
        case.limits = {**(case.limits or {}), case.step: rung.limit}
    case.escalations += 1
    case.supervised = True
    return True


def progress(case) -> dict:
    return dict(case.progress or {})


def _set(case, key: str, value) -> None:
    data = progress(case)
    if value is None:
        data.pop(key, None)
    else:
        data[key] = value
    case.progress = data


def _count(case, key: str) -> int:
    data = progress(case)
    data[key] = int(data.get(key) or 0) + 1
    case.progress = data
    return data[key]


def _escalate(step: Taken) -> dict:
    climb(step.book, step.case, "beyond_level")
    return {}


def _reopen(step: Taken) -> dict:
    # 返工: a failed evaluation sends the case back to be handled, and counts
    step.case.reopened += 1
    _set(step.case, "signed", None)
    return {"rework": step.case.reopened}


def _supervise(step: Taken) -> dict:
    step.case.supervised = True
    return {}


def _sign(step: Taken) -> dict:
    # 签收: the lead has it; the handling clock starts now (restarted below)
    signed = {"by": step.actor.id, "unit": step.unit, "at": audit.stamp(step.now)}
    _set(step.case, "signed", signed)
    return {"signed": signed, "restart": True}


def _give_back(step: Taken) -> dict:
    # 退单: the lead returns a case that is not theirs; the dispatcher re-dispatches
    _set(step.case, "signed", None)
    return {"returns": _count(step.case, "returns"), "returned_by": step.unit}


def _reassign(step: Taken) -> dict:
    # 改派: the dispatcher names another lead (the form's `lead` field)
    lead = (step.submission or {}).get("lead")
    book, case = step.book, step.case
    if lead is not None:
        known = {**book.units, **book.departments, **book.enterprises}
        if lead not in known:
            raise InvalidSubmission([Problem("unknown-place", {"place": lead})], {"lead": lead})
        if lead == case.unit:
            raise InvalidSubmission(
                [Problem("reassign-same", {"unit": book.name(known[lead], "zh", lead)})],
                {"lead": lead},
            )
        case.unit = lead
        case.assistants = [a for a in case.assistants or () if a != lead]
    _set(case, "signed", None)
    return {"reassigned": _count(case, "reassigned")}


def _ask_extension(step: Taken) -> dict:
    # 延期申请: how much more time, in the form's `duration` (a duration such as 3wd)
    asked = {
        "by": step.actor.id,
        "unit": step.unit,
        "at": audit.stamp(step.now),
        "duration": (step.submission or {}).get("duration"),
    }
    _set(step.case, "extension", asked)
    return {"extension": asked}


def _grant_extension(step: Taken) -> dict:
    # 延期批准: the deadline moves on by the asked time, on the business calendar
    case, book = step.case, step.book
    asked = progress(case).get("extension") or {}
    duration = asked.get("duration")
    out: dict[str, Any] = {"granted": duration}
    if duration and case.due_at is not None:
        due = book.calendar.add(case.due_at, duration)
        started = case.step_started_at or step.now
        case.due_at = due
        case.warn_at = started + (due - started) * book.warning(case.step)
        case.warned = case.overdue = False
        out["due_at"] = audit.stamp(due)
    _set(case, "extension", None)
    _count(case, "extensions")
    return out


def _refuse_extension(step: Taken) -> dict:
    asked = progress(step.case).get("extension") or {}
    _set(step.case, "extension", None)
    return {"refused": asked.get("duration")}


def _revisit(step: Taken) -> dict:
    # 回访: a return call to the reporter before closing, with what they said
    visit = {"by": step.actor.id, "at": audit.stamp(step.now)}
    _set(step.case, "revisited", visit)
    return {"revisited": visit}


EFFECTS: dict[str, Callable[[Taken], dict]] = {
    "escalate": _escalate,
    "reopen": _reopen,
    "supervise": _supervise,
    "sign": _sign,
    "give_back": _give_back,
    "reassign": _reassign,
    "ask_extension": _ask_extension,
    "grant_extension": _grant_extension,
    "refuse_extension": _refuse_extension,
    "revisit": _revisit,
}


def apply(step: Taken) -> dict:
    """Run the transition's effect; what the trail should add."""
    name = step.transition.get("effect")
    if not name:
        return {}
    out = EFFECTS[name](step)
    if out.pop("restart", False):
        deadline.start_step(step.book, step.case, step.now)
    return out
