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
    # an absolute deadline for the step the item starts on (a duty round's period)
    due: Any = None
    # who holds the item from filing, and who contributes (a round's holder and `with` units)
    unit: str | None = None
    assistants: list[str] = field(default_factory=list)
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


def _duty_round(book, data: dict[str, Any], lang: str) -> Decided:
    """A duty round: the items of the list the holder has in the period, due
    at the end of its last working day (`onegrid.workflow.duty_plan`)."""
    from onegrid.workflow import duty_plan

    lst = duty_plan.lists(book).get(data.get("list"))
    period = duty_plan.parse(str(data.get("period") or ""))
    problems = []
    if lst is None:
        problems.append(Problem("duty-unknown-list", {"list": str(data.get("list"))}))
    if period is None:
        problems.append(Problem("duty-bad-period", {"period": str(data.get("period"))}))
    if problems:
        raise InvalidSubmission(problems)
    claimed = data.get("person") is not None
    items = duty_plan.items_of(book, lst["id"], data.get("holder"), period.kind, claimed)
    if not items:
        raise InvalidSubmission(
            [Problem("duty-no-items", {"list": lst["id"], "holder": str(data.get("holder"))})]
        )
    due, closes = duty_plan.due(book.calendar, period), duty_plan.due(book.calendar, period.next())
    contributors = [u for i in items for u in i.get("with") or ()]
    return Decided(
        outcome=None,
        unit=data["holder"],
        assistants=list(dict.fromkeys(contributors)),
        due=due,
        record={
            "items": [i["id"] for i in items],
            "kind": period.kind,
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "due": due.isoformat(),
            "closes_at": closes.isoformat(),
        },
    )


def _post_claim(book, data: dict[str, Any], lang: str) -> Decided:
    from onegrid.workflow import claims

    return claims.decide(book, data, lang)


DECISIONS: dict[str, Callable[..., Decided]] = {
    "admission": _admission,
    "duty_round": _duty_round,
    "post_claim": _post_claim,
}


def decide(book, data: dict[str, Any], lang: str = "zh") -> Decided:
    """The decision of the rulebook's kind of item on a filed form."""
    name = (book.kind or {}).get("decision")
    if name is None:
        return Decided(None)
    return DECISIONS[name](book, data, lang)
