"""`kind: duties`: duty checklists (职责清单) per role or post.

Each list belongs to a holder (a role, or a department, block or post) and
holds items: what to do, how often, and the evidence that ticks it off
(打勾销号).
"""

from onegrid.policy.kinds.base import IdSpec, Kind, Namespace, RefSpec
from onegrid.policy.kinds.defs import file_schema, item_list, obj

DUTY_LIST = Namespace("duty_list", "职责清单", "duty list")
DUTY = Namespace("duty", "职责", "duty")
DUTY_CATEGORY = Namespace("duty_category", "职责类别", "duty category")

FREQUENCIES = (
    "daily",
    "weekly",
    "monthly",
    "quarterly",
    "half_yearly",
    "yearly",
    "on_event",
    "ongoing",
)
# Where a duty lies: one of these, or a level id of the pack (`grid`, `village`…),
# which `onegrid check` verifies (the schema cannot know the pack's levels).
SCOPES = ("single_block", "cross_block", "post")
EVIDENCE = ("photo", "record", "form", "report", "meeting", "visit", "platform", "signature")

EVIDENCE_ITEM = obj(
    {
        "type": {
            "enum": list(EVIDENCE),
            "description": "photo, record, form, report, meeting (minutes), visit (log), platform (a case closed on the platform) or signature.",
        },
        "text": {"$ref": "#/$defs/text", "description": "What the evidence must show."},
        "form": {"$ref": "#/$defs/ref", "description": "The form that records it, if any."},
    },
    required=["type"],
    description="The evidence that ticks the item off.",
)

ITEM = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The duty's id."},
        "name": {"$ref": "#/$defs/text", "description": "What to do."},
        "category": {"$ref": "#/$defs/ref", "description": "The duty category."},
        "scope": {
            "$ref": "#/$defs/id",
            "description": "Where the duty lies: a level id of the pack (grid, community, village…), or single_block, cross_block or post.",
        },
        "frequency": {
            "enum": list(FREQUENCIES),
            "description": "daily, weekly, monthly, quarterly, half_yearly, yearly, on_event or ongoing.",
        },
        "times": {
            "type": "integer",
            "minimum": 1,
            "description": "How many times per period (default 1).",
        },
        "evidence": EVIDENCE_ITEM,
        "matters": {
            "$ref": "#/$defs/refs",
            "description": "Matters in the catalog the duty covers.",
        },
        "lead": {
            "$ref": "#/$defs/ref",
            "description": "For a cross-block duty: the leading department or block.",
        },
        "with": {
            "$ref": "#/$defs/refs",
            "description": "Departments, blocks or posts that take part.",
        },
    },
    required=["id", "name", "frequency", "evidence"],
)

LIST_ITEM = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The list's id."},
        "name": {"$ref": "#/$defs/text", "description": "Display name, e.g. grid worker 6+1."},
        "holder": {
            "$ref": "#/$defs/ref",
            "description": "Who the list belongs to: a role id, or a department, block or post id.",
        },
        "scope": {
            "$ref": "#/$defs/id",
            "description": "The default scope of its items: a level id, or single_block, cross_block or post.",
        },
        "claimable": {
            "type": "boolean",
            "description": "Whether volunteers (e.g. in-service party members) claim the post themselves.",
        },
        "items": item_list(ITEM, "The duties."),
        "description": {"$ref": "#/$defs/text", "description": "What the list is for."},
    },
    required=["id", "name", "holder", "items"],
)

CATEGORY_ITEM = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The category's id."},
        "name": {"$ref": "#/$defs/text", "description": "Display name."},
    },
    required=["id", "name"],
)

KIND = Kind(
    name="duties",
    title={"zh": "职责清单", "en": "Duty checklists"},
    description={
        "zh": "每个角色或岗位的职责：事项、频次、打勾销号的依据。",
        "en": "Per role or post: the duties, how often, and the evidence that ticks each off.",
    },
    schema=file_schema(
        "duties",
        "onegrid duty checklists",
        "Duty checklists per role or post.",
        {
            "categories": item_list(CATEGORY_ITEM, "Duty categories."),
            "lists": item_list(LIST_ITEM, "The checklists."),
            "evidence_forms": obj(
                {
                    kind: {"$ref": "#/$defs/ref", "description": f"The form for {kind} evidence."}
                    for kind in EVIDENCE
                },
                description="The form each kind of evidence is ticked off with in a duty round (an item's own evidence.form comes first).",
            ),
            "not_applicable_form": {
                "$ref": "#/$defs/ref",
                "description": "The form that says why an item does not apply this period.",
            },
        },
    ),
    ids=(
        IdSpec(("categories", "*"), DUTY_CATEGORY),
        IdSpec(("lists", "*"), DUTY_LIST),
        IdSpec(("lists", "*", "items", "*"), DUTY),
    ),
    refs=(
        RefSpec(("lists", "*", "holder"), ("role", "department")),
        RefSpec(("lists", "*", "items", "*", "category"), ("duty_category",)),
        RefSpec(("lists", "*", "items", "*", "evidence", "form"), ("form",)),
        RefSpec(("lists", "*", "items", "*", "matters"), ("matter",)),
        RefSpec(("lists", "*", "items", "*", "lead"), ("department",)),
        RefSpec(("lists", "*", "items", "*", "with"), ("department",)),
        *(RefSpec(("evidence_forms", kind), ("form",)) for kind in EVIDENCE),
        RefSpec(("not_applicable_form",), ("form",)),
    ),
)
