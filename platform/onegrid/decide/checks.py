"""Static checks of routing and escalation, run by `onegrid check`.

- the compiler's own problems (types, engine limits);
- a condition on a fact that no case can carry (with did-you-mean);
- a rule that an earlier rule shadows under `first`/`unique` (never reached);
- two rules that can both match one case under `unique`;
- a matter that no rule routes;
- a target (lead, assistant, handling level, ladder rung, a matter's own
  unit and level, the intake unit) with no staff: no role at its level;
- policy tests whose places or expected units are unknown.

Shadowing and overlap are decided on the facts' finite domains (matters
with their category, group and collect-and-handle flag; severities;
channels; levels) and on number intervals; any other condition counts only
when written identically, so a reported shadow is always real.
"""

from __future__ import annotations

import bisect
import math
from typing import Any

from onegrid import messages
from onegrid.decide import ladder as ladder_defs
from onegrid.decide.operators import key
from onegrid.decide.program import CORE_TYPES, LEVEL_TOP, Program, Rule, Test
from onegrid.decide.suite import tests_of
from onegrid.errors import Problem
from onegrid.policy.kinds.routing import FACTS
from onegrid.policy.pack import Policy
from onegrid.policy.suggest import did_you_mean

messages.register(
    {
        "decide-unknown-fact": {
            "zh": "未知的事实 '{fact}'：案件没有这个事实",
            "en": "unknown fact '{fact}': no case carries it",
        },
        "decide-shadowed": {
            "zh": "规则 '{rule}' 永远不会被采用：前面的规则 '{by}'（第 {line} 行）已涵盖它的所有情况",
            "en": "the rule '{rule}' can never apply: the earlier rule '{by}' (line {line}) covers every case it matches",
        },
        "decide-overlap": {
            "zh": "路由表 '{table}' 的命中策略为 unique，但规则 '{rule}' 与 '{other}'（第 {line} 行）可能同时命中",
            "en": "the table '{table}' is unique, but the rules '{rule}' and '{other}' (line {line}) can match the same case",
        },
        "decide-no-channels": {
            "zh": "策略包有事项但没有声明受理渠道（routing 文件的 channels:），任何入口都无法受理案件",
            "en": "the pack has matters but declares no intake channels (channels: in a routing file), so no door can take a case",
        },
        "decide-unrouted": {
            "zh": "事项 '{matter}' 没有任何路由规则能处理",
            "en": "no routing rule routes the matter '{matter}'",
        },
        "decide-no-staff": {
            "zh": "'{target}' 在 {level} 层级没有任何角色，无人能办理",
            "en": "'{target}' has no role at the {level} level: nobody could handle the case",
        },
        "decide-unknown-severity": {
            "zh": "选项 '{choice}' 代表的严重程度 '{severity}' 未在 severities 中声明",
            "en": "the choice '{choice}' stands for the severity '{severity}', which severities does not declare",
        },
        "decide-unknown-unit": {
            "zh": "未知的组织单元或部门 '{id}'",
            "en": "unknown org unit or department '{id}'",
        },
    }
)

MATTER_FACTS = ("matter", "category", "group", "on_the_spot")
FINITE = ("severity", "channel", "level")


def check(policy: Policy) -> list[Problem]:
    from onegrid.decide.program import program_for

    if not policy.section("routing") and not policy.section("escalation"):
        return _test_places(policy, program_for(policy, strict=False))
    program = program_for(policy, strict=False)
    problems = list(program.problems)
    problems += _facts(policy, program)
    space = Space(policy, program)
    for table in program.tables:
        if table.hit in ("first", "unique"):
            problems += _shadowed(table, space)
        if table.hit == "unique":
            problems += _overlaps(table, space)
    problems += _channels(policy)
    problems += _unrouted(policy, program, space)
    problems += _staff(policy)
    problems += _test_places(policy, program)
    problems += _answer_severities(policy)
    return problems


