"""A case's visible-to set (`store/access.py`), kept at every audited step.

`refresh(session, case, action)` is called by `audit.append` for every row
of a case, so opening, dispatching, escalating, reassigning, adding an
assistant: every step that can change who sees the case, or who may act on
it, goes through it, whoever wrote the step. It reads the case's rows (one
index probe) and writes only the difference.

Two kinds of party are kept. Seeing ("u:", "b:", "r:", `parties`) decides
scope. Acting ("m:", `acting`) says who may take a step of an open case
now, as a superset of `party.acting_as` for each open transition's `by:`
entries: the "mine" tab (待我处理) is then a range scan of the user's few
acting parties (`acting_parties`), and the engine decides exactly on what
that scan returns. Every row carries the case's place in time-left order
(`due_key`), so a page of any party's cases in that order is a walk of
`ix_case_access_due` (web/listing.py), however few of the city's cases
are theirs; and its flags while open (`marks`), so a sparse tab walks only
a party's flagged rows.
"""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update

from onegrid.store.access import MARKS, CaseAccess
from onegrid.store.models import FAR, Case
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


def oversight(t: dict) -> bool:
    """A step that leaves the case where it is and that only those above
    take (督办): open to every superior on every case below, so nobody's
    work to do (no acting party, not on the "mine" tab)."""
    by = t.get("by") or ()
    return bool(t.get("stay")) and bool(by) and all(e.get("party") == "superior" for e in by)


def _open_entries(book, state: str | None):
    """The `by:` entries of the transitions a person may take from `state`."""
    for t in book.transitions.values():
        if state not in (t.get("from") or ()):
            continue
        if t.get("by_sweep") or t.get("auto") or oversight(t):
            continue
        yield from t.get("by") or ()


def _acting_keys(book, case: Case, entry: dict) -> set[str]:
    """The acting parties (without role) an entry's party stands for on the
    case: lead, assistant and enterprise by their unit ("m:u:"), the reporter
    by name ("m:r:"), a dispatcher by its level and the unit it sits in over
    the place ("m:d:"), a superior or a role held over the place by that unit
    ("m:w:"), anyone ("m:*")."""
    party = entry.get("party")
    if party == "reporter":
        return {f"m:r:{case.reporter}"}
    if party == "claimant":
        return set()  # a duty round's, never a case's (workflow/item.py)
    if party == "lead":
        return {f"m:u:{case.unit}"} if case.unit else set()
    if party == "assistant":
        return {f"m:u:{a}" for a in case.assistants or ()}
    if party == "enterprise":
        return {f"m:u:{case.enterprise}"} if case.enterprise else set()
    if party == "anyone":
        return {"m:*"}
    over = book.ancestors(case.place) if case.place else ["*"]
    if party == "dispatcher":
        return {f"m:d:{case.level}:{u}" for u in over}
    keys = {f"m:w:{u}" for u in over}
    if party is None:
        keys.add("m:e")  # an enterprise's staff hold a role anywhere (party._relation)
    return keys


def acting(book, case: Case) -> set[str]:
    """Who may take a step of the open case now ("m:<key>:<role or *>"), a
    superset of `party.acting_as` (guards, levels and separation of duties
    are the engine's to check). A closed case has none."""
    if case.closed_at is not None:
        return set()
    out: set[str] = set()
    for entry in _open_entries(book, case.state):
        role = entry.get("role") or "*"
        out |= {f"{key}:{role}" for key in _acting_keys(book, case, entry)}
    return out


def acting_parties(book, bindings, username: str) -> list[str]:
    """The user's acting parties: each one `acting` writes for a case on
    which some binding of theirs satisfies an entry. A few per binding,
    whatever the size of their area; roles no entry asks for are left out."""
    asked = {e.get("role") or "*" for t in book.transitions.values() for e in t.get("by") or ()}
    out = {"m:*:*", f"m:r:{username}:*"}  # anyone; the reporter, as themselves
    for b in bindings:
        home = book.home(b.unit)
        keys = {f"m:u:{b.unit}", "m:*", f"m:w:{home}", "m:w:*"}
        department = book.departments.get(b.unit)
        if b.unit in book.units or (department or {}).get("type") == "centre":
            # only an org unit or its command centre dispatches (party._relation)
            level = book.level_of(b.unit)
            keys |= {f"m:d:{level}:{home}", f"m:d:{level}:*"}
        if b.unit in book.enterprises:
            keys.add("m:e")
        # the reporter with a role: as anyone holding it (party.acting_as)
        keys.add(f"m:r:{username}")
        out |= {f"{k}:{r}" for k in keys for r in {b.role, "*"} & asked}
    return sorted(out)


def among(party_ids) -> object:
    """WHERE clause: the cases any of these parties may see (a semi-join on
    the primary key of `case_access`, one range per party)."""
    return Case.id.in_(
        select(CaseAccess.case_id).where(CaseAccess.party.in_(sorted(set(party_ids))))
    )


def reaching(party_ids) -> object:
    """WHERE clause: any of these parties may see the case, tested case by
    case (a probe of the primary key per party), for a query that walks a
    few cases already: a scalar subquery with LIMIT stays a filter, where
    an IN or EXISTS lets the planner first gather every case of a
    street's (70,000 at 1M cases) to join them."""
    seen = CaseAccess.__table__.alias("seen")
    probe = (
        select(seen.c.case_id)
        .where(seen.c.case_id == Case.id, seen.c.party.in_(sorted(set(party_ids))))
        .limit(1)
        .scalar_subquery()
    )
    return probe.is_not(None)


def marks(case: Case) -> dict[str, bool]:
    """The case's flags as its visible-to rows keep them: set only while
    the case is open (store/access.py)."""
    open_ = case.closed_at is None
    return {m: bool(open_ and getattr(case, m)) for m in MARKS}


def refresh(session, case: Case, action: str | None = None) -> None:
    book = rulebook(case.policy_version)
    columns = (CaseAccess.due_key, *(getattr(CaseAccess, m) for m in MARKS))
    have = {
        party: tuple(rest)
        for party, *rest in session.execute(
            select(CaseAccess.party, *columns).where(CaseAccess.case_id == case.id)
        ).all()
    }
    dispatched = DISPATCHED in have or action in handovers(book)
    want = parties(book, case, dispatched) | acting(book, case)
    values = {"due_key": case.due_at or FAR, **marks(case)}
    row = tuple(values.values())
    gone, new = set(have) - want, want - set(have)
    if gone:
        session.execute(
            delete(CaseAccess).where(CaseAccess.case_id == case.id, CaseAccess.party.in_(gone))
        )
    if any(have[p] != row for p in set(have) - gone):
        session.execute(update(CaseAccess).where(CaseAccess.case_id == case.id).values(**values))
    if new:
        session.execute(
            insert(CaseAccess),
            [{"party": p, "case_id": case.id, **values} for p in sorted(new)],
        )
