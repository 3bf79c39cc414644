"""`kind: scoring`: how staff and units are scored and ranked (绩效、赛马比拼).

A scheme scores the holders of a role, or the units of a level, each period:
a weighted sum of measures (each a ratio from 0 to 1) scaled to 100, then
sorted into tiers, best first (Cuntan's four monthly tiers).
`onegrid.scoring.rank` applies it.
"""

from onegrid.policy.kinds.base import IdSpec, Kind, Namespace, RefSpec
from onegrid.policy.kinds.defs import file_schema, item_list, obj

SCHEME = Namespace("scoring_scheme", "考评方案", "scoring scheme")

MEASURES = (
    "completeness",
    "activity",
    "closure_rate",
    "on_time_rate",
    "satisfaction",
    "duty_completion",
    "reports",
)
PERIODS = ("monthly", "quarterly", "yearly")

METRIC = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The metric's id within the scheme."},
        "name": {"$ref": "#/$defs/text", "description": "Display name."},
        "measure": {
            "enum": list(MEASURES),
            "description": "What is measured, as a ratio from 0 to 1: completeness (of platform data), activity, closure_rate, on_time_rate, satisfaction, duty_completion (duties ticked off) or reports (against a quota).",
        },
        "weight": {
            "type": "number",
            "exclusiveMinimum": 0,
            "maximum": 100,
            "description": "The metric's weight; weights are normalised to sum to 1.",
        },
    },
    required=["id", "measure", "weight"],
)

TIER = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The tier's id within the scheme."},
        "name": {"$ref": "#/$defs/text", "description": "Display name, e.g. 第一档."},
        "min": {
            "type": "number",
            "minimum": 0,
            "maximum": 100,
            "description": "The lowest score (0-100) in the tier; tiers go best first and the last has min 0.",
        },
        "consequence": {
            "$ref": "#/$defs/text",
            "description": "What follows for those in the tier.",
        },
    },
    required=["id", "name", "min"],
)

SCHEME_ITEM = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The scheme's id."},
        "name": {"$ref": "#/$defs/text", "description": "Display name."},
        "subject": {
            "$ref": "#/$defs/ref",
            "description": "Who is scored: a role id (its holders) or a level id (its units).",
        },
        "period": {"enum": list(PERIODS), "description": "monthly, quarterly or yearly."},
        "metrics": {
            "type": "array",
            "items": METRIC,
            "minItems": 1,
            "description": "The weighted metrics.",
        },
        "tiers": {
            "type": "array",
            "items": TIER,
            "minItems": 1,
            "description": "The tiers, best first.",
        },
        "description": {
            "$ref": "#/$defs/text",
            "description": "The scheme in the district's own words.",
        },
    },
    required=["id", "name", "subject", "period", "metrics", "tiers"],
)

KIND = Kind(
    name="scoring",
    title={"zh": "绩效考评", "en": "Scoring"},
    description={
        "zh": "网格员和单位的考评方案：指标、权重、周期和分档（赛马比拼）。",
        "en": "How grid workers and units are scored: metrics, weights, period and tiers (the horse race).",
    },
    schema=file_schema(
        "scoring",
        "onegrid scoring",
        "Scoring schemes for staff and units.",
        {"schemes": item_list(SCHEME_ITEM, "The scoring schemes.")},
    ),
    ids=(IdSpec(("schemes", "*"), SCHEME),),
    refs=(RefSpec(("schemes", "*", "subject"), ("role", "level")),),
)
