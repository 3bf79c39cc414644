"""`kind: scoring`: indicators computed from the record, and the schemes
that weigh them into scores and tiers (绩效、赛马比拼).

An **indicator** is a named formula over the record (cases, their audit
trails, and any other item a formula reads), with the period it is taken
over, the kind of subject it is taken for and the attribution rule that
says which subject each case or step counts for. The formulas are the
registry `FORMULAS` below (the schema's enum is built from it);
`onegrid.scoring.formulas` implements each one and a test asserts the two
registries agree, so a new formula (the duty rounds' completion, say) is
one entry here and one function there.

A **scheme** scores the subjects of one kind each period: a weighted sum of
its indicators (each a ratio from 0 to 1) scaled to 100, then sorted into
tiers, best first (Cuntan's four monthly tiers). `onegrid.scoring.rank`
applies it; the monthly run freezes each period's results.

Subjects are generic, from the pack's own org file: a role id (the staff
who hold it), a level id (the org units at that level), `department`
(optionally only the department `types` listed, e.g. `[post]`) or
`enterprise`.
"""

from dataclasses import dataclass, field

from onegrid.policy.kinds.base import IdSpec, Kind, Namespace, RefSpec
from onegrid.policy.kinds.defs import file_schema, item_list, obj

SCHEME = Namespace("scoring_scheme", "考评方案", "scoring scheme")
INDICATOR = Namespace("scoring_indicator", "考评指标", "indicator")

PERIODS = ("monthly", "quarterly", "yearly")
# subjects that are not a role or a level of the pack
SUBJECT_KEYWORDS = ("department", "enterprise")


@dataclass(frozen=True)
class Attribution:
    zh: str
    en: str


ATTRIBUTIONS = {
    "lead": Attribution(
        "计入办结时（未结的计入期末）牵头的单位",
        "counts for the unit leading the case when it closed (if open: at the end of the period)",
    ),
    "holder": Attribution(
        "计入每个环节到期时持有案件的单位：超期的环节记在它名下，不论后来由谁办结（职责事项：计入轮次的持有者）",
        "counts for the unit that held each step at its deadline: an overdue step counts against it, whoever closes the case later (duty items: the round's holder)",
    ),
    "area": Attribution(
        "计入案件发生地所在的单位（及其上级）",
        "counts for the unit where the case happened (and each unit above it)",
    ),
    "reporter": Attribution(
        "计入上报人本人（仅用于人员）",
        "counts for the person who reported it (people only)",
    ),
}


@dataclass(frozen=True)
class Formula:
    """One entry of the formula registry: what it computes, which
    attributions it takes, its parameters and whether higher is better."""

    zh: str
    en: str
    attributions: tuple[str, ...]
    params: dict = field(default_factory=dict)
    required: tuple[str, ...] = ()
    higher_is_better: bool = True


_STEP = {"$ref": "#/$defs/ref", "description": "The workflow step whose deadlines are counted."}
_TRANSITIONS = {
    "$ref": "#/$defs/refs",
    "description": "Transition ids.",
}

