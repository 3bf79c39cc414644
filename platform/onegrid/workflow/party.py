"""Who may take a transition (`by:` in the workflow).

Each `by` entry may name a `party` (how the actor stands to the case), a
`role` and a `level`; all given must hold for one of the actor's bindings.
The party names are declared in `onegrid.policy.kinds.workflow.PARTIES`.
"""

from __future__ import annotations

from onegrid.workflow.actor import Actor, Binding


def _within(book, case, binding: Binding) -> bool:
    """The binding's unit is where the case happened or above it."""
    if not case.place:
        return True
    return book.home(binding.unit) in book.ancestors(case.place)


def _relation(book, case, binding: Binding, party: str | None) -> bool:
    if party == "dispatcher":
        return book.level_of(binding.unit) == case.level and _within(book, case, binding)
    if party == "lead":
        return binding.unit == case.unit
    if party == "assistant":
        return binding.unit in (case.assistants or ())
    if party == "enterprise":
        return binding.unit == case.enterprise
    if party == "superior":
        return 0 < book.rank(book.level_of(binding.unit)) < book.rank(case.level) and _within(
            book, case, binding
        )
    if party == "anyone":
        return True
    # a role or level without a party: held where the case happened or above
    return binding.unit in book.enterprises or _within(book, case, binding)


def acting_as(book, case, actor: Actor, entry: dict) -> list[str | None]:
    """The units `actor` may take the entry for: each binding that holds, or
    `None` when they qualify as themselves (the reporter, anyone)."""
    party, role, level = entry.get("party"), entry.get("role"), entry.get("level")
    if party == "reporter":
        if actor.id != case.reporter:
            return []
        if role is None and level is None:
            return [None]
        party = "anyone"
    out: list[str | None] = []
    for binding in actor.bindings:
        if role is not None and binding.role != role:
            continue
        if level is not None and book.level_of(binding.unit) != level:
            continue
        if _relation(book, case, binding, party) and binding.unit not in out:
            out.append(binding.unit)
    if not out and party == "anyone" and role is None and level is None:
        out.append(None)
    return out


def allowed(book, case, actor: Actor, entry: dict) -> bool:
    return bool(acting_as(book, case, actor, entry))


def units_for(book, case, actor: Actor, transition: dict) -> list[str | None]:
    """Every unit (or `None`: as themselves) `actor` may take `transition` for."""
    out: list[str | None] = []
    for entry in transition.get("by") or ():
        out += [u for u in acting_as(book, case, actor, entry) if u not in out]
    return out


def may_take(book, case, actor: Actor, transition: dict) -> bool:
    return any(allowed(book, case, actor, entry) for entry in transition.get("by") or ())
