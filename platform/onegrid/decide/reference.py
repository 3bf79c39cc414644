"""The pure-Python reference evaluator of a compiled `Program`.

It interprets the very conditions the engine is given, atom by atom, with
durable_rules' semantics for the subset the compiler emits (a field that is
absent fails every test). `explain` uses it to say why each rule matched or
not; the differential tests hold durable_rules to it.
"""

from __future__ import annotations

from typing import Any

from onegrid.decide.operators import ATOM_OPS
from onegrid.decide.program import Program, Rule, Table, Test


def atom_holds(msg: dict[str, Any], atom: tuple[str, str, Any]) -> bool:
    fld, op, value = atom
    if fld not in msg:
        return False
    have = msg[fld]
    if op == "eq":
        return have == value
    if type(have) is not type(value) and not (
        isinstance(have, int | float) and isinstance(value, int | float)
    ):
        return op == "ne"
    return ATOM_OPS[op](have, value)


def test_holds(msg: dict[str, Any], test: Test) -> bool:
    return any(all(atom_holds(msg, a) for a in alt) for alt in test.alternatives)


def first_failure(msg: dict[str, Any], rule: Rule) -> Test | None:
    """The first condition of the rule that does not hold, or None if all do."""
    for test in rule.tests:
        if not test_holds(msg, test):
            return test
    return None


def matches(msg: dict[str, Any], table: Table) -> list[int]:
    """Indexes of every rule of the table that matches, in order."""
    return [r.index for r in table.rules if first_failure(msg, r) is None]


def hits(program: Program, msg: dict[str, Any]) -> list[list[int]]:
    """Per table, the rules the hit policy lets decide."""
    out = []
    for table in program.tables:
        found = matches(msg, table)
        out.append(found if table.hit == "collect" else found[:1])
    return out
