"""JSON Schemas of the file kinds: compiled once, errors made readable.

The schemas are declared in `onegrid.policy.kinds`; this module compiles
them (Draft 2020-12, format checks on) against a registry that refuses to
retrieve anything, so no `$ref` ever reaches the network or the disk, and
turns validation errors into `Problem`s located in the YAML source.

jsonschema is the authority but slow (a 20,000-grid org file takes seconds),
so each schema is also compiled into plain Python predicates that answer
only "valid or not". A valid document (the usual case) is never walked by
jsonschema; an invalid one is, but only its own keys and the list items the
predicates reject, so errors stay exact while big files stay fast.
"""

from __future__ import annotations

import json
import numbers
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry
from referencing.exceptions import NoSuchResource

from onegrid.errors import Hint, Problem
from onegrid.policy.kinds import KINDS
from onegrid.policy.kinds.defs import PATTERN_DOCS
from onegrid.policy.located import YList, YMap, locate, plain
from onegrid.policy.suggest import did_you_mean


def _refuse(uri: str):
    # jsonschema 4.26 still fetches unknown remote $refs by default; policy
    # schemas must be self-contained, so every lookup fails here.
    raise NoSuchResource(ref=uri)


OFFLINE = Registry(retrieve=_refuse)


def compile_schema(schema: dict[str, Any]) -> Draft202012Validator:
    """A validator for `schema` that can never fetch a `$ref`."""
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(
        schema, registry=OFFLINE, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


@cache
def validator(kind: str) -> Draft202012Validator:
    return compile_schema(KINDS[kind].schema)


def validate(doc: Any, kind: str) -> list[Problem]:
    """Every schema problem of one document of `kind`."""
    if _fast(kind)(doc):
        return []
    top, lists = _split(kind)
    problems: list[Problem] = []
    for error in top.iter_errors(doc):
        problems.extend(translate(error, doc))
    if isinstance(doc, dict):
        for key, (item_ok, item_validator) in lists.items():
            items = doc.get(key)
            if not isinstance(items, list):
                continue
            for i, item in enumerate(items):
                if item_ok(item):
                    continue
                for error in item_validator.iter_errors(item):
                    error.path.extendleft((i, key))  # now relative to the document
                    problems.extend(translate(error, doc))
    return problems


Check = Callable[[Any], bool]


@cache
def _fast(kind: str) -> Check:
    return Predicates(KINDS[kind].schema, validator(kind)).compile(KINDS[kind].schema)


@cache
def _split(kind: str) -> tuple[Draft202012Validator, dict[str, tuple[Check, Any]]]:
    """A validator for a file's own keys that skips the items of its item
    lists, and for each such list a fast item check plus a full validator."""
    schema = KINDS[kind].schema
    props = schema.get("properties", {})
    lists = {
        k: p
        for k, p in props.items()
        if isinstance(p, dict) and p.get("type") == "array" and isinstance(p.get("items"), dict)
    }
    if _ENTANGLED & schema.keys():  # other keywords may reach the items: no split
        lists = {}
    shallow = {
        **schema,
        "properties": {**props, **{k: {**p, "items": True} for k, p in lists.items()}},
    }
    top = compile_schema(shallow)
    predicates = Predicates(schema, validator(kind))
    return top, {
        k: (predicates.compile(p["items"]), top.evolve(schema=p["items"])) for k, p in lists.items()
    }


# Keywords at a file's top level that could also validate its lists' items.
_ENTANGLED = frozenset(
    {"allOf", "anyOf", "oneOf", "not", "if", "then", "else", "$ref", "$dynamicRef",
     "dependentSchemas", "unevaluatedProperties", "patternProperties"}
)  # fmt: skip

# The predicates implement the common keywords; a (sub)schema using any of
# these instead is handed to jsonschema whole. Every other key is an
# annotation, ignored by both.
_SLOW = frozenset(
    {
        "format", "patternProperties", "prefixItems", "contains", "minContains",
        "maxContains", "dependentRequired", "dependentSchemas", "dependencies", "if",
        "then", "else", "unevaluatedProperties", "unevaluatedItems", "$dynamicRef",
        "$recursiveRef", "multipleOf", "$id", "$anchor", "$dynamicAnchor",
    }
)  # fmt: skip


def _yes(value: Any) -> bool:
    return True


def _no(value: Any) -> bool:
    return False


def _is_type(value: Any, name: str) -> bool:
    """JSON Schema 2020-12 types as jsonschema checks them."""
    if name == "string":
        return isinstance(value, str)
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "null":
        return value is None
    if isinstance(value, bool):
        return name == "boolean"
    if name == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if name == "number":
        return isinstance(value, numbers.Number)
    return False


def _frozen(value: Any) -> Any:
    """A hashable stand-in with JSON equality: True is not 1, 1 is 1.0."""
    if isinstance(value, bool) or value is None:
        return ("b", value)
    if isinstance(value, str):
        return ("s", value)
    if isinstance(value, dict):
        return ("d", frozenset((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("l", tuple(_frozen(v) for v in value))
    return ("n", value)


def _unique(items: list) -> bool:
    seen = set()
    for item in items:
        key = _frozen(item)
        if key in seen:
            return False
        seen.add(key)
    return True


class Predicates:
    """Compiles a schema into `value -> bool`, agreeing with jsonschema."""

    def __init__(self, root: dict, authority: Draft202012Validator):
        self.root = root
        self.authority = authority
        self.refs: dict[str, Check] = {}

    def compile(self, schema: Any) -> Check:
        if schema is True:
            return _yes
        if schema is False:
            return _no
        if not isinstance(schema, dict):
            return self.authority.evolve(schema=schema).is_valid
        ref = schema.get("$ref")
        slow = _SLOW & schema.keys()
        if schema is self.root:
            slow -= {"$id"}  # the root's own id is the base for its "#/…" refs
        if slow or (ref is not None and not (isinstance(ref, str) and ref.startswith("#/"))):
            return self.authority.evolve(schema=schema).is_valid
        checks = [c for c in self._keywords(schema) if c is not _yes]
        if not checks:
            return _yes
        if len(checks) == 1:
            return checks[0]

        def all_of(value: Any) -> bool:
            for check in checks:  # noqa: SIM110 - a plain loop beats all() over a generator
                if not check(value):
                    return False
            return True

        return all_of

    def _ref(self, ref: str) -> Check:
        if ref not in self.refs:
            target: Any = self.root
            for part in ref[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                target = target[int(part)] if isinstance(target, list) else target[part]
            cell: list[Check] = []
            self.refs[ref] = lambda value: cell[0](value)  # allows recursive schemas
            cell.append(self.compile(target))
        return self.refs[ref]

    def _keywords(self, s: dict):
        if "$ref" in s:
            yield self._ref(s["$ref"])
        if "type" in s:
            types = s["type"] if isinstance(s["type"], list) else [s["type"]]
            plain = {"string": str, "object": dict, "array": list}
            if len(types) == 1 and types[0] in plain:  # the common case, made cheap
                cls = plain[types[0]]
                yield lambda v: isinstance(v, cls)
            else:
                yield lambda v: any(_is_type(v, t) for t in types)
        if "enum" in s:
            allowed = frozenset(_frozen(e) for e in s["enum"])
            yield lambda v: _frozen(v) in allowed
        if "const" in s:
            const = _frozen(s["const"])
            yield lambda v: _frozen(v) == const
        yield from self._object(s)
        yield from self._array(s)
        yield from self._scalar(s)
        for key, combine in (("anyOf", any), ("allOf", all)):
            if key in s:
                subs = [self.compile(sub) for sub in s[key]]
                yield lambda v, subs=subs, combine=combine: combine(c(v) for c in subs)
        if "oneOf" in s:
            subs = [self.compile(sub) for sub in s["oneOf"]]
            yield lambda v: sum(1 for c in subs if c(v)) == 1
        if "not" in s:
            negated = self.compile(s["not"])
            yield lambda v: not negated(v)

    def _object(self, s: dict):
        keys = ("properties", "required", "additionalProperties", "propertyNames")
        if not any(k in s for k in (*keys, "minProperties", "maxProperties")):
            return
        props = {k: self.compile(v) for k, v in s.get("properties", {}).items()}
        required = tuple(s.get("required", ()))
        extra = self.compile(s["additionalProperties"]) if "additionalProperties" in s else None
        names = self.compile(s["propertyNames"]) if "propertyNames" in s else None
        low, high = s.get("minProperties", 0), s.get("maxProperties")

        def check(v: Any) -> bool:
            if not isinstance(v, dict):
                return True
            for key in required:
                if key not in v:
                    return False
            for key, value in v.items():
                found = props.get(key)
                if found is not None:
                    if not found(value):
                        return False
                elif extra is not None and not extra(value):
                    return False
                if names is not None and not names(key):
                    return False
            return len(v) >= low and (high is None or len(v) <= high)

        yield check

    def _array(self, s: dict):
        if not any(k in s for k in ("items", "minItems", "maxItems", "uniqueItems")):
            return
        item = self.compile(s["items"]) if "items" in s else _yes
        low, high = s.get("minItems", 0), s.get("maxItems")
        unique = s.get("uniqueItems") is True

        def check(v: Any) -> bool:
            if not isinstance(v, list):
                return True
            if item is not _yes:
                for x in v:
                    if not item(x):
                        return False
            if len(v) < low or (high is not None and len(v) > high):
                return False
            return not unique or _unique(v)

        yield check

    def _scalar(self, s: dict):
        if "pattern" in s:
            search = re.compile(s["pattern"]).search
            yield lambda v: not isinstance(v, str) or search(v) is not None
        if "minLength" in s or "maxLength" in s:
            low, high = s.get("minLength", 0), s.get("maxLength")
            yield (
                lambda v: (
                    not isinstance(v, str) or (len(v) >= low and (high is None or len(v) <= high))
                )
            )
        bounds = [
            (k, s[k])
            for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
            if k in s
        ]
        if bounds:

            def in_range(v: Any) -> bool:
                if isinstance(v, bool) or not isinstance(v, numbers.Number):
                    return True
                for k, b in bounds:
                    if (
                        (k == "minimum" and v < b)
                        or (k == "maximum" and v > b)
                        or (k == "exclusiveMinimum" and v <= b)
                        or (k == "exclusiveMaximum" and v >= b)
                    ):
                        return False
                return True

            yield in_range


# Where the override schemas go, beside the full ones (`adopt` points at them).
OVERRIDE = "override"


def write_schemas(directory: str | Path) -> list[Path]:
    """Write `<kind>.schema.json` for every kind, for editors, and under
    `override/` the schema of an adopter's file of that kind."""
    out = Path(directory)
    (out / OVERRIDE).mkdir(parents=True, exist_ok=True)
    written = []
    for name, kind in sorted(KINDS.items()):
        for path, data in (
            (out / f"{name}.schema.json", kind.schema),
            (out / OVERRIDE / f"{name}.schema.json", override_schema(kind.schema)),
        ):
            path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            written.append(path)
    return written


def override_schema(schema: dict) -> dict:
    """The schema of a file that overrides an inherited one of the same kind.

    An override names an item by its id and writes only what it changes
    (maps merge key by key), so nothing but `kind` and each item's `id` is
    required, except in an item marked `replace: true`, which stands whole.
    Everything else (types, enums, patterns, unknown keys) is checked as in
    the full schema.
    """
    out = _relaxed(schema)
    out["$id"] = schema["$id"] + ":override"
    out["title"] = schema["title"] + " (override)"
    out["required"] = ["kind"]
    return out


def _relaxed(node):
    if isinstance(node, list):
        return [_relaxed(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _relaxed(v) for k, v in node.items()}
    if isinstance(node.get("properties"), dict) and "required" in node:
        whole = list(node["required"])
        keyed = "id" in node["properties"]
        out["required"] = ["id"] if keyed and "id" in whole else []
        if keyed and "replace" in node["properties"] and len(whole) > 1:
            out["if"] = {"properties": {"replace": {"const": True}}, "required": ["replace"]}
            out["then"] = {"required": whole}
    return out


def path_text(path) -> str:
    """`units[3].level` from a JSON path."""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            out += ("." if out else "") + str(step)
    return out or "."


_JSON_TYPES = {
    dict: "object",
    list: "array",
    str: "string",
    bool: "boolean",
    int: "integer",
    float: "number",
    type(None): "null",
}


def type_name(value: Any) -> str:
    for cls, name in _JSON_TYPES.items():
        if type(value) is cls or (cls not in (bool, int) and isinstance(value, cls)):
            return name
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    return type(value).__name__


_BOOLISH = {"yes", "no", "on", "off", "y", "n", "Yes", "No", "On", "Off", "YES", "NO", "ON", "OFF"}
_LEADING_ZERO = re.compile(r"^[-+]?0[0-9]+(\.[0-9]*)?$")


def translate(error: ValidationError, doc: Any) -> list[Problem]:
    """One jsonschema error → the problems a person should read."""
    path = list(error.absolute_path)
    where = path_text(path)
    kind = error.validator
    inst = error.instance
    loc = locate(doc, path)

    if kind in ("anyOf", "oneOf") and error.context:
        types = _branch_types(error.validator_value)
        if (
            types
            and type_name(inst) not in types
            and not (type_name(inst) == "integer" and "number" in types)
        ):
            return [_type_problem(where, types, inst, loc)]
        # explain the branch written for this type of value, not another
        actual = type_name(inst)
        fitting = [
            e
            for e in error.context
            if _branch_accepts(error.validator_value[e.relative_schema_path[0]], actual)
        ]
        return translate(best_match(fitting or error.context), doc)
    if kind == "additionalProperties" and isinstance(inst, dict):
        allowed = list(error.schema.get("properties", {}))
        out = []
        for key in inst:
            if key in allowed:
                continue
            key_loc = locate(doc, [*path, key], key=True)
            out.append(
                Problem("schema-unknown-key", {"key": key}, key_loc, did_you_mean(key, allowed))
            )
        return out
    if kind == "required" and isinstance(inst, dict):
        return [
            Problem("schema-required", {"key": key, "path": where}, loc)
            for key in error.validator_value
            if key not in inst
        ]
    if "propertyNames" in error.schema_path and isinstance(inst, str):
        container = _at(doc, path)
        if isinstance(container, YMap) and inst in container:
            loc = container.key_loc(inst)
        where = f"{where}.{inst}"
    if kind == "type":
        expected = error.validator_value
        return [
            _type_problem(where, expected if isinstance(expected, list) else [expected], inst, loc)
        ]
    if kind in ("enum", "const"):
        allowed = error.validator_value if kind == "enum" else [error.validator_value]
        hint = (
            did_you_mean(inst, [a for a in allowed if isinstance(a, str)])
            if isinstance(inst, str)
            else None
        )
        shown = [json.dumps(a, ensure_ascii=False) for a in allowed]
        return [Problem("schema-enum", {"path": where, "value": inst, "allowed": shown}, loc, hint)]
    if kind == "pattern":
        doc_text = PATTERN_DOCS.get(
            error.validator_value, {"zh": error.validator_value, "en": error.validator_value}
        )
        return [
            Problem("schema-pattern", {"path": where, "value": inst, "pattern_doc": doc_text}, loc)
        ]
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        op = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}[
            kind
        ]
        return [
            Problem(
                "schema-range",
                {"path": where, "value": inst, "bound": f"{op} {error.validator_value}"},
                loc,
            )
        ]
    if kind in ("minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"):
        op = ">=" if kind.startswith("min") else "<="
        return [
            Problem("schema-length", {"path": where, "bound": f"{op} {error.validator_value}"}, loc)
        ]
    if kind == "uniqueItems":
        items = _at(doc, path)
        if isinstance(items, YList):  # point at the first repeat, not the list
            seen = set()
            for i, item in enumerate(items):
                key = _frozen(item)
                if key in seen:
                    loc = items.loc_of(i)
                    break
                seen.add(key)
        return [Problem("schema-unique", {"path": where}, loc)]
    return [Problem("schema-invalid", {"path": where, "reason": error.message}, loc)]


def _type_problem(where: str, expected: list[str], inst: Any, loc) -> Problem:
    hint = None
    if "boolean" in expected and isinstance(inst, str) and inst in _BOOLISH:
        hint = Hint("hint.boolean", {"text": inst})
    elif (
        {"integer", "number"} & set(expected)
        and isinstance(inst, str)
        and _LEADING_ZERO.match(inst)
    ):
        hint = Hint("hint.quote-number", {})
    expected_name = expected[0] if len(expected) == 1 else "/".join(expected)
    return Problem(
        "schema-type",
        {
            "path": where,
            "expected": expected_name,
            "actual": type_name(inst),
            "value": _short(inst),
        },
        loc,
        hint,
    )


def _short(value: Any) -> Any:
    """The value as a message shows it: small lists and mappings in full."""
    if isinstance(value, dict | list):
        shown = plain(value)
        return shown if len(json.dumps(shown, ensure_ascii=False, default=str)) <= 40 else "…"
    if isinstance(value, str) and len(value) > 60:
        return value[:57] + "…"
    return value


def _branch_types(branches: list[dict]) -> list[str]:
    types: list[str] = []
    for branch in branches:
        t = branch.get("type")
        if t is None:
            return []
        types.extend(t if isinstance(t, list) else [t])
    return types


def _branch_accepts(branch: dict, actual: str) -> bool:
    t = branch.get("type")
    if t is None:
        return True
    t = t if isinstance(t, list) else [t]
    return actual in t or (actual == "integer" and "number" in t)


def _at(doc: Any, path: list) -> Any:
    node = doc
    for step in path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return None
    return node
