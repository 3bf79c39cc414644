"""Condition operators: each turns one `fact: {op: operand}` into an engine
condition on the encoded case.

The operator names (and their operand schemas) are declared in
`onegrid.policy.kinds.routing.OPERATORS`; this module implements each one,
and a test asserts the two registries agree. Conditions are written in
durable_rules' JSON condition language, on fields `encode` fills in:

- `e<i>`: the fact's canonical key (`s:text`, `n:4`, `b:true`, or MISSING),
  so equality never meets durable's loose typing ("4" == 4);
- `c<i>`: the fact as a number (a rank for severity and level), posted only
  when the fact is a number;
- `t<i>.<j>`: 1 when the list fact (tags) holds value j.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MISSING = "-"

# the fact types a condition can meet
STRING, NUMBER, BOOL, RANK, LIST, ANY = "string", "number", "boolean", "rank", "list", "any"


def key(value: Any) -> str:
    """The canonical, typed text of a scalar, for exact equality."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "b:true" if value else "b:false"
    if isinstance(value, int | float):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return f"n:{value!r}"
    return f"s:{value}"


@dataclass(frozen=True)
class Operator:
    name: str
    types: tuple[str, ...]  # fact types it applies to
    # (layout of the fact, normalised operand) -> list of alternative
    # conjunctions, each a list of atomic tests (field, op, value)
    atoms: Callable[[Any, Any], list[list[tuple[str, str, Any]]]]
    # what the operand says about the fact's type
    implies: Callable[[Any], str | None]


def _eq(f, v):
    return [f.eq_atoms(v)]


def _ne(f, v):
    return [[(f.e, "ne", key(v))]]


def _in(f, values):
    return [f.eq_atoms(v) for v in values]


def _not_in(f, values):
    return [[(f.e, "ne", key(v)) for v in values]]


def _contains(f, v):
    return [[(f.flag(v), "eq", 1)]]


def _contains_any(f, values):
    return [[(f.flag(v), "eq", 1)] for v in values]


def _cmp(op):
    def atoms(f, v):
        return [[(f.c, op, v)]]

    return atoms


def _exists(f, v):
    return [[(f.e, "ne" if v else "eq", MISSING)]]


def _scalar_type(v) -> str | None:
    if isinstance(v, bool):
        return BOOL
    if isinstance(v, int | float):
        return NUMBER
    if isinstance(v, str):
        return STRING
    return None


def _list_type(values) -> str | None:
    types = {_scalar_type(v) for v in values}
    return types.pop() if len(types) == 1 else "mixed"


def _number_or_rank(v) -> str | None:
    return NUMBER if isinstance(v, int | float) and not isinstance(v, bool) else RANK


_EQUALITY = (STRING, NUMBER, BOOL, RANK, ANY)
_ORDER = (NUMBER, RANK)

OPERATORS: dict[str, Operator] = {
    op.name: op
    for op in (
        Operator("eq", _EQUALITY, _eq, _scalar_type),
        Operator("ne", _EQUALITY, _ne, _scalar_type),
        Operator("in", _EQUALITY, _in, _list_type),
        Operator("not_in", _EQUALITY, _not_in, _list_type),
        Operator("contains", (LIST,), _contains, lambda v: LIST),
        Operator("contains_any", (LIST,), _contains_any, lambda v: LIST),
        Operator("gte", _ORDER, _cmp("gte"), _number_or_rank),
        Operator("lte", _ORDER, _cmp("lte"), _number_or_rank),
        Operator("gt", _ORDER, _cmp("gt"), _number_or_rank),
        Operator("lt", _ORDER, _cmp("lt"), _number_or_rank),
        Operator("exists", (*_EQUALITY, LIST), _exists, lambda v: None),
    )
}

# atomic test ops, evaluated identically by the reference evaluator
ATOM_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gte": lambda a, b: a >= b,
    "lte": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "lt": lambda a, b: a < b,
}
DURABLE_OPS = {"ne": "$neq", "gte": "$gte", "lte": "$lte", "gt": "$gt", "lt": "$lt"}
