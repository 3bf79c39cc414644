"""JSON Schemas of the file kinds: compiled once, errors made readable.

The schemas are declared in `onegrid.policy.kinds`; this module compiles
them (Draft 2020-12, format checks on) against a registry that refuses to
retrieve anything, so no `$ref` ever reaches the network or the disk, and
turns validation errors into `Problem`s located in the YAML source.
"""

from __future__ import annotations

import json
import re
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
from onegrid.policy.located import YMap, locate
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
    v = validator(kind)
    problems: list[Problem] = []
    for error in v.iter_errors(doc):
        problems.extend(translate(error, doc))
    return problems


def write_schemas(directory: str | Path) -> list[Path]:
    """Write `<kind>.schema.json` for every kind, for editors."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, kind in sorted(KINDS.items()):
        path = out / f"{name}.schema.json"
        path.write_text(
            json.dumps(kind.schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        written.append(path)
    return written


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
    if isinstance(value, dict | list):
        return "…"
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
