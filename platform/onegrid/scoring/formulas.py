"""The formulas of `kind: scoring` indicators, one function each.

Their names, parameters and attributions are declared in
`onegrid.policy.kinds.scoring.FORMULAS` (which feeds the schema and the
docs); this module implements them and a test asserts the two agree. A
formula reads the period's `Record` and yields `(keys, item)` pairs: the
subjects the item counts for (by attribution) and the item itself, the
case (or other record) behind the number with `ok` from 0 to 1. The
indicator's value for a subject is the mean `ok` of its items (a rate), or
for `activity` the count of its items against the target.

Keys are `("unit", id)` for an org unit, department or enterprise and
`("person", username)` for a member of staff; a person also answers to the
units she is bound to in that role (see `subjects`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from onegrid.scoring.record import CaseRecord, DutyRecord, Record

Keys = frozenset[tuple[str, str]]
Item = dict[str, Any]


def unit_keys(*units: str | None) -> Keys:
    return frozenset(("unit", u) for u in units if u)


def keys_of(case: CaseRecord, attribution: str, unit: str | None = None) -> Keys:
    """Who a case-level fact counts for, except `holder` (per formula)."""
    if attribution == "reporter":
        return frozenset({("person", case.reporter)})
    if attribution == "area":
        return unit_keys(*case.area)
    if attribution == "lead":
        return unit_keys(unit if unit is not None else case.lead)
    raise ValueError(attribution)


def item(case: CaseRecord, ok: float, **why) -> Item:
    """The case behind a number, with why it counts as it does, in ids
    (the pages name them in the reader's language): `late_at` (units that
    held a step past its deadline), `open`, `step`, `filled`/`fields`,
    `action` (the transition), `at` (when the step began or the action
    was taken: one case may count twice, for two episodes)."""
    out: Item = {"case": case.id, "ok": round(float(ok), 4)}
    out.update({k: v for k, v in why.items() if v not in (None, [], False)})
    return out


def due_to_close(record: Record, case: CaseRecord) -> bool:
    """Closed in the period, or open at its end with a deadline passed."""
    if case.closed_at is not None:
        return record.within(case.closed_at)
    return any(e.late and e.due < record.end for e in case.episodes)


def _why(case: CaseRecord, closed: bool, on_time: bool) -> dict:
    if on_time:
        return {}
    return {"late_at": sorted(case.late_units()), "open": not closed}


def closure_rate(ind, record: Record) -> Iterator[tuple[Keys, Item]]:
    for case in record.cases:
        if not due_to_close(record, case):
            continue
        ok = case.closed_at is not None
        if ind["attribution"] == "holder":
            for unit in sorted(case.holders()):
                yield unit_keys(unit), item(case, ok)
        else:
            yield keys_of(case, ind["attribution"]), item(case, ok)


def on_time_closure_rate(ind, record: Record) -> Iterator[tuple[Keys, Item]]:
    for case in record.cases:
        if not due_to_close(record, case):
            continue
        closed = case.closed_at is not None
        late = case.late_units()
        if ind["attribution"] in ("holder", "lead"):
            # late only for the units that held an overdue step at its deadline
            units = sorted(case.holders()) if ind["attribution"] == "holder" else [case.lead]
            for unit in units:
                on_time = closed and unit not in late
                yield unit_keys(unit), item(case, on_time, **_why(case, closed, on_time))
        elif ind["attribution"] == "area":
            # an area answers for the steps that went overdue inside it, not for others'
            for unit in case.area:
                on_time = closed and unit not in case.late_areas
                yield unit_keys(unit), item(case, on_time, **_why(case, closed, on_time))
        else:
            on_time = closed and not late
            yield (
                keys_of(case, "reporter"),
                item(case, on_time, **_why(case, closed, on_time)),
            )


def rework_rate(ind, record: Record) -> Iterator[tuple[Keys, Item]]:
    for case in record.cases:
        if case.closed_at is None or not record.within(case.closed_at):
            continue
        if ind["attribution"] == "holder":
            for unit in sorted(case.holders()):
                yield unit_keys(unit), item(case, case.reworked)
        else:
            yield keys_of(case, ind["attribution"]), item(case, case.reworked)


def timely_step(ind, record: Record) -> Iterator[tuple[Keys, Item]]:
    for case in record.cases:
        for episode in case.episodes:
            if episode.step != ind["step"]:
                continue
            if episode.end is None and not episode.late:
                continue  # still running, deadline not reached
            if not record.within(episode.moment):
                continue
            ok = not episode.late
            why = {
                "step": episode.step,
                "at": episode.start.isoformat(),
                "late_at": [episode.late_unit] if episode.late else [],
            }
            if ind["attribution"] == "holder":
                who = episode.late_unit if episode.late else episode.unit
                yield unit_keys(who), item(case, ok, **why)
            else:
                yield keys_of(case, ind["attribution"]), item(case, ok, **why)


def timely_action(ind, record: Record) -> Iterator[tuple[Keys, Item]]:
    """Was `action` taken within `within` of the start of each `step` episode?"""
    for case in record.cases:
        for episode in case.episodes:
            if episode.step != ind["step"]:
                continue
            limit = case.calendar.add(episode.start, ind["within"])
            stop = episode.end or record.end
            done = next(
                (
                    e.at
                    for e in case.events
                    if e.action == ind["action"] and episode.start <= e.at <= stop
                ),
                None,
            )
            if done is not None and done <= limit:
                ok, moment = True, done
            elif limit < record.end or episode.end is not None:
                ok, moment = False, min(limit, stop) if done is None else limit
            else:
                continue  # not done yet, and there is still time
            if not record.within(moment):
                continue
            why = {"step": episode.step, "action": ind["action"], "at": episode.start.isoformat()}
            if not ok:
                why["late_at"] = [episode.unit]
            if ind["attribution"] == "holder":
                yield unit_keys(episode.unit), item(case, ok, **why)
            else:
                yield keys_of(case, ind["attribution"]), item(case, ok, **why)


def satisfaction_rate(ind, record: Record) -> Iterator[tuple[Keys, Item]]:
    good, bad = set(ind.get("satisfied") or ()), set(ind.get("dissatisfied") or ())
    answers = ind.get("answers") or {}
    for case in record.cases:
        for event in case.events:
            if not record.within(event.at):
                continue
            verdict = event.action in good if event.action in good | bad else None
            said = None
            if answers and event.action == answers["transition"]:
                said = (event.data.get("submission") or {}).get(answers["field"])
                if said in answers["satisfied"] or said in answers["dissatisfied"]:
                    verdict = said in answers["satisfied"]
            if verdict is None:
                continue
            keys = keys_of(case, ind["attribution"], event.unit)
            why = {"action": event.action, "at": event.at.isoformat(), "answer": said}
            yield keys, item(case, verdict, **why)


def _reported(record: Record):
    return (c for c in record.cases if record.within(c.created_at))


def activity(ind, record: Record) -> Iterator[tuple[Keys, Item]]:
    for case in _reported(record):
        yield keys_of(case, ind["attribution"]), item(case, 1)
    listed = set(ind.get("duties") or ())
    for tick in record.ticks if listed else ():
        if tick.duty not in listed or not record.within(tick.at):
            continue
        if ind["attribution"] == "reporter":
            keys = frozenset({("person", tick.by)}) if tick.by else frozenset()
        else:
            keys = unit_keys(*tick.area)
        yield keys, {"round": tick.round, "duty": tick.duty, "at": tick.at.isoformat(), "ok": 1.0}


def _filled(value) -> bool:
    return value not in (None, "", [])


def _share(values: dict, fields: list[str]) -> tuple[int, float]:
    filled = sum(1 for f in fields if _filled(values.get(f)))
    return filled, filled / len(fields)


def completeness(ind, record: Record) -> Iterator[tuple[Keys, Item]]:
    records = ind.get("records") or ["cases"]
    for case in _reported(record) if "cases" in records else ():
        if not case.form_fields:
            continue
        filled = sum(1 for f in case.form_fields if _filled(case.submission.get(f)))
        share = filled / len(case.form_fields)
        why = {"filled": filled, "fields": len(case.form_fields)}
        yield keys_of(case, ind["attribution"]), item(case, share, **why)
    # a grid's own records count for the grid (and whoever is bound to it), or its area
    area = ind["attribution"] == "area"
    fields = list(ind.get("registry_fields") or ["households"])
    for grid in record.registry if "registry" in records else ():
        filled, share = _share(grid.values, fields)
        keys = unit_keys(*grid.area) if area else unit_keys(grid.id)
        why = {"grid": grid.id, "ok": round(share, 4), "filled": filled, "fields": len(fields)}
        yield keys, why
    fields = list(ind.get("person_fields") or ["name", "phone", "home_grid"])
    for person in record.people if "people" in records else ():
        filled, share = _share(person.values, fields)
        keys = unit_keys(*person.area) if area else unit_keys(person.grid)
        why = {"person": person.id, "ok": round(share, 4), "filled": filled, "fields": len(fields)}
        yield keys, why


def _duty_keys(duty: DutyRecord, attribution: str) -> Keys:
    if attribution == "holder":
        return unit_keys(duty.unit)
    if attribution == "area":
        return unit_keys(*duty.area)
    raise ValueError(attribution)


def _duty_item(duty: DutyRecord, ok: bool) -> Item:
    """The duty behind a number: its round and id, and whether it was ticked
    late, marked not applicable, or left open."""
    why = {"late": duty.late, "na": duty.na, "open": not duty.complete}
    out: Item = {"round": duty.round, "duty": duty.duty, "ok": 1.0 if ok else 0.0}
    out.update({k: v for k, v in why.items() if v})
    return out


def duty_completion(ind, record: Record) -> Iterator[tuple[Keys, Item]]:
    for duty in record.duties:
        yield _duty_keys(duty, ind["attribution"]), _duty_item(duty, duty.complete)


def duty_on_time(ind, record: Record) -> Iterator[tuple[Keys, Item]]:
    for duty in record.duties:
        yield _duty_keys(duty, ind["attribution"]), _duty_item(duty, duty.on_time)


@dataclass(frozen=True)
class Implementation:
    items: Callable[[Any, Record], Iterator[tuple[Keys, Item]]]
    # how a subject's items become its value: the mean of `ok`, or a count against a target
    value: Callable[[Any, list[Item]], float | None]


def mean(_ind, items: list[Item]) -> float | None:
    return round(sum(i["ok"] for i in items) / len(items), 4) if items else None


def against_target(ind, items: list[Item]) -> float | None:
    return round(min(1.0, len(items) / ind["target"]), 4)


IMPLEMENTATIONS: dict[str, Implementation] = {
    "closure_rate": Implementation(closure_rate, mean),
    "on_time_closure_rate": Implementation(on_time_closure_rate, mean),
    "rework_rate": Implementation(rework_rate, mean),
    "timely_step": Implementation(timely_step, mean),
    "timely_action": Implementation(timely_action, mean),
    "satisfaction_rate": Implementation(satisfaction_rate, mean),
    "activity": Implementation(activity, against_target),
    "completeness": Implementation(completeness, mean),
    "duty_completion": Implementation(duty_completion, mean),
    "duty_on_time": Implementation(duty_on_time, mean),
}


def register(name: str, implementation: Implementation) -> None:
    """Plug in a formula (declare it in `kinds.scoring.FORMULAS` too)."""
    IMPLEMENTATIONS[name] = implementation
