"""`kind: matters`: the matter catalog (事项清单)."""

from onegrid.policy.kinds.base import IdSpec, Kind, RefSpec
from onegrid.policy.kinds.defs import CATEGORY, GROUP, MATTER, file_schema, item_list, obj

STEPS = ("accept", "dispatch", "handle", "feedback", "evaluate")
# GeoReport v2's core request fields a front end sends besides the attributes
CORE_FIELDS = (
    "description",
    "address_string",
    "lat",
    "long",
    "email",
    "first_name",
    "last_name",
    "phone",
)
FIELD_NAME = {"type": "string", "pattern": r"^[a-z][a-z0-9_]*$"}
# what anonymous Open311 readers see of a matter's requests (issue 20)
VISIBILITIES = ("public", "summary", "private")
WINDOW_PATTERN = r"^(0|[1-9][0-9]{0,3}[mh])$"

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
        "visibility": {
            "enum": list(VISIBILITIES),
            "description": (
                "What anyone may read of its Open311 requests without a key: "
                "public (everything but the reporter, the default); summary "
                "(no description, address or media, coordinates rounded to "
                "open311.precision); private (not listed at all). The client "
                "that filed a request always reads it whole."
            ),
        },
    },
    required=["id", "name", "unit"],
)

OPEN311 = obj(
    {
        "precision": {
            "type": "integer",
            "minimum": 0,
            "maximum": 6,
            "description": (
                "Decimal places of the coordinates shown for summary matters "
                "(default 3, about 100 m; 2 is about 1 km)."
            ),
        },
        "duplicate_window": {
            "type": "string",
            "pattern": WINDOW_PATTERN,
            "description": (
                "An Open311 client that sends no Idempotency-Key: the same "
                "request from the same client within this time (minutes or "
                "hours: 10m, 1h) is the same case. Default 10m; 0 turns it off."
            ),
        },
        "core": {
            "type": "object",
            "propertyNames": FIELD_NAME,
            "additionalProperties": {
                "type": "array",
                "items": {"enum": list(CORE_FIELDS)},
                "minItems": 1,
                "uniqueItems": True,
            },
            "description": (
                "Which form field each GeoReport core field fills when a front end "
                "sends only those (form field name → core fields, e.g. "
                "reporter_name: [last_name, first_name], joined in that order; an "
                "address field takes address_string, lat and long as its text and "
                "coordinates; a text field longer than its max_length is cut). An "
                "attribute sent for the field wins. Reads give description and "
                "address back from these fields, for cases filed through any door; "
                "fields filled from email, names or phone are the reporter's "
                "contact and never shown to other readers."
            ),
        },
        "defaults": {
            "type": "object",
            "propertyNames": FIELD_NAME,
            "description": (
                "Answers of form fields an Open311 request leaves out, e.g. "
                "{urgency: normal}; each must pass its field's check."
            ),
        },
        "when_sent": {
            "type": "object",
            "propertyNames": {"enum": list(CORE_FIELDS)},
            "additionalProperties": {"type": "object", "propertyNames": FIELD_NAME},
            "description": (
                "Answers set when a core field is sent, e.g. phone: {anonymous: "
                "false}, so that a form's contact fields shown only to non-anonymous "
                "reports keep the contact."
            ),
        },
    },
    description="How the matters are published as Open311 services.",
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
            "open311": OPEN311,
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
