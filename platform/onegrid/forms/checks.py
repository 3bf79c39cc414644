"""`onegrid check`, forms stage: what the schema alone cannot see.

Unsafe patterns (refused with their line, never run by a backtracking
engine), fields without a name, type or label, keys that do not apply to
a field's type, empty or duplicate choices, bounds the wrong way round,
conditions on missing fields or impossible values, and examples that do
not pass their own field's check.
"""

from __future__ import annotations

from pathlib import Path

from onegrid import messages
from onegrid.errors import Problem
from onegrid.forms import (
    corefields,
    wording,  # noqa: F401 - registers the messages
)
from onegrid.forms.conditions import operator
from onegrid.forms.definition import FieldSpec, FormSpec, resolve_field, resolve_forms
from onegrid.forms.patterns import UnsafePattern, safe_pattern
from onegrid.policy.located import YMap
from onegrid.policy.suggest import did_you_mean

BOUNDS = (("min_length", "max_length"), ("minimum", "maximum"), ("min_items", "max_items"))


def check(policy) -> list[Problem]:
    specs, problems = resolve_forms(policy)
    problems += form_problems(policy, specs)
    problems += corefields.problems(policy, specs)
    for item in policy.section("forms").get("fields") or ():
        if isinstance(item, YMap) and isinstance(item.get("id"), str):
            spec = resolve_field(policy, YMap({"use": item["id"]}, loc=item.loc), problems)
            if spec is not None:
                problems += field_problems(policy, spec)
    return _unique(problems)


def form_problems(policy, specs: dict[str, FormSpec]) -> list[Problem]:
    problems: list[Problem] = []
    for form in specs.values():
        by_name = {f.name: f for f in form.fields}
        for f in form.fields:
            problems += field_problems(policy, f)
            for key in ("show_when", "require_when"):
                if f.get(key):
                    problems += condition_problems(f, key, by_name, form.removed)
    return problems


def _inside(file: str, root) -> bool:
    try:
        return Path(file).resolve().is_relative_to(Path(root).resolve())
    except (OSError, ValueError):
        return True


def org_problems(policy, f: FieldSpec) -> list[Problem]:
    """Levels and `within` should exist. Unknown levels are warnings, and
    none at all for a field of a shared pack (rules/, forms/): it may name
    levels a district does not have (a town has no `street`), and then
    offers the levels it has; a field that offers nothing is still named."""
    problems: list[Problem] = []
    levels, units = policy.ids("level"), policy.ids("unit")
    where = f.loc("levels")
    shared = where is not None and not _inside(where.file, policy.root)
    for level in f.get("levels") or ():
        if levels and level not in levels and not shared:
            problems.append(
                Problem(
                    "unknown-ref",
                    {"namespace": "level", "id": level},
                    f.loc("levels"),
                    did_you_mean(level, levels),
                    severity="warning",
                )
            )
    within = f.get("within")
    if within and units and within not in units:
        problems.append(
            Problem(
                "unknown-ref",
                {"namespace": "unit", "id": within},
                f.loc("within"),
                did_you_mean(within, units),
            )
        )
    here = f.loc()
    if here is not None and not _inside(here.file, policy.root):
        return problems  # a shared library's field, offered only where a form uses it
    if not f.choices and units and not problems:
        # a warning: the shared library has no org of its own to pick from
        problems.append(Problem("form-no-units", {"name": f.name}, f.loc(), severity="warning"))
    return problems


def field_problems(policy, f: FieldSpec) -> list[Problem]:
    from onegrid.forms.fieldtypes import TYPES

    problems: list[Problem] = []
    pattern_ok = True
    if f.get("pattern"):
        try:
            safe_pattern(f["pattern"])
        except UnsafePattern as exc:
            pattern_ok = False
            problems.append(
                Problem(
                    "form-unsafe-pattern",
                    {"pattern": f["pattern"], "reason": exc.reason},
                    f.loc("pattern"),
                )
            )
    for low_key, high_key in BOUNDS:
        low, high = f.get(low_key), f.get(high_key)
        if low is not None and high is not None and low > high:
            problems.append(Problem("form-bad-range", {"low": low, "high": high}, f.loc(low_key)))
    for pair in (f.get("bounds") or {}).values():
        if pair[0] > pair[1]:
            problems.append(
                Problem("form-bad-range", {"low": pair[0], "high": pair[1]}, f.loc("bounds"))
            )
    if f.type in ("choice", "multichoice"):
        if not f.choices:
            problems.append(Problem("form-no-choices", {"name": f.name}, f.loc()))
        seen = set()
        for value in f.choice_values:
            if value in seen:
                problems.append(
                    Problem("form-duplicate-choice", {"choice": value}, f.loc("choices"))
                )
            seen.add(value)
    if f.type == "org_unit":
        problems += org_problems(policy, f)
    if f.get("example") is not None and pattern_ok and not problems:
        _value, error = TYPES[f.type].check(f)(f["example"])
        if error is not None:
            reason = {lang: messages.text(error[0], error[1], lang) for lang in messages.LANGS}
            problems.append(
                Problem(
                    "form-bad-example", {"value": f["example"], "reason": reason}, f.loc("example")
                )
            )
    return problems


def condition_problems(
    f: FieldSpec, key: str, by_name: dict[str, FieldSpec], removed: dict | None = None
) -> list[Problem]:
    from onegrid.forms.fieldtypes import TYPES
    from onegrid.policy.resolve import place

    condition = f[key]
    target_name = condition.get("field")
    loc = f.loc(key)
    if target_name == f.name:
        return [Problem("form-condition-self", {"field": f.name}, loc)]
    target = by_name.get(target_name)
    if target is None and target_name in (removed or {}):
        # the cause is the `remove:` (the adopter's line); the condition is context
        params = {"field": target_name, "by": f.name, "where": place(loc)}
        return [Problem("form-condition-removed", params, removed[target_name])]
    if target is None:
        return [Problem("form-condition-field", {"field": target_name}, loc)]
    op, operand = operator(condition)
    if op == "filled" or target.type == "photo":
        return []
    check = TYPES[target.type].check(target)
    for value in operand if op == "in" else [operand]:
        tried = [value] if target.type == "multichoice" else value
        if check(tried)[1] is not None:
            return [Problem("form-condition-value", {"value": value, "field": target_name}, loc)]
    return []


def _unique(problems: list[Problem]) -> list[Problem]:
    seen = set()
    out = []
    for p in problems:
        key = (p.code, p.loc, repr(sorted(p.params.items(), key=lambda kv: kv[0])))
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
