"""`kind: forms`: forms, their fields, and the shared field library.

A forms file may hold `fields:` (library fields with an id, which any form
can `use:` and override key by key) and `forms:` (each with its fields in
order). The field types declared here are the vocabulary; the forms stage
(`onegrid.forms.fieldtypes`) implements exactly these, which a test checks.
"""

from onegrid.policy.kinds.base import IdSpec, Kind, Namespace, RefSpec
from onegrid.policy.kinds.defs import FORM, file_schema, item_list, obj

FIELD = Namespace("field", "字段", "field")

FIELD_NAME_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"

# type → (description, the type-specific keys it accepts)
FIELD_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "text": ("Short text on one line.", ("min_length", "max_length", "pattern", "pattern_doc")),
    "textarea": (
        "Long text on several lines.",
        ("min_length", "max_length", "pattern", "pattern_doc"),
    ),
    "integer": ("A whole number.", ("minimum", "maximum")),
    "number": ("A number, decimals allowed.", ("minimum", "maximum")),
    "date": ("A calendar date (YYYY-MM-DD).", ()),
    "datetime": ("A date and time (RFC 3339; local time is China Standard Time).", ()),
    "choice": ("One of `choices`.", ("choices", "fact")),
    "multichoice": ("Several of `choices`.", ("choices", "min_items", "max_items", "fact")),
    "yesno": ("Yes or no.", ()),
    "phone": (
        "A mainland phone number: mobile, landline or both (`phone`); or any number a `pattern` (with `pattern_doc`) describes.",
        ("phone", "pattern", "pattern_doc"),
    ),
    "address": (
        "An address, with coordinates (`coordinates`: none, optional, required) within `bounds`;"
        ' with them, `at`: when the phone took them (its "use my location" fills it in).',
        ("max_length", "coordinates", "bounds"),
    ),
    "org_unit": (
        "An org unit from the pack's org tree, at `levels` (e.g. grid, community), below `within`; with `departments: true` departments too.",
        ("levels", "within", "departments"),
    ),
    "photo": (
        "Photos (JPEG, PNG or WebP), at most `max_size` each.",
        ("max_size", "max_items", "min_items"),
    ),
}

CONDITION_OPS = {
    "equals": "The other field's value equals this value (for multiple choice: contains it).",
    "in": "The other field's value is one of these values.",
    "filled": "true: the other field has a value; false: it is empty.",
}

STEPS = ("report", "accept", "dispatch", "handle", "feedback", "evaluate")

CONDITION = {
    "type": "object",
    "description": "A condition on another field of the same form: {field: x, equals: y}, {field: x, in: [a, b]} or {field: x, filled: true}.",
    "properties": {
        "field": {
            "type": "string",
            "pattern": FIELD_NAME_PATTERN,
            "description": "The name of the field tested.",
        },
        "equals": {"type": ["string", "number", "boolean"], "description": CONDITION_OPS["equals"]},
        "in": {
            "type": "array",
            "minItems": 1,
            "items": {"type": ["string", "number", "boolean"]},
            "description": CONDITION_OPS["in"],
        },
        "filled": {"type": "boolean", "description": CONDITION_OPS["filled"]},
    },
    "required": ["field"],
    "minProperties": 2,
    "maxProperties": 2,
    "additionalProperties": False,
}

CHOICE = obj(
    {
        "value": {
            "type": "string",
            "pattern": r"^[A-Za-z0-9_.\-]{1,64}$",
            "description": "The value submitted (letters, digits, '.', '_' or '-').",
        },
        "label": {"$ref": "#/$defs/text", "description": "What the person sees."},
        "means": {
            "$ref": "#/$defs/id",
            "description": "With the field's `fact`: the fact's value this choice stands for (a severity id, a tag); default the choice's value.",
        },
    },
    required=["value", "label"],
)

# Routing facts a form's answer may set (`fact:` on a choice field).
ANSWER_FACTS = {
    "severity": "The answer is the case's severity (the highest of several such answers).",
    "tags": "Each answer chosen is a tag of the case.",
}

RANGE = {
    "type": "array",
    "prefixItems": [{"type": "number"}, {"type": "number"}],
    "minItems": 2,
    "maxItems": 2,
    "description": "[lowest, highest]",
}

