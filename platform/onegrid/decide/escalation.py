"""Escalation ladders: where a case goes when its level cannot finish it.

A rung names a level and, optionally, who takes the case there; without a
`lead`, it is the case's own unit at that level (its community, its
street, …), and on the rung the case starts on, the lead routing chose.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from onegrid.decide.decision import EscalationStep
from onegrid.decide.ladder import below, ladder_by_id, start_index
from onegrid.decide.program import program_for
from onegrid.decide.router import decide
from onegrid.policy.kinds.escalation import TRIGGERS
from onegrid.policy.located import YMap
from onegrid.policy.pack import Policy


def _position(program, ladder: YMap, enriched, decision, level, unit) -> int:
    rungs = ladder.get("rungs") or []
    start = start_index(program, ladder, decision.level, decision.lead)
    for i, rung in enumerate(rungs):
        if (
            rung.get("level") == level
            and _unit(program, rung, enriched, i == start, decision) == unit
        ):
            return i
    for i, rung in enumerate(rungs):
        if rung.get("level") == level and not rung.get("lead"):
            return i
    return below(program.policy, rungs, level)


def _unit(program, rung, enriched, is_start: bool, decision) -> str | None:
    if rung.get("lead"):
        return rung["lead"]
    if is_start:
        return decision.lead
    return program.tree.at_level(enriched.get("unit"), rung.get("level"))


def current(
    policy: Policy, facts: Mapping[str, Any], level: str | None, unit: str | None
) -> EscalationStep | None:
    """The rung a case handled by `unit` at `level` stands on, or None (no
    ladder, or below its first rung). `final` is the rung's own flag."""
    from onegrid.decide.program import program_for
    from onegrid.decide.router import decide

    program = program_for(policy)
    enriched = program.enrich(facts)
    decision = decide(policy, facts)
    ladder = ladder_by_id(policy, decision.ladder)
    if ladder is None:
        return None
    rungs = ladder.get("rungs") or []
    here = _position(program, ladder, enriched, decision, level, unit)
    if here < 0:
        return None
    rung = rungs[here]
    return EscalationStep(
        ladder=ladder["id"],
        rung=rung["id"],
        index=here,
        level=rung["level"],
        unit=unit,
        limit=rung["limit"],
        supervise=bool(rung.get("supervise", False)),
        final=bool(rung.get("final", False)),
        allow=tuple(rung.get("allow") or ()),
    )


def escalate(
    policy: Policy, facts: Mapping[str, Any], level: str | None, unit: str | None, trigger: str
) -> EscalationStep | None:
    if trigger not in TRIGGERS:
        raise ValueError(
            f"unknown escalation trigger {trigger!r}; expected one of {sorted(TRIGGERS)}"
        )
    program = program_for(policy)
    enriched = program.enrich(facts)
    decision = decide(policy, facts)
    ladder = ladder_by_id(policy, decision.ladder)
    if ladder is None or trigger not in (ladder.get("triggers") or TRIGGERS):
        return None
    rungs = ladder.get("rungs") or []
    here = _position(program, ladder, enriched, decision, level, unit)
    if here >= 0 and rungs[here].get("final"):
        return None
    if here + 1 >= len(rungs):
        return None
    nxt = rungs[here + 1]
    start = start_index(program, ladder, decision.level, decision.lead)
    return EscalationStep(
        ladder=ladder["id"],
        rung=nxt["id"],
        index=here + 1,
        level=nxt["level"],
        unit=_unit(program, nxt, enriched, here + 1 == start, decision),
        limit=nxt["limit"],
        trigger=trigger,
        supervise=bool(nxt.get("supervise", False)),
        final=bool(nxt.get("final", False)) or here + 2 == len(rungs),
    )


def path(
    policy: Policy, facts: Mapping[str, Any], trigger: str = "overdue"
) -> list[EscalationStep]:
    """Every step from where routing puts the case to the top of its ladder."""
    decision = decide(policy, facts)
    steps: list[EscalationStep] = []
    level, unit = decision.level, decision.lead
    for _ in range(64):
        step = escalate(policy, facts, level, unit, trigger)
        if step is None:
            break
        steps.append(step)
        level, unit = step.level, step.unit
    return steps
