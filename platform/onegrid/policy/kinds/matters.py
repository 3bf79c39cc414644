"""`kind: matters`: the matter catalog (事项清单)."""

from onegrid.policy.kinds.base import IdSpec, Kind, RefSpec
from onegrid.policy.kinds.defs import CATEGORY, GROUP, MATTER, file_schema, item_list, obj

STEPS = ("accept", "dispatch", "handle", "feedback", "evaluate")

GROUP_ITEM = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The group's id."},
        "name": {"$ref": "#/$defs/text", "description": "Display name."},
        "parent": {"$ref": "#/$defs/ref", "description": "The enclosing group, if any."},
        "code": {"type": "string", "minLength": 1, "description": "The official code, if any."},
        "description": {"$ref": "#/$defs/text", "description": "What the group covers."},
    },
    required=["id", "name"],
)

CATEGORY_ITEM = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The category's id."},
        "name": {"$ref": "#/$defs/text", "description": "Display name."},
    },
    required=["id", "name"],
)

MATTER_ITEM = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The matter's id."},
        "code": {"type": "string", "minLength": 1, "description": "The official matter code."},
        "name": {"$ref": "#/$defs/text", "description": "Display name, Chinese and English."},
        "category": {"$ref": "#/$defs/ref", "description": "The matter's category."},
        "group": {"$ref": "#/$defs/ref", "description": "The group (core business) it belongs to."},
        "unit": {
            "$ref": "#/$defs/ref",
            "description": "The responsible department or org unit.",
        },
        "level": {"$ref": "#/$defs/ref", "description": "The level that handles it."},
        "limits": {
            "type": "object",
            "description": "Time limit per workflow step, e.g. {accept: 2h, handle: 3wd}.",
            "propertyNames": {"$ref": "#/$defs/id"},
            "additionalProperties": {"$ref": "#/$defs/duration"},
        },
        "form": {"$ref": "#/$defs/ref", "description": "The form used to report it."},
        "on_the_spot": {
            "type": "boolean",
            "description": "Collect-and-handle (采办合一): the finder may handle and close it at once.",
        },
        "description": {"$ref": "#/$defs/text", "description": "What the matter covers."},
        "assist": {
            "$ref": "#/$defs/refs",
            "description": "Departments that assist the responsible unit (吹哨报到).",
        },
        "obliged": {
            "$ref": "#/$defs/refs",
            "description": "Enterprises obliged to fix it (property company, gas company …).",
        },
        "basis": {"$ref": "#/$defs/text", "description": "The legal or policy basis."},
    },
    required=["id", "name", "unit"],
)

KIND = Kind(
    name="matters",
    title={"zh": "事项清单", "en": "Matter catalog"},
    description={
        "zh": "每一类事项：编码、名称、类别、责任单位、处置层级、各环节时限、是否采办合一。",
        "en": "Every kind of matter: code, names, category, responsible unit, level, time limits, collect-and-handle.",
    },
    schema=file_schema(
        "matters",
        "onegrid matter catalog",
        "Matters, their categories and groups.",
        {
            "categories": item_list(CATEGORY_ITEM, "Matter categories."),
            "groups": item_list(GROUP_ITEM, "Groupings of matters, e.g. core businesses."),
            "matters": item_list(MATTER_ITEM, "The matters."),
        },
    ),
    ids=(
        IdSpec(("categories", "*"), CATEGORY),
        IdSpec(("groups", "*"), GROUP),
        IdSpec(("matters", "*"), MATTER),
    ),
    refs=(
        RefSpec(("groups", "*", "parent"), ("group",)),
        RefSpec(("matters", "*", "category"), ("category",)),
        RefSpec(("matters", "*", "group"), ("group",)),
        RefSpec(("matters", "*", "unit"), ("department", "unit")),
        RefSpec(("matters", "*", "level"), ("level",)),
        RefSpec(("matters", "*", "form"), ("form",)),
        RefSpec(("matters", "*", "assist"), ("department",)),
        RefSpec(("matters", "*", "obliged"), ("enterprise",)),
    ),
)
