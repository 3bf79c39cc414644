"""`kind: routing`: who leads a case, who assists, at which level, by when.

A routing file declares ranked severities, intake channels and rule tables.
Each rule says `when` (conditions on a case's facts) and `then` (the
outcome). Each table declares its hit policy. The operator and hit-policy
registries below are the language; `onegrid.decide` implements each key
(a test asserts the two agree), so the schema's allowed values come from
one place.
"""

from onegrid.policy.kinds.base import IdSpec, Kind, Namespace, RefSpec
from onegrid.policy.kinds.defs import file_schema, item_list, obj

SEVERITY = Namespace("severity", "严重程度", "severity")
CHANNEL = Namespace("channel", "受理渠道", "intake channel")
TABLE = Namespace("table", "路由表", "routing table")
RULE = Namespace("rule", "路由规则", "routing rule")

SCALAR = {"type": ["string", "number", "boolean"]}

# Condition operators: name → (operand schema, description).
OPERATORS = {
    "eq": (SCALAR, "The fact equals this value (writing the value alone means the same)."),
    "ne": (SCALAR, "The fact is missing or differs from this value."),
    "in": (
        {"type": "array", "items": SCALAR, "minItems": 1, "uniqueItems": True},
        "The fact is one of these values.",
    ),
    "not_in": (
        {"type": "array", "items": SCALAR, "minItems": 1, "uniqueItems": True},
        "The fact is missing or none of these values.",
    ),
    "contains": (
        {"type": "string", "minLength": 1},
        "The fact (a list, such as tags) contains this value.",
    ),
    "contains_any": (
        {"type": "array", "items": {"type": "string"}, "minItems": 1, "uniqueItems": True},
        "The fact (a list, such as tags) contains at least one of these values.",
    ),
    "gte": (
        {"type": ["string", "number"]},
        "At least this: a number, or a ranked value (severity, level: 'street' means street or higher).",
    ),
    "lte": (
        {"type": ["string", "number"]},
        "At most this: a number, or a ranked value (severity, level: 'community' means community or lower).",
    ),
    "gt": ({"type": ["string", "number"]}, "Above this number or ranked value."),
    "lt": ({"type": ["string", "number"]}, "Below this number or ranked value."),
    "exists": ({"type": "boolean"}, "true: the fact is present; false: it is missing."),
}

# Hit policies: how a table's matching rules combine.
HIT_POLICIES = {
    "first": "The first matching rule in order decides (priority order).",
    "unique": "At most one rule may match any case: an overlap is a check error.",
    "collect": "Every matching rule contributes, in order (later rules override single values, assistants add up).",
}

# Facts every case can carry; org levels (grid, community, …), their
# attributes (`community.old_estate`) and form fields (`fields.households`)
# are facts too. `onegrid.decide.facts` enriches and normalises them.
FACTS = {
    "matter": "The matter (事项) of the case.",
    "category": "The matter's category (taken from the matter catalog).",
    "group": "The matter's group (taken from the matter catalog).",
    "severity": "How severe the case is, ranked as declared under `severities`.",
    "channel": "The intake channel (grid patrol, 12345 hotline, petition, …).",
    "tags": "Free tags on the case (a list).",
    "level": "The level the case has reached (ranked: higher levels are greater).",
    "on_the_spot": "Whether the matter allows collect-and-handle (采办合一), from the catalog.",
    "unit": "Where the case happened: any org unit; its grid, community, street and district are filled in from the org tree.",
    "located": "How a case reported without a place was placed: coordinates (the nearest grid centroid of the registry), address (a unit named in it) or intake (the pack's intake_unit).",
}

CONDITION = {
    "description": "A value the fact must equal, or a mapping of operators, all of which must hold.",
    "anyOf": [
        SCALAR,
        {
            "type": "object",
            "properties": {
                name: {**schema, "description": doc} for name, (schema, doc) in OPERATORS.items()
            },
            "additionalProperties": False,
            "minProperties": 1,
        },
    ],
}

WHEN = {
    "type": "object",
    "description": (
        "Conditions on the case's facts, all of which must hold. Keys are facts: "
        + "; ".join(f"{k}: {v}" for k, v in FACTS.items())
        + "; a level id (grid, community, street, …) for the case's unit at that level; "
        "LEVEL.ATTR for an attribute of that unit (community.old_estate); fields.NAME for a form field."
    ),
    "propertyNames": {"pattern": r"^[a-z][a-z0-9_]*(\.[A-Za-z0-9_\-]+)?$"},
    "additionalProperties": CONDITION,
}

THEN = obj(
    {
        "lead": {
            "$ref": "#/$defs/ref",
            "description": "The leading department, unit or enterprise. Without it: the case's own unit at `level`, else the matter's responsible unit.",
        },
        "assist": {
            "$ref": "#/$defs/refs",
            "description": "Assisting departments or units summoned onto the case (吹哨报到). In a first or unique table they replace the matter's own `assist`; in a collect table they are added.",
        },
        "enterprise": {
            "$ref": "#/$defs/ref",
            "description": "The enterprise obliged to fix the problem (property company, gas company, …); without one, the matter's first `obliged` enterprise.",
        },
        "level": {"$ref": "#/$defs/ref", "description": "The level that handles the case."},
        "limits": {
            "type": "object",
            "description": "Time limit per workflow step, e.g. {accept: 2h, handle: 3wd}; overrides the matter's own.",
            "propertyNames": {"$ref": "#/$defs/id"},
            "additionalProperties": {"$ref": "#/$defs/duration"},
        },
        "supervise": {"type": "boolean", "description": "Put the case under supervision (督办)."},
        "ladder": {
            "$ref": "#/$defs/ref",
            "description": "The escalation ladder the case follows (default: the ladder marked default).",
        },
    },
    description="The outcome when the rule hits.",
)

