"""A final rung is final: once a case stands on a rung its ladder marks
`final` (Luohu's enforcement committee), no transition leaves that
decision — escalating, reopening, or moving the case back to an earlier
state of the workflow (sending it back) — except those the rung `allow`s.
"""

from __future__ import annotations

from onegrid import messages
from onegrid.decide import rung_of

messages.register(
    {
        "final-decision": {
            "zh": "案件 {case} 已在终局层级“{rung}”作出决定，不能“{transition}”",
            "en": "case {case} was decided at the final rung '{rung}': '{transition}' is not open",
        },
    }
)

LEAVING_EFFECTS = ("escalate", "reopen")


def rung(book, case):
    """The rung the case stands on now (`onegrid.decide.rung_of`), or None."""
    facts = dict(case.facts or {})
    if case.place and "unit" not in facts:
        facts["unit"] = case.place
    return rung_of(book.policy, facts, case.level, case.unit)


def leaves(book, case, transition: dict) -> bool:
    """Whether the transition would undo the case's current decision."""
    if transition.get("effect") in LEAVING_EFFECTS:
        return True
    if transition.get("stay"):
        return False
    order = list(book.states)
    here, to = case.state, transition.get("to")
    return here in order and to in order and order.index(to) < order.index(here)


def blocked(book, case, transition: dict):
    """The final rung that keeps `transition` from the case, or None."""
    if not leaves(book, case, transition):
        return None  # cheap first: most transitions move forward
    found = rung(book, case)
    if found is None or not found.final or transition.get("id") in found.allow:
        return None
    return found


def rung_name(book, found, lang: str = "zh") -> str:
    """A rung's display name: its own, else who takes the case there (the
    rung's lead, else the case's lead), else its level's."""
    ladders = (book.resolved.get("escalation") or {}).get("ladders") or ()
    item = next(
        (
            r
            for lad in ladders
            if lad.get("id") == found.ladder
            for r in lad.get("rungs") or ()
            if r.get("id") == found.rung
        ),
        {},
    )
    if item.get("name"):
        return book.name(item, lang, found.rung)
    for who in (item.get("lead"), found.unit):
        body = book.departments.get(who) or book.units.get(who)
        if body:
            return book.name(body, lang, who)
    return book.name(book.levels.get(found.level), lang, found.rung)
