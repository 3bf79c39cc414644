"""From a case's facts to a `Decision`: compile once, enrich, post, resolve."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from onegrid.decide import engine
from onegrid.decide.decision import Decision
from onegrid.decide.ladder import default_ladder, start_rung
from onegrid.decide.program import Program, program_for
from onegrid.decide.submission import intake_unit
from onegrid.policy.pack import Policy

# where a value of the route came from when no rule set it
MATTER = "matter"
INTAKE = "intake"


def decide(policy: Policy, facts: Mapping[str, Any]) -> Decision:
    program = program_for(policy)
    enriched = program.enrich(facts)
    fired = engine.hits(program, program.encode(enriched)) if program.tables else []
    return resolve(program, enriched, fired)


def resolve(program: Program, enriched: dict[str, Any], fired: list[list[int]]) -> Decision:
    """The outcome of the rules that hit, over the matter catalog's defaults.

    The matter catalog's entry is the default route (unit, level, assist,
    the first obliged enterprise, limits). Tables apply in order and rules
    in the order they hit: a later rule's single values (lead, level,
    enterprise, ladder) override earlier ones, the assistants of a rule in
    a first/unique table replace the catalog's and those of collect tables
    add up, time limits merge step by step, supervision sticks.
    """
    policy = program.policy
    matter = policy.get("matter", enriched["matter"]) or {}
    merged: dict[str, Any] = {}
    # the matter catalog's entry is the default route: where each value came from
    origins: dict[str, Any] = {"assist": {}, "limits": {}}
    assist: list[str] = []
    for a in matter.get("assist") or ():
        if a not in assist:
            assist.append(a)
            origins["assist"][a] = MATTER
    limits: dict[str, str] = dict(matter.get("limits") or {})
    origins["limits"] = dict.fromkeys(limits, MATTER)
    supervise = False
    rule_ids: list[str] = []
    for table, indexes in zip(program.tables, fired, strict=True):
        for index in indexes:
            rule = table.rules[index]
            rule_ids.append(rule.qualified)
            single, level_only, more, extra_limits, sup = _outcome(program, rule)
            merged.update(single)
            origins.update(dict.fromkeys(single, rule.qualified))
            if level_only:
                merged.pop("lead", None)  # "handle it at this level": the case's own unit
                origins["lead"] = rule.qualified
            if more and table.hit != "collect":
                # the deciding rule's assistants replace the catalog's; collect tables add
                assist = [a for a in assist if origins["assist"].get(a) != MATTER]
                origins["assist"] = {a: o for a, o in origins["assist"].items() if o != MATTER}
            for a in more:
                if a not in assist:
                    assist.append(a)
                    origins["assist"][a] = rule.qualified
            limits.update(extra_limits)
            origins["limits"].update(dict.fromkeys(extra_limits, rule.qualified))
            if sup and not supervise:
                origins["supervise"] = rule.qualified
            supervise = supervise or sup
    level = merged.get("level")
    lead = merged.get("lead")
    if lead is None and level is not None:
        lead = program.tree.at_level(enriched.get("unit"), level)
    if lead is None:
        lead = matter.get("unit")
        origins["lead"] = MATTER
        if level is None:
            level = matter.get("level")
            origins["level"] = MATTER
    if level is None:
        level = level_of(policy, lead) or matter.get("level")
        origins["level"] = MATTER if level == matter.get("level") else origins.get("lead")
    if enriched.get("located") == INTAKE:
        # nothing placed the case: below the intake unit's level no one knows
        # where it is, so it sits at that level (its dispatchers see it), and
        # the intake unit (the command centre) leads unless a department does
        intake = intake_unit(policy)
        intake_level = level_of(policy, intake)
        if intake_level and program.tree.rank(level) > program.tree.rank(intake_level):
            level = intake_level
            origins["level"] = INTAKE
            if lead is None or lead in program.tree.units:
                lead = intake
                origins["lead"] = INTAKE
    enterprise = merged.get("enterprise")
    if enterprise is None and matter.get("obliged"):
        enterprise = matter["obliged"][0]  # the first obliged enterprise is pushed the case
        origins["enterprise"] = MATTER
    ladder = merged.get("ladder") or _default_ladder(program)
    rung = _start_rung(program, ladder, level, lead) if ladder else None
    origins["assist"] = {a: o for a, o in origins["assist"].items() if a != lead}
    return Decision(
        matter=enriched["matter"],
        lead=lead,
        assist=tuple(a for a in assist if a != lead),
        enterprise=enterprise,
        level=level,
        limits=limits,
        supervise=supervise,
        ladder=ladder,
        rung=rung,
        on_the_spot=bool(enriched.get("on_the_spot", False)),
        rule_ids=tuple(rule_ids),
        origins=origins,
    )


def _outcome(program: Program, rule) -> tuple:
    """A rule's `then`, read once per program."""
    cache = program.__dict__.setdefault("_outcomes", {})
    found = cache.get(rule.qualified)
    if found is None:
        then = rule.then
        single = {k: then[k] for k in ("lead", "level", "enterprise", "ladder") if k in then}
        found = (
            single,
            "level" in then and "lead" not in then,
            tuple(then.get("assist") or ()),
            dict(then.get("limits") or {}),
            bool(then.get("supervise", False)),
        )
        cache[rule.qualified] = found
    return found


def _default_ladder(program: Program) -> str | None:
    if "_ladder" not in program.__dict__:
        program.__dict__["_ladder"] = default_ladder(program.policy)
    return program.__dict__["_ladder"]


def _start_rung(program: Program, ladder: str, level, lead) -> str | None:
    cache = program.__dict__.setdefault("_starts", {})
    k = (ladder, level, lead)
    if k not in cache:
        cache[k] = start_rung(program, ladder, level, lead)
    return cache[k]


def level_of(policy: Policy, target: str | None) -> str | None:
    """The level a department or unit works at."""
    if target is None:
        return None
    for namespace in ("department", "unit"):
        item = policy.get(namespace, target)
        if item is not None and item.get("level"):
            return item["level"]
    return None
