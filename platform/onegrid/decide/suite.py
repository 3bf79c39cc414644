"""Policy tests: the `tests` a pack carries, run against its own routing.

Each test gives facts and the expected route; only the keys written in
`expect` are compared. The escalation path is walked step by step with
`escalate`, and after a step marked final, escalating again must do nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from onegrid.decide import ladder as ladders
from onegrid.decide.decision import Explanation, FactsError
from onegrid.decide.escalation import escalate
from onegrid.decide.router import decide
from onegrid.decide.trace import explain
from onegrid.errors import Loc, Problem
from onegrid.policy.located import YMap, plain
from onegrid.policy.pack import Policy

SINGLE = ("lead", "enterprise", "level", "ladder", "supervise")
STEP_KEYS = ("rung", "level", "lead", "limit", "supervise", "final")


@dataclass
class Diff:
    key: str
    expected: Any
    got: Any

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "expected": self.expected, "got": self.got}


@dataclass
class Outcome:
    id: str
    name: Any
    loc: Loc | None
    diffs: list[Diff] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    explanation: Explanation | None = None
    rules: list[str] = field(default_factory=list)
    rungs: list[tuple[str, str]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.diffs and not self.problems


def tests_of(policy: Policy) -> list[YMap]:
    return [t for t in policy.section("tests").get("tests") or [] if isinstance(t, YMap)]


def run(policy: Policy) -> list[Outcome]:
    return [run_one(policy, test) for test in tests_of(policy)]


def run_one(policy: Policy, test: YMap) -> Outcome:
    outcome = Outcome(str(test["id"]), plain(test.get("name")), test.loc)
    facts = plain(test.get("facts") or {})
    expect = test.get("expect") or {}
    try:
        decision = decide(policy, facts)
    except FactsError as exc:
        outcome.problems = [p if p.loc else _at(p, test.loc_of("facts")) for p in exc.problems]
        return outcome
    outcome.rules = list(decision.rule_ids)
    if decision.ladder and decision.rung:
        outcome.rungs.append((decision.ladder, decision.rung))
    got = decision.as_json()
    for key in SINGLE:
        if key in expect and expect[key] != got[key]:
            outcome.diffs.append(Diff(key, plain(expect[key]), got[key]))
    if "assist" in expect and sorted(expect["assist"]) != sorted(decision.assist):
        outcome.diffs.append(Diff("assist", plain(expect["assist"]), list(decision.assist)))
    for step, limit in (expect.get("limits") or {}).items():
        if decision.limits.get(step) != limit:
            outcome.diffs.append(Diff(f"limits.{step}", limit, decision.limits.get(step)))
    if "rules" in expect and list(expect["rules"]) != list(decision.rule_ids):
        outcome.diffs.append(Diff("rules", plain(expect["rules"]), list(decision.rule_ids)))
    if "escalation" in expect:
        _walk(policy, facts, decision, expect["escalation"], outcome)
    if not outcome.passed:
        outcome.explanation = explain(policy, facts)
    return outcome


def _walk(policy: Policy, facts, decision, steps, outcome: Outcome) -> None:
    level, unit = decision.level, decision.lead
    last_final = False
    for i, step in enumerate(steps):
        trigger = step.get("trigger", "overdue")
        got = escalate(policy, facts, level, unit, trigger)
        if got is None:
            outcome.diffs.append(Diff(f"escalation[{i}]", plain(step), None))
            return
        outcome.rungs.append((got.ladder, got.rung))
        shown = {"rung": got.rung, "level": got.level, "lead": got.unit, "limit": got.limit}
        shown |= {"supervise": got.supervise, "final": got.final}
        for k in STEP_KEYS:
            if k in step and step[k] != shown[k]:
                outcome.diffs.append(Diff(f"escalation[{i}].{k}", step[k], shown[k]))
        level, unit = got.level, got.unit
        last_final = bool(step.get("final", False))
    if last_final:
        beyond = escalate(policy, facts, level, unit, "overdue")
        if beyond is not None:
            outcome.diffs.append(Diff(f"escalation[{len(steps)}]", None, beyond.as_json()))


def _at(problem: Problem, loc: Loc | None) -> Problem:
    return Problem(problem.code, problem.params, loc, problem.hint, problem.severity)


def untested(policy: Policy, outcomes: list[Outcome]) -> dict[str, list[str]]:
    """Rules no test decided with, and ladder rungs no test reached."""
    from onegrid.decide.program import program_for

    used = {r for o in outcomes for r in o.rules}
    rules = [
        r.qualified for t in program_for(policy).tables for r in t.rules if r.qualified not in used
    ]
    reached = {x for o in outcomes for x in o.rungs}
    # ladders a kind of workflow item climbs (admission reviews) are no case's
    # route: routing tests cannot reach them
    of_items = {k.get("ladder") for k in policy.section("workflow").get("items") or ()}
    rungs = [
        f"{lad['id']}/{rung['id']}"
        for lad in ladders.ladders(policy)
        if lad["id"] not in of_items
        for rung in lad.get("rungs") or []
        if (lad["id"], rung["id"]) not in reached
    ]
    return {"rules": rules, "rungs": rungs}
