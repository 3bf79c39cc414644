"""How the layers of a pack merge: includes, then the base, then its own files.

The rules need no guessing (issue 8):
- maps merge deeply: a later layer's key wins, the others are kept;
- lists whose items all have an `id` merge by id: an override item deep-merges
  into the inherited one, new ids append, `remove: true` drops the inherited
  item and `replace: true` takes the override whole;
- every other list (scalars, items without ids) is replaced whole;
- `before: ID` or `after: ID` on an item puts it there (order matters in a
  first-hit routing table); new items otherwise append;
- an inherited item with `locked: true` may not be overridden or removed.

Merging keeps provenance: each key of a merged map keeps the `Loc`s of the
layer that set it, so `onegrid show --origin` can say where a value came from.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from onegrid import messages
from onegrid.errors import Problem
from onegrid.policy import schema
from onegrid.policy.kinds import KINDS
from onegrid.policy.located import YList, YMap
from onegrid.policy.suggest import did_you_mean

messages.register(
    {
        "locked-item": {
            "zh": "{list} 中的 '{id}' 已在 {lock} 锁定：采用方不能修改或删除它",
            "en": "'{id}' in {list} is locked at {lock}: adopters may not override or remove it",
        },
        "nothing-to-remove": {
            "zh": "{list} 中没有继承到 '{id}'，无需删除",
            "en": "nothing named '{id}' is inherited in {list}, so there is nothing to remove",
        },
        "unknown-position": {
            "zh": "{list} 中没有 '{id}'，无法把这一项放在它的{how_zh}",
            "en": "there is no '{id}' in {list} to put this item {how}",
        },
        "nothing-to-replace": {
            "zh": "{list} 中没有继承到 '{id}'，无法整项替换（新增一项请去掉 replace: true）",
            "en": "nothing named '{id}' is inherited in {list}, so there is nothing to replace (to add a new item, drop replace: true)",
        },
    }
)

# Instructions to the merge, not data: they never reach the resolved policy.
INSTRUCTIONS = ("remove", "replace", "before", "after")


def place(loc) -> str:
    """`FILE:LINE` of a location, as users see it."""
    if loc is None:
        return "?"
    return f"{messages.display_path(loc.file)}:{loc.line}"


def merge_sections(
    base: dict[str, YMap], over: dict[str, YMap], problems: list[Problem]
) -> dict[str, YMap]:
    """The sections of `over` laid on those of `base` (neither is changed)."""
    out = dict(base)
    for kind, section in over.items():
        if kind in base:
            out[kind] = merge_map(base[kind], section, problems, kind)
        else:
            out[kind] = fresh(section, problems, kind)
    return out


def merge_map(base: YMap, over: YMap, problems: list[Problem], where: str = "") -> YMap:
    out = YMap(base, loc=base.loc)
    out.key_locs.update(base.key_locs)
    out.value_locs.update(base.value_locs)
    for key, value in over.items():
        here = f"{where}.{key}" if where else str(key)
        old = base.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            merged = merge_map(_as_map(old), _as_map(value), problems, here)
            out.set(key, merged, base.key_locs.get(key), base.value_locs.get(key))
        elif isinstance(old, list) and isinstance(value, list) and keyed(old) and keyed(value):
            merged = merge_list(_as_list(old), _as_list(value), problems, here)
            out.set(key, merged, base.key_locs.get(key), base.value_locs.get(key))
        elif key == "id" and old == value:
            continue  # an override names its item: the id stays where declared
        else:
            # plain assignment keeps the key's place in the inherited order
            out.key_locs.pop(key, None)
            out.value_locs.pop(key, None)
            out.set(key, value, over.key_locs.get(key), over.value_locs.get(key))
    return out


def keyed(items: list) -> bool:
    """A list merged by id: every item is a mapping with a text `id`."""
    return all(isinstance(i, dict) and isinstance(i.get("id"), str) for i in items)


def merge_list(base: YList, over: YList, problems: list[Problem], where: str) -> YList:
    items: list[Any] = list(base)
    locs: list = [base.loc_of(i) for i in range(len(base))]
    position = {item["id"]: i for i, item in enumerate(items)}
    refused: set[str] = set()
    for j, item in enumerate(over):
        item = _as_map(item)
        item_id = item["id"]
        at = position.get(item_id)
        if at is None:
            # a typo in the id of a change: the base item stays as it was, so
            # say so at the adopter's id, with the inherited id it most resembles
            inherited_ids = [i["id"] for i in base]
            if item.get("remove") is True:
                problems.append(
                    Problem(
                        "nothing-to-remove",
                        {"id": item_id, "list": where},
                        item.loc_of("id"),
                        did_you_mean(item_id, inherited_ids),
                    )
                )
                continue
            if item.get("replace") is True:
                problems.append(
                    Problem(
                        "nothing-to-replace",
                        {"id": item_id, "list": where},
                        item.loc_of("id"),
                        did_you_mean(item_id, inherited_ids),
                    )
                )
                continue
            position[item_id] = len(items)
            items.append(fresh(without_instructions(item), problems, where))
            locs.append(over.loc_of(j))
            continue
        inherited = items[at]
        if inherited is None:  # removed earlier in this same layer
            if item.get("remove") is True:
                continue
            items[at] = without_instructions(item)
            locs[at] = over.loc_of(j)
            continue
        if same_declaration(inherited, item):
            continue  # the same shared pack reached twice (a diamond)
        if inherited.get("locked") is True:
            refused.add(item_id)
            problems.append(
                Problem(
                    "locked-item",
                    {"id": item_id, "list": where, "lock": place(inherited.loc_of("locked"))},
                    item.loc_of("id"),
                )
            )
            continue
        if item.get("remove") is True:
            items[at] = None
        elif item.get("replace") is True:
            items[at] = without_instructions(item)
            locs[at] = over.loc_of(j)
        else:
            items[at] = merge_map(_as_map(inherited), without_instructions(item), problems, where)
    kept = [(i, loc) for i, loc in zip(items, locs, strict=True) if i is not None]
    _move(kept, over, refused, problems, where)
    return YList([i for i, _ in kept], loc=base.loc, item_locs=[loc for _, loc in kept])


def _move(kept: list, over: YList, refused: set, problems: list[Problem], where: str) -> None:
    """Apply `before: ID` / `after: ID`: order matters in a first-hit table."""
    for item in over:
        for how in ("before", "after"):
            target = item.get(how) if isinstance(item, dict) else None
            if not isinstance(target, str) or item["id"] in refused:
                continue
            ids = [i["id"] for i, _ in kept]
            if item["id"] not in ids:
                continue  # removed
            if target not in ids or target == item["id"]:
                problems.append(
                    Problem(
                        "unknown-position",
                        {
                            "id": target,
                            "list": where,
                            "how": how,
                            "how_zh": "前面" if how == "before" else "后面",
                        },
                        item.loc_of(how),
                        did_you_mean(target, [i for i in ids if i != item["id"]]),
                    )
                )
                continue
            entry = kept.pop(ids.index(item["id"]))
            ids.remove(item["id"])
            kept.insert(ids.index(target) + (1 if how == "after" else 0), entry)


def fresh(item: YMap, problems: list[Problem], where: str) -> YMap:
    """A new item (or a new file), with the instructions inside it carried
    out: a keyed list in it whose items say `after:` or `before:` (a new
    routing table's rules, say) is ordered, its unknown targets named and the
    instructions dropped, as in a list merged onto a base. Unchanged items are
    returned as they are."""
    changed: YMap | None = None
    for key, value in item.items():
        if not (isinstance(value, list) and value and keyed(value)):
            continue
        here = f"{where}.{key}"
        listed = _as_list(value)
        if _instructed(listed):
            new = merge_list(YList([], loc=listed.loc), listed, problems, here)
        else:
            items = [fresh(_as_map(i), problems, here) for i in listed]
            if all(a is b for a, b in zip(items, listed, strict=True)):
                continue
            locs = [listed.loc_of(n) for n in range(len(listed))]
            new = YList(items, loc=listed.loc, item_locs=locs)
        if changed is None:
            changed = YMap(item, loc=item.loc)
            changed.key_locs.update(item.key_locs)
            changed.value_locs.update(item.value_locs)
        changed.set(key, new, item.key_locs.get(key), item.value_locs.get(key))
    return item if changed is None else changed


def _instructed(items: list) -> bool:
    return any(isinstance(i, dict) and any(k in i for k in INSTRUCTIONS) for i in items)


def same_declaration(a: YMap, b: YMap) -> bool:
    return a is b or (a.loc is not None and a.loc == b.loc)


def without_instructions(item: YMap) -> YMap:
    if not any(k in item for k in INSTRUCTIONS):
        return item
    out = YMap(loc=item.loc)
    for key, value in item.items():
        if key not in INSTRUCTIONS:
            out.set(key, value, item.key_locs.get(key), item.value_locs.get(key))
    return out


def _as_map(value: dict) -> YMap:
    return value if isinstance(value, YMap) else YMap(value)


def _as_list(value: list) -> YList:
    return value if isinstance(value, YList) else YList(value)


# An override file may name only what it changes: in a pack that extends or
# includes another, an item needs just its id and a map none of its keys; the
# full schema's required keys are checked on the merged result (see
# `required_after_merge`).
@cache
def _override_validator(kind: str):
    relaxed = copy.deepcopy(KINDS[kind].schema)
    _relax(relaxed)
    return schema.compile_schema(relaxed)


def _relax(node: Any) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("required"), list):
            # maps merge deeply, so an override may name any part of one
            node["required"] = [r for r in node["required"] if r in ("id", "kind")]
        for value in node.values():
            _relax(value)
    elif isinstance(node, list):
        for value in node:
            _relax(value)


def validate_override(doc: YMap, kind: str) -> list[Problem]:
    """Schema problems of a file in a pack that has layers below it."""
    problems: list[Problem] = []
    for error in _override_validator(kind).iter_errors(doc):
        problems.extend(schema.translate(error, doc))
    return problems


def required_after_merge(sections: dict[str, YMap]) -> list[Problem]:
    """Required keys still missing once every layer is merged."""
    problems: list[Problem] = []
    for kind, section in sections.items():
        doc = YMap(section, loc=section.loc)
        doc.key_locs.update(section.key_locs)
        doc.value_locs.update(section.value_locs)
        doc["kind"] = kind
        problems.extend(p for p in schema.validate(doc, kind) if p.code == "schema-required")
    return problems
