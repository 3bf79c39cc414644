"""The compiler: a pack's routing tables → a `Program` of engine conditions.

One `Program` per policy content. Each rule becomes a condition in
durable_rules' JSON language on an encoded case (see `operators`); the same
conditions are what the reference evaluator interprets, so the two can be
compared case by case. Facts are enriched and normalised here, in Python,
before anything reaches the engine.

durable_rules 2.0.28 hangs for ever when one condition node has more than
512 children, and holds at most 4,096 rules (measured; see DESIGN.md), so the
compiler restructures what it can (a field tested against many values gets
a bucket test in front, so no node fans out widely) and refuses the rest
with a located error, never a hang.
"""

from __future__ import annotations

import hashlib
import json
import math
import weakref
from dataclasses import dataclass, field
from typing import Any

from onegrid import messages
from onegrid.decide import facts as facts_module
from onegrid.decide.operators import (
    ANY,
    BOOL,
    LIST,
    MISSING,
    NUMBER,
    OPERATORS,
    RANK,
    STRING,
    key,
)
from onegrid.errors import Loc, PolicyError, Problem
from onegrid.policy.located import YMap
from onegrid.policy.pack import Policy

messages.register(
    {
        "decide-op-type": {
            "zh": "运算符 '{op}' 不能用于{fact_type}类型的事实 '{fact}'",
            "en": "the operator '{op}' does not apply to '{fact}', a {fact_type} fact",
        },
        "decide-mixed-types": {
            "zh": "事实 '{fact}' 在不同规则中被当作不同类型比较（{types}）",
            "en": "the fact '{fact}' is compared as different types in different rules ({types})",
        },
        "decide-unknown-rank": {
            "zh": "'{value}' 不是 '{fact}' 的已知取值，无法比较大小",
            "en": "'{value}' is not a known value of '{fact}', so it cannot be ranked",
        },
        "decide-too-many-rules": {
            "zh": "路由表 '{table}' 展开后有 {count} 条规则，超过规则引擎上限 {limit}",
            "en": "the routing table '{table}' expands to {count} rules, over the engine's limit of {limit}",
        },
        "decide-too-many-branches": {
            "zh": "路由表 '{table}' 中同一条件下有 {count} 个分支（{field}），超过规则引擎上限 {limit}；请拆分路由表或用属性归类",
            "en": "the routing table '{table}' has {count} branches under one condition ({field}), over the engine's limit of {limit}; split the table or group values by an attribute",
        },
    }
)

# durable_rules: at most 4,096 rules per ruleset (one is our catch-all)
MAX_RULES = 4000
# durable_rules: registration hangs beyond 512 children of one node
MAX_BRANCHES = 480
# values per bucket when a field is tested against many values
BUCKET_SIZE = 24
# a field tested against more values than this gets bucket tests
BUCKET_ABOVE = 48

CATCH_ALL = "_"
LEVEL_TOP = 100  # level facts are posted as LEVEL_TOP - rank: higher levels are greater

CORE_TYPES = {
    "matter": STRING,
    "category": STRING,
    "group": STRING,
    "channel": STRING,
    "unit": STRING,
    "severity": RANK,
    "level": RANK,
    "tags": LIST,
    "on_the_spot": BOOL,
}


@dataclass
class FactLayout:
    """How one fact is encoded for the engine."""

    name: str
    index: int
    type: str
    ranks: dict[str, int] | None = None
    flags: dict[str, str] = field(default_factory=dict)
    buckets: dict[str, int] | None = None
    uses_e: bool = False
    uses_c: bool = False

    @property
    def e(self) -> str:
        return f"e{self.index}"

    @property
    def c(self) -> str:
        return f"c{self.index}"

    @property
    def b(self) -> str:
        return f"b{self.index}"

    def eq_atoms(self, value) -> list[tuple[str, str, Any]]:
        self.uses_e = True
        k = key(value)
        if self.buckets is not None and k in self.buckets:
            return [(self.b, "eq", self.buckets[k]), (self.e, "eq", k)]
        return [(self.e, "eq", k)]

    def flag(self, value: str) -> str:
        if value not in self.flags:
            self.flags[value] = f"t{self.index}_{len(self.flags)}"
        return self.flags[value]

    def normal(self, value: Any) -> Any:
        """The fact's value in this fact's type, or as given when it has none."""
        if self.type == NUMBER and isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                return value
            if not math.isfinite(number):  # "inf"/"nan" parse, but cannot travel in JSON
                return value
            return int(number) if number.is_integer() else number
        return value