def _answer_severities(policy: Policy) -> list[Problem]:
    """A form field that sets the severity (`fact: severity`) must name known ones."""
    severities = policy.ids("severity")
    out = []
    items = [*policy.items("field")]
    for form in policy.items("form"):
        items += [f for f in form.get("fields") or () if isinstance(f, dict)]
    for item in items:
        if item.get("fact") != "severity" and not (
            "choices" in item and _uses_severity(policy, item)
        ):
            continue
        for choice in item.get("choices") or ():
            if not isinstance(choice, dict):
                continue
            meant = choice.get("means", choice.get("value"))
            if isinstance(meant, str) and meant not in severities:
                where = choice.loc_of("means") if "means" in choice else choice.loc_of("value")
                out.append(
                    Problem(
                        "decide-unknown-severity",
                        {"choice": str(choice.get("value")), "severity": meant},
                        where,
                        did_you_mean(meant, severities),
                    )
                )
    return out


def _uses_severity(policy: Policy, item) -> bool:
    """A form field that overrides the choices of a library field setting the severity."""
    if "fact" in item:
        return False
    base = policy.get("field", item.get("use")) if isinstance(item.get("use"), str) else None
    return base is not None and base.get("fact") == "severity"


# -- fact names ----------------------------------------------------------


def _facts(policy: Policy, program: Program) -> list[Problem]:
    levels = set(policy.ids("level"))
    known = [*FACTS, *levels, *CORE_TYPES]
    out = []
    for table in program.tables:
        for rule in table.rules:
            for test in rule.tests:
                head, _, attr = test.fact.partition(".")
                if attr and (head in levels or head == "fields"):
                    continue
                if not attr and test.fact in levels and test.op in ("eq", "ne", "in", "not_in"):
                    out += _level_values(program, test)
                    continue
                if not attr and test.fact in known:
                    continue
                out.append(
                    Problem(
                        "decide-unknown-fact",
                        {"fact": test.fact},
                        test.loc,
                        did_you_mean(test.fact, known),
                    )
                )
    return out


def _level_values(program: Program, test: Test) -> list[Problem]:
    """`community: comm.x`: the unit must exist (grids of the registry count)."""
    values = test.operand if isinstance(test.operand, list) else [test.operand]
    known = program.tree.units
    return [
        _unknown_unit(str(v), test.loc, known)
        for v in values
        if not isinstance(v, str) or v not in known
    ]


# -- the space of cases --------------------------------------------------


class Space:
    """Finite domains of the facts that have them, to compare rules exactly.

    What a rule allows (its matter set, finite sets, intervals) is computed
    once per rule and kept: comparing two rules is then a few set
    operations, not a walk over every matter (issue 20: 2,000 rules took
    89 s when each comparison recomputed them)."""

    def __init__(self, policy: Policy, program: Program):
        self._memo: dict[tuple, Any] = {}
        self.matters = {m["id"]: m for m in policy.items("matter")}
        self.domains: dict[str, list[Any]] = {
            "severity": [*policy.ids("severity"), None],
            "channel": [*policy.ids("channel"), None],
            "level": [*policy.ids("level"), None],
        }
        self.ranks = {
            "severity": {s: i + 1 for i, s in enumerate(policy.ids("severity"))},
            "level": {
                lvl["id"]: LEVEL_TOP - int(lvl.get("rank", 0)) for lvl in policy.items("level")
            },
        }

    def matter_value(self, matter: dict, fact: str) -> Any:
        if fact == "matter":
            return matter["id"]
        if fact == "on_the_spot":
            return bool(matter.get("on_the_spot", False))
        return matter.get(fact)

    def _kept(self, what: str, rule: Rule, fact: str, compute):
        slot = (what, id(rule), fact)
        if slot not in self._memo:
            self._memo[slot] = compute()
        return self._memo[slot]

    def matter_set(self, rule: Rule) -> frozenset[str]:
        return self._kept("matters", rule, "", lambda: frozenset(self._matter_set(rule)))

    def finite_set(self, rule: Rule, fact: str) -> frozenset[Any]:
        return self._kept("finite", rule, fact, lambda: frozenset(self._finite_set(rule, fact)))

    def interval(self, rule: Rule, fact: str) -> tuple[float, float] | None:
        return self._kept("interval", rule, fact, lambda: self._interval(rule, fact))

    def other_facts(self, rule: Rule) -> frozenset[str]:
        return self._kept("other", rule, "", lambda: frozenset(_other_facts(rule)))

    def test_keys(self, rule: Rule) -> frozenset[tuple]:
        return self._kept(
            "keys",
            rule,
            "",
            lambda: frozenset((t.fact, t.op, key_of(t.operand)) for t in rule.tests),
        )

    def _matter_set(self, rule: Rule) -> set[str]:
        allowed = set(self.matters)
        for test in rule.tests:
            if test.fact in MATTER_FACTS:
                allowed = {
                    m
                    for m in allowed
                    if holds(test, self.matter_value(self.matters[m], test.fact), None)
                }
        return allowed

    def _finite_set(self, rule: Rule, fact: str) -> set[Any]:
        ranks = self.ranks.get(fact)
        allowed = set(self.domains[fact])
        for test in rule.tests:
            if test.fact == fact:
                allowed = {v for v in allowed if holds(test, v, ranks)}
        return allowed

    def _interval(self, rule: Rule, fact: str) -> tuple[float, float] | None:
        """The number interval the rule allows for `fact`, if all its tests are on numbers."""
        low, high = -math.inf, math.inf
        for test in rule.tests:
            if test.fact != fact:
                continue
            v = test.operand
            if test.op == "eq" and isinstance(v, int | float) and not isinstance(v, bool):
                low, high = max(low, v), min(high, v)
            elif test.op in ("gte", "gt") and isinstance(v, int | float):
                low = max(low, v + (1e-9 if test.op == "gt" else 0))
            elif test.op in ("lte", "lt") and isinstance(v, int | float):
                high = min(high, v - (1e-9 if test.op == "lt" else 0))
            else:
                return None
        return (low, high)


