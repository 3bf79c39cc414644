"""A case's facts as the rules see them: checked, then enriched in Python.

Rules name grids, communities and streets by their attributes rather than
enumerating grids, so the org tree is walked here: a case reported in a grid
gets its community, street and district (`community`, `street`, …) and each
of their `attributes` (`community.old_estate`). The matter catalog fills in
the matter's category, group and collect-and-handle flag.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from onegrid import messages
from onegrid.decide.decision import FactsError
from onegrid.errors import Problem
from onegrid.policy.pack import Policy
from onegrid.policy.suggest import did_you_mean

messages.register(
    {
        "facts-not-a-mapping": {
            "zh": "案件事实必须是映射（键: 值），实际是 {actual}",
            "en": "a case's facts must be a mapping (key: value), got {actual}",
        },
        "facts-missing-matter": {
            "zh": "案件事实缺少 'matter'（事项）",
            "en": "the facts lack 'matter'",
        },
        "facts-unknown": {
            "zh": "事实 '{fact}' 的值 '{given}' 不是已知的{namespace}",
            "en": "the fact '{fact}' is '{given}', which is not a known {namespace}",
        },
        "facts-bad-type": {
            "zh": "事实 '{fact}' 应为{expected}",
            "en": "the fact '{fact}' should be {expected}",
        },
    }
)

# Facts whose values are ids of this namespace (checked, with did-you-mean).
ID_FACTS = {"matter": "matter", "severity": "severity", "channel": "channel", "level": "level"}
FROM_MATTER = ("category", "group")


class OrgTree:
    """Units by id with their parents and levels, grids from the registry included."""

    def __init__(self, policy: Policy):
        self.units: dict[str, Mapping[str, Any]] = dict(policy.index.get("unit", {}))
        self.levels = {lvl["id"]: lvl for lvl in policy.items("level")}
        for grid in _registry_grids(policy):
            self.units.setdefault(grid["id"], grid)
        # lowest level first, to find where a case happened
        self.ranked = [
            lvl["id"]
            for lvl in sorted(self.levels.values(), key=lambda lvl: -int(lvl.get("rank", 0)))
        ]
        self._places: dict[str, dict[str, Any]] = {}

    def place_facts(self, unit_id: str) -> dict[str, Any]:
        """The unit at each level above a place, and their attributes (memoised)."""
        found = self._places.get(unit_id)
        if found is None:
            found = {"unit": unit_id}
            for node in self.chain(unit_id):
                level = node.get("level")
                if not level or level in found:
                    continue
                found[level] = node["id"]
                for attr, value in (node.get("attributes") or {}).items():
                    found[f"{level}.{attr}"] = value
            self._places[unit_id] = found
        return found

    def chain(self, unit_id: str) -> list[Mapping[str, Any]]:
        """The unit and every unit above it, lowest first."""
        out, seen = [], set()
        node = self.units.get(unit_id)
        while node is not None and node["id"] not in seen:
            seen.add(node["id"])
            out.append(node)
            parent = node.get("parent")
            node = self.units.get(parent) if parent else None
        return out

    def nearest(self, lat: float, lng: float) -> str | None:
        """The grid whose centroid (registry `lat`/`lng`) is nearest, if any has one."""
        found = self.__dict__.get("_centroids")
        if found is None:
            found = [
                (u["id"], float(u["centroid"][0]), float(u["centroid"][1]))
                for u in self.units.values()
                if isinstance(u.get("centroid"), list | tuple) and len(u["centroid"]) == 2
            ]
            self.__dict__["_centroids"] = found
        if not found:
            return None
        scale = math.cos(math.radians(lat))  # degrees of longitude shrink away from the equator

        def distance(item):
            return (item[1] - lat) ** 2 + ((item[2] - lng) * scale) ** 2

        return min(found, key=distance)[0]

    def named_in(self, address: str) -> str | None:
        """The lowest unit whose Chinese name the address contains (the longest
        name at that level), if any."""
        names = self.__dict__.get("_names")
        if names is None:
            rank = {lvl: i for i, lvl in enumerate(self.ranked)}  # lowest level first
            names = []
            for u in self.units.values():
                name = u.get("name")
                name = name.get("zh") if isinstance(name, Mapping) else name
                if isinstance(name, str) and len(name) >= 2:
                    names.append((rank.get(u.get("level"), len(rank)), -len(name), name, u["id"]))
            names.sort()
            self.__dict__["_names"] = names
        for _rank, _length, name, unit in names:
            if name in address:
                return unit
        return None

    def rank(self, level: str | None) -> int:
        """A level's rank (higher numbers are lower levels); 0 when unknown."""
        return int((self.levels.get(level) or {}).get("rank", 0)) if level else 0

    def at_level(self, unit_id: str | None, level: str) -> str | None:
        """The unit at `level` that contains `unit_id` (itself included)."""
        if not unit_id:
            return None
        for node in self.chain(unit_id):
            if node.get("level") == level:
                return node["id"]
        return None


