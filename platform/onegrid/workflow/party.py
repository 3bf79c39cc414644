"""Who may take a transition (`by:` in the workflow).

Each `by` entry may name a `party` (how the actor stands to the case), a
`role` and a `level`; all given must hold for one of the actor's bindings.
The party names are declared in `onegrid.policy.kinds.workflow.PARTIES`.
"""

from __future__ import annotations

from dataclasses import dataclass

from onegrid.workflow.actor import Actor, Binding


def _within(book, case, binding: Binding) -> bool:
    """The binding's unit is where the case happened or above it."""
    if not case.place:
        return True
    return book.home(binding.unit) in book.ancestors(case.place)


def _relation(book, case, binding: Binding, party: str | None) -> bool:
    if party == "dispatcher":
        # the unit at the case's level itself, or its command centre; never a
        # department or post that only handles cases (it would dispatch to itself)
        department = book.departments.get(binding.unit)
        if department is not None and department.get("type") != "centre":
            return False
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
    if party == "claimant":
        # a claimed post's round (`data.person`): its claimant, as themselves
        claimant = (getattr(case, "data", None) or {}).get("person")
        return [None] if claimant is not None and actor.person == claimant else []
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


@dataclass(frozen=True)
class Holder:
    """Who may take an open transition now: a party of a `by:` entry, the
    role it asks for (if any) and the units where such an actor sits."""

    transition: str
    party: str | None
    role: str | None
    units: tuple[str, ...] = ()
    users: tuple[str, ...] = ()


def seats(book, case, party: str | None, level: str | None = None) -> tuple[str, ...]:
    """The units an actor of `party` is bound to (for pages and notifications;
    `allowed` stays the rule): a dispatcher at the case's level over the
    place, prefering a command centre (a department of type `centre`)."""
    if party == "lead":
        return (case.unit,) if case.unit else ()
    if party == "assistant":
        return tuple(case.assistants or ())
    if party == "enterprise":
        return (case.enterprise,) if case.enterprise else ()
    over = book.ancestors(case.place) if case.place else [book.top_unit]
    if party == "dispatcher":
        level = case.level
    elif party == "superior":
        rank = book.rank(case.level)
        return tuple(u for u in over if 0 < book.rank(book.level_of(u)) < rank)
    if level is None:
        return ()
    centres = tuple(
        d["id"]
        for d in book.departments.values()
        if d.get("type") == "centre" and d.get("level") == level and book.home(d["id"]) in over
    )
    unit = book.above(case.place, level) if case.place else None
    return centres or ((unit,) if unit else ())


def holders(book, case, transitions) -> list[Holder]:
    """Who may take each of `transitions` (open on `case`) now."""
    out = []
    for t in transitions:
        for entry in t.get("by") or ():
            party = entry.get("party")
            users = (case.reporter,) if party == "reporter" else ()
            units = () if party == "reporter" else seats(book, case, party, entry.get("level"))
            out.append(Holder(t["id"], party, entry.get("role"), units, users))
    return out


# how each party is named when a refusal says who may take a transition
PARTY_NAMES = {
    "reporter": ("上报人", "the reporter"),
    "dispatcher": ("本级指挥中心（调度员）", "the dispatching centre"),
    "lead": ("主办单位", "the lead"),
    "assistant": ("协办单位", "an assisting unit"),
    "enterprise": ("责任企业", "the obliged enterprise"),
    "superior": ("上级单位", "a unit above"),
    "anyone": ("任何人", "anyone"),
    "claimant": ("认岗人员本人", "the claimant"),
}


def who_may(book, transition: dict, lang: str = "zh") -> str:
    """Who may take `transition`, in words (for a refusal)."""
    out = []
    for entry in transition.get("by") or ():
        words = []
        if entry.get("party"):
            zh, en = PARTY_NAMES.get(entry["party"], (entry["party"], entry["party"]))
            words.append(zh if lang == "zh" else en)
        if entry.get("role"):
            words.append(book.name(book.roles.get(entry["role"]), lang, entry["role"]))
        if entry.get("level"):
            words.append(book.name(book.levels.get(entry["level"]), lang, entry["level"]))
        if words:
            out.append(("的" if lang == "zh" else " ").join(words))
    return ("、" if lang == "zh" else ", ").join(out) or "—"
