"""A submission, as a door receives it, → a case's routing facts.

The one way from a door to the router: the staff pages, the JSON API,
Open311, `intake import`, the sweep replaying a case, `explain` and the
policy tests all hand their submission to `normalise`, and the router
enriches what it returns (`onegrid.decide.facts`). A submission is a
mapping of:

- `matter` (required);
- `place`: where the case happened, any org unit or registry grid (`unit`,
  `grid` or a level id such as `community` say the same);
- `channel`: the intake channel, one of the pack's `channels:`;
- `submission` (or `fields`): the answers to the matter's form, as the form
  posts them; each becomes `fields.NAME`, and a field that declares a
  `fact:` (severity, tags) sets that fact from the answer;
- `severity`, `tags`: as the form would set them (a policy test or a facts
  file may give them directly; the highest severity and every tag count);
- `level`: the level the case has reached;
- `lat`/`long` and `address`: where, when no place is given: the grid
  whose registry centroid is nearest, else the lowest unit whose name the
  address contains, else the pack's `intake_unit` (the command centre);
  `located` says which (coordinates, address, intake);
- anything else a rule names (`community.old_estate`, …), as given.

`normalise` is idempotent: the facts it returns are a submission too, so
a case stores them and the sweep replays them unchanged.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import Any

from onegrid.policy.pack import Policy

# answers that carry coordinates (the address field type): {text, lat, lng}
_COORDS = ("lat", "lng")


def normalise(policy: Policy, submission: Mapping[str, Any]) -> dict[str, Any]:
    """The routing facts of a submission (see the module docs)."""
    if not isinstance(submission, Mapping):
        return submission  # `enrich` reports it
    out: dict[str, Any] = {}
    answers: dict[str, Any] = {}
    for key, value in submission.items():
        if key in ("submission", "fields") and isinstance(value, Mapping):
            answers.update(value)
        elif key == "place":
            if value is not None and "unit" not in submission:
                out["unit"] = value
        else:
            out[key] = value
    if answers or "fields" in submission:
        out["fields"] = {k: v for k, v in answers.items() if v is not None}
    matter = policy.get("matter", out.get("matter")) if isinstance(out.get("matter"), str) else None
    form = matter.get("form") if matter is not None else None
    declared = answer_facts(policy).get(form, ()) if isinstance(form, str) else ()
    severities = policy.ids("severity")
    for name, fact, means in declared:
        answer = answers.get(name)
        chosen = answer if isinstance(answer, list) else [answer]
        values = [means.get(str(v), str(v)) for v in chosen if isinstance(v, str | bool)]
        if fact == "severity":
            ranked = [v for v in values if v in severities]
            current = out.get("severity")
            if isinstance(current, str) and current in severities:
                ranked.append(current)
            if ranked:
                out["severity"] = max(ranked, key=severities.index)
        elif fact == "tags" and values:
            given = out.get("tags")
            if given is None or isinstance(given, list):
                out["tags"] = list(dict.fromkeys([*(given or ()), *values]))
    if "lat" not in out and "long" not in out:
        # the form's address answer, when it carries coordinates
        for value in answers.values():
            if isinstance(value, Mapping) and all(
                isinstance(value.get(k), int | float) for k in _COORDS
            ):
                out["lat"], out["long"] = value["lat"], value["lng"]
                if "address" not in out and isinstance(value.get("text"), str):
                    out["address"] = value["text"]
                break
    _locate(policy, out)
    return out


# how a case without a place was placed (the `located` fact)
LOCATED = {
    "coordinates": "the grid whose centroid is nearest the coordinates",
    "address": "the lowest unit whose name the address contains",
    "intake": "the pack's intake unit (`intake_unit:`), as nothing else placed it",
}


def _locate(policy: Policy, out: dict[str, Any]) -> None:
    """Place a case given no place: by its coordinates (the registry's grid
    centroids), its address (a unit's name in it), else the intake unit."""
    if out.get("located") in LOCATED or "matter" not in out:
        return
    levels = policy.ids("level")
    if any(isinstance(out.get(k), str) for k in ("unit", "grid", *levels)):
        return
    from onegrid.decide.program import program_for

    tree = program_for(policy, strict=False).tree
    lat, lng = out.get("lat"), out.get("long")
    found = None
    if _number(lat) and _number(lng):
        found, how = tree.nearest(float(lat), float(lng)), "coordinates"
    if found is None and isinstance(out.get("address"), str):
        found, how = tree.named_in(out["address"]), "address"
    if found is None:
        found, how = intake_unit(policy), "intake"
    if found is not None:
        out["unit"], out["located"] = found, how


def intake_unit(policy: Policy) -> str | None:
    """The unit that takes a case nothing else places (the command centre)."""
    value = policy.section("routing").get("intake_unit")
    return value if isinstance(value, str) else None


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


# -- what a form's answers mean for routing ------------------------------

_DECLARED: dict[int, tuple[weakref.ref, dict]] = {}


def answer_facts(policy: Policy) -> dict[str, tuple[tuple[str, str, dict[str, str]], ...]]:
    """Per form id: (field name, fact, {choice value: fact value}) for every
    field that declares `fact:` (library fields it `use:`s included); read
    once per policy object."""
    entry = _DECLARED.get(id(policy))
    if entry is not None and entry[0]() is policy:
        return entry[1]
    # a peer stage, read only here: it merges a field with the library field it uses
    from onegrid.forms.definition import resolve_field

    found: dict[str, tuple] = {}
    for form in policy.items("form"):
        fields = []
        for item in form.get("fields") or ():
            if not isinstance(item, Mapping) or not _declares_fact(policy, item):
                continue
            spec = resolve_field(policy, item, [])
            if spec is None or not isinstance(spec.get("fact"), str):
                continue
            means = {
                str(c.get("value")): str(c.get("means", c.get("value")))
                for c in spec.get("choices") or ()
                if isinstance(c, Mapping)
            }
            fields.append((spec.name, spec["fact"], means))
        if fields:
            found[str(form["id"])] = tuple(fields)
    ident = id(policy)
    _DECLARED[ident] = (
        weakref.ref(policy, lambda _r, c=_DECLARED, i=ident: c.pop(i, None)),
        found,
    )
    return found


def _declares_fact(policy: Policy, item: Mapping) -> bool:
    if "fact" in item:
        return True
    use = item.get("use")
    base = policy.get("field", use) if isinstance(use, str) else None
    return base is not None and "fact" in base
