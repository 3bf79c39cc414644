"""Routing and escalation: the decision for a case, and why.

The public interface of the `decide` stage. durable_rules is wrapped in
`decide/engine.py`, and no other module may use it:

- `decide(policy, facts) -> Decision`: who leads the case, who assists
  (吹哨报到), the obliged enterprise, the handling level, each step's time
  limit, supervision (督办), the escalation ladder and where on it the case
  starts, and the ids (`TABLE/RULE`) of the rules that decided. The rule
  tables of the pack's `routing` files are compiled onto durable_rules once
  per policy content (cached); facts are enriched from the org tree (a
  grid's community and street, their attributes) and normalised in Python.
- `escalate(policy, facts, level, unit, trigger="overdue") -> EscalationStep
  | None`: where a case now at (level, unit) goes when its deadline passes
  (`overdue`) or its handler declares it beyond their level
  (`beyond_level`); None at a final rung, at the top, or when the ladder
  does not move on that trigger.
- `ladder_path(policy, facts, trigger="overdue") -> list[EscalationStep]`:
  every step from where routing puts the case to the top of its ladder.
- `rung_of(policy, facts, level, unit) -> EscalationStep | None`: the rung
  a case stands on now (`final` when the pack marks it final; `allow` the
  transitions that may still leave its decision).
- `explain(policy, facts) -> Explanation`: the decision plus every rule tried
  in order, with the condition that failed or the facts that matched and
  the rule's file and line (pure-Python reference evaluator).
- `enrich(policy, facts) -> dict`: the facts as the rules see them.

- `facts_of(policy, submission) -> dict`: what a door received (matter,
  place, channel, the form's answers under `submission`) as routing facts
  (`decide/submission.py`: the one way from every door to the router).

Facts are a mapping: `matter` (required), `unit` or `grid` (where the case
happened: any org unit), `severity`, `channel`, `tags` (list), `level` (the
level the case has reached), `fields` (form values), and anything else a
rule names. Bad facts raise `FactsError` (exit 2 at the CLI); a pack whose
rules cannot be compiled raises `PolicyError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from onegrid.decide.decision import Decision, EscalationStep, Explanation, FactsError, Trial
from onegrid.policy.pack import Policy

__all__ = [
    "Decision",
    "EscalationStep",
    "Explanation",
    "FactsError",
    "Trial",
    "decide",
    "enrich",
    "escalate",
    "explain",
    "facts_of",
    "ladder_path",
    "rung_of",
]


def decide(policy: Policy, facts: Mapping[str, Any]) -> Decision:
    """The route for one case's facts, decided by durable_rules."""
    from onegrid.decide import router

    return router.decide(policy, facts)


def explain(policy: Policy, facts: Mapping[str, Any]) -> Explanation:
    """The decision with every rule tried and why it matched or not."""
    from onegrid.decide import trace as _explain

    return _explain.explain(policy, facts)


def escalate(
    policy: Policy,
    facts: Mapping[str, Any],
    level: str | None,
    unit: str | None,
    trigger: str = "overdue",
) -> EscalationStep | None:
    """The next rung for a case now handled by `unit` at `level`, or None."""
    from onegrid.decide import escalation

    return escalation.escalate(policy, facts, level, unit, trigger)


def rung_of(
    policy: Policy, facts: Mapping[str, Any], level: str | None, unit: str | None
) -> EscalationStep | None:
    """The rung a case handled by `unit` at `level` stands on (None without a ladder)."""
    from onegrid.decide import escalation

    return escalation.current(policy, facts, level, unit)


def ladder_path(
    policy: Policy, facts: Mapping[str, Any], trigger: str = "overdue"
) -> list[EscalationStep]:
    """Every step up the ladder from where routing puts the case."""
    from onegrid.decide import escalation

    return escalation.path(policy, facts, trigger)


def enrich(policy: Policy, facts: Mapping[str, Any]) -> dict[str, Any]:
    """The facts as the rules see them: org tree and matter catalog filled in."""
    from onegrid.decide.program import program_for

    # the program holds the org tree built once per policy (decide/program.py)
    return program_for(policy).enrich(facts)


def facts_of(policy: Policy, submission: Mapping[str, Any]) -> dict[str, Any]:
    """A submission as a door receives it → the case's routing facts (stored
    with the case; `decide`, `explain` and `escalate` read them or a
    submission alike)."""
    from onegrid.decide.submission import normalise

    return normalise(policy, submission)