@dataclass(frozen=True)
class Test:
    """One condition of a rule as written: `fact: {op: operand}`."""

    fact: str
    op: str
    operand: Any
    loc: Loc | None
    # alternatives (OR) of conjunctions (AND) of atoms (field, op, value)
    alternatives: tuple[tuple[tuple[str, str, Any], ...], ...] = ()


@dataclass(frozen=True)
class Rule:
    table: str
    id: str
    index: int
    tests: tuple[Test, ...]
    then: YMap
    loc: Loc | None

    @property
    def qualified(self) -> str:
        return f"{self.table}/{self.id}"

    def condition(self) -> dict[str, Any]:
        """The rule in durable_rules' JSON condition language."""
        parts = [_alternatives(t.alternatives) for t in self.tests]
        if not parts:
            return {CATCH_ALL: 1}
        return parts[0] if len(parts) == 1 else {"$and": parts}


@dataclass(frozen=True)
class Table:
    id: str
    hit: str
    rules: tuple[Rule, ...]
    loc: Loc | None


def _atom(atom: tuple[str, str, Any]) -> dict[str, Any]:
    from onegrid.decide.operators import DURABLE_OPS

    fld, op, value = atom
    return {fld: value} if op == "eq" else {DURABLE_OPS[op]: {fld: value}}


def _alternatives(alts) -> dict[str, Any]:
    conj = []
    for atoms in alts:
        parts = [_atom(a) for a in atoms]
        conj.append(parts[0] if len(parts) == 1 else {"$and": parts})
    return conj[0] if len(conj) == 1 else {"$or": conj}


