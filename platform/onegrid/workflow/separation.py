"""Separation of duties (`distinct:` in the workflow): who took one step of a
case may not take another, as a person or as a unit.

Each case keeps `hands`: for every transition taken, who took it and the
unit they acted for (`None` when they acted as themselves, as a reporter
evaluating their own report does). The opening counts as the transition
`open`, taken by the reporter. Either rule refuses the person who took a
`took` step; a `who: unit` rule also removes the units that took one from
those the actor could act for, so a colleague cannot, nor can the same
person through another of their roles.
"""

from __future__ import annotations

from dataclasses import dataclass

from onegrid import messages
from onegrid.policy.kinds.workflow import OPENING
from onegrid.workflow.actor import Actor

messages.register(
    {
        "separation-person": {
            "zh": "不能“{transition}”：{rule}（您已在本案中办理“{took}”）",
            "en": "you may not take '{transition}': {rule} (you took '{took}' on this case)",
        },
        "separation-unit": {
            "zh": "不能“{transition}”：{rule}（{unit}已在本案中办理“{took}”）",
            "en": "you may not take '{transition}': {rule} ({unit} took '{took}' on this case)",
        },
    }
)


@dataclass(frozen=True)
class Refusal:
    """Why a separation rule refuses an actor a transition."""

    rule: dict
    took: str  # the transition (or `open`) that was taken
    unit: str | None  # for a unit rule: the unit that took it

    @property
    def code(self) -> str:
        return "separation-unit" if self.rule.get("who") == "unit" else "separation-person"


def hands(case) -> list[tuple[str, str | None, str | None]]:
    """(transition, actor, unit) of every step taken on the case, the opening first."""
    out = [(OPENING, case.reporter, None)]
    out += [tuple(h) for h in case.hands or ()]
    return out


def check(
    book, case, actor: Actor, transition_id: str, units: list[str | None]
) -> tuple[list[str | None], Refusal | None]:
    """The units `actor` may still act for, and the refusal when none is left."""
    rules = [r for r in book.distinct.values() if transition_id in (r.get("may_not") or ())]
    if not rules:
        return units, None
    taken = hands(case)
    left = list(units)
    refusal = None
    for rule in rules:
        took = set(rule.get("took") or ())
        done = next((t for t, who, _ in taken if t in took and who == actor.id), None)
        if done is not None:  # a unit rule keeps the very person out too, whatever they act for
            return [], Refusal({**rule, "who": "person"}, done, None)
        if rule.get("who") == "unit":
            gone = {(t, u) for t, _, u in taken if t in took and u is not None and u in left}
            for t, u in sorted(gone, key=str):
                left.remove(u)
                refusal = refusal or Refusal(rule, t, u)
    return left, (refusal if not left else None)


def record(case, transition_id: str, actor: Actor, unit: str | None) -> None:
    case.hands = [*(case.hands or ()), [transition_id, actor.id, unit]]


def params(book, refusal: Refusal, transition_label: str, lang: str) -> dict:
    took = refusal.took
    if took == OPENING:
        took_label = {"zh": "上报", "en": "Report"}.get(lang, "上报")
    else:
        took_label = book.name(book.transitions.get(took), lang, took)
    unit = refusal.unit
    unit_label = book.name(
        book.units.get(unit) or book.departments.get(unit) or book.enterprises.get(unit),
        lang,
        unit or "",
    )
    return {
        "transition": transition_label,
        "rule": book.name(refusal.rule, lang, refusal.rule.get("id", "")),
        "took": took_label,
        "unit": unit_label,
    }
