"""One published policy version, read for the engine.

Cases run on the version they were opened under, so the engine reads the
stored resolved data, never the pack on disk. A `Rulebook` indexes that
data once per content hash.
"""

from __future__ import annotations

import copy
import dataclasses
import threading
from functools import cached_property
from pathlib import Path
from typing import Any

from onegrid.policy.located import YList, YMap
from onegrid.workflow.calendar import BusinessCalendar

DEFAULT_WARNING = 0.75

# Policies as loaded when published in this process: the forms and routing
# stages get the real object, with file and line of every value.
_POLICIES: dict[str, Any] = {}
_BOOKS: dict[str, Rulebook] = {}
_LOCK = threading.Lock()


def remember(policy) -> None:
    with _LOCK:
        _POLICIES[policy.content_hash] = policy


def rulebook(version) -> Rulebook:
    """The rulebook of a `PolicyVersion` (cached by content hash)."""
    key = f"{version.content_hash}/{version.grids_hash}"
    book = _BOOKS.get(key)
    if book is None:
        book = Rulebook(version.resolved, version.content_hash, version.grids)
        with _LOCK:
            _BOOKS.setdefault(key, book)
    return _BOOKS[key]


def _by_id(items) -> dict[str, dict]:
    return {item["id"]: item for item in items or () if isinstance(item, dict) and "id" in item}


class Rulebook:
    def __init__(self, resolved: dict[str, Any], content_hash: str, grids=None):
        self.resolved = resolved
        self.grids = list(grids) if grids is not None else None
        self.content_hash = content_hash
        self.pack = (resolved.get("pack") or {}).get("id")
        workflow = resolved.get("workflow") or {}
        self.steps = _by_id(workflow.get("steps"))
        self.states = _by_id(workflow.get("states"))
        self.transitions = _by_id(workflow.get("transitions"))
        self.distinct = _by_id(workflow.get("distinct"))
        self.dispatch = list(_by_id(workflow.get("dispatch")).values())
        initial = [s for s in self.states.values() if s.get("initial")]
        self.initial = initial[0]["id"] if len(initial) == 1 else None
        self.matters = _by_id((resolved.get("matters") or {}).get("matters"))
        self.forms = _by_id((resolved.get("forms") or {}).get("forms"))
        org = resolved.get("org") or {}
        self.levels = _by_id(org.get("levels"))
        self.units = _by_id(org.get("units"))
        for grid in grids or ():  # the registry's grids, under their communities
            self.units.setdefault(grid["id"], grid)
        self.departments = _by_id(org.get("departments"))
        self.enterprises = _by_id(org.get("enterprises"))
        self.roles = _by_id(org.get("roles"))
        self.calendar = BusinessCalendar.from_section(resolved.get("calendar"))
        tops = [u["id"] for u in self.units.values() if not u.get("parent")]
        self.top_unit = tops[0] if tops else None
        # the other kinds of workflow item (`items:`), each its own states
        self.kinds = _by_id(workflow.get("items"))
        self.kind: dict | None = None  # set on the rulebook of one kind
        self._flows: dict[str, Rulebook] = {}

    def for_item(self, kind: str) -> Rulebook | None:
        """This rulebook with the steps, states and transitions of one kind
        of item in place of the closed loop's (None for an unknown kind): what
        party, guard, deadline and the sweep read works on items unchanged."""
        if kind not in self.kinds:
            return None
        flow = self._flows.get(kind)
        if flow is None:
            spec = self.kinds[kind]
            flow = copy.copy(self)
            flow.kind = spec
            flow.steps = _by_id(spec.get("steps"))
            flow.states = _by_id(spec.get("states"))
            flow.transitions = _by_id(spec.get("transitions"))
            initial = [s for s in flow.states.values() if s.get("initial")]
            flow.initial = initial[0]["id"] if len(initial) == 1 else None
            with _LOCK:
                flow = self._flows.setdefault(kind, flow)
        return flow

    # -- the org tree --------------------------------------------------
    def rank(self, level: str | None) -> int:
        return int(self.levels.get(level, {}).get("rank", 0)) if level else 0

    def level_of(self, unit: str | None) -> str | None:
        item = self.units.get(unit) or self.departments.get(unit)
        return item.get("level") if item else None

    def home(self, unit: str | None) -> str | None:
        """The org unit a unit, department or post belongs to."""
        if unit in self.units:
            return unit
        seen = set()
        while unit in self.departments and unit not in seen:
            seen.add(unit)
            dept = self.departments[unit]
            if dept.get("unit"):
                return dept["unit"]
            unit = dept.get("parent")
        return self.top_unit

    def ancestors(self, unit: str | None) -> list[str]:
        """The unit itself, then each unit above it, up to the top."""
        out: list[str] = []
        unit = self.home(unit) if unit is not None else None
        while unit and unit not in out:
            out.append(unit)
            unit = self.units.get(unit, {}).get("parent")
        return out

    def above(self, place: str | None, level: str) -> str | None:
        """The unit at `level` that `place` lies in."""
        for unit in self.ancestors(place):
            if self.units[unit].get("level") == level:
                return unit
        return None

    def dispatch_option(self, case) -> dict | None:
        """The `dispatch:` option for the case: the first naming its matter, else
        the first for its level."""
        for option in self.dispatch:
            if case.matter in (option.get("matters") or ()):
                return option
        for option in self.dispatch:
            if not option.get("matters") and option.get("level") == case.level:
                return option
        return None

    # -- names ---------------------------------------------------------
    @staticmethod
    def name(item: dict | None, lang: str = "zh", default: str = "") -> str:
        if not item:
            return default
        text = item.get("name", default)
        if isinstance(text, dict):
            return text.get(lang) or text.get("zh") or default
        return text

    def warning(self, step: str) -> float:
        return float(self.steps.get(step, {}).get("warning", DEFAULT_WARNING))

    @cached_property
    def policy(self):
        """A `Policy` for the forms and routing stages."""
        known = _POLICIES.get(self.content_hash)
        # a version is self-contained: its stored grids, nothing read from disk
        if known is not None:
            return dataclasses.replace(known, grids=list(self.grids or []))
        return policy_from_resolved(self.resolved, self.grids or [])


def _located(value: Any) -> Any:
    if isinstance(value, dict):
        return YMap({k: _located(v) for k, v in value.items()})
    if isinstance(value, list):
        return YList([_located(v) for v in value])
    return value


def policy_from_resolved(resolved: dict[str, Any], grids: list | None = None):
    """Rebuild a `Policy` (without file locations) from stored resolved data
    and the registry grids the version stored (`[]`: none)."""
    from onegrid.policy.kinds import KINDS
    from onegrid.policy.pack import Policy, build_index

    manifest = _located(resolved.get("pack") or {})
    sections = {k: _located(v) for k, v in resolved.items() if k != "pack" and k in KINDS}
    policy = Policy(root=Path(str(manifest.get("id", "pack"))), manifest=manifest)
    policy.sections = sections
    policy.index = build_index(sections, [])
    policy.grids = [dict(g) for g in grids] if grids is not None else []
    return policy