def holds(test: Test, value: Any, ranks: dict | None) -> bool:
    """Whether a condition holds for one value (None: the fact is missing)."""
    op, operand = test.op, test.operand
    if op == "eq":
        return value is not None and key(value) == key(operand)
    if op == "ne":
        return value is None or key(value) != key(operand)
    if op == "in":
        return value is not None and key(value) in {key(v) for v in operand}
    if op == "not_in":
        return value is None or key(value) not in {key(v) for v in operand}
    if op == "exists":
        return (value is not None) == bool(operand)
    if op in ("gte", "lte", "gt", "lt"):
        if value is None:
            return False
        a = ranks.get(value) if ranks else value
        b = ranks.get(operand) if ranks and isinstance(operand, str) else operand
        if a is None or b is None:
            return False
        return {"gte": a >= b, "lte": a <= b, "gt": a > b, "lt": a < b}[op]
    return False


def _other_facts(rule: Rule) -> set[str]:
    return {t.fact for t in rule.tests if t.fact not in MATTER_FACTS and t.fact not in FINITE}


def covers(space: Space, earlier: Rule, later: Rule) -> bool:
    """Every case `later` matches, `earlier` matches too."""
    if not space.matter_set(later) <= space.matter_set(earlier):
        return False
    for fact in FINITE:
        if not space.finite_set(later, fact) <= space.finite_set(earlier, fact):
            return False
    for fact in space.other_facts(earlier):
        a, b = space.interval(earlier, fact), space.interval(later, fact)
        if a is not None and b is not None and fact in space.other_facts(later):
            if not (a[0] <= b[0] and b[1] <= a[1]):
                return False
            continue
        later_tests = space.test_keys(later)
        for t in earlier.tests:
            if t.fact == fact and (t.fact, t.op, key_of(t.operand)) not in later_tests:
                return False
    return True


def key_of(operand: Any) -> Any:
    return tuple(sorted(key(v) for v in operand)) if isinstance(operand, list) else key(operand)


def can_overlap(space: Space, a: Rule, b: Rule) -> bool:
    """Some case could match both rules (conservative: True when unsure)."""
    if not space.matter_set(a) & space.matter_set(b):
        return False
    for fact in FINITE:
        if not space.finite_set(a, fact) & space.finite_set(b, fact):
            return False
    for fact in space.other_facts(a) & space.other_facts(b):
        ia, ib = space.interval(a, fact), space.interval(b, fact)
        if ia is not None and ib is not None and max(ia[0], ib[0]) > min(ia[1], ib[1]):
            return False
        eq_a = {key(t.operand) for t in a.tests if t.fact == fact and t.op == "eq"}
        eq_b = {key(t.operand) for t in b.tests if t.fact == fact and t.op == "eq"}
        if eq_a and eq_b and not eq_a & eq_b:
            return False
    return True


