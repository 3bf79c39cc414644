"""durable_rules behind one small interface: the only module that imports it.

Measured facts of durable_rules 2.0.28 (DESIGN.md) shape this module:

- a registered ruleset can never change or go away: each compiled table is
  registered once under a name made of its content hash, and reused;
- `Host` starts timer threads that race with `delete_state` and segfault:
  `QuietHost` never starts them, and one process-wide lock guards every
  engine call;
- `post` fires exactly one rule (the lowest `pri`) and `assert_fact` every
  match; a message no rule takes raises, and deleting a session that never
  existed segfaults (measured here), so every ruleset gets a catch-all rule
  at the lowest priority: every message is handled and every session exists;
- at most 1,024 live sessions per ruleset: one session per ruleset is used,
  and each decision leaves nothing in it (see `_Ruleset.run`);
- `$nex` (field absent) hangs (measured here): the compiler never emits it.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import durable.engine as durable
import durable_rules_engine as _engine

from onegrid.decide.program import CATCH_ALL, Program, Table

LOCK = threading.Lock()
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
SESSION = "decide"
CATCH_PRI = 65535
CATCH_NAME = "catch_all"


class QuietHost(durable.Host):
    """A durable_rules host without its background dispatch threads."""

    def _run(self) -> None:  # the timers race with delete_state: never start them
        pass


_HOST: QuietHost | None = None
_TABLES: dict[str, Any] = {}


def host() -> QuietHost:
    global _HOST
    if _HOST is None:
        _HOST = QuietHost()
    return _HOST


class _Ruleset:
    """One compiled table registered in the engine."""

    def __init__(self, name: str, table: Table, rules=None):
        self.name = name
        self.hit = table.hit
        self.names: dict[str, int] = {}
        definition: dict[str, Any] = {}
        for rule in table.rules if rules is None else rules:
            definition[f"r{rule.index}"] = {
                "all": [{"m": rule.condition()}],
                "pri": rule.index,
                "run": _unused,
            }
            self.names[f"r{rule.index}"] = rule.index
        definition[CATCH_NAME] = {"all": [{"m": {CATCH_ALL: 1}}], "pri": CATCH_PRI, "run": _unused}
        host().register_rulesets({name: definition})
        self.handle = host().get_ruleset(name)._handle

    def run(self, msg: dict[str, Any]) -> list[int]:
        """Rule indexes fired for one message (caller holds LOCK).

        The Python `Host.post` path (closures, state round trips) costs
        several times the engine's own work, so the engine's calls are made
        directly: assert, then take each action in turn. Under `first` the
        message is an event, consumed by the one rule that fires, so the
        one session holds nothing afterwards; deleting and recreating it
        costs about 3 ms at 2,000 rules (measured), so it is kept. Under
        `collect` the message is a fact, retracted at once.
        """
        msg["sid"] = SESSION
        text = _dumps(msg)
        handle = self.handle
        collect = self.hit == "collect"
        result = (_engine.assert_fact if collect else _engine.assert_event)(handle, text)
        state = result[1]
        fired = []
        action = _engine.start_action_for_state(handle, state)
        while action:
            # the action's message is {"<rule name>": …}; our names need no unescaping
            text_ = action[1]
            index = self.names.get(text_[2 : text_.index('"', 2)])
            if index is not None:
                fired.append(index)
            following = _engine.complete_and_start_action(handle, state)
            action = (None, following) if following else None
        if collect:
            _engine.retract_fact(handle, text)
        # a rule with `$or` fires once per alternative that holds (found by
        # the differential test): a rule hits once
        return sorted(set(fired))


def _unused(_closure) -> None:  # actions are taken directly in `_Ruleset.run`
    pass


class _Partitioned:
    """A table split by the bucket of its widest field, one ruleset per bucket.

    An assertion costs durable_rules time in proportion to the rules of the
    ruleset (measured: about 30 µs at 2,000 rules against 10 µs at 200), so
    a table whose rules each name a few values of one wide field (the
    matter) is split: each bucket's ruleset holds the rules that can match
    a value of that bucket, plus every rule that does not test the field,
    in the table's order. A case goes to the ruleset of its value's bucket.
    """

    def __init__(self, name: str, table: Table, field: str, buckets: set[int]):
        self.field = field
        self.hit = table.hit
        parts: dict[Any, list] = {b: [] for b in [*sorted(buckets), None]}
        for rule in table.rules:
            mine = _buckets_of(rule, field)
            for b, rules in parts.items():
                if mine is None or (b is not None and b in mine):
                    rules.append(rule)
        self.parts = {
            b: _Ruleset(f"{name}_p{'x' if b is None else b}", table, rules)
            for b, rules in parts.items()
        }

    def run(self, msg: dict[str, Any]) -> list[int]:
        return self.parts.get(msg.get(self.field), self.parts[None]).run(msg)


def _buckets_of(rule, field: str) -> set[int] | None:
    """The buckets of `field` the rule can match, or None when it does not test it."""
    for test in rule.tests:
        found = set()
        for alt in test.alternatives:
            values = {value for fld, op, value in alt if fld == field and op == "eq"}
            if not values:
                break
            found |= values
        else:
            if found:
                return found
    return None


# split a table when it has more rules than this and a bucketed field
PARTITION_ABOVE = 300


def _partition_field(program: Program, table: Table) -> tuple[str, set[int]] | None:
    best = None
    for layout in program.layouts.values():
        if layout.buckets:
            buckets = set(layout.buckets.values())
            if best is None or len(buckets) > len(best[1]):
                best = (layout.b, buckets)
    if best is None or len(table.rules) <= PARTITION_ABOVE:
        return None
    return best


def rulesets(program: Program) -> list:
    """The engine rulesets of a program, registered on first use."""
    registered = program.__dict__.get("_rulesets")
    if registered is not None:
        return registered
    out = []
    with LOCK:
        for table in program.tables:
            name = f"og_{program.hash}_{table.id}".replace(".", "_").replace("-", "_")
            ruleset = _TABLES.get(name)
            if ruleset is None:
                split = _partition_field(program, table)
                if split is None:
                    ruleset = _Ruleset(name, table)
                else:
                    ruleset = _Partitioned(name, table, *split)
                _TABLES[name] = ruleset
            out.append(ruleset)
    program.__dict__["_rulesets"] = out
    return out


def hits(program: Program, msg: dict[str, Any]) -> list[list[int]]:
    """Per table, the rules that fired: one under `first`/`unique`, all under `collect`."""
    tables = rulesets(program)
    with LOCK:
        return [ruleset.run(msg) for ruleset in tables]
