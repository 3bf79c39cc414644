"""Condition operators: show or require a field when another has a value.

`OPS` is the registry (its keys are the ones the `forms` kind accepts):
each operator tests a clean value in Python and says the same in JSON
Schema, so the browser, the server and the published schema agree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from onegrid.policy.kinds.forms import CONDITION_OPS

Test = Callable[[dict[str, Any]], bool]


def _equals(name: str, expected: Any) -> Test:
    def test(clean):
        value = clean.get(name)
        return value == expected or (isinstance(value, list) and expected in value)

    return test


def _in(name: str, expected: list) -> Test:
    wanted = list(expected)

    def test(clean):
        value = clean.get(name)
        if isinstance(value, list):
            return any(v in wanted for v in value)
        return value is not None and value in wanted

    return test


def _filled(name: str, expected: bool) -> Test:
    def test(clean):
        return (name in clean) == bool(expected)

    return test


def _equals_schema(name: str, expected: Any, multi: bool) -> dict:
    test = {"contains": {"const": expected}} if multi else {"const": expected}
    return {"properties": {name: test}, "required": [name]}


def _in_schema(name: str, expected: list, multi: bool) -> dict:
    test = {"contains": {"enum": list(expected)}} if multi else {"enum": list(expected)}
    return {"properties": {name: test}, "required": [name]}


def _filled_schema(name: str, expected: bool, multi: bool) -> dict:
    return {"required": [name]} if expected else {"not": {"required": [name]}}


OPS: dict[str, tuple[Callable[[str, Any], Test], Callable[[str, Any, bool], dict]]] = {
    "equals": (_equals, _equals_schema),
    "in": (_in, _in_schema),
    "filled": (_filled, _filled_schema),
}

if set(OPS) != set(CONDITION_OPS):
    raise RuntimeError(f"condition operators differ: {sorted(set(OPS) ^ set(CONDITION_OPS))}")


def operator(condition: dict) -> tuple[str, Any]:
    """(op, operand) of a condition such as {field: x, equals: y}."""
    for op in OPS:
        if op in condition:
            return op, condition[op]
    raise ValueError(f"no operator in {condition!r}")


def compile_condition(condition: dict) -> Test:
    op, operand = operator(condition)
    return OPS[op][0](condition["field"], operand)


def condition_schema(condition: dict, multi: bool) -> dict:
    op, operand = operator(condition)
    return OPS[op][1](condition["field"], operand, multi)