class Candidates:
    """Which earlier rules of a table can cover or overlap a rule, found
    through an index instead of trying every pair (issue 20: 2,000 rules
    took 89 s, 3,900 took 461 s). Every dimension with a finite domain
    (the matter, severity, channel, level) indexes the rules by the values
    they allow: a rule that covers another allows each of its values, one
    that overlaps it shares one in every dimension. Candidates are then
    checked exactly by `covers` and `can_overlap`."""

    def __init__(self, table, space: Space):
        self.rules = table.rules
        self.space = space
        self.lists: dict[tuple[str, Any], list[int]] = {}
        for i, rule in enumerate(self.rules):
            for dim, values in self.dimensions(rule):
                for value in values:
                    self.lists.setdefault((dim, value), []).append(i)
        self.sets = {k: frozenset(v) for k, v in self.lists.items()}

    def dimensions(self, rule: Rule):
        yield "matter", self.space.matter_set(rule)
        for fact in FINITE:
            yield fact, self.space.finite_set(rule, fact)

    def _before(self, rows: list[int], j: int) -> list[int]:
        return rows[: bisect.bisect_left(rows, j)]

    def covering(self, j: int) -> list[int]:
        """Earlier rules that allow, in each dimension, a value rule j allows."""
        picks = []
        for dim, values in self.dimensions(self.rules[j]):
            if values:  # an empty set is covered by anything
                picks.append(min(((dim, v) for v in values), key=lambda k: len(self.lists[k])))
        if not picks:
            return list(range(j))
        picks.sort(key=lambda k: len(self.lists[k]))
        others = [self.sets[k] for k in picks[1:]]
        return [i for i in self._before(self.lists[picks[0]], j) if all(i in o for o in others)]

    def overlapping(self, j: int) -> list[int]:
        """Earlier rules that share a value with rule j in every dimension."""
        unions = []
        for dim, values in self.dimensions(self.rules[j]):
            rows = [self.lists[(dim, v)] for v in values]
            unions.append((sum(map(len, rows)), dim, values, rows))
        unions.sort(key=lambda u: u[0])
        _, _, _, rows = unions[0]
        first = sorted({i for r in rows for i in self._before(r, j)})
        rest = [[self.sets[(dim, v)] for v in values] for _, dim, values, _ in unions[1:]]
        return [i for i in first if all(any(i in s for s in sets) for sets in rest)]


def _shadowed(table, space: Space) -> list[Problem]:
    out = []
    candidates = Candidates(table, space)
    for j, later in enumerate(table.rules):
        if not space.matter_set(later):
            continue  # matches no matter at all: reported as unrouted elsewhere
        for i in candidates.covering(j):
            earlier = table.rules[i]
            if covers(space, earlier, later):
                out.append(
                    Problem(
                        "decide-shadowed",
                        {
                            "rule": later.qualified,
                            "by": earlier.qualified,
                            "line": earlier.loc.line if earlier.loc else "?",
                        },
                        later.loc,
                    )
                )
                break
    return out


def _overlaps(table, space: Space) -> list[Problem]:
    out = []
    candidates = Candidates(table, space)
    for j, later in enumerate(table.rules):
        for i in candidates.overlapping(j):
            earlier = table.rules[i]
            if can_overlap(space, earlier, later) and not covers(space, earlier, later):
                out.append(
                    Problem(
                        "decide-overlap",
                        {
                            "table": table.id,
                            "rule": later.qualified,
                            "other": earlier.qualified,
                            "line": earlier.loc.line if earlier.loc else "?",
                        },
                        later.loc,
                    )
                )
    return out


