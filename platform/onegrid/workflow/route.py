"""Where a new case goes: lead, assistants, enterprise, level, time limits.

One function, `route`: the compiled routing rules of `onegrid.decide`,
over the matter catalog's own unit, level and limits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from onegrid.decide import decide
from onegrid.errors import OnegridError
from onegrid.workflow.errors import InvalidSubmission


@dataclass
class Route:
    lead: str | None
    level: str | None
    assistants: list[str] = field(default_factory=list)
    enterprise: str | None = None
    limits: dict[str, str] = field(default_factory=dict)
    supervise: bool = False
    rules: list[str] = field(default_factory=list)
    source: str = "matter"
    ladder: str | None = None
    rung: str | None = None
    origins: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "lead": self.lead,
            "level": self.level,
            "assistants": self.assistants,
            "enterprise": self.enterprise,
            "limits": self.limits,
            "supervise": self.supervise,
            "rules": self.rules,
            "source": self.source,
            "ladder": self.ladder,
            "rung": self.rung,
            "origins": self.origins,
        }


def route(book, facts: dict[str, Any]) -> Route:
    matter = book.matters[facts["matter"]]
    base = Route(
        lead=matter.get("unit"),
        level=matter.get("level") or book.level_of(matter.get("unit")),
        limits=dict(matter.get("limits") or {}),
    )
    asked = dict(facts)
    if asked.get("place") and "unit" not in asked:
        asked["unit"] = asked["place"]  # decide names the place `unit`
    try:
        decision = decide(book.policy, asked)
    except OnegridError as exc:
        raise InvalidSubmission(exc.problems) from None
    if decision is None:
        return base
    lead = getattr(decision, "lead", None) or base.lead
    return Route(
        lead=lead,
        level=getattr(decision, "level", None) or book.level_of(lead) or base.level,
        assistants=list(getattr(decision, "assistants", None) or ()),
        enterprise=getattr(decision, "enterprise", None),
        limits={**base.limits, **dict(getattr(decision, "limits", None) or {})},
        supervise=bool(getattr(decision, "supervise", False)),
        rules=[str(r) for r in (getattr(decision, "rules", None) or ())],
        source="decide",
        ladder=getattr(decision, "ladder", None),
        rung=getattr(decision, "rung", None),
        origins=dict(getattr(decision, "origins", None) or {}),
    )


def seat(book, place: str | None, level: str | None) -> str | None:
    """The level a case sits at: the routed one, unless the place has no
    unit there because it lies above it (a grid-level matter reported for a
    whole community, where grids are not org units): then the place's own."""
    if place is None or level is None or book.above(place, level) is not None:
        return level
    own = book.level_of(book.home(place))
    return own if 0 < book.rank(own) < book.rank(level) else level
