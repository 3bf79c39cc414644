"""Taking a transition, for every kind of workflow item (cases and the
`items:` of the pack's workflow alike): what an actor is offered, and the
checks before one is taken. Both read only the columns cases and items
share (`state`, who holds it, where), through a rulebook of the item's kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from onegrid.errors import Problem
from onegrid.workflow import effects, finality, guard, party, separation, submission
from onegrid.workflow.actor import Actor
from onegrid.workflow.errors import Conflict, Forbidden, InvalidSubmission


@dataclass
class Action:
    """A transition an actor may take now."""

    id: str
    name: str
    to: str
    form: str | None
    fields: list[dict] = field(default_factory=list)


def by_engine(t: dict) -> bool:
    """Taken by the engine itself (the sweep, a decision), never offered."""
    return bool(t.get("by_sweep") or t.get("auto"))


def acting_for(book, subject, actor: Actor, t: dict):
    """The units `actor` may take `t` for (`None`: as themselves), and why not
    when a separation-of-duties rule leaves none."""
    if by_engine(t):
        return [], None
    units = effects.eligible(t, subject, party.units_for(book, subject, actor, t))
    if not units:
        return [], None
    return separation.check(book, subject, actor, t["id"], units)


def offered(book, subject, actor: Actor, lang: str = "zh") -> list[Action]:
    """The transitions `actor` may take on `subject` now."""
    out = []
    for t in book.transitions.values():
        if by_engine(t) or subject.state not in t.get("from", ()):
            continue
        if guard.failed(book, subject, t) or not acting_for(book, subject, actor, t)[0]:
            continue
        form = t.get("form")
        fields = list((book.forms.get(form) or {}).get("fields") or ()) if form else []
        to = subject.state if t.get("stay") else t["to"]
        out.append(Action(t["id"], book.name(t, lang, t["id"]), to, form, fields))
    return out


def checked(book, subject, transition: str, actor: Actor, data, lang: str, name) -> tuple:
    """(the transition, the clean submission, the units the actor acts for)
    if `actor` may take it on `subject` now; else the error saying why. `name` is how messages call
    the subject (a case's id, "准入申请 3")."""
    t = book.transitions.get(transition)
    if t is None:
        raise InvalidSubmission([Problem("unknown-transition", {"transition": transition})])
    label = book.name(t, lang, transition)
    if subject.state not in t.get("from", ()):
        state = book.name(book.states.get(subject.state), lang, subject.state)
        raise Conflict("transition-not-open", {"case": name, "state": state, "transition": label})
    units, refusal = acting_for(book, subject, actor, t)
    if refusal is not None:
        raise Forbidden(refusal.code, separation.params(book, refusal, label, lang))
    if not units:
        raise Forbidden(
            "transition-forbidden",
            {
                "actor": actor.id,
                "case": name,
                "transition": label,
                "who": party.who_may(book, t, lang),
            },
        )
    failed = guard.failed(book, subject, t)
    if failed == guard.FINAL:
        rung = finality.rung_name(book, finality.blocked(book, subject, t), lang)
        raise Conflict("final-decision", {"case": name, "rung": rung, "transition": label})
    if failed == guard.MAX:
        raise Conflict("transition-max", {"transition": label, "max": t["max"]})
    if failed:
        raise Conflict("guard-failed", {"case": name, "transition": label, "guard": failed})
    return t, submission.validate(book, t.get("form"), data or {}, lang), units
