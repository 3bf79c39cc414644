"""The clock of each assistant's part (吹哨报到: every summoned unit answers
for its own part, by its own deadline).

A part opens at dispatch with the `assist` step's limit on the business
calendar (`effects.open_parts`); it has its own warning moment, the same
share of that limit as a case step's (`steps[].warning`). The sweep acts on
a part as on a case step, once each: warn the assisting unit when its part is
due soon; when it is overdue, escalate it (督办): mark it overdue and
supervised, and tell the assisting unit, the lead and whoever may waive a
part (the dispatcher), through the notification outbox. The case itself
stays where it is: an assistant's delay does not move the lead's clock.

`progress["parts_at"]` keeps the earliest moment any part needs the sweep,
so `cases.sweep_at` (store.models.next_sweep) finds the case then.
"""

from __future__ import annotations

import copy
import datetime as dt

from onegrid.workflow import audit, notify, party

PENDING = ("open", "signed")


def _at(value) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def moment(part: dict) -> dt.datetime | None:
    """When the sweep must next act on one part (None: never again)."""
    if part.get("state") not in PENDING:
        return None
    if not part.get("warned") and part.get("warn_at"):
        return _at(part["warn_at"])
    if not part.get("overdue"):
        return _at(part.get("due_at"))
    return None


def schedule(data: dict) -> dict:
    """Set `parts_at` in a case's progress from its parts (in place)."""
    times = [t for t in (moment(p) for p in (data.get("parts") or {}).values()) if t]
    if times:
        data["parts_at"] = audit.stamp(min(times))
    else:
        data.pop("parts_at", None)
    return data


def due_parts(case, now: dt.datetime) -> list[str]:
    """The units whose part the sweep must act on at `now`."""
    out = []
    for unit, part in ((case.progress or {}).get("parts") or {}).items():
        at = moment(part)
        if at is not None and at <= now:
            out.append(unit)
    return out


def warn_at(book, since: dt.datetime, due: dt.datetime) -> dt.datetime:
    return since + (due - since) * book.warning("assist")


def sweep_parts(session, book, case, now: dt.datetime, actor: str) -> list[str]:
    """Warn or escalate every due part of `case`, one audited row and one
    notification each; the actions taken ("part_warn", "part_escalate")."""
    data = copy.deepcopy(case.progress or {})  # a new value, or the change goes unseen
    have = data.get("parts") or {}
    taken = []
    for unit in due_parts(case, now):
        part = have[unit]
        due = _at(part.get("due_at"))
        if due is not None and due <= now:
            part.update(warned=True, overdue=True, supervised=True, escalated_at=audit.stamp(now))
            action, told = "part_escalate", [unit, case.unit, *holders_of(book, case, "part_waive")]
        else:
            part["warned"] = True
            action, told = "part_warn", [unit]
        data["parts"] = have
        case.progress = schedule(copy.deepcopy(data))
        case.updated_at = now
        session.flush()
        said = {"state": case.state, "step": "assist", "part": unit, "due_at": part.get("due_at")}
        audit.append(session, case.id, action, actor, now, {**said, "version": case.version})
        _tell(session, book, case, action, unit, told, now)
        taken.append(action)
    return taken


def _tell(session, book, case, action: str, unit: str, units, now) -> None:
    matter = book.name(book.matters.get(case.matter), "zh", case.matter)
    matter_en = book.name(book.matters.get(case.matter), "en", case.matter)
    known = {**book.units, **book.departments, **book.enterprises}
    who = {lang: book.name(known.get(unit), lang, unit) for lang in ("zh", "en")}
    if action == "part_warn":
        subject = {
            "zh": f"#{case.id} {matter}：{who['zh']}的协办任务即将到期",
            "en": f"#{case.id} {matter_en}: the part of {who['en']} is due soon",
        }
    else:
        subject = {
            "zh": f"#{case.id} {matter}：{who['zh']}的协办任务已超时，督办",
            "en": f"#{case.id} {matter_en}: the part of {who['en']} is overdue, supervised",
        }
    notify.enqueue(
        session,
        action,
        units=[u for u in units if u],
        subject=subject,
        case_id=case.id,
        payload={"case": case.id, "part": unit, "matter": case.matter, "state": case.state},
        now=now,
    )


def holders_of(book, case, effect: str) -> list[str]:
    """The units holding the transitions of `effect` open on the case now."""
    open_now = [
        t
        for t in book.transitions.values()
        if t.get("effect") == effect and case.state in t.get("from", ())
    ]
    units: list[str] = []
    for holder in party.holders(book, case, open_now):
        units += holder.units
    return list(dict.fromkeys(units))