def _registry_grids(policy: Policy) -> list[dict[str, Any]]:
    """Grids of the pack's registry (or of its published version) as units."""
    from onegrid.grids.registry import grid_units

    return grid_units(policy, partial=True)  # `check` reports the registry's problems


def _enrich(policy: Policy, tree: OrgTree, facts: Any) -> dict[str, Any]:
    from onegrid.decide.submission import normalise

    facts = normalise(policy, facts) if isinstance(facts, Mapping) else facts
    if not isinstance(facts, Mapping):
        raise FactsError(Problem("facts-not-a-mapping", {"actual": type(facts).__name__}))
    problems: list[Problem] = []
    out: dict[str, Any] = {}
    matter_id = facts.get("matter")
    if matter_id is None:
        raise FactsError(Problem("facts-missing-matter", {}))
    index = policy.index
    for fact, namespace in ID_FACTS.items():
        value = facts.get(fact)
        if value is None:
            continue
        known = index.get(namespace) or {}
        if value.__class__ is not str or (value not in known and (known or fact == "matter")):
            problems.append(_unknown(fact, value, namespace, known))
            continue
        out[fact] = value
    matter = policy.get("matter", matter_id) if isinstance(matter_id, str) else None
    if matter is not None:
        for key in FROM_MATTER:
            if matter.get(key) is not None:
                out[key] = matter[key]
        out["on_the_spot"] = bool(matter.get("on_the_spot", False))
    unit = _place(facts, tree)
    department = policy.get("department", unit) if isinstance(unit, str) else None
    if department is not None:
        # a case raised by a department: it happened where the department sits
        unit = department.get("unit")
    if unit is not None:
        if unit not in tree.units:
            problems.append(_unknown("unit", unit, "unit", tree.units))
        else:
            for fact, value in tree.place_facts(unit).items():
                out.setdefault(fact, value)
    tags = facts.get("tags")
    if tags is not None:
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            problems.append(Problem("facts-bad-type", {"fact": "tags", "expected": "array"}))
        else:
            out["tags"] = list(dict.fromkeys(tags))
    fields = facts.get("fields")
    if fields is not None:
        if not isinstance(fields, Mapping):
            problems.append(Problem("facts-bad-type", {"fact": "fields", "expected": "object"}))
        else:
            for name, value in fields.items():
                if _scalar(value) or _strings(value):
                    out[f"fields.{name}"] = value
    for key, value in facts.items():
        # anything else a rule may name, as given (dotted names included)
        if key not in out and key not in _TAKEN and _scalar(value):
            out[key] = value
    if problems:
        raise FactsError(problems)
    return out


_TAKEN = {"matter", "unit", "grid", "tags", "fields", *ID_FACTS, *FROM_MATTER, "on_the_spot"}


def _place(facts: Mapping[str, Any], tree: OrgTree) -> str | None:
    """Where the case happened: `unit`, else `grid`, else the lowest level given."""
    for key in ("unit", "grid"):
        if isinstance(facts.get(key), str):
            return facts[key]
    for level in tree.ranked:
        if isinstance(facts.get(level), str):
            return facts[level]
    return None


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


def _strings(value: Any) -> bool:
    """A multiple choice answer: rules test it with `contains`."""
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _unknown(fact: str, value: Any, namespace: str, known) -> Problem:
    return Problem(
        "facts-unknown",
        {"fact": fact, "given": str(value), "namespace": namespace},
        None,
        did_you_mean(str(value), list(known)) if isinstance(value, str) else None,
    )
