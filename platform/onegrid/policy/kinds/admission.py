"""`kind: admission`: the task admission list (准入清单) and the review of unlisted tasks.

A department may hand a task down to communities only if it is listed here,
with its legal basis and the resources that must come with it ("authority
follows duty, funds follow the task"), or after the review declared under
`review` ("one matter, one review"). `onegrid.admission.decide` applies it.
"""

from onegrid.policy.kinds.base import IdSpec, Kind, Namespace, RefSpec
from onegrid.policy.kinds.defs import file_schema, item_list, obj

TASK = Namespace("task", "准入事项", "admitted task")
ATTACHMENT = Namespace("attachment", "附件", "attachment")

RESOURCES = ("funds", "staff", "powers", "equipment", "training", "data", "premises")
# the periods an amount is stated for; `onegrid.admission.resources` converts
PERIODS = ("month", "quarter", "year", "once")

RESOURCE_ITEM = obj(
    {
        "type": {
            "enum": list(RESOURCES),
            "description": "funds, staff, powers, equipment, training, data or premises.",
        },
        "description": {"$ref": "#/$defs/text", "description": "What exactly must be provided."},
        "yuan": {
            "type": "number",
            "minimum": 0,
            "description": "funds: at least this many yuan, per `per`.",
        },
        "per": {
            "enum": list(PERIODS),
            "description": "funds or staff hours: the period the amount is for (month, quarter, year, or once for the whole task).",
        },
        "headcount": {
            "type": "integer",
            "minimum": 0,
            "description": "staff: at least this many people.",
        },
        "hours": {
            "type": "number",
            "minimum": 0,
            "description": "staff: at least this many working hours, per `per`.",
        },
        "names": {
            "type": "array",
            "items": {"type": "string", "minLength": 1, "maxLength": 200},
            "uniqueItems": True,
            "description": "powers, equipment, training, data or premises: each named thing the request must bring (a named authorisation, a terminal, a data set).",
        },
    },
    required=["type"],
)

TASK_ITEM = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The task's id."},
        "name": {"$ref": "#/$defs/text", "description": "Display name, Chinese and English."},
        "department": {
            "$ref": "#/$defs/ref",
            "description": "The department that may hand the task down.",
        },
        "basis": {"$ref": "#/$defs/text", "description": "The legal or policy basis."},
        "resources": item_list(
            RESOURCE_ITEM, "Resources the department must provide with the task."
        ),
        "levels": {
            "$ref": "#/$defs/refs",
            "description": "The levels that accept it (default: the list's `levels`).",
        },
        "matter": {
            "$ref": "#/$defs/ref",
            "description": "The matter in the catalog it creates, if any.",
        },
        "description": {"$ref": "#/$defs/text", "description": "What the community does for it."},
    },
    required=["id", "name", "department", "basis"],
)

ATTACHMENT_ITEM = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The attachment's id."},
        "name": {"$ref": "#/$defs/text", "description": "Display name."},
    },
    required=["id", "name"],
)

REVIEW = obj(
    {
        "unlisted": {
            "enum": ["review", "refuse"],
            "description": "What happens to a task not on the list: review (one matter, one review) or refuse.",
        },
        "reviewer": {
            "$ref": "#/$defs/ref",
            "description": "The department or unit that reviews an unlisted task.",
        },
        "attachments": item_list(ATTACHMENT_ITEM, "What a request for review must attach."),
        "resources": {
            "type": "array",
            "items": {"enum": list(RESOURCES)},
            "uniqueItems": True,
            "description": "Resources every unlisted task must offer before it can be reviewed.",
        },
        "basis_required": {
            "type": "boolean",
            "description": "Whether an unlisted task must cite a legal basis (default true).",
        },
        "limit": {"$ref": "#/$defs/duration", "description": "How long the review may take."},
        "report_matter": {
            "$ref": "#/$defs/ref",
            "description": "The matter a community reports a task that reached it without admission as (its cases go to the reviewer).",
        },
        "note": {"$ref": "#/$defs/text", "description": "The rule in the district's own words."},
    },
    required=["unlisted"],
    description="How a task that is not listed is handled.",
)

KIND = Kind(
    name="admission",
    title={"zh": "事务准入清单", "en": "Task admission list"},
    description={
        "zh": "社区承接的部门事务：责任部门、依据、必须随之下沉的人财物权；未列入清单事务的“一事一议”审核。",
        "en": "Department tasks communities accept: department, legal basis, the resources that must come with them; the one-matter-one-review policy for unlisted tasks.",
    },
    schema=file_schema(
        "admission",
        "onegrid task admission list",
        "Tasks communities accept, and the review of unlisted tasks.",
        {
            "tasks": item_list(TASK_ITEM, "The listed tasks."),
            "levels": {
                "$ref": "#/$defs/refs",
                "description": "The levels whose units take tasks on and keep a register (台账), e.g. community; a task's own `levels` narrow it.",
            },
            "review": REVIEW,
        },
    ),
    ids=(
        IdSpec(("tasks", "*"), TASK),
        IdSpec(("review", "attachments", "*"), ATTACHMENT),
    ),
    refs=(
        RefSpec(("tasks", "*", "department"), ("department",)),
        RefSpec(("tasks", "*", "levels"), ("level",)),
        RefSpec(("tasks", "*", "matter"), ("matter",)),
        RefSpec(("review", "reviewer"), ("department", "unit")),
        RefSpec(("levels",), ("level",)),
        RefSpec(("review", "report_matter"), ("matter",)),
    ),
)
