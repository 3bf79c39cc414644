"""`kind: standards`: grid standards (网格标准) checked against the grid registry.

Households per grid, the staff each grid and community must have by role
(Kunqu's "113"), party-organisation coverage, and the district's published
figures that the registry should add up to.
"""

from onegrid.policy.kinds.base import IdSpec, Kind, Namespace, RefSpec
from onegrid.policy.kinds.defs import file_schema, item_list, obj

STAFFING = Namespace("staffing", "配备标准", "staffing rule")
COVERAGE = Namespace("coverage", "覆盖标准", "coverage rule")

# Registry columns a coverage rule may measure (see onegrid.grids.registry).
COVERAGE_COLUMNS = ("party_branch", "party_groups", "volunteer_teams")

HOUSEHOLDS = obj(
    {
        "target": {
            "type": "integer",
            "minimum": 1,
            "description": "The households a grid is drawn for, e.g. 450.",
        },
        "min": {
            "type": "integer",
            "minimum": 0,
            "description": "Fewest households a grid may have; fewer is flagged.",
        },
        "max": {
            "type": "integer",
            "minimum": 1,
            "description": "Most households a grid may have; more is flagged.",
        },
        "note": {"$ref": "#/$defs/text", "description": "Why these numbers (the rule's source)."},
    },
    required=["target", "min", "max"],
    description="Households per grid: target, minimum and maximum.",
)

STAFFING_ITEM = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The rule's id."},
        "name": {"$ref": "#/$defs/text", "description": "Display name, e.g. 1 first secretary."},
        "per": {
            "$ref": "#/$defs/ref",
            "description": "A level id: the registry's grid level (counted per grid) or the level above it (per parent unit: the sum over its grids and its own row).",
        },
        "roles": {
            "$ref": "#/$defs/refs",
            "minItems": 1,
            "description": "Role ids whose registry columns are added up; any of them counts.",
        },
        "min": {"type": "integer", "minimum": 0, "description": "Fewest staff required."},
        "max": {"type": "integer", "minimum": 0, "description": "Most staff allowed, if capped."},
    },
    required=["id", "per", "roles", "min"],
)

COVERAGE_ITEM = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The rule's id."},
        "name": {"$ref": "#/$defs/text", "description": "Display name, e.g. grid party branches."},
        "column": {
            "enum": list(COVERAGE_COLUMNS),
            "description": "The registry column measured: party_branch (yes/no), party_groups or volunteer_teams (counts).",
        },
        "min_share": {
            "$ref": "#/$defs/ratio",
            "description": "The least share of grids (0 to 1) that must have at least one.",
        },
    },
    required=["id", "column", "min_share"],
)

PUBLISHED = obj(
    {
        "communities": {"$ref": "#/$defs/count", "description": "Published number of communities."},
        "grids": {"$ref": "#/$defs/count", "description": "Published number of grids."},
        "households": {"$ref": "#/$defs/count", "description": "Published number of households."},
        "staff": {
            "type": "object",
            "description": "Published head count by role id, e.g. {grid_worker: 747}.",
            "propertyNames": {"$ref": "#/$defs/id"},
            "additionalProperties": {"$ref": "#/$defs/count"},
        },
        "party_branch": {"$ref": "#/$defs/count", "description": "Published grid party branches."},
        "party_groups": {
            "$ref": "#/$defs/count",
            "description": "Published building party groups.",
        },
        "volunteer_teams": {"$ref": "#/$defs/count", "description": "Published volunteer teams."},
        "source": {"$ref": "#/$defs/text", "description": "Where the figures were published."},
    },
    description="The district's published figures; the grids report compares the registry with them.",
)

KIND = Kind(
    name="standards",
    title={"zh": "网格标准", "en": "Grid standards"},
    description={
        "zh": "每个网格的户数（目标、下限、上限）、网格和社区按角色的人员配备、党组织覆盖率，以及公布的总数。",
        "en": "Households per grid (target, minimum, maximum), staffing per grid and community by role, party-organisation coverage, and the published totals.",
    },
    schema=file_schema(
        "standards",
        "onegrid grid standards",
        "Grid standards: households, staffing, coverage, published figures.",
        {
            "households": HOUSEHOLDS,
            "staffing": item_list(
                STAFFING_ITEM, "Staffing rules by role, per grid or per community."
            ),
            "coverage": item_list(
                COVERAGE_ITEM, "Party-organisation and volunteer coverage rules."
            ),
            "published": PUBLISHED,
        },
    ),
    ids=(IdSpec(("staffing", "*"), STAFFING), IdSpec(("coverage", "*"), COVERAGE)),
    refs=(
        RefSpec(("staffing", "*", "roles"), ("role",)),
        RefSpec(("staffing", "*", "per"), ("level",)),
    ),
)
