"""`kind: org`: levels, org units, departments, enterprises and roles."""

from onegrid.policy.kinds.base import IdSpec, Kind, RefSpec
from onegrid.policy.kinds.defs import (
    DEPARTMENT,
    ENTERPRISE,
    LEVEL,
    ROLE,
    UNIT,
    file_schema,
    item_list,
    obj,
)

ATTRIBUTES = {
    "type": "object",
    "description": "Free attributes (text, numbers, true/false) that routing rules may test.",
    "additionalProperties": {"type": ["string", "number", "boolean"]},
}

ATTRIBUTE_TYPES = {
    "type": "object",
    "description": "The attributes its units carry, by name, each with its type: "
    "a unit's value (in org.yaml or a registry column) must be of that type.",
    "propertyNames": {"$ref": "#/$defs/id"},
    "additionalProperties": obj(
        {
            "type": {
                "enum": ["text", "integer", "number", "boolean"],
                "description": "text, integer, number or boolean (true/false; 是/否 or 1/0 in a registry).",
            },
            "name": {"$ref": "#/$defs/text", "description": "Display name."},
            "description": {"$ref": "#/$defs/text", "description": "What it means."},
        },
        required=["type"],
    ),
}

LEVEL_ITEM = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The level's id, e.g. grid."},
        "attributes": ATTRIBUTE_TYPES,
        "name": {"$ref": "#/$defs/text", "description": "Display name."},
        "rank": {
            "type": "integer",
            "minimum": 1,
            "maximum": 20,
            "description": "1 for the top level; each level below has a larger rank.",
        },
    },
    required=["id", "name", "rank"],
)

UNIT_ITEM = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The unit's id."},
        "name": {"$ref": "#/$defs/text", "description": "Display name."},
        "level": {"$ref": "#/$defs/ref", "description": "The level this unit is at."},
        "parent": {"$ref": "#/$defs/ref", "description": "The unit above (none for the top)."},
        "code": {"type": "string", "description": "An official code, if any."},
        "description": {"$ref": "#/$defs/text", "description": "What the unit is, in plain words."},
        "attributes": ATTRIBUTES,
    },
    required=["id", "name", "level"],
)

DEPARTMENT_ITEM = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The department's id, e.g. dept.urban."},
        "name": {"$ref": "#/$defs/text", "description": "Display name."},
        "type": {
            "enum": ["department", "office", "block", "post", "station", "committee", "centre"],
            "description": "department, office, block (Cuntan's 板块), post (岗位), station, committee or centre.",
        },
        "level": {"$ref": "#/$defs/ref", "description": "The level it works at."},
        "unit": {
            "$ref": "#/$defs/ref",
            "description": "The org unit it belongs to, if not the top.",
        },
        "parent": {
            "$ref": "#/$defs/ref",
            "description": "The department, block or centre above it.",
        },
        "description": {"$ref": "#/$defs/text", "description": "What it does."},
        "attributes": ATTRIBUTES,
    },
    required=["id", "name", "level"],
)

ENTERPRISE_ITEM = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The enterprise's id, e.g. ent.gas."},
        "name": {"$ref": "#/$defs/text", "description": "Display name."},
        "type": {
            "enum": ["property", "gas", "water", "power", "telecom", "cleaning", "other"],
            "description": "What kind of obliged enterprise it is.",
        },
        "regulator": {"$ref": "#/$defs/ref", "description": "The department that regulates it."},
        "attributes": ATTRIBUTES,
    },
    required=["id", "name", "type"],
)

ROLE_ITEM = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The role's id, e.g. grid_worker."},
        "name": {"$ref": "#/$defs/text", "description": "Display name."},
        "level": {"$ref": "#/$defs/ref", "description": "The level at which the role is held."},
        "bound_to": {
            "enum": ["unit", "department", "enterprise"],
            "description": "What a holder of the role is bound to (default unit).",
        },
        "reports_to": {"$ref": "#/$defs/ref", "description": "The role above in the chain."},
        "employment": {
            "enum": ["full_time", "part_time", "seconded", "volunteer"],
            "description": "How holders serve: full_time (专职), part_time (兼职), seconded from a department or sent down (部门、下派) or volunteer.",
        },
        "description": {"$ref": "#/$defs/text", "description": "What the role does."},
    },
    required=["id", "name", "level"],
)

KIND = Kind(
    name="org",
    title={"zh": "组织架构", "en": "Organisation"},
    description={
        "zh": "层级、组织单元（区、街道、社区、网格……）、部门、责任企业和角色。",
        "en": "Levels, org units (district, street, community, grid…), departments, obliged enterprises and roles.",
    },
    schema=file_schema(
        "org",
        "onegrid organisation",
        "Levels, units, departments, enterprises and roles.",
        {
            "levels": item_list(LEVEL_ITEM, "The administrative levels, top first."),
            "units": item_list(UNIT_ITEM, "The org units: district, streets, communities, grids."),
            "departments": item_list(DEPARTMENT_ITEM, "Departments, offices, blocks and posts."),
            "enterprises": item_list(ENTERPRISE_ITEM, "Enterprises obliged to fix problems."),
            "roles": item_list(ROLE_ITEM, "The roles staff hold."),
        },
    ),
    ids=(
        IdSpec(("levels", "*"), LEVEL),
        IdSpec(("units", "*"), UNIT),
        IdSpec(("departments", "*"), DEPARTMENT),
        IdSpec(("enterprises", "*"), ENTERPRISE),
        IdSpec(("roles", "*"), ROLE),
    ),
    refs=(
        RefSpec(("units", "*", "level"), ("level",)),
        RefSpec(("units", "*", "parent"), ("unit",)),
        RefSpec(("departments", "*", "level"), ("level",)),
        RefSpec(("departments", "*", "unit"), ("unit",)),
        RefSpec(("departments", "*", "parent"), ("department",)),
        RefSpec(("enterprises", "*", "regulator"), ("department",)),
        RefSpec(("roles", "*", "level"), ("level",)),
        RefSpec(("roles", "*", "reports_to"), ("role",)),
    ),
)
