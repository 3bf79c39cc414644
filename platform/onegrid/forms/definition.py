"""Form definitions resolved from a policy: library fields merged in.

`resolve_forms(policy)` turns the `forms` section into `FormSpec`s, reporting
(never raising) what is wrong; `onegrid.forms.checks` reports those problems
and `onegrid.forms.compiled` builds validators from clean specs.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from typing import Any

from onegrid.errors import Loc, Problem
from onegrid.policy.kinds.forms import FIELD_NAME_PATTERN, FIELD_TYPES
from onegrid.policy.located import YMap, plain
from onegrid.policy.resolve import merge_map  # the one key-by-key merge, as adopters' layers
from onegrid.policy.suggest import did_you_mean

_NAME = re.compile(FIELD_NAME_PATTERN)

# keys every field type takes; the rest are per type (FIELD_TYPES)
COMMON_KEYS = frozenset(
    {"id", "name", "use", "type", "label", "help", "placeholder", "required", "example"}
    | {"show_when", "require_when", "remove", "replace", "locked"}
)

YESNO_CHOICES = (("yes", {"zh": "是", "en": "Yes"}), ("no", {"zh": "否", "en": "No"}))


def texts(value: Any) -> dict[str, str] | None:
    """A `text` value as {zh, en}; English falls back to Chinese."""
    if value is None:
        return None
    if isinstance(value, dict):
        zh = str(value.get("zh", ""))
        return {"zh": zh, "en": str(value.get("en") or zh)}
    return {"zh": str(value), "en": str(value)}


@dataclass
class FieldSpec:
    """One field of one form, with any library field's keys merged under it."""

    name: str
    type: str
    keys: dict[str, Any]
    item: YMap  # as written in the form (for locations)
    base: YMap | None = None  # the library field it uses
    choices: tuple[tuple[str, dict[str, str]], ...] = ()
    # org units: value → the name of the unit above it, to group long lists
    groups: dict[str, dict[str, str]] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        value = self.keys.get(key)
        return default if value is None else value

    def __getitem__(self, key: str) -> Any:
        return self.keys[key]

    @property
    def choice_values(self) -> list[str]:
        return [value for value, _label in self.choices]

    def loc(self, key: str | None = None) -> Loc | None:
        """Where `key` was written: in the form if overridden there, else in the library."""
        if key is None:
            return self.item.loc
        if key in self.item:
            return self.item.loc_of(key)
        if self.base is not None and key in self.base:
            return self.base.loc_of(key)
        return self.item.loc


@dataclass
class FormSpec:
    id: str
    name: dict[str, str]
    description: dict[str, str] | None
    step: str | None
    item: YMap
    fields: list[FieldSpec] = field(default_factory=list)
    # fields a `use:` dropped (`remove: true`), by name: where each was dropped
    removed: dict[str, Loc] = field(default_factory=dict)

    def field(self, name: str) -> FieldSpec | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None


_GRIDS: dict[int, tuple[weakref.ref, tuple, list[dict]]] = {}


def registry_grids(policy) -> list[dict]:
    """The grids of the pack's grid registry (kunqu's 791 live there, not in
    org.yaml), as org units; none if it has no registry or it does not load.
    Read once per policy object and file version."""
    from onegrid.grids.registry import grid_units, overlay_path, registry_path  # a peer stage

    if getattr(policy, "grids", None) is not None:  # rebuilt from a published version
        return grid_units(policy)
    full, _problem = registry_path(policy)
    if full is None:
        return []
    stamp: tuple = ()
    for path in (full, overlay_path(policy)[0]):
        try:
            stat = path.stat() if path is not None else None
        except OSError:
            return []
        if stat is not None:
            stamp += (str(path), stat.st_mtime_ns, stat.st_size)
    entry = _GRIDS.get(id(policy))
    if entry is not None and entry[0]() is policy and entry[1] == stamp:
        return entry[2]
    grids = [u for u in grid_units(policy, partial=True) if u.get("id")]
    key = id(policy)
    _GRIDS[key] = (
        weakref.ref(policy, lambda _r, key=key, table=_GRIDS: table.pop(key, None)),
        stamp,
        grids,
    )
    return grids


DEPARTMENTS = {"zh": "部门", "en": "Departments"}


def unit_choices(policy, levels, within, departments=False):
    """(choices, groups): the org units at `levels` (all levels if none)
    below `within`, then the departments if asked for; each with the name
    of the unit above it."""
    units = [*policy.items("unit"), *registry_grids(policy)]
    parents = {u.get("id"): u.get("parent") for u in units}
    names = {u.get("id"): texts(u.get("name")) or {"zh": u["id"], "en": u["id"]} for u in units}
    groups: dict[str, dict[str, str]] = {}

    def below(unit_id: str) -> bool:
        seen = set()
        node = parents.get(unit_id)
        while node is not None and node not in seen:
            if node == within:
                return True
            seen.add(node)
            node = parents.get(node)
        return False

    out = []
    for u in units:
        if levels and u.get("level") not in levels:
            continue
        if within and not below(u["id"]):
            continue
        out.append((u["id"], names[u["id"]]))
        if u.get("parent") in names:
            groups[u["id"]] = names[u["parent"]]
    if departments:
        for d in policy.items("department"):
            if not within or d.get("unit") == within or below(d.get("unit") or ""):
                out.append((d["id"], texts(d.get("name")) or {"zh": d["id"], "en": d["id"]}))
                groups[d["id"]] = DEPARTMENTS
    return tuple(out), groups


