"""What the engine decides when an item is filed (`decision:` of a kind of
item in the pack's workflow). The names are declared, with their meaning,
in `onegrid.policy.kinds.workflow.DECISIONS`; a test checks both agree.

A decision reads the filed form under the item's own policy version and
says its `outcome` (which `auto` transition the engine takes at once),
the unit an `assign` effect hands the item to, a time limit for the step
it goes on to, and what to record; a request that cannot be decided at
all is refused field by field (`InvalidSubmission`), and nothing stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from onegrid.errors import Problem
from onegrid.workflow.errors import InvalidSubmission


@dataclass
class Decided:
    outcome: str | None
    assign: str | None = None
    limit: str | None = None
    record: dict[str, Any] = field(default_factory=dict)


def _reason(problem: Problem) -> dict[str, Any]:
    out = {"code": problem.code, "params": problem.params}
    if problem.hint is not None:
        out["hint"] = {"code": problem.hint.code, "params": problem.hint.params}
    return out


def _admission(book, data: dict[str, Any], lang: str) -> Decided:
    from onegrid.admission import decide, filing

    policy = book.policy
    request, errors = filing.request_of(policy, data, lang, units=book.units)
    if errors:
        problems = [
            Problem("field-invalid", {"field": name, "message": "; ".join(texts)})
            for name, texts in errors.items()
        ]
        raise InvalidSubmission(problems, errors)
    verdict = decide(policy, request)
    return Decided(
        outcome=verdict.outcome,
        assign=verdict.reviewer,
        limit=verdict.limit,
        record={
            "outcome": verdict.outcome,
            "task": verdict.task,
            "reviewer": verdict.reviewer,
            "limit": verdict.limit,
            "reasons": [_reason(r) for r in verdict.reasons],
            "resources": {k: dict(v) for k, v in request.amounts.items()},
        },
    )


DECISIONS: dict[str, Callable[..., Decided]] = {"admission": _admission}


def decide(book, data: dict[str, Any], lang: str = "zh") -> Decided:
    """The decision of the rulebook's kind of item on a filed form."""
    name = (book.kind or {}).get("decision")
    if name is None:
        return Decided(None)
    return DECISIONS[name](book, data, lang)