class Program:
    """A policy's routing tables compiled for the engine and the evaluator."""

    def __init__(self, policy: Policy):
        self.policy = policy
        self.tree = facts_module.OrgTree(policy)
        self.problems: list[Problem] = []
        self.layouts: dict[str, FactLayout] = {}
        self.tables: tuple[Table, ...] = ()
        self._compile()
        blob = json.dumps(
            [[t.id, t.hit, [r.condition() for r in t.rules]] for t in self.tables],
            sort_keys=True,
            ensure_ascii=False,
        )
        self.hash = hashlib.sha256(blob.encode("utf-8")).hexdigest()[:20]

    # -- facts ---------------------------------------------------------

    def enrich(self, facts: Any) -> dict[str, Any]:
        return facts_module._enrich(self.policy, self.tree, facts)

    def encode(self, enriched: dict[str, Any]) -> dict[str, Any]:
        """The engine message for enriched facts: every value typed."""
        msg: dict[str, Any] = {CATCH_ALL: 1}
        for layout in self.layouts.values():
            value = enriched.get(layout.name)
            if layout.type == LIST:
                present = isinstance(value, list)
                if layout.uses_e:
                    msg[layout.e] = "l" if present else MISSING
                if present:
                    for item in value:
                        flag = layout.flags.get(item)
                        if flag is not None:
                            msg[flag] = 1
                continue
            value = layout.normal(value)
            k = key(value) if not isinstance(value, list | dict) else MISSING
            if layout.uses_e:
                msg[layout.e] = k
            if layout.buckets is not None and k in layout.buckets:
                msg[layout.b] = layout.buckets[k]
            if layout.uses_c:
                if layout.ranks is not None:
                    if isinstance(value, str) and value in layout.ranks:
                        msg[layout.c] = layout.ranks[value]
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    msg[layout.c] = value
        return msg

    # -- compiling -----------------------------------------------------

    def _compile(self) -> None:
        section = self.policy.section("routing")
        raw_tables = [t for t in section.get("tables") or [] if isinstance(t, YMap)]
        written = []  # (table, rule, [(fact, op, operand, loc)])
        for table in raw_tables:
            for rule in table.get("rules") or []:
                if not isinstance(rule, YMap):
                    continue
                written.append((table, rule, list(_conditions(rule))))
        self._type_facts(written)
        self._plan_buckets(written)
        tables = []
        for table in raw_tables:
            rules = []
            for i, (t, rule, conds) in enumerate(w for w in written if w[0] is table):
                tests = []
                for fact, op, operand, loc in conds:
                    test = self._test(fact, op, operand, loc)
                    if test is not None:
                        tests.append(test)
                rules.append(
                    Rule(
                        str(t["id"]),
                        str(rule["id"]),
                        i,
                        tuple(tests),
                        rule.get("then") or YMap(),
                        rule.loc,
                    )
                )
            tables.append(
                Table(str(table["id"]), str(table.get("hit", "first")), tuple(rules), table.loc)
            )
        self.tables = tuple(tables)
        for table in self.tables:
            self._check_limits(table)

    def _layout(self, fact: str) -> FactLayout:
        layout = self.layouts.get(fact)
        if layout is None:
            layout = FactLayout(fact, len(self.layouts), self._fact_type(fact))
            if fact == "severity":
                severities = self.policy.section("routing").get("severities") or []
                layout.ranks = {s["id"]: i + 1 for i, s in enumerate(severities)}
            elif fact == "level":
                layout.ranks = {
                    lvl["id"]: LEVEL_TOP - int(lvl.get("rank", 0))
                    for lvl in self.policy.items("level")
                }
            self.layouts[fact] = layout
        return layout

    def _fact_type(self, fact: str) -> str:
        if fact in CORE_TYPES:
            return CORE_TYPES[fact]
        return self._inferred.get(fact, ANY)

    def _type_facts(self, written) -> None:
        """Types of facts the catalog does not fix, from the operands rules use."""
        seen: dict[str, dict[str, Loc | None]] = {}
        for _table, _rule, conds in written:
            for fact, op, operand, loc in conds:
                if fact in CORE_TYPES or op not in OPERATORS:
                    continue
                implied = OPERATORS[op].implies(operand)
                if implied == RANK:  # only severity and level are ranked
                    implied = "mixed" if isinstance(operand, str) else NUMBER
                if implied is not None:
                    seen.setdefault(fact, {}).setdefault(implied, loc)
        self._inferred: dict[str, str] = {}
        for fact, types in seen.items():
            real = {t for t in types if t != "mixed"}
            if "mixed" in types or len(real) > 1:
                loc = next(iter(types.values()))
                shown = sorted(types)
                self.problems.append(
                    Problem("decide-mixed-types", {"fact": fact, "types": ", ".join(shown)}, loc)
                )
            self._inferred[fact] = real.pop() if len(real) == 1 else ANY

    def _plan_buckets(self, written) -> None:
        values: dict[str, dict[str, None]] = {}
        for _table, _rule, conds in written:
            for fact, op, operand, _loc in conds:
                if op in ("eq", "in"):
                    for v in operand if op == "in" else [operand]:
                        values.setdefault(fact, {})[key(v)] = None
        for fact, keys in values.items():
            if len(keys) > BUCKET_ABOVE:
                layout = self._layout(fact)
                layout.buckets = {k: i // BUCKET_SIZE for i, k in enumerate(keys)}

    def _test(self, fact: str, op: str, operand: Any, loc: Loc | None) -> Test | None:
        operator = OPERATORS.get(op)
        if operator is None:  # the schema has reported it
            return None
        layout = self._layout(fact)
        if layout.type not in operator.types and layout.type != ANY:
            self.problems.append(
                Problem(
                    "decide-op-type",
                    {"op": op, "fact": fact, "fact_type": layout.type},
                    loc,
                )
            )
            return None
        if op in ("gte", "lte", "gt", "lt"):
            layout.uses_c = True
            if layout.ranks is not None:
                if operand not in layout.ranks:
                    self.problems.append(
                        Problem("decide-unknown-rank", {"fact": fact, "value": str(operand)}, loc)
                    )
                    return None
                operand_n = layout.ranks[operand]
            elif isinstance(operand, int | float) and not isinstance(operand, bool):
                operand_n = operand
            else:
                self.problems.append(
                    Problem(
                        "decide-op-type", {"op": op, "fact": fact, "fact_type": layout.type}, loc
                    )
                )
                return None
            alts = operator.atoms(layout, operand_n)
        else:
            if op in ("ne", "not_in", "exists"):
                layout.uses_e = True
            if layout.type == NUMBER and op in ("eq", "ne", "in", "not_in"):
                operand = (
                    [layout.normal(v) for v in operand]
                    if isinstance(operand, list)
                    else layout.normal(operand)
                )
            alts = operator.atoms(layout, operand)
        return Test(fact, op, operand, loc, tuple(tuple(a) for a in alts))

    def _check_limits(self, table: Table) -> None:
        expanded = 0
        # the condition tree durable builds: count children per node
        children: dict[tuple, set] = {}
        for rule in table.rules:
            paths = [()]
            for test in rule.tests:
                paths = [p + alt for p in paths for alt in test.alternatives]
                if len(paths) > MAX_RULES:
                    break
            expanded += len(paths)
            for path in paths:
                node: tuple = ()
                for atom in path:
                    kids = children.setdefault(node, set())
                    kids.add(atom)
                    if len(kids) > MAX_BRANCHES:
                        self.problems.append(
                            Problem(
                                "decide-too-many-branches",
                                {
                                    "table": table.id,
                                    "count": len(kids),
                                    "field": self._fact_of(atom[0]),
                                    "limit": MAX_BRANCHES,
                                },
                                rule.loc,
                            )
                        )
                        return
                    node = (*node, atom)
        if expanded + 1 > MAX_RULES:
            self.problems.append(
                Problem(
                    "decide-too-many-rules",
                    {"table": table.id, "count": expanded, "limit": MAX_RULES},
                    table.loc,
                )
            )

    def _fact_of(self, fld: str) -> str:
        for layout in self.layouts.values():
            if fld in (layout.e, layout.c, layout.b) or fld in layout.flags.values():
                return layout.name
        return fld

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def _conditions(rule: YMap):
    """(fact, op, operand, loc) for every condition of a rule, as written."""
    when = rule.get("when") or {}
    if not isinstance(when, YMap):
        return
    for fact, cond in when.items():
        loc = when.loc_of(fact)
        if isinstance(cond, dict):
            for op, operand in cond.items():
                yield fact, op, operand, (cond.loc_of(op) if isinstance(cond, YMap) else loc)
        else:
            yield fact, "eq", cond, loc


_CACHE: dict[int, tuple[weakref.ref, Program]] = {}


def program_for(policy: Policy, strict: bool = True) -> Program:
    """The compiled program of a policy (once per policy object).

    With `strict`, a program with errors raises `PolicyError`.
    """
    entry = _CACHE.get(id(policy))
    if entry is not None and entry[0]() is policy:
        program = entry[1]
    else:
        program = Program(policy)
        ident = id(policy)
        _CACHE[ident] = (weakref.ref(policy, lambda _r, c=_CACHE, i=ident: c.pop(i, None)), program)
    if strict and program.errors:
        raise PolicyError(program.errors)
    return program