FORMULAS = {
    "closure_rate": Formula(
        "结案率 = 本期办结的 ÷ 本期应办结的（本期办结的，加上期末仍未办结且已超期的）",
        "closure rate = closed in the period / due to close (closed in the period, plus open at its end past a deadline)",
        ("lead", "holder", "area", "reporter"),
    ),
    "on_time_closure_rate": Formula(
        "按期结案率 = 本期按期办结的 ÷ 本期应办结的；超期的环节只记在到期时持有它的单位名下",
        "on-time closure rate = closed on time / due to close; an overdue step makes the case late only for the unit that held it at its deadline",
        ("lead", "holder", "area", "reporter"),
    ),
    "rework_rate": Formula(
        "返工率 = 本期办结的案件中评价不满意被退回重办过的 ÷ 本期办结的（越低越好）",
        "rework rate = cases closed in the period that were sent back after an evaluation / closed (lower is better)",
        ("lead", "holder", "area", "reporter"),
        higher_is_better=False,
    ),
    "timely_step": Formula(
        "环节及时率（及时受理率、及时签收率……）= 按时完成的环节 ÷ 本期到点的环节；按时的计入完成之月，超期的计入到期之月",
        "step timeliness (timely acceptance, timely sign-for, …) = steps done by their deadline / steps due; on-time ones count in the month they end, late ones in the month their deadline passed",
        ("holder", "area", "reporter"),
        {"step": _STEP},
        ("step",),
    ),
    "timely_action": Formula(
        "操作及时率（及时签收率……）= 环节开始后规定时间内做了该操作的环节 ÷ 本期到点的环节",
        "action timeliness (timely sign-for, …) = episodes of the step in which the action was taken within `within` of its start / episodes due",
        ("holder", "area", "reporter"),
        {
            "step": _STEP,
            "action": {
                "$ref": "#/$defs/ref",
                "description": "The transition to be taken in time (e.g. sign).",
            },
            "within": {
                "$ref": "#/$defs/duration",
                "description": "How soon after the step starts, on the business calendar.",
            },
        },
        ("step", "action", "within"),
    ),
    "satisfaction_rate": Formula(
        "满意率 = 满意的评价 ÷ 全部评价，按本期作出的评价计；回访时上报人的意见同样计入",
        "satisfaction rate = satisfied evaluations / all evaluations made in the period; the reporter's view recorded on a return call (answers) counts the same way",
        ("lead", "area", "reporter"),
        {
            "satisfied": {
                **_TRANSITIONS,
                "description": "Transitions that record a satisfied evaluation.",
            },
            "dissatisfied": {
                **_TRANSITIONS,
                "description": "Transitions that record a dissatisfied evaluation.",
            },
            "answers": {
                "type": "object",
                "additionalProperties": False,
                "required": ["transition", "field", "satisfied", "dissatisfied"],
                "properties": {
                    "transition": {
                        "$ref": "#/$defs/ref",
                        "description": "The transition whose form records the reporter's view (回访).",
                    },
                    "field": {
                        "type": "string",
                        "description": "The field of that transition's form holding the view.",
                    },
                    "satisfied": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "Answers that count as satisfied.",
                    },
                    "dissatisfied": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "Answers that count as not satisfied (any other answer counts for neither).",
                    },
                },
                "description": "Also count a return call's answer (回访): each time the transition is taken with one of these answers in the field.",
            },
        },
        ("satisfied", "dissatisfied"),
    ),
    "activity": Formula(
        "活跃度 =（本期上报的案件数 + 本期对所列职责（如巡查）的销号次数）÷ 目标数，最高为 1",
        "activity = (cases reported in the period + ticks in the period of the duty items listed in `duties`, such as a patrol) / target, at most 1",
        ("reporter", "area"),
        {
            "target": {
                "type": "integer",
                "minimum": 1,
                "description": "Reports (and listed ticks) a month that count as fully active.",
            },
            "duties": {
                "$ref": "#/$defs/refs",
                "description": "Duty items (ids in kind: duties) whose ticks count as activity too, e.g. the grid worker's patrol (巡查): each tick once, for whoever made it (reporter) or the round's holder and the units above (area).",
            },
        },
        ("target",),
    ),
    "completeness": Formula(
        "信息完整度 = 已填写的字段 ÷ 应填写的字段，逐条平均；计入哪些记录可选：本期上报的案件（表单声明的字段）、网格台账的网格、人员名册的人员（各自列明应填的字段）",
        "data completeness = fields filled / fields required, on each record, averaged; `records` picks which: cases reported in the period (the fields their form declares), the registry's grids (`registry_fields`), person records (`person_fields`)",
        ("reporter", "area"),
        {
            "records": {
                "type": "array",
                "items": {"enum": ["cases", "registry", "people"]},
                "uniqueItems": True,
                "minItems": 1,
                "description": "Which records are measured (default: cases). A grid's registry row and the people registered in it count for the grid (and the staff bound to it); with attribution area, for every unit above too.",
            },
            "registry_fields": {
                "type": "array",
                "items": {"type": "string"},
                "minItems": 1,
                "description": "The fields of a registry grid that must be filled: name, households, centroid or an attribute column (default: households).",
            },
            "person_fields": {
                "type": "array",
                "items": {"enum": ["name", "phone", "party_member", "home_grid", "account"]},
                "uniqueItems": True,
                "minItems": 1,
                "description": "The fields of a person record that must be filled (default: name, phone, home_grid); account: linked to a login account.",
            },
        },
    ),
    "duty_completion": Formula(
        "履职完成率 = 本期到期的职责轮次中勾销完成的事项（按要求次数打勾，或注明不适用）÷ 应完成的事项；只在发生时才需勾销的事项不计",
        "duty completion = items of the duty rounds due in the period ticked as often as asked (or marked not applicable) / items asked; items ticked only when something happens (on_event) are left out",
        ("holder", "area"),
    ),
    "duty_on_time": Formula(
        "按时履职率 = 本期到期的职责轮次中按时勾销完成的事项 ÷ 应完成的事项；逾期补勾的记为完成但不按时",
        "on-time duty completion = items of the rounds due in the period completed with no late tick / items asked; an item ticked after the round's due moment is complete but late",
        ("holder", "area"),
    ),
}