def default_name(library_id: str) -> str:
    """`field.reporter_phone` → `reporter_phone`."""
    return library_id.rsplit(".", 1)[-1].replace("-", "_")


def resolve_field(policy, item: YMap, problems: list[Problem]) -> FieldSpec | None:
    base = None
    keys: dict[str, Any] = {}
    if isinstance(item.get("use"), str):
        base = policy.get("field", item["use"])
        if base is None:
            return None  # the reference check has said so
        if "use" in base:
            problems.append(Problem("form-library-use", {}, base.key_loc("use")))
        keys.update(plain(base))
        keys.pop("id", None)
        if "name" not in keys:
            keys["name"] = default_name(base["id"])
    keys.update(plain(item))
    name = keys.get("name")
    if not isinstance(name, str):
        problems.append(Problem("form-field-no-name", {}, item.loc))
        return None
    if not _NAME.match(name):  # a name made from a library id, e.g. field.2nd
        problems.append(Problem("form-field-bad-name", {"name": name}, item.loc))
        return None
    ftype = keys.get("type")
    if ftype not in FIELD_TYPES:
        problems.append(Problem("form-field-no-type", {"name": name}, item.loc))
        return None
    spec = FieldSpec(name=name, type=ftype, keys=keys, item=item, base=base)
    if "label" not in keys:
        problems.append(Problem("form-field-no-label", {"name": name}, item.loc))
    allowed = set(FIELD_TYPES[ftype][1])
    for key in keys:
        if key not in COMMON_KEYS and key not in allowed:
            where = item if key in item else base
            problems.append(
                Problem(
                    "form-key-not-for-type",
                    {"key": key, "type": ftype, "allowed": sorted(allowed) or ["-"]},
                    where.key_loc(key) if where is not None else item.loc,
                )
            )
    if ftype in ("choice", "multichoice"):
        spec.choices = tuple((c["value"], texts(c["label"])) for c in keys.get("choices") or ())
    elif ftype == "yesno":
        spec.choices = YESNO_CHOICES
    elif ftype == "org_unit":
        spec.choices, spec.groups = unit_choices(
            policy, keys.get("levels") or (), keys.get("within"), bool(keys.get("departments"))
        )
    return spec


def field_name(item) -> str | None:
    """The name a field item submits under: its own, or its library field's."""
    if isinstance(item.get("name"), str):
        return item["name"]
    return default_name(item["use"]) if isinstance(item.get("use"), str) else None


def form_items(
    policy, item: YMap, problems: list[Problem], chain=(), removed: dict | None = None
) -> tuple[YMap, list]:
    """(the form's own keys, its field items) once `use: FORM` is applied: the
    used form's fields, each changed key by key by a field item of the same
    name here, dropped by `remove: true`, and new names appended. Changed keys
    keep this file's place, so errors in them point here."""
    used = item.get("use")
    if not isinstance(used, str):
        return item, list(item.get("fields") or ())
    if used in chain or used == item["id"]:
        params = {"form": item["id"], "chain": " → ".join([*chain, item["id"], used])}
        problems.append(Problem("form-use-cycle", params, item.key_loc("use")))
        return item, list(item.get("fields") or ())
    base = next(
        (f for f in policy.section("forms").get("forms") or () if f.get("id") == used), None
    )
    if base is None:
        return item, list(item.get("fields") or ())  # the reference check names it
    base_keys, fields = form_items(policy, base, problems, (*chain, item["id"]), removed)
    keys = merge_map(base_keys, item, problems)
    fields = list(fields)
    names = [field_name(f) for f in fields]
    for over in item.get("fields") or ():
        name = field_name(over)
        if name in names:
            at = names.index(name)
            if over.get("remove") is True:
                del fields[at], names[at]
                if removed is not None:
                    removed[name] = over.key_loc("remove") or over.loc
            else:
                fields[at] = merge_map(fields[at], over, problems)
        elif over.get("remove") is True:
            params = {"base": used, "name": name}
            problems.append(
                Problem(
                    "form-use-nothing-to-remove",
                    params,
                    over.loc_of("name") or over.loc,
                    did_you_mean(name or "", [n for n in names if n]),
                )
            )
        else:
            fields.append(over)
            names.append(name)
    return keys, fields


def resolve_form(policy, item: YMap, problems: list[Problem]) -> FormSpec:
    removed: dict[str, Loc] = {}
    keys, field_items = form_items(policy, item, problems, removed=removed)
    if keys.get("name") is None:
        problems.append(Problem("form-no-name", {"form": item["id"]}, item.loc_of("id")))
    form = FormSpec(
        id=item["id"],
        name=texts(keys.get("name")) or {"zh": item["id"], "en": item["id"]},
        description=texts(keys.get("description")),
        step=keys.get("step"),
        item=item,
        removed=removed,
    )
    first: dict[str, FieldSpec] = {}
    for f_item in field_items:
        spec = resolve_field(policy, f_item, problems)
        if spec is None:
            continue
        if spec.name in first:
            line = (first[spec.name].loc("name") or Loc("", 0, 0)).line
            problems.append(
                Problem(
                    "form-duplicate-field",
                    {"name": spec.name, "first_line": line},
                    spec.loc("name"),
                )
            )
            continue
        first[spec.name] = spec
        form.fields.append(spec)
    return form


def resolve_forms(policy) -> tuple[dict[str, FormSpec], list[Problem]]:
    problems: list[Problem] = []
    forms = {}
    for item in policy.section("forms").get("forms") or ():
        if isinstance(item, YMap) and isinstance(item.get("id"), str) and not item.get("remove"):
            forms[item["id"]] = resolve_form(policy, item, problems)
    return forms, problems
