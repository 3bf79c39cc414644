"""What differs between two resolved packs, item by item.

Sections are compared as the merge sees them: maps key by key, lists of
items with ids by id (so moving an item is no change), other lists whole.
Each change says where the old and the new value came from. The manifest
(the pack's id, name, what it extends) is not policy and is left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from onegrid.errors import Loc
from onegrid.policy.located import YList, YMap, plain
from onegrid.policy.provenance import place
from onegrid.policy.resolve import keyed


@dataclass(frozen=True)
class Change:
    change: str  # "added", "removed", "changed" or "reordered"
    path: str  # as `onegrid show` takes it: matters/matters/m.litter/limits/handle
    old: Any = None
    new: Any = None
    old_at: Loc | None = None
    new_at: Loc | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "change": self.change,
            "path": self.path,
            "old": self.old,
            "new": self.new,
            "old_at": place(self.old_at) if self.old_at else None,
            "new_at": place(self.new_at) if self.new_at else None,
        }


def sections(policy) -> YMap:
    root = YMap()
    for kind in sorted(policy.sections):
        root.set(kind, policy.sections[kind], None, policy.sections[kind].loc)
    return root


def diff(old, new) -> list[Change]:
    """Every change from policy `old` to policy `new`."""
    changes: list[Change] = []
    _compare(sections(old), sections(new), "", changes)
    return changes


def _at(container: Any, key: Any) -> Loc | None:
    if isinstance(container, YMap):
        return container.value_locs.get(key) or container.key_locs.get(key) or container.loc
    if isinstance(container, YList):
        return container.loc_of(key)
    return None


def _join(path: str, step: Any) -> str:
    return f"{path}/{step}" if path else str(step)


def _compare(old: Any, new: Any, path: str, changes: list[Change]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in old:
            if key not in new:
                if _container(old[key]):  # a whole section or list: item by item
                    _compare(old[key], _empty(old[key]), _join(path, key), changes)
                else:
                    changes.append(
                        Change("removed", _join(path, key), plain(old[key]), None, _at(old, key))
                    )
        for key in new:
            if key in old:
                _compare_value(old, new, key, key, path, changes)
            elif _container(new[key]):
                _compare(_empty(new[key]), new[key], _join(path, key), changes)
            else:
                changes.append(
                    Change("added", _join(path, key), None, plain(new[key]), None, _at(new, key))
                )
        return
    if isinstance(old, list) and isinstance(new, list) and keyed(old) and keyed(new):
        old_pos = {item["id"]: i for i, item in enumerate(old)}
        new_pos = {item["id"]: i for i, item in enumerate(new)}
        for item_id, i in old_pos.items():
            if item_id not in new_pos:
                changes.append(
                    Change("removed", _join(path, item_id), plain(old[i]), None, _at(old, i))
                )
        for item_id, j in new_pos.items():
            if item_id not in old_pos:
                changes.append(
                    Change("added", _join(path, item_id), None, plain(new[j]), None, _at(new, j))
                )
            else:
                _compare(old[old_pos[item_id]], new[j], _join(path, item_id), changes)
        # order is policy too (a first-hit routing table), so say when it moved
        old_order = [i for i in old_pos if i in new_pos]
        new_order = [i for i in new_pos if i in old_pos]
        if old_order != new_order:
            changes.append(
                Change("reordered", path, old_order, new_order, _list_loc(old), _list_loc(new))
            )


def _container(value: Any) -> bool:
    """A map, or a list merged by id: compared item by item even when new."""
    return (isinstance(value, dict) and bool(value)) or (
        isinstance(value, list) and bool(value) and keyed(value)
    )


def _empty(value: Any) -> Any:
    return YMap() if isinstance(value, dict) else YList()


def _list_loc(items: Any) -> Loc | None:
    return getattr(items, "loc", None)


def _compare_value(old_parent, new_parent, old_key, new_key, path, changes) -> None:
    a, b = old_parent[old_key], new_parent[new_key]
    here = _join(path, new_key)
    both_maps = isinstance(a, dict) and isinstance(b, dict)
    both_keyed = isinstance(a, list) and isinstance(b, list) and keyed(a) and keyed(b)
    if both_maps or both_keyed:
        _compare(a, b, here, changes)
    elif plain(a) != plain(b):
        changes.append(
            Change(
                "changed",
                here,
                plain(a),
                plain(b),
                _at(old_parent, old_key),
                _at(new_parent, new_key),
            )
        )