FIELD_PROPERTIES = {
    "name": {
        "type": "string",
        "pattern": FIELD_NAME_PATTERN,
        "description": "The name the value is submitted under (lower-case letters, digits, '_').",
    },
    "use": {
        "$ref": "#/$defs/ref",
        "description": "A library field to start from; the keys written here override its keys.",
    },
    "type": {
        "enum": list(FIELD_TYPES),
        "description": "The field type: "
        + "; ".join(f"{k}: {v[0]}" for k, v in FIELD_TYPES.items()),
    },
    "label": {"$ref": "#/$defs/text", "description": "The label, Chinese and English."},
    "help": {"$ref": "#/$defs/text", "description": "Help shown under the field."},
    "placeholder": {
        "$ref": "#/$defs/text",
        "description": "Example text shown inside an empty input.",
    },
    "required": {"type": "boolean", "description": "Whether a value is required (default false)."},
    "min_length": {"type": "integer", "minimum": 0, "description": "Fewest characters."},
    "max_length": {
        "type": "integer",
        "minimum": 1,
        "maximum": 100000,
        "description": "Most characters.",
    },
    "minimum": {"type": "number", "description": "The lowest number allowed."},
    "maximum": {"type": "number", "description": "The highest number allowed."},
    "pattern": {
        "type": "string",
        "minLength": 1,
        "maxLength": 500,
        "description": "A regular expression the whole value must match (RE2 syntax: no backreferences or lookaround).",
    },
    "example": {
        "type": ["string", "number", "boolean"],
        "description": "An example of a valid value (needed with `pattern`): checked, and used in previews and tests.",
    },
    "pattern_doc": {
        "$ref": "#/$defs/text",
        "description": "What the pattern expects, in words, for error messages.",
    },
    "choices": {
        "type": "array",
        "minItems": 1,
        "items": CHOICE,
        "description": "The choices, in order: {value, label}.",
    },
    "fact": {
        "enum": list(ANSWER_FACTS),
        "description": "The routing fact the answer sets, through each choice's `means`: "
        + "; ".join(f"{k}: {v}" for k, v in ANSWER_FACTS.items()),
    },
    "min_items": {"type": "integer", "minimum": 0, "description": "Fewest choices or photos."},
    "max_items": {"type": "integer", "minimum": 1, "description": "Most choices or photos."},
    "phone": {
        "type": "array",
        "minItems": 1,
        "uniqueItems": True,
        "items": {"enum": ["mobile", "landline"]},
        "description": "Which mainland numbers are accepted (default both): mobile (11 digits), landline (area code and number).",
    },
    "coordinates": {
        "enum": ["none", "optional", "required"],
        "description": "Whether latitude and longitude go with the address (default optional).",
    },
    "bounds": obj(
        {"lat": RANGE, "lng": RANGE},
        description="The area coordinates must fall in: {lat: [min, max], lng: [min, max]}.",
    ),
    "levels": {
        "$ref": "#/$defs/refs",
        "description": "The org levels whose units may be picked (e.g. [grid]).",
    },
    "within": {"$ref": "#/$defs/ref", "description": "Only units below this org unit."},
    "departments": {
        "type": "boolean",
        "description": "Departments, offices, blocks and posts may be picked too (default false).",
    },
    "max_size": {
        "type": "string",
        "pattern": r"^[1-9][0-9]{0,4}(KB|MB)$",
        "description": "The largest photo accepted, e.g. 5MB (default 8MB).",
    },
    "show_when": {
        "anyOf": [CONDITION, {"type": "null"}],
        "description": "Show (and accept) the field only when this holds; null drops a library field's condition.",
    },
    "require_when": {
        "anyOf": [CONDITION, {"type": "null"}],
        "description": "Require the field when this holds; null drops a library field's condition.",
    },
}

LIBRARY_FIELD = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The library field's id, e.g. field.phone."},
        **FIELD_PROPERTIES,
    },
    required=["id"],
    description="A field others may `use:`.",
)

FORM_FIELD = obj(
    {
        **FIELD_PROPERTIES,
        "remove": {
            "type": "boolean",
            "description": "In a form that `use:`s another: drop the used form's field of this name.",
        },
    },
    description="One field: `name` plus `type` and `label`, or `use:` a library field.",
)

FORM_ITEM = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The form's id."},
        "use": {
            "$ref": "#/$defs/ref",
            "description": "Another form (a library's, or the base pack's) to start from: its keys and fields, each field changed key by key by a field of the same name here, dropped by `remove: true`; new names are appended.",
        },
        "name": {"$ref": "#/$defs/text", "description": "Display name (inherited with use:)."},
        "description": {
            "$ref": "#/$defs/text",
            "description": "What the form is for, shown above it.",
        },
        "step": {
            "enum": list(STEPS),
            "description": "The workflow step it serves (report, accept, dispatch, handle, feedback, evaluate).",
        },
        "fields": {
            "type": "array",
            "items": FORM_FIELD,
            "description": "The form's fields, in order.",
        },
    },
    required=["id"],
)

KIND = Kind(
    name="forms",
    title={"zh": "表单", "en": "Forms"},
    description={
        "zh": "表单及其字段（类型、必填、约束、说明、条件），以及可复用的字段库。",
        "en": "Forms and their fields (type, required, constraints, help, conditions), and a reusable field library.",
    },
    schema=file_schema(
        "forms",
        "onegrid forms",
        "Form definitions and library fields.",
        {
            "fields": item_list(LIBRARY_FIELD, "Library fields that forms can `use:`."),
            "forms": item_list(FORM_ITEM, "The forms."),
        },
    ),
    ids=(IdSpec(("forms", "*"), FORM), IdSpec(("fields", "*"), FIELD)),
    refs=(
        RefSpec(("forms", "*", "fields", "*", "use"), ("field",)),
        RefSpec(("forms", "*", "use"), ("form",)),
        # `levels` and `within` are checked by the forms stage, and only when
        # the pack has an org: the shared field library has none of its own.
    ),
)
