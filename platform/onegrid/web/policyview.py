"""The loaded pack as the web app sees it: loaded and checked once per app."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from flask import Flask, current_app

from onegrid import paths
from onegrid.checks import check_pack
from onegrid.errors import Problem
from onegrid.grids.registry import grid_units
from onegrid.policy.pack import Policy


@dataclass
class Loaded:
    root: Path
    policy: Policy | None
    problems: list[Problem]
    children: dict[str, list[str]] = field(default_factory=dict)
    # the pack's org units plus the grids of its registry (kunqu's 791 live
    # only there), so staff can be bound to, and report from, a real grid
    units: dict[str, dict] = field(default_factory=dict)

    @cached_property
    def content_hash(self) -> str | None:
        """The loaded pack's content hash, computed once (it is not cheap)."""
        return self.policy.content_hash if self.policy is not None else None

    def unit(self, unit_id: str | None) -> dict | None:
        return self.units.get(unit_id) if unit_id else None

    def subtree(self, unit_id: str) -> set[str]:
        """The unit and every unit below it."""
        seen, todo = set(), [unit_id]
        while todo:
            u = todo.pop()
            if u not in seen:
                seen.add(u)
                todo.extend(self.children.get(u, ()))
        return seen

    def top(self) -> str | None:
        """The unit at the top of the org tree."""
        if self.policy is None:
            return None
        roots = [u["id"] for u in self.units.values() if not u.get("parent")]
        return roots[0] if roots else None

    def ancestors(self, unit_id: str) -> list[str]:
        out, u = [], unit_id
        while self.policy is not None and u and u not in out:
            out.append(u)
            item = self.units.get(u)
            u = item.get("parent") if item else None
        return out


def load(app: Flask | None = None) -> Loaded:
    app = app or current_app
    if "onegrid.policy" not in app.extensions:
        root = paths.find_pack(app.config["ONEGRID_CATALOG"])
        policy, problems = check_pack(root)
        loaded = Loaded(root, policy, problems)
        if policy is not None:
            loaded.units = {u["id"]: u for u in policy.items("unit")}
            for grid in grid_units(policy):
                loaded.units.setdefault(grid["id"], grid)
            for unit in loaded.units.values():
                if unit.get("parent"):
                    loaded.children.setdefault(unit["parent"], []).append(unit["id"])
        app.extensions["onegrid.policy"] = loaded
    return app.extensions["onegrid.policy"]


def policy(app: Flask | None = None) -> Policy:
    loaded = load(app)
    if loaded.policy is None:
        raise RuntimeError(f"the pack {loaded.root} does not load: see /admin/checks")
    return loaded.policy


def reload(app: Flask | None = None) -> Loaded:
    """Forget the loaded pack and read it again."""
    app = app or current_app
    app.extensions.pop("onegrid.policy", None)
    return load(app)
