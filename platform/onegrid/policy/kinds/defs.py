"""Schema pieces shared by every file kind.

Each kind's schema embeds these `$defs`, so the schemas written by
`onegrid schema` stand alone for editors and never reference anything else.
"""

from __future__ import annotations

from onegrid.policy.kinds.base import Namespace

ID_PATTERN = r"^[a-z0-9][a-z0-9_.\-]*$"
DURATION_PATTERN = r"^[1-9][0-9]*(m|h|d|wd)$"

# Human descriptions of patterns, for "not well formed (expected …)".
PATTERN_DOCS = {
    ID_PATTERN: {
        "zh": "小写字母、数字、点、下划线或连字符，如 dept.urban",
        "en": "lower-case letters, digits, '.', '_' or '-', such as dept.urban",
    },
    DURATION_PATTERN: {
        "zh": "时长，如 30m、2h、3d 或 5wd（工作日）",
        "en": "a duration such as 30m, 2h, 3d or 5wd (working days)",
    },
}

DEFS = {
    "id": {
        "type": "string",
        "pattern": ID_PATTERN,
        "maxLength": 80,
        "description": "An identifier: lower-case letters, digits, '.', '_' or '-'.",
    },
    "ref": {
        "type": "string",
        "pattern": ID_PATTERN,
        "maxLength": 80,
        "description": "The id of something declared elsewhere in the pack.",
    },
    "refs": {"type": "array", "items": {"$ref": "#/$defs/ref"}, "uniqueItems": True},
    "text": {
        "description": "Text in Chinese, or a mapping of language to text ({zh: …, en: …}).",
        "anyOf": [
            {"type": "string", "minLength": 1, "maxLength": 2000},
            {
                "type": "object",
                "properties": {
                    "zh": {"type": "string", "minLength": 1, "maxLength": 2000},
                    "en": {"type": "string", "minLength": 1, "maxLength": 2000},
                },
                "required": ["zh"],
                "additionalProperties": False,
            },
        ],
    },
    "duration": {
        "type": "string",
        "pattern": DURATION_PATTERN,
        "description": "A duration: 30m, 2h, 3d (calendar days) or 5wd (working days).",
    },
    "count": {"type": "integer", "minimum": 0},
    "ratio": {"type": "number", "minimum": 0, "maximum": 1},
}

LEVEL = Namespace("level", "层级", "level")
UNIT = Namespace("unit", "组织单元", "org unit")
DEPARTMENT = Namespace("department", "部门", "department")
ENTERPRISE = Namespace("enterprise", "责任企业", "enterprise")
ROLE = Namespace("role", "角色", "role")
MATTER = Namespace("matter", "事项", "matter")
GROUP = Namespace("group", "事项分组", "matter group")
CATEGORY = Namespace("category", "事项类别", "matter category")
FORM = Namespace("form", "表单", "form")


def file_schema(kind: str, title: str, description: str, properties: dict, required=()) -> dict:
    """The schema of one file kind: `kind: <name>` plus its own keys."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:onegrid:schema:{kind}",
        "title": title,
        "description": description,
        "type": "object",
        "properties": {
            "kind": {"const": kind, "description": "The kind of this policy file."},
            **properties,
        },
        "required": ["kind", *required],
        "additionalProperties": False,
        "$defs": DEFS,
    }


def item_list(item_schema: dict, description: str) -> dict:
    return {"type": "array", "items": item_schema, "description": description}


# Adoption markers (issue 8): every item with an id may carry them, so a pack
# that extends another can remove or replace an inherited item and a base can
# lock one. `obj()` adds them to any item schema that has an "id" property.
MARKERS = {
    "remove": {
        "type": "boolean",
        "description": "In a pack that extends or includes another: drop the inherited item with this id.",
    },
    "replace": {
        "type": "boolean",
        "description": "In a pack that extends or includes another: replace the inherited item with this id whole instead of merging into it.",
    },
    "locked": {
        "type": "boolean",
        "description": "Adopters may not override or remove this item (onegrid check reports it).",
    },
    "before": {
        "$ref": "#/$defs/ref",
        "description": "In a pack that extends or includes another: place this item just before the item with this id (order matters in first-hit tables).",
    },
    "after": {
        "$ref": "#/$defs/ref",
        "description": "In a pack that extends or includes another: place this item just after the item with this id.",
    },
}


def obj(properties: dict, required=(), description: str = "") -> dict:
    if "id" in properties:
        properties = {**properties, **{k: v for k, v in MARKERS.items() if k not in properties}}
    out = {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }
    if description:
        out["description"] = description
    return out
