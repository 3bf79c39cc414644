"""并单: likely duplicates of a report, and what merging them does.

A likely duplicate is an open case of the same matter, at the same place or
a neighbouring one (the same parent unit, or the unit just above), opened
within the window the workflow's `duplicates:` sets (default 3d). Merging
(`effect: merge`) closes the repeat report in a state that is not counted
(`counted: false`), links both ways, and when the case it was merged into
ends, every reporter of a merged report is told the outcome.
"""

from __future__ import annotations

import copy
import datetime as dt

from sqlalchemy import select

from onegrid.store.base import utcnow
from onegrid.store.models import Case
from onegrid.workflow import audit, notify
from onegrid.workflow.calendar import DURATION

DEFAULT_WINDOW = "3d"
LIMIT = 10


def settings(book) -> dict:
    return (book.resolved.get("workflow") or {}).get("duplicates") or {}


def window(book) -> dt.timedelta:
    text = settings(book).get("window") or DEFAULT_WINDOW
    match = DURATION.match(text)
    n, unit = (int(match.group(1)), match.group(2)) if match else (3, "d")
    return {
        "m": dt.timedelta(minutes=n),
        "h": dt.timedelta(hours=n),
        "d": dt.timedelta(days=n),
        "wd": dt.timedelta(days=n * 7 / 5 + 2),  # working days, roughly: a window, not a deadline
    }[unit]


def near(book, place: str | None) -> set[str]:
    """The place, and where neighbouring reports would be filed."""
    if not place:
        return set()
    out = {place}
    if settings(book).get("near", True):
        parent = (book.units.get(place) or {}).get("parent")
        if parent:
            out.add(parent)
            out |= {u for u, item in book.units.items() if item.get("parent") == parent}
    return out


def likely(session, book, matter: str, place: str | None, now=None, exclude=None) -> list[Case]:
    """Open cases of `matter` near `place` within the window, newest first."""
    now = now or utcnow()
    places = near(book, place)
    stmt = select(Case).where(
        Case.matter == matter,
        Case.closed_at.is_(None),
        Case.created_at >= now - window(book),
        Case.pack == book.pack,
    )
    if places:
        stmt = stmt.where(Case.place.in_(sorted(places)))
    if exclude is not None:
        stmt = stmt.where(Case.id != exclude)
    return list(session.scalars(stmt.order_by(Case.id.desc()).limit(LIMIT)))


def of_case(session, book, case: Case) -> list[Case]:
    return likely(session, book, case.matter, case.place, exclude=case.id)


def _progress(case) -> dict:
    return copy.deepcopy(case.progress or {})


def link(session, case: Case, into: Case, actor: str, now) -> None:
    """Record both ends of a merge and tell the repeat report's reporter."""
    mine = _progress(case)
    mine["merged_into"] = into.id
    case.progress = mine
    theirs = _progress(into)
    theirs["merged"] = [*theirs.get("merged", []), case.id]
    into.progress = theirs
    into.updated_at = now
    # the open case's own trail says what joined it
    audit.append(
        session, into.id, "merge_in", actor, now,
        {"from": into.state, "to": into.state, "merged": case.id},
    )  # fmt: skip
    notify.enqueue(
        session,
        "merged",
        users=[case.reporter],
        subject={
            "zh": f"您上报的 #{case.id} 与 #{into.id} 是同一问题，已并入 #{into.id} 一并办理",
            "en": f"Your report #{case.id} is the same problem as #{into.id} and is handled with it",
        },
        case_id=case.id,
        exclude=(actor,),
        payload={"case": case.id, "into": into.id},
        now=now,
    )


def tell_outcome(session, book, case: Case, actor: str | None, now) -> None:
    """When a case with merged reports ends, every reporter hears how."""
    merged = (case.progress or {}).get("merged") or []
    if not merged or case.closed_at is None:
        return
    reporters = list(session.scalars(select(Case.reporter).where(Case.id.in_(merged))))
    state = book.states.get(case.state)
    notify.enqueue(
        session,
        "merged-outcome",
        users=[case.reporter, *reporters],
        subject={
            lang: (
                f"#{case.id}（含并入的 {len(merged)} 件上报）{book.name(state, lang, case.state)}"
                if lang == "zh"
                else f"#{case.id} (with {len(merged)} merged report(s)): {book.name(state, lang, case.state)}"
            )
            for lang in ("zh", "en")
        },
        case_id=case.id,
        exclude=(actor,) if actor else (),
        payload={"case": case.id, "merged": merged, "state": case.state},
        now=now,
    )
