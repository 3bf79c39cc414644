"""The time limit of the step a case is in, on the business calendar."""

from __future__ import annotations

import datetime as dt


def limit_of(book, case, step: str) -> str | None:
    return (case.limits or {}).get(step) or book.steps.get(step, {}).get("limit")


def start_step(book, case, now: dt.datetime, until: dt.datetime | None = None) -> None:
    """Start the clock of the step the case's state names (or stop it);
    `until`: the step ends then rather than after its limit (a duty round's period)."""
    state = book.states.get(case.state, {})
    step = None if state.get("final") else state.get("step")
    limit = limit_of(book, case, step) if step else None
    case.step = step
    case.warned = False
    case.overdue = False
    if step and until is not None:
        case.step_started_at, case.due_at = now, until
        case.warn_at = now + (until - now) * book.warning(step)
        return
    if not limit:
        case.step_started_at = case.due_at = case.warn_at = None
        return
    due = book.calendar.add(now, limit)
    case.step_started_at = now
    case.due_at = due
    case.warn_at = now + (due - now) * book.warning(step)
