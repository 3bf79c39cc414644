"""What the decide stage answers: a decision, an escalation step, an explanation."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from onegrid.errors import OnegridError


class FactsError(OnegridError):
    """A case's facts cannot be routed (unknown matter, unit, severity, …)."""

    exit_code = 2


@dataclass(frozen=True)
class Decision:
    """Where one case goes.

    `lead` is a department, unit or enterprise id; `level` a level id;
    `limits` maps workflow step ids to durations as written in the pack
    ("2h", "3wd"); `rule_ids` are "TABLE/RULE" in the order they applied;
    `ladder` and `rung` say where on its escalation ladder the case starts
    (None when the pack declares no ladder).
    """

    matter: str
    lead: str | None
    assist: tuple[str, ...] = ()
    enterprise: str | None = None
    level: str | None = None
    limits: dict[str, str] = field(default_factory=dict)
    supervise: bool = False
    ladder: str | None = None
    rung: str | None = None
    on_the_spot: bool = False
    rule_ids: tuple[str, ...] = ()
    # where each value came from: "matter" (the catalog entry) or "TABLE/RULE";
    # `assist` and `limits` map each assistant and step to theirs
    origins: dict[str, Any] = field(default_factory=dict, compare=False)

    # the names the workflow stage reads
    @property
    def assistants(self) -> list[str]:
        return list(self.assist)

    @property
    def rules(self) -> list[str]:
        return list(self.rule_ids)

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["assist"] = list(self.assist)
        out["rule_ids"] = list(self.rule_ids)
        return out


@dataclass(frozen=True)
class EscalationStep:
    """One step up a ladder: the rung reached, who takes the case, by when."""

    ladder: str
    rung: str
    index: int
    level: str
    unit: str | None
    limit: str
    trigger: str = "overdue"
    supervise: bool = False
    final: bool = False
    # at a final rung: the transitions the pack lets leave its decision
    allow: tuple[str, ...] = ()

    @property
    def lead(self) -> str | None:
        return self.unit

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["allow"] = list(self.allow)
        return out


@dataclass(frozen=True)
class Trial:
    """One rule as evaluated for one case.

    `failed` is the first condition that did not hold ({fact, op, expected,
    actual}), or None when the rule matched; `matched` lists the conditions
    that held. `applied` says whether the hit policy let the rule decide.
    """

    table: str
    rule: str
    hit: str
    matched_rule: bool
    applied: bool
    failed: dict[str, Any] | None
    matched: list[dict[str, Any]]
    file: str | None
    line: int | None
    # the rule's outcome as written (`then`)
    then: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.table}/{self.rule}"

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["id"] = self.id
        return out


@dataclass(frozen=True)
class Explanation:
    """A decision with the enriched facts, every rule tried in order, and the ladder ahead."""

    decision: Decision
    facts: dict[str, Any]
    trials: list[Trial]
    # the steps up the ladder when every deadline passes
    escalation: list[EscalationStep] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "decision": self.decision.as_json(),
            "escalation": [s.as_json() for s in self.escalation],
            "facts": self.facts,
            "trials": [t.as_json() for t in self.trials],
        }
