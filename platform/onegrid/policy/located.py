"""Plain dicts and lists that remember where each value came from.

`YMap` and `YList` are `dict` and `list` subclasses, so JSON Schema and
json.dumps treat them as ordinary data; they also carry the `Loc` of
themselves, of each key and of each value, for messages and provenance.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from onegrid.errors import Loc


class YMap(dict):
    __slots__ = ("key_locs", "loc", "value_locs")

    def __init__(self, *args, loc: Loc | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.loc = loc
        self.key_locs: dict[str, Loc] = {}
        self.value_locs: dict[str, Loc] = {}

    def set(self, key: str, value: Any, key_loc: Loc | None, value_loc: Loc | None) -> None:
        self[key] = value
        if key_loc is not None:
            self.key_locs[key] = key_loc
        if value_loc is not None:
            self.value_locs[key] = value_loc

    def loc_of(self, key: str) -> Loc | None:
        return self.value_locs.get(key) or self.key_locs.get(key) or self.loc

    def key_loc(self, key: str) -> Loc | None:
        return self.key_locs.get(key) or self.loc


class YList(list):
    __slots__ = ("item_locs", "loc")

    def __init__(self, items: Iterable = (), loc: Loc | None = None, item_locs=None):
        super().__init__(items)
        self.loc = loc
        self.item_locs: list[Loc | None] = list(item_locs) if item_locs is not None else []

    def loc_of(self, index: int) -> Loc | None:
        if 0 <= index < len(self.item_locs) and self.item_locs[index] is not None:
            return self.item_locs[index]
        return self.loc


def loc_of(value: Any) -> Loc | None:
    """The location of a container, if it knows one."""
    return getattr(value, "loc", None)


def locate(root: Any, path: Iterable[Any], key: bool = False) -> Loc | None:
    """The location of the value at `path` under `root` (or of its key).

    Falls back to the deepest known container when the path runs out of
    located values, so a message always points somewhere useful.
    """
    best = loc_of(root)
    node = root
    path = list(path)
    for i, step in enumerate(path):
        last = i == len(path) - 1
        if isinstance(node, YMap) and step in node:
            here = node.key_loc(step) if (last and key) else node.loc_of(step)
            best = here or best
            node = node[step]
        elif isinstance(node, YList) and isinstance(step, int) and 0 <= step < len(node):
            best = node.loc_of(step) or best
            node = node[step]
        else:
            break
    return best


def plain(value: Any) -> Any:
    """A copy with plain dicts and lists (for hashing and storage)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
