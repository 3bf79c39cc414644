"""The escalation ladder: small matters stay in the grid, big ones in the
community, hard ones in the street (小事不出网格，大事不出社区，难事不出街道).

`onegrid.decide.escalate` says where a case goes next on the pack's
ladders; a pack without ladders climbs the org's levels, one rank up at a
time, within the place where the case happened.
"""

from __future__ import annotations

from dataclasses import dataclass

from onegrid.decide import escalate


@dataclass(frozen=True)
class Rung:
    level: str
    unit: str | None
    limit: str | None = None  # the time limit at the new rung, if the ladder sets one
    # whether supervision (督办) starts there: the pack's ladder says; one rank up
    # the org without a ladder always does
    supervise: bool = True
    final: bool = False


def next_rung(book, case, trigger: str = "overdue") -> Rung | None:
    """Where the case goes when its level cannot handle it, or None at the top."""
    if book.kind is not None:  # an item climbs the ladder its kind names
        return _declared(book, case)
    facts = dict(case.facts or {})
    if case.place and "unit" not in facts:
        facts["unit"] = case.place
    step = escalate(book.policy, facts, case.level, case.unit, trigger)
    if step is None and _has_ladder(book):
        return None  # the pack's ladder ends here
    if step is not None and step.level:
        place = case.place or book.home(case.unit)
        unit = step.unit or book.above(place, step.level)
        return Rung(step.level, unit, step.limit, step.supervise, step.final)
    # no ladder in the pack: one rank up at a time, within the case's place
    current = book.rank(case.level)
    place = case.place or book.home(case.unit)
    higher = sorted(
        (lvl for lvl in book.levels.values() if 0 < int(lvl.get("rank", 0)) < current),
        key=lambda lvl: -int(lvl["rank"]),
    )
    for level in higher:
        unit = book.above(place, level["id"])
        if unit is not None:
            return Rung(level["id"], unit)
    return None


def _has_ladder(book) -> bool:
    """Whether the pack declares escalation ladders of its own."""
    return bool((book.resolved.get("escalation") or {}).get("ladders"))


def _declared(book, item) -> Rung | None:
    """The rung above the one an item stands on (one per escalation so far)
    of the ladder its kind declares; None without one or at the top."""
    wanted = book.kind.get("ladder")
    ladders = (book.resolved.get("escalation") or {}).get("ladders") or ()
    ladder = next((lad for lad in ladders if lad.get("id") == wanted), None)
    rungs = (ladder or {}).get("rungs") or []
    here = item.escalations or 0
    if here + 1 >= len(rungs) or rungs[here].get("final"):
        return None
    rung = rungs[here + 1]
    place = item.place or book.home(item.unit)
    unit = rung.get("lead") or book.above(place, rung["level"]) or item.unit
    return Rung(rung["level"], unit, rung.get("limit"))
