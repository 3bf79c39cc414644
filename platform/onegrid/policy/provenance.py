"""Where each resolved value came from, and the resolved policy as text.

Resolved sections are `YMap`/`YList` trees whose keys and items keep the
`Loc` of the layer that set them (see `onegrid.policy.resolve`), so
provenance is read straight off the tree. `find` takes a path such as
`matters`, `matters/m.road.pothole` or `org.departments`; `to_yaml` writes
YAML, with `# FILE:LINE` after each value when asked.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from onegrid import messages
from onegrid.errors import Loc
from onegrid.policy.loader import resolve_plain
from onegrid.policy.located import YList, YMap


def tree(policy) -> YMap:
    """The whole resolved policy: the manifest as `pack`, then each section."""
    root = YMap(loc=policy.manifest.loc)
    root.set("pack", policy.manifest, None, policy.manifest.loc)
    for kind in sorted(policy.sections):
        root.set(kind, policy.sections[kind], None, policy.sections[kind].loc)
    return root


def place(loc: Loc | None) -> str:
    if loc is None:
        return "?"
    return f"{messages.display_path(loc.file)}:{loc.line}"


def child(node: Any, name: str) -> tuple[Any, Loc | None] | None:
    """The value called `name` under `node`: a key, a list item's id or index,
    or (for brevity) an item with that id in one of the map's lists."""
    if isinstance(node, dict):
        if name in node:
            return node[name], _loc_in(node, name)
        for value in node.values():
            if isinstance(value, list):
                found = child(value, name)
                if found is not None:
                    return found
    elif isinstance(node, list):
        for i, item in enumerate(node):
            if isinstance(item, dict) and item.get("id") == name:
                return item, _loc_in(node, i)
        if name.isdigit() and int(name) < len(node):
            return node[int(name)], _loc_in(node, int(name))
    return None


def find(node: Any, path: str) -> tuple[Any, Loc | None] | None:
    """The value at `path`; '/' and '.' both separate steps, but ids keep
    their dots (`matters/m.road.pothole`). A path that does not start at
    the top is looked for in each section (`m.road.pothole/limits`)."""
    found = _walk(node, path)
    if found is None and isinstance(node, dict):
        for section in node.values():
            found = _walk(section, path)
            if found is not None:
                break
    return found


def _walk(node: Any, path: str) -> tuple[Any, Loc | None] | None:
    found: tuple[Any, Loc | None] | None = (node, getattr(node, "loc", None))
    for part in (p for p in path.split("/") if p):
        found = _step(found[0], part)
        if found is None:
            return None
    return found


def _step(node: Any, text: str):
    found = child(node, text)
    if found is not None:
        return found
    for i, char in enumerate(text):
        if char == ".":
            head = child(node, text[:i])
            if head is not None:
                rest = _step(head[0], text[i + 1 :])
                if rest is not None:
                    return rest
    return None


def _loc_in(container: Any, key: Any) -> Loc | None:
    if isinstance(container, YMap):
        return container.value_locs.get(key) or container.key_locs.get(key)
    if isinstance(container, YList) and isinstance(key, int):
        return container.loc_of(key)
    return None


def origins(node: Any, path: str = "") -> Iterator[tuple[str, Loc | None]]:
    """(path, loc) of every scalar under `node`; list items by id if they have one."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}/{key}" if path else str(key)
            if isinstance(value, dict | list) and value:
                yield from origins(value, here)
            else:
                yield here, _loc_in(node, key)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            name = (
                value["id"] if isinstance(value, dict) and isinstance(value.get("id"), str) else i
            )
            here = f"{path}/{name}" if path else str(name)
            if isinstance(value, dict | list) and value:
                yield from origins(value, here)
            else:
                yield here, _loc_in(node, i)


_SPECIAL = set(":#[]{},&*!|>'\"%@`")


def scalar(value: Any) -> str:
    """A scalar as YAML that our loader reads back as the same value."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    text = str(value)
    plain_ok = (
        text
        and text == text.strip()
        and resolve_plain(text) == text
        and not (_SPECIAL & set(text))
        and "\n" not in text
        and not text.startswith(("- ", "? ", "-\t"))
        and text != "-"
    )
    return text if plain_ok else json.dumps(text, ensure_ascii=False)


def to_yaml(node: Any, origin: bool = False, loc: Loc | None = None) -> str:
    """YAML text of `node`; with `origin`, `# FILE:LINE` after each value."""
    lines: list[str] = []
    if isinstance(node, dict) and node:
        _map(node, 0, lines, origin)
    elif isinstance(node, list) and node:
        _list(node, 0, lines, origin)
    else:
        empty = "{}" if isinstance(node, dict) else "[]" if isinstance(node, list) else None
        lines.append((empty or scalar(node)) + _note(loc, origin))
    return "\n".join(lines) + "\n"


def _note(loc: Loc | None, origin: bool) -> str:
    return f"  # {place(loc)}" if origin and loc is not None else ""


def _map(node: dict, indent: int, lines: list[str], origin: bool) -> None:
    pad = " " * indent
    for key, value in node.items():
        name = scalar(key) if isinstance(key, str) else json.dumps(key)
        if isinstance(value, dict) and value:
            lines.append(f"{pad}{name}:" + _note(_key_loc(node, key), origin))
            _map(value, indent + 2, lines, origin)
        elif isinstance(value, list) and value:
            lines.append(f"{pad}{name}:" + _note(_key_loc(node, key), origin))
            _list(value, indent + 2, lines, origin)
        else:
            shown = "{}" if isinstance(value, dict) else "[]" if isinstance(value, list) else None
            lines.append(
                f"{pad}{name}: {shown or scalar(value)}" + _note(_loc_in(node, key), origin)
            )


def _key_loc(node: Any, key: str) -> Loc | None:
    return node.key_locs.get(key) if isinstance(node, YMap) else None


def _list(node: list, indent: int, lines: list[str], origin: bool) -> None:
    pad = " " * indent
    for i, value in enumerate(node):
        if isinstance(value, dict) and value:
            start = len(lines)
            _map(value, indent + 2, lines, origin)
            lines[start] = f"{pad}- " + lines[start][indent + 2 :]
        elif isinstance(value, list) and value:
            lines.append(f"{pad}-" + _note(_loc_in(node, i), origin))
            _list(value, indent + 2, lines, origin)
        else:
            shown = "{}" if isinstance(value, dict) else "[]" if isinstance(value, list) else None
            lines.append(f"{pad}- {shown or scalar(value)}" + _note(_loc_in(node, i), origin))
