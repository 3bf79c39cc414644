"""`kind: tests`: policy tests that a pack carries in its `tests/` folder.

Each test gives a case's facts and what routing must decide: lead,
assistants, enterprise, level, time limits, supervision, the rules that
decided, and the escalation path up the ladder. `onegrid test PACK` runs them.
"""

from onegrid.policy.kinds.base import IdSpec, Kind, Namespace, RefSpec
from onegrid.policy.kinds.defs import file_schema, item_list, obj

TEST = Namespace("test", "策略测试", "policy test")

STEP_EXPECT = obj(
    {
        "trigger": {
            "enum": ["overdue", "beyond_level"],
            "description": "What moves the case up this time (default overdue).",
        },
        "rung": {"$ref": "#/$defs/id", "description": "The rung the case reaches."},
        "level": {"$ref": "#/$defs/ref", "description": "The level the case reaches."},
        "lead": {"$ref": "#/$defs/ref", "description": "The unit that takes the case there."},
        "limit": {"$ref": "#/$defs/duration", "description": "The new time limit there."},
        "supervise": {"type": "boolean", "description": "Whether supervision starts there."},
        "final": {"type": "boolean", "description": "Whether that rung is final."},
    },
    description="One step up the ladder; only the keys given are compared.",
)

EXPECT = obj(
    {
        "lead": {
            "type": ["string", "null"],
            "description": "The leading department, unit or enterprise.",
        },
        "assist": {
            "type": "array",
            "items": {"type": "string"},
            "description": "The assisting units, in any order.",
        },
        "enterprise": {
            "type": ["string", "null"],
            "description": "The obliged enterprise (null: none).",
        },
        "level": {"type": ["string", "null"], "description": "The handling level."},
        "limits": {
            "type": "object",
            "description": "Time limits of the steps named here (others are not compared).",
            "additionalProperties": {"$ref": "#/$defs/duration"},
        },
        "supervise": {"type": "boolean", "description": "Whether the case is supervised."},
        "ladder": {"type": ["string", "null"], "description": "The escalation ladder."},
        "rules": {
            "type": "array",
            "items": {"type": "string"},
            "description": "The rules that decided, as TABLE/RULE, in order.",
        },
        "escalation": item_list(
            STEP_EXPECT,
            "The steps up the ladder, in order; after a step marked final, escalating again must do nothing.",
        ),
    },
    description="What routing must decide; only the keys given are compared.",
)

TEST_ITEM = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The test's id."},
        "name": {"$ref": "#/$defs/text", "description": "What the test shows."},
        "facts": {
            "type": "object",
            "description": "The case as a door submits it (matter, place, channel, submission: the form's answers, …), or its facts, as `onegrid explain --facts` takes them.",
        },
        "expect": EXPECT,
    },
    required=["id", "facts", "expect"],
)

KIND = Kind(
    name="tests",
    title={"zh": "策略测试", "en": "Policy tests"},
    description={
        "zh": "给定案件事实，断言路由结果（牵头、协办、层级、时限、督办）和升级路径；由 onegrid test 运行。",
        "en": "Given a case's facts, the expected route (lead, assistants, level, limits, supervision) and escalation path; run by onegrid test.",
    },
    schema=file_schema(
        "tests",
        "onegrid policy tests",
        "Policy tests.",
        {"tests": item_list(TEST_ITEM, "The tests.")},
    ),
    ids=(IdSpec(("tests", "*"), TEST),),
    # leads and places may be grids of the registry, outside the org index:
    # `onegrid.decide.checks` checks them against the whole org tree
    refs=(
        RefSpec(("tests", "*", "facts", "matter"), ("matter",)),
        RefSpec(("tests", "*", "facts", "channel"), ("channel",)),
        RefSpec(("tests", "*", "facts", "severity"), ("severity",)),
        RefSpec(("tests", "*", "expect", "enterprise"), ("enterprise",)),
        RefSpec(("tests", "*", "expect", "level"), ("level",)),
        RefSpec(("tests", "*", "expect", "ladder"), ("ladder",)),
        RefSpec(("tests", "*", "expect", "escalation", "*", "level"), ("level",)),
    ),
)
