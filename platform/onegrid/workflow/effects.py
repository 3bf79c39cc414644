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

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from onegrid import messages
from onegrid.errors import Problem
from onegrid.workflow import assist, audit, deadline, escalation, ticks
from onegrid.workflow.actor import Actor
from onegrid.workflow.errors import InvalidSubmission

messages.register(
    {
        "reassign-same": {
            "zh": "改派须换一个主办单位（现在就是{unit}）",
            "en": "a reassignment needs another lead (it is {unit} now)",
        },
        "dispatch-to-returner": {
            "zh": "{unit}已退回此案件：请另选主办单位（改派）",
            "en": "{unit} returned this case: choose another lead (reassign)",
        },
        "dispatch-not-allowed": {
            "zh": "“{unit}”不在本案可选的{what}之内（可选：{allowed}）",
            "en": "'{unit}' is not among the {what} this case allows (allowed: {allowed})",
        },
        "dispatch-reason": {
            "zh": "改变拟派的主办或协办单位须说明理由",
            "en": "a change to the proposed lead or assistants needs a reason",
        },
        "part-not-open": {
            "zh": "{unit}在本案没有待办的协办任务",
            "en": "{unit} has no open part of this case",
        },
        "merge-target": {
            "zh": "不能并入 #{into}：须是同一事项、尚未办结的另一件案件",
            "en": "cannot merge into #{into}: it must be another open case of the same matter",
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
    lang: str = "zh"
    session: Any = None


def refused(field: str, problem: Problem, lang: str) -> InvalidSubmission:
    """A form's submission refused at one field, in words (as the form shows
    its own errors: field → messages)."""
    return InvalidSubmission(
        [problem], {field: [messages.text(problem.code, problem.params, lang)]}
    )


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
    case.supervised = case.supervised or rung.supervise  # as the pack's rung says
    return True


def progress(case) -> dict:
    # a deep copy: the stored value must stay as read, or the change would not be seen
    return copy.deepcopy(case.progress or {})


def _set(case, key: str, value) -> None:
    data = progress(case)
    if value is None:
        data.pop(key, None)
    else:
        data[key] = value
    if key == "parts":
        assist.schedule(data)  # when the sweep must next look at a part
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
    _set(step.case, "returned_by", step.unit)  # never the lead again by a plain 转办
    return {"returns": _count(step.case, "returns"), "returned_by": step.unit}


def _reassign(step: Taken) -> dict:
    # 改派: the dispatcher names another lead (the form's `lead` field)
    lead = (step.submission or {}).get("lead")
    book, case = step.book, step.case
    if lead is not None:
        known = {**book.units, **book.departments, **book.enterprises}
        if lead not in known:
            raise refused("lead", Problem("unknown-place", {"place": lead}), step.lang)
        if lead == case.unit:
            same = Problem("reassign-same", {"unit": book.name(known[lead], step.lang, lead)})
            raise refused("lead", same, step.lang)
        # 改派 within what the pack's `dispatch:` option allows, like a changed dispatch
        _within_option(step, lead, [], [])
        before = {"lead": case.unit, "assistants": list(case.assistants or ())}
        kept = [a for a in before["assistants"] if a != lead]
        said = {
            "proposed": before,
            "chosen": {"lead": lead, "assistants": kept},
            "changed": True,
            "reason": ((step.submission or {}).get("reason") or "").strip(),
            "option": (book.dispatch_option(case) or {}).get("id"),
        }
        case.route = {**(case.route or {}), "dispatched": {**said, "by": step.actor.id}}
        case.unit, case.assistants = lead, kept
    _set(case, "signed", None)
    out = {"reassigned": _count(case, "reassigned"), "parts": open_parts(step)}
    return {**out, "route": said} if lead is not None else out


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


def _choose_route(step: Taken) -> dict:
    # 转办: keep the route proposed, or change it within the pack's `dispatch:` option
    book, case, body = step.book, step.case, step.submission or {}
    option = book.dispatch_option(case) or {}
    proposed = {"lead": case.unit, "assistants": list(case.assistants or ())}
    lead = body.get("lead") or case.unit
    adding = body.get("assist")
    adding = [adding] if isinstance(adding, str) else list(adding or ())
    problems, errors = [], {}
    lang = step.lang
    returner = progress(case).get("returned_by")
    if returner is not None and lead == returner:
        # a 转办 that keeps the route would hand the case back to the unit that returned it
        known = {**book.units, **book.departments, **book.enterprises}
        back = Problem("dispatch-to-returner", {"unit": book.name(known.get(lead), lang, lead)})
        problems.append(back)
        errors["lead"] = [messages.text(back.code, back.params, lang)]
    _within_option(step, lead, adding, proposed["assistants"], problems, errors)
    assistants = [a for a in [*proposed["assistants"], *adding] if a != lead]
    assistants = list(dict.fromkeys(assistants))
    changed = lead != proposed["lead"] or assistants != proposed["assistants"]
    reason = (body.get("reason") or "").strip()
    if changed and not reason:
        problems.append(Problem("dispatch-reason", {}))
        errors["reason"] = [messages.text("dispatch-reason", {}, lang)]
    if problems:
        raise InvalidSubmission(problems, errors)
    chosen = {"lead": lead, "assistants": assistants}
    case.unit, case.assistants = lead, assistants
    said = {"proposed": proposed, "chosen": chosen, "changed": changed}
    if body.get("instruction"):
        said["instruction"] = body["instruction"]
    if changed:
        said["reason"] = reason
        said["option"] = option.get("id")
    case.route = {**(case.route or {}), "dispatched": {**said, "by": step.actor.id}}
    said_parts = open_parts(step)
    return {"route": said, **({"parts": said_parts} if said_parts else {})}


def _within_option(step: Taken, lead, adding, kept, problems=None, errors=None) -> None:
    """Refuse a lead or an added assistant the `dispatch:` option of the case
    does not allow (no option: no change), naming the unit and the allowed
    ones; into `problems`/`errors` when given, else raised at once."""
    book, case, lang = step.book, step.case, step.lang
    option = book.dispatch_option(case) or {}
    known = {**book.units, **book.departments, **book.enterprises}
    own = problems is None
    problems = [] if own else problems
    errors = {} if errors is None else errors

    def refuse(field, unit, what, allowed):
        sep = "、" if lang == "zh" else ", "
        params = {
            "unit": book.name(known.get(unit), lang, unit),
            "what": what[0] if lang == "zh" else what[1],
            "allowed": sep.join(book.name(known.get(a), lang, a) for a in allowed) or "—",
        }
        problems.append(Problem("dispatch-not-allowed", params))
        errors.setdefault(field, []).append(messages.text("dispatch-not-allowed", params, lang))

    if lead != case.unit and lead not in (option.get("leads") or ()):
        refuse("lead", lead, ("主办单位", "leads"), option.get("leads") or ())
    for unit in adding:
        if unit not in (option.get("assistants") or ()) and unit not in kept:
            refuse("assist", unit, ("协办单位", "assistants"), option.get("assistants") or ())
    if own and problems:
        raise InvalidSubmission(problems, errors)


# -- assistants' parts (吹哨报到: each summoned unit does its own part) --------

PART_OPEN, PART_SIGNED, PART_DONE, PART_WAIVED = "open", "signed", "done", "waived"


def parts(case) -> dict[str, dict]:
    return progress(case).get("parts") or {}


def open_parts(step: Taken) -> list[str]:
    """Give every assistant without one its part, with its own deadline (the
    `assist` step's limit, from the matter or the workflow)."""
    case, book = step.case, step.book
    have = parts(case)
    limit = deadline.limit_of(book, case, "assist")
    new = []
    for unit in case.assistants or ():
        if unit in have:
            continue
        part = {"state": PART_OPEN, "since": audit.stamp(step.now)}
        if limit:
            due = book.calendar.add(step.now, limit)
            part["due_at"] = audit.stamp(due)
            part["warn_at"] = audit.stamp(assist.warn_at(book, step.now, due))
        have[unit] = part
        new.append(unit)
    _set(case, "parts", have or None)
    return new


def _part(step: Taken, states: tuple[str, ...]) -> tuple[dict, dict]:
    have = parts(step.case)
    part = have.get(step.unit)
    if part is None or part.get("state") not in states:
        raise InvalidSubmission([Problem("part-not-open", {"unit": step.unit or ""})])
    return have, part


def _part_sign(step: Taken) -> dict:
    have, part = _part(step, (PART_OPEN,))
    part.update(state=PART_SIGNED, signed_at=audit.stamp(step.now), signed_by=step.actor.id)
    _set(step.case, "parts", have)
    return {"part": step.unit, "state": PART_SIGNED}


def _part_done(step: Taken) -> dict:
    have, part = _part(step, (PART_OPEN, PART_SIGNED))
    part.update(state=PART_DONE, done_at=audit.stamp(step.now), done_by=step.actor.id)
    _set(step.case, "parts", have)
    return {"part": step.unit, "state": PART_DONE}


def _part_waive(step: Taken) -> dict:
    unit = (step.submission or {}).get("unit")
    have = parts(step.case)
    part = have.get(unit)
    if part is None or part.get("state") in (PART_DONE, PART_WAIVED):
        raise refused("unit", Problem("part-not-open", {"unit": unit or ""}), step.lang)
    part.update(state=PART_WAIVED, waived_at=audit.stamp(step.now), waived_by=step.actor.id)
    _set(step.case, "parts", have)
    return {"part": unit, "state": PART_WAIVED}


def choices(book, case, transition: dict) -> dict[str, list[str]]:
    """What the form fields of a transition's effect may name on this case
    (field → ids), so that a page offers only those: the leads and assistants
    the `dispatch:` option allows (转办, 改派), the parts still open (免除协办).
    The effect checks again whatever is submitted."""
    effect = transition.get("effect")
    if effect in ("choose_route", "reassign"):
        option = book.dispatch_option(case) or {}
        leads = [u for u in option.get("leads") or () if u != case.unit]
        have = set(case.assistants or ())
        assistants = [u for u in option.get("assistants") or () if u not in have]
        if effect == "reassign":
            return {"lead": leads}
        return {"lead": [case.unit, *leads] if case.unit else leads, "assist": assistants}
    if effect == "part_waive":
        return {"unit": parts_pending(case)}
    return {}


def parts_pending(case) -> list[str]:
    return [u for u, p in parts(case).items() if p.get("state") not in (PART_DONE, PART_WAIVED)]


# an effect on the actor's own part is offered only for the units whose part is in these states
PER_UNIT = {"part_sign": (PART_OPEN,), "part_done": (PART_OPEN, PART_SIGNED)}


def eligible(transition: dict, case, units: list[str | None]) -> list[str | None]:
    states = PER_UNIT.get(transition.get("effect") or "")
    if states is None:
        return units
    have = parts(case)
    return [u for u in units if u is not None and (have.get(u) or {}).get("state") in states]


def _merge(step: Taken) -> dict:
    # 并单: the repeat report joins the open case the form's `into` names
    from onegrid.store.models import Case
    from onegrid.workflow import duplicates

    case, session = step.case, step.session
    into_id = (step.submission or {}).get("into")
    try:
        into = session.get(Case, int(into_id)) if into_id is not None else None
    except (TypeError, ValueError):
        into = None
    if (
        into is None
        or into.id == case.id
        or into.pack != case.pack
        or into.matter != case.matter
        or into.closed_at is not None
    ):
        raise refused("into", Problem("merge-target", {"into": str(into_id)}), step.lang)
    duplicates.link(session, case, into, step.actor.id, step.now)
    return {"merged_into": into.id}


def _assign(step: Taken) -> dict:
    """An item goes to the unit its decision named at filing (`result.assign`)."""
    unit = (getattr(step.case, "result", None) or {}).get("assign")
    if unit:
        step.case.unit = unit
        step.case.level = step.book.level_of(unit)
    return {"unit": unit}


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
    "choose_route": _choose_route,
    "part_sign": _part_sign,
    "part_done": _part_done,
    "part_waive": _part_waive,
    "merge": _merge,
    "assign": _assign,
    # a duty round's ticks (onegrid.workflow.ticks)
    "tick": ticks.tick,
    "not_applicable": ticks.not_applicable,
    "add_task": ticks.add_task,
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
