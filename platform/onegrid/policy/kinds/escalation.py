"""`kind: escalation`: the ladders a case climbs when a level cannot finish it.

"Small matters stay in the grid, big ones in the community, hard ones in
the street" (grid → community → street → district), or Luohu's industry
authority → district enforcement bureau → district enforcement committee,
whose decision is final. Each rung has its own time limit.
"""

from onegrid.policy.kinds.base import IdSpec, Kind, Namespace, RefSpec
from onegrid.policy.kinds.defs import file_schema, item_list, obj

LADDER = Namespace("ladder", "升级阶梯", "escalation ladder")
RUNG = Namespace("rung", "升级层", "ladder rung")

# What moves a case up a rung; `onegrid.decide.escalation` implements each.
TRIGGERS = {
    "overdue": "The current step's deadline has passed.",
    "beyond_level": "The handler declares the matter beyond their level.",
}

RUNG_ITEM = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The rung's id, unique within its ladder."},
        "name": {"$ref": "#/$defs/text", "description": "Display name."},
        "level": {"$ref": "#/$defs/ref", "description": "The level of this rung."},
        "lead": {
            "$ref": "#/$defs/ref",
            "description": "The department or unit that takes the case here. Without it: the case's own unit at `level` (on the first rung a case starts on: the lead routing chose).",
        },
        "limit": {
            "$ref": "#/$defs/duration",
            "description": "The new time limit for handling once the case reaches this rung.",
        },
        "supervise": {
            "type": "boolean",
            "description": "Put the case under supervision (督办) when it reaches this rung.",
        },
        "final": {
            "type": "boolean",
            "description": "The decision at this rung is final: nothing above it, and no transition leaves it (escalate, reopen, or back to an earlier state of the workflow) except those under `allow`.",
        },
        "allow": {
            "$ref": "#/$defs/refs",
            "description": "On a final rung: the workflow transitions that may still leave its decision (e.g. [reopen]).",
        },
    },
    required=["id", "level", "limit"],
)

LADDER_ITEM = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The ladder's id."},
        "name": {"$ref": "#/$defs/text", "description": "Display name."},
        "default": {
            "type": "boolean",
            "description": "Cases follow this ladder unless a routing rule names another.",
        },
        "triggers": {
            "type": "array",
            "items": {"enum": list(TRIGGERS)},
            "uniqueItems": True,
            "minItems": 1,
            "description": "What moves a case up (default: all): "
            + "; ".join(f"{k}: {v}" for k, v in TRIGGERS.items()),
        },
        "rungs": item_list(RUNG_ITEM, "The rungs, lowest first."),
        "description": {"$ref": "#/$defs/text", "description": "What the ladder is for."},
    },
    required=["id", "name", "rungs"],
)

KIND = Kind(
    name="escalation",
    title={"zh": "升级阶梯", "en": "Escalation ladders"},
    description={
        "zh": "超时或处置人认为超出本级能力时，案件逐级上移的阶梯，每一级有新的时限；最终一级的决定为终局。",
        "en": "The ladders a case climbs when a deadline passes or the handler declares it beyond their level, with a new time limit per rung; the final rung's decision stands.",
    },
    schema=file_schema(
        "escalation",
        "onegrid escalation ladders",
        "Escalation ladders.",
        {"ladders": item_list(LADDER_ITEM, "The ladders.")},
    ),
    ids=(
        IdSpec(("ladders", "*"), LADDER),
        IdSpec(("ladders", "*", "rungs", "*"), RUNG, scoped=True),
    ),
    refs=(
        RefSpec(("ladders", "*", "rungs", "*", "level"), ("level",)),
        RefSpec(("ladders", "*", "rungs", "*", "lead"), ("department", "unit")),
        RefSpec(("ladders", "*", "rungs", "*", "allow"), ("transition",)),
    ),
)
