"""A case's visible-to set (`store/access.py`), kept at every audited step.

`refresh(session, case, action)` is called by `audit.append` for every row
of a case, so opening, dispatching, escalating, reassigning, adding an
assistant: every step that can change who sees the case goes through it,
whoever wrote the step. It reads the case's rows (one index probe) and
writes only the difference.
"""

from __future__ import annotations

from sqlalchemy import delete, insert, select

from onegrid.store.access import CaseAccess
from onegrid.store.models import Case
from onegrid.workflow.rulebook import rulebook

DISPATCHED = "dispatched"


def unit_party(unit: str) -> str:
    return f"u:{unit}"


def body_party(body: str) -> str:
    return f"b:{body}"


def reporter_party(username: str) -> str:
    return f"r:{username}"


def handovers(book) -> set[str]:
    """The transitions that hand a case to its handlers: those into a state
    whose running step is `handle` (the closed loop's dispatch, and reopen)."""
    handling = {s for s, state in book.states.items() if state.get("step") == "handle"}
    ids = {t for t, tr in book.transitions.items() if tr.get("to") in handling}
    return ids or {"dispatch"}


def parties(book, case: Case, dispatched: bool) -> set[str]:
    out = {reporter_party(case.reporter)}
    for unit in (case.place, case.unit):
        if unit in book.units:
            out |= {unit_party(u) for u in book.ancestors(unit)}
    if dispatched:
        out.add(DISPATCHED)
        for body in (case.unit, *(case.assistants or ()), case.enterprise, *regulators(book, case)):
            if body and body not in book.units:
                out.add(body_party(body))
    return out


def regulators(book, case: Case) -> tuple[str, ...]:
    """Who answers for an obliged enterprise's work on the case, whoever
    leads it now: the enterprise's `regulator` in the org, and the lead the
    route named beside the enterprise (a re-dispatch or a climb up the
    ladder moves the lead on, not the regulator's sight of what was done)."""
    if not case.enterprise:
        return ()
    named = (book.enterprises.get(case.enterprise) or {}).get("regulator")
    routed = (case.route or {}).get("lead") if (case.route or {}).get("enterprise") else None
    return tuple(dict.fromkeys(b for b in (named, routed) if b))


def among(party_ids) -> object:
    """WHERE clause: the cases any of these parties may see (a semi-join on
    the primary key of `case_access`, one range per party)."""
    return Case.id.in_(
        select(CaseAccess.case_id).where(CaseAccess.party.in_(sorted(set(party_ids))))
    )


def refresh(session, case: Case, action: str | None = None) -> None:
    book = rulebook(case.policy_version)
    have = set(session.scalars(select(CaseAccess.party).where(CaseAccess.case_id == case.id)))
    dispatched = DISPATCHED in have or action in handovers(book)
    want = parties(book, case, dispatched)
    gone, new = have - want, want - have
    if gone:
        session.execute(
            delete(CaseAccess).where(CaseAccess.case_id == case.id, CaseAccess.party.in_(gone))
        )
    if new:
        session.execute(insert(CaseAccess), [{"party": p, "case_id": case.id} for p in sorted(new)])