def _channels(policy: Policy) -> list[Problem]:
    """Cases enter by the pack's channels only (workflow.channels): a pack
    that routes but declares none would have every door refuse every report.
    (A pack with no routing at all is a fragment, e.g. a catalog to adopt.)"""
    matters = policy.items("matter")
    if not matters or policy.section("routing").get("channels"):
        return []
    return [Problem("decide-no-channels", {}, matters[0].loc_of("id"))]


def _unrouted(policy: Policy, program: Program, space: Space) -> list[Problem]:
    deciding = [t for t in program.tables if t.hit in ("first", "unique")]
    if not deciding:
        return []
    routed: set[str] = set()
    for table in deciding:
        for rule in table.rules:
            routed |= space.matter_set(rule)
    out = []
    for matter in policy.items("matter"):
        if matter["id"] not in routed:
            out.append(Problem("decide-unrouted", {"matter": matter["id"]}, matter.loc_of("id")))
    return out


# -- staff -----------------------------------------------------------------


def _staff(policy: Policy) -> list[Problem]:
    """Every lead, assistant, handling level and rung must have someone to act."""
    roles = policy.items("role")
    by_unit_level = {r.get("level") for r in roles if r.get("bound_to", "unit") == "unit"}
    departments = [r for r in roles if r.get("bound_to") == "department"]
    out = []

    def target(ident: str | None, level: str | None, loc) -> None:
        if ident is None:
            if level is not None and level not in by_unit_level:
                out.append(Problem("decide-no-staff", {"target": level, "level": level}, loc))
            return
        dept = policy.get("department", ident)
        if dept is not None:
            if not departments:
                out.append(
                    Problem("decide-no-staff", {"target": ident, "level": dept.get("level")}, loc)
                )
            return
        unit = policy.get("unit", ident)
        if unit is not None and unit.get("level") not in by_unit_level:
            out.append(
                Problem("decide-no-staff", {"target": ident, "level": unit.get("level")}, loc)
            )

    for table in policy.section("routing").get("tables") or []:
        for rule in table.get("rules") or []:
            then = rule.get("then") or {}
            lead = then.get("lead")
            if lead is not None or then.get("level") is not None:
                target(lead, then.get("level"), then.loc_of("lead" if lead else "level"))
            for i, assistant in enumerate(then.get("assist") or []):
                target(assistant, None, then["assist"].loc_of(i))
    # the catalog entry is each matter's default route
    for matter in policy.items("matter"):
        if isinstance(matter.get("unit"), str):
            target(matter["unit"], None, matter.loc_of("unit"))
    intake = policy.section("routing").get("intake_unit")
    if isinstance(intake, str):
        target(intake, None, policy.section("routing").loc_of("intake_unit"))
    for ladder in ladder_defs.ladders(policy):
        for i, rung in enumerate(ladder.get("rungs") or []):
            if i == 0 and not rung.get("lead"):
                continue  # the first rung takes the lead routing chose
            target(
                rung.get("lead"),
                rung.get("level"),
                rung.loc_of("lead" if rung.get("lead") else "level"),
            )
    return out


def _test_places(policy: Policy, program: Program) -> list[Problem]:
    """Units in policy tests (places, expected leads) must exist in the org tree."""
    known = set(program.tree.units) | set(policy.ids("department")) | set(policy.ids("enterprise"))
    out = []
    for test in tests_of(policy):
        facts = test.get("facts") or {}
        expect = test.get("expect") or {}
        spots = [(facts, k) for k in ("place", "unit", "grid") if isinstance(facts.get(k), str)]
        spots += [(expect, "lead")] if isinstance(expect.get("lead"), str) else []
        for container, k in spots:
            if container[k] not in known:
                out.append(_unknown_unit(container[k], container.loc_of(k), known))
        for i, a in enumerate(expect.get("assist") or []):
            if a not in known:
                out.append(_unknown_unit(a, expect["assist"].loc_of(i), known))
        for step in expect.get("escalation") or []:
            if isinstance(step.get("lead"), str) and step["lead"] not in known:
                out.append(_unknown_unit(step["lead"], step.loc_of("lead"), known))
    return out


def _unknown_unit(ident: str, loc, known) -> Problem:
    return Problem("decide-unknown-unit", {"id": ident}, loc, did_you_mean(ident, list(known)))
