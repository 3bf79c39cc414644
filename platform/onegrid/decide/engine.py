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
- at most 1,024 live sessions per ruleset: one session is used and its state
  deleted after each decision;
- `$nex` (field absent) hangs (measured here): the compiler never emits it.
"""

from __future__ import annotations

import threading
from typing import Any

import durable.engine as durable

from onegrid.decide.program import CATCH_ALL, Program, Table

LOCK = threading.Lock()
SESSION = "decide"
CATCH_PRI = 65535


class QuietHost(durable.Host):
    """A durable_rules host without its background dispatch threads."""

    def _run(self) -> None:  # the timers race with delete_state: never start them
        pass


_HOST: QuietHost | None = None
_TABLES: dict[str, _Ruleset] = {}


def host() -> QuietHost:
    global _HOST
    if _HOST is None:
        _HOST = QuietHost()
    return _HOST


class _Ruleset:
    """One compiled table registered in the engine."""

    def __init__(self, name: str, table: Table):
        self.name = name
        self.hit = table.hit
        self.fired: list[int] = []
        definition: dict[str, Any] = {}
        for rule in table.rules:
            definition[f"r{rule.index}"] = {
                "all": [{"m": rule.condition()}],
                "pri": rule.index,
                "run": self._recorder(rule.index),
            }
        definition["catch_all"] = {
            "all": [{"m": {CATCH_ALL: 1}}],
            "pri": CATCH_PRI,
            "run": self._recorder(-1),
        }
        host().register_rulesets({name: definition})

    def _recorder(self, index: int):
        fired = self.fired

        def record(_closure) -> None:
            fired.append(index)

        return record

    def run(self, msg: dict[str, Any]) -> list[int]:
        """Rule indexes fired for one message (caller holds LOCK)."""
        self.fired.clear()
        message = dict(msg, sid=SESSION)
        h = host()
        try:
            if self.hit == "collect":
                h.assert_fact(self.name, message)
            else:
                h.post(self.name, message)
        finally:
            h.delete_state(self.name, SESSION)
        return sorted(i for i in self.fired if i >= 0)


def rulesets(program: Program) -> list[_Ruleset]:
    """The engine rulesets of a program, registered on first use."""
    out = []
    with LOCK:
        for table in program.tables:
            name = f"og_{program.hash}_{table.id}".replace(".", "_").replace("-", "_")
            ruleset = _TABLES.get(name)
            if ruleset is None:
                ruleset = _TABLES[name] = _Ruleset(name, table)
            out.append(ruleset)
    return out


def hits(program: Program, msg: dict[str, Any]) -> list[list[int]]:
    """Per table, the rules that fired: one under `first`/`unique`, all under `collect`."""
    tables = rulesets(program)
    with LOCK:
        return [ruleset.run(msg) for ruleset in tables]
