"""The ladders of a pack and where on one a freshly routed case stands:
what routing (router.py) and escalation (escalation.py) both need."""

from __future__ import annotations

from onegrid.policy.located import YMap
from onegrid.policy.pack import Policy


def ladders(policy: Policy) -> list[YMap]:
    return [
        lad for lad in policy.section("escalation").get("ladders") or [] if isinstance(lad, YMap)
    ]


def default_ladder(policy: Policy) -> str | None:
    found = ladders(policy)
    for ladder in found:
        if ladder.get("default"):
            return ladder["id"]
    return found[0]["id"] if found else None


def ladder_by_id(policy: Policy, ladder_id: str | None) -> YMap | None:
    for ladder in ladders(policy):
        if ladder["id"] == ladder_id:
            return ladder
    return None


def _rank(policy: Policy, level: str | None) -> int:
    item = policy.get("level", level) if level else None
    return int(item.get("rank", 0)) if item else 0


def start_index(program, ladder: YMap, level: str | None, lead: str | None) -> int | None:
    """The rung a freshly routed case stands on."""
    rungs = ladder.get("rungs") or []
    for i, rung in enumerate(rungs):
        if rung.get("lead") and rung.get("lead") == lead:
            return i
    for i, rung in enumerate(rungs):
        if not rung.get("lead") and rung.get("level") == level:
            return i
    return below(program.policy, rungs, level)


def start_rung(program, ladder_id: str, level: str | None, lead: str | None) -> str | None:
    ladder = ladder_by_id(program.policy, ladder_id)
    if ladder is None:
        return None
    index = start_index(program, ladder, level, lead)
    rungs = ladder.get("rungs") or []
    return rungs[index]["id"] if index is not None and index >= 0 else None


def below(policy: Policy, rungs, level: str | None) -> int:
    """The highest rung at or below `level` (-1: the case is below them all)."""
    current = _rank(policy, level)
    found = -1
    for i, rung in enumerate(rungs):
        if _rank(policy, rung.get("level")) >= current:
            found = i
    return found