RULE_ITEM = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The rule's id, unique within its table."},
        "name": {"$ref": "#/$defs/text", "description": "What the rule is for."},
        "when": WHEN,
        "then": THEN,
        "description": {"$ref": "#/$defs/text", "description": "Why the rule exists."},
    },
    required=["id", "then"],
)

TABLE_ITEM = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The table's id."},
        "name": {"$ref": "#/$defs/text", "description": "Display name."},
        "hit": {
            "enum": list(HIT_POLICIES),
            "description": "Hit policy: " + "; ".join(f"{k}: {v}" for k, v in HIT_POLICIES.items()),
        },
        "rules": item_list(RULE_ITEM, "The rules, in priority order."),
        "description": {"$ref": "#/$defs/text", "description": "What the table decides."},
    },
    required=["id", "hit", "rules"],
)

RANKED_ITEM = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The value's id."},
        "name": {"$ref": "#/$defs/text", "description": "Display name."},
    },
    required=["id", "name"],
)

# The doors a case comes in by; each enters by one of the pack's channels.
DOORS = {
    "pages": "The staff web pages (report form).",
    "api": "The JSON API (`POST /api/v1/cases`).",
    "open311": "Open311 GeoReport v2 (`POST /open311/v2/requests`).",
    "import": "`onegrid intake import` (hotline and petition exports).",
}

CHANNEL_ITEM = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The channel's id."},
        "name": {"$ref": "#/$defs/text", "description": "Display name."},
        "doors": {
            "type": "array",
            "uniqueItems": True,
            "items": {"enum": list(DOORS)},
            "description": "The doors whose cases enter by this channel unless they ask for another: "
            + "; ".join(f"{k}: {v}" for k, v in DOORS.items())
            + " A door no channel names enters by the first channel."
            + " A channel whose only door is open311 belongs to Open311 clients:"
            + " a staff account (pages, API) may not enter cases by it.",
        },
    },
    required=["id", "name"],
)

# Facts whose values are ids in a namespace, so conditions on them are
# checked like any other reference.
REF_FACTS = {
    "matter": ("matter",),
    "category": ("category",),
    "group": ("group",),
    "severity": ("severity",),
    "channel": ("channel",),
    "level": ("level",),
    "unit": ("unit",),
}
_RULE = ("tables", "*", "rules", "*")


def _condition_refs() -> tuple[RefSpec, ...]:
    specs = []
    for fact, namespaces in REF_FACTS.items():
        specs.append(RefSpec((*_RULE, "when", fact), namespaces))
        for op in ("eq", "ne", "in", "not_in", "gte", "lte", "gt", "lt"):
            if op in ("gte", "lte", "gt", "lt") and fact not in ("severity", "level"):
                continue
            specs.append(RefSpec((*_RULE, "when", fact, op), namespaces))
    return tuple(specs)


KIND = Kind(
    name="routing",
    title={"zh": "路由规则", "en": "Routing rules"},
    description={
        "zh": "按案件事实（事项、类别、严重程度、标签、渠道、层级、网格/社区/街道属性）决定牵头单位、协办单位（吹哨报到）、责任企业、处置层级、各环节时限和督办。",
        "en": "From a case's facts (matter, category, severity, tags, channel, level, attributes of its grid, community and street): the lead, assistants (吹哨报到), obliged enterprise, handling level, step time limits and supervision.",
    },
    schema=file_schema(
        "routing",
        "onegrid routing rules",
        "Severities, intake channels and routing rule tables.",
        {
            "severities": item_list(RANKED_ITEM, "Severity values, least severe first."),
            "channels": item_list(
                CHANNEL_ITEM,
                "Intake channels (grid patrol, 12345 hotline, …): the only channels a case may enter by.",
            ),
            "tables": item_list(TABLE_ITEM, "Rule tables, applied in order."),
            "intake_unit": {
                "$ref": "#/$defs/ref",
                "description": "The unit or department (the command centre) that takes a case reported "
                "without a place that neither its coordinates nor its address place: it is the case's "
                "place, and it leads when the route would sit below its level.",
            },
        },
    ),
    ids=(
        IdSpec(("severities", "*"), SEVERITY),
        IdSpec(("channels", "*"), CHANNEL),
        IdSpec(("tables", "*"), TABLE),
        IdSpec(("tables", "*", "rules", "*"), RULE, scoped=True),
    ),
    refs=(
        *_condition_refs(),
        RefSpec((*_RULE, "then", "lead"), ("department", "unit", "enterprise")),
        RefSpec((*_RULE, "then", "assist"), ("department", "unit")),
        RefSpec((*_RULE, "then", "enterprise"), ("enterprise",)),
        RefSpec((*_RULE, "then", "level"), ("level",)),
        RefSpec((*_RULE, "then", "ladder"), ("ladder",)),
        RefSpec(("intake_unit",), ("department", "unit")),
    ),
)