INDICATOR_ITEM = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The indicator's id."},
        "name": {"$ref": "#/$defs/text", "description": "Display name, e.g. 按期结案率."},
        "formula": {
            "enum": list(FORMULAS),
            "description": "The formula, from the registry: "
            + "; ".join(f"`{k}`: {f.en}" for k, f in FORMULAS.items())
            + ".",
        },
        "subject": {
            "$ref": "#/$defs/ref",
            "description": "Who it is taken for: a role id, a level id, `department` or `enterprise`.",
        },
        "types": {
            "$ref": "#/$defs/refs",
            "description": "With subject `department`: only departments of these types (e.g. post).",
        },
        "period": {"enum": list(PERIODS), "description": "monthly, quarterly or yearly."},
        "attribution": {
            "enum": list(ATTRIBUTIONS),
            "description": "Which subject a case or step counts for: "
            + "; ".join(f"`{k}`: {a.en}" for k, a in ATTRIBUTIONS.items())
            + ".",
        },
        **{
            name: schema for formula in FORMULAS.values() for name, schema in formula.params.items()
        },
        "description": {
            "$ref": "#/$defs/text",
            "description": "The indicator in the district's own words.",
        },
    },
    required=["id", "name", "formula", "subject", "period", "attribution"],
)

METRIC = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The metric's id within the scheme."},
        "name": {"$ref": "#/$defs/text", "description": "Display name (default: the indicator's)."},
        "indicator": {"$ref": "#/$defs/ref", "description": "The indicator weighed."},
        "weight": {
            "type": "number",
            "exclusiveMinimum": 0,
            "maximum": 100,
            "description": "The metric's weight; weights are normalised to sum to 1 over the metrics a subject has a value for.",
        },
    },
    required=["id", "indicator", "weight"],
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
            "description": "Who is scored: a role id (its holders), a level id (its units), `department` or `enterprise`; every metric's indicator must be taken for the same subject.",
        },
        "types": {
            "$ref": "#/$defs/refs",
            "description": "With subject `department`: only departments of these types.",
        },
        "period": {
            "enum": list(PERIODS),
            "description": "monthly, quarterly or yearly; every metric's indicator must have the same period.",
        },
        "metrics": {
            "type": "array",
            "items": METRIC,
            "minItems": 1,
            "description": "The weighted indicators.",
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
        "zh": "从记录计算的考评指标，以及按权重计分、分档的考评方案（赛马比拼）。",
        "en": "Indicators computed from the record, and the schemes that weigh them into scores and tiers (the horse race).",
    },
    schema=file_schema(
        "scoring",
        "onegrid scoring",
        "Indicators and scoring schemes for staff and units.",
        {
            "indicators": item_list(
                INDICATOR_ITEM, "The indicators, each a formula over the record."
            ),
            "schemes": item_list(SCHEME_ITEM, "The scoring schemes."),
        },
    ),
    ids=(IdSpec(("indicators", "*"), INDICATOR), IdSpec(("schemes", "*"), SCHEME)),
    refs=(
        RefSpec(("schemes", "*", "metrics", "*", "indicator"), (INDICATOR.name,)),
        RefSpec(("indicators", "*", "step"), ("step",)),
        RefSpec(("indicators", "*", "action"), ("transition",)),
        RefSpec(("indicators", "*", "satisfied"), ("transition",)),
        RefSpec(("indicators", "*", "dissatisfied"), ("transition",)),
        RefSpec(("indicators", "*", "answers", "transition"), ("transition",)),
    ),
)
