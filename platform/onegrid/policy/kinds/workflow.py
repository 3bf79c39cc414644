"""`kind: workflow`: the states and transitions of the closed loop, and of
the other kinds of item the same engine runs.

The shared default lives in `rules/closed-loop/`; a district adapts it in
its own `workflow.yaml` (items merge by id). Who may take a transition is
said relative to the case (`party`), by role, by level, or all three.

`items:` declares further kinds of workflow item (an admission request, a
duty round): each with its own steps, states and transitions, run by the
same engine, audit chain and sweep as cases (`onegrid.workflow.item`). A
kind may name a `decision` the engine applies when an item is filed; its
`auto` transitions are taken at once on the decision's outcome.
"""

from onegrid.policy.kinds.base import IdSpec, Kind, Namespace, RefSpec
from onegrid.policy.kinds.defs import FORM, file_schema, item_list, obj
from onegrid.policy.kinds.forms import CONDITION, FIELD_NAME_PATTERN

STATE = Namespace("state", "流程状态", "workflow state")
TRANSITION = Namespace("transition", "流程操作", "workflow transition")
STEP = Namespace("step", "处置环节", "workflow step")
DISTINCT = Namespace("distinct", "职责分离规则", "separation-of-duties rule")
DISPATCH = Namespace("dispatch", "转办选项", "dispatch option")

# In `distinct.took`, the opening of the case (the report) besides the transitions.
OPENING = "open"
# Whom a `distinct` rule keeps apart; `onegrid.workflow.separation` implements each.
SEPARATE = {
    "person": "The same person.",
    "unit": "Anyone acting for the same unit, department or enterprise (a reporter acting as themselves is no unit).",
}
ITEM = Namespace("item_kind", "流程事项类型", "kind of workflow item")

# How an actor stands to a case; `onegrid.workflow.party` implements each.
PARTIES = {
    "reporter": "The person who reported the case (the finder).",
    "dispatcher": "Staff of the unit at the case's current level above where it happened (the command centre).",
    "lead": "Staff of the unit or department leading the case.",
    "assistant": "Staff of an assisting unit or department.",
    "enterprise": "Staff of the enterprise obliged to fix it.",
    "superior": "Staff of a unit above the case's current level, over where it happened.",
    "anyone": "Anyone signed in.",
    "claimant": "The person whose claimed post a duty round is (their linked account).",
}
# Conditions on a case; `onegrid.workflow.guard` implements each.
GUARDS = {
    "on_the_spot": "The matter allows collect-and-handle (采办合一).",
    "not_on_the_spot": "The matter does not allow collect-and-handle.",
    "can_escalate": "There is a level above the case's current one.",
    "supervised": "The case is under supervision (督办).",
    "not_supervised": "The case is not under supervision yet.",
    "has_assistants": "Assisting units were summoned (吹哨报到).",
    "signed": "The lead has signed for the case (签收).",
    "not_signed": "The lead has not signed for the case yet.",
    "returned": "The case was returned by a lead it was wrongly dispatched to (退单).",
    "extension_pending": "An extension was asked and is not decided yet (延期).",
    "no_extension_pending": "No extension is waiting for a decision.",
    "revisited": "The reporter was called back (回访).",
    "not_revisited": "The reporter was not called back yet.",
    "parts_done": "Every assistant's part is done or waived (the lead may then finish).",
    "parts_pending": "Some assistant's part is neither done nor waived.",
    "dispatch_choice": "A `dispatch:` option applies to the case: the dispatcher may change its route.",
    "together": "The `dispatch:` option that applies lets accept and dispatch be one action.",
}
# What else a transition does; `onegrid.workflow.effects.EFFECTS` implements each.
EFFECTS = {
    "escalate": "Hand the case up one level of the ladder.",
    "reopen": "Count a rework (返工): a failed evaluation sends it back to be handled.",
    "supervise": "Put the case under supervision.",
    "sign": "The lead signs for the case (签收): the handling clock starts again from now.",
    "give_back": "The lead returns a wrongly dispatched case (退单); counted, the signature is cleared.",
    "reassign": "Dispatch to another lead (改派): the form's `lead` field names it.",
    "ask_extension": "Ask for more time (延期): the form's `duration` field says how much.",
    "grant_extension": "Grant the extension asked: the deadline moves on by it, on the business calendar.",
    "refuse_extension": "Refuse the extension asked; the deadline stands.",
    "revisit": "Record a return call to the reporter (回访) before closing.",
    "part_sign": "An assistant signs for its own part of the case (协办签收).",
    "part_done": "An assistant records what it did, with the transition's form: its part is done.",
    "part_waive": "The dispatcher waives an assistant's part (form field `unit`), with a reason.",
    "merge": "Merge the case into the open case the form's `into` field names (并单): the reports are linked, every reporter hears the outcome, the merged one counts once.",
    "choose_route": "The dispatcher keeps the proposed route or, within the `dispatch:` option that applies, changes the lead (form field `lead`) and adds an assistant (`assist`), with an `instruction`; a change needs a `reason`.",
    "assign": "Hand the item to the unit its decision names (the reviewer of an admission request).",
    "tick": "Tick off one item of a duty round (submission: `duty` and the evidence its form asks); appended, never rewritten; late after the period's due date.",
    "not_applicable": "Mark one item of a duty round not applicable this period, with the pack's `not_applicable_form` (a reason).",
    "add_task": 'A superior assigns an ad-hoc task (the "+1") to a duty round, with the form\'s `task` and `due` date; it is ticked like a listed item.',
}
# What the engine decides when an item is filed; `onegrid.workflow.decisions`
# implements each (a test checks both agree).
DECISIONS = {
    "duty_round": "A duty round (对单履职): the items of the list (`list`) its holder (`holder`) has in the period (`period`), due at the end of the period's last working day; filed by the sweep.",
    "post_claim": "A person registers in their home grid (`home_grid`, a unit of the lowest level) and claims a post (`post`: a duty list with claimable: true); the grid holds the claim for its party branch to confirm.",
    "admission": "The task admission gate (准入): a listed task is admitted or refused at once; an unlisted one goes to the reviewer the admission list names, for as long as its review.limit.",
}

STEP_ITEM = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The step's id, e.g. handle."},
        "name": {"$ref": "#/$defs/text", "description": "Display name."},
        "limit": {
            "$ref": "#/$defs/duration",
            "description": "Default time limit, when the matter sets none.",
        },
        "warning": {
            "$ref": "#/$defs/ratio",
            "description": "Warn when this share of the time limit has passed (default 0.75).",
        },
    },
    required=["id", "name"],
)

STATE_ITEM = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The state's id, e.g. dispatched."},
        "name": {"$ref": "#/$defs/text", "description": "Display name."},
        "initial": {"type": "boolean", "description": "New cases start here (exactly one)."},
        "final": {"type": "boolean", "description": "The case is closed here."},
        "step": {
            "$ref": "#/$defs/ref",
            "description": "The step whose time limit runs while a case is here.",
        },
        "counted": {
            "type": "boolean",
            "description": "false: a case that ends here is not counted in rates (it was merged into another, 并单).",
        },
        "outcome": {
            "$ref": "#/$defs/id",
            "description": "What an item resting here counts as (e.g. admitted: an admission request here is in the register).",
        },
    },
    required=["id", "name"],
)

ACTOR_ITEM = obj(
    {
        "party": {"enum": sorted(PARTIES), "description": "How the actor stands to the case."},
        "role": {"$ref": "#/$defs/ref", "description": "A role the actor must hold."},
        "level": {"$ref": "#/$defs/ref", "description": "The level the role must be held at."},
    },
    description="Who may take it: every given key must hold.",
)

# 采办合一 ticked on the report form: the finder takes the transition with the report
ON_REPORT = obj(
    {
        "when": {
            **CONDITION,
            "description": "The answer of the report form that asks for it, e.g. {field: on_spot, equals: true}. The report form offers that field (and the fields shown only with it) only for matters whose `guard:` on the matter holds (on_the_spot); ticked on another matter, the report is refused, naming the field.",
        },
        "answers": {
            "type": "object",
            "propertyNames": {"pattern": FIELD_NAME_PATTERN},
            "additionalProperties": {"type": "string", "pattern": FIELD_NAME_PATTERN},
            "description": "The transition form's fields filled from the report's: {result: spot_result}.",
        },
    },
    required=["when"],
    description="Taken by the reporter in the same transaction as the report, when the report's answer meets `when`: the case is opened and moved on at once, each step in the audit trail (collect-and-handle, 采办合一).",
)

TRANSITION_ITEM = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The transition's id, e.g. dispatch."},
        "name": {"$ref": "#/$defs/text", "description": "Display name (the button)."},
        "from": {
            "type": "array",
            "items": {"$ref": "#/$defs/ref"},
            "minItems": 1,
            "description": "The states it may be taken from.",
        },
        "to": {"$ref": "#/$defs/ref", "description": "The state it leads to."},
        "stay": {
            "type": "boolean",
            "description": "The case stays in its state and its clock runs on (instead of `to`).",
        },
        "by": {
            "type": "array",
            "items": ACTOR_ITEM,
            "minItems": 1,
            "description": "Who may take it: any one entry suffices.",
        },
        "form": {"$ref": "#/$defs/ref", "description": "The form to fill when taking it."},
        "guard": {
            "type": "array",
            "items": {"enum": sorted(GUARDS), "description": "A condition on the case."},
            "description": "Conditions that must all hold.",
        },
        "effect": {"enum": sorted(EFFECTS), "description": "What else happens."},
        "by_sweep": {
            "type": "boolean",
            "description": "Not offered to staff; only `onegrid sweep` takes it.",
        },
        "max": {
            "type": "integer",
            "minimum": 1,
            "maximum": 100,
            "description": "At most this many times on one case (e.g. extensions asked).",
        },
        "auto": {
            "$ref": "#/$defs/id",
            "description": "An outcome of the item's decision: the engine takes this transition at once when the decision has it (not offered to staff).",
        },
        "on_report": ON_REPORT,
    },
    required=["id", "name", "from", "by"],
)

FLOW = {
    "steps": item_list(STEP_ITEM, "The steps that carry time limits."),
    "states": item_list(STATE_ITEM, "The states an item can be in."),
    "transitions": item_list(TRANSITION_ITEM, "The transitions between states."),
}

ITEM_KIND = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The kind of item, e.g. admission."},
        "name": {"$ref": "#/$defs/text", "description": "Display name of one item."},
        "form": {"$ref": "#/$defs/ref", "description": "The form an item is filed with."},
        "decision": {
            "enum": sorted(DECISIONS),
            "description": "What the engine decides when an item is filed: "
            + "; ".join(f"{k}: {v}" for k, v in DECISIONS.items()),
        },
        "ladder": {
            "$ref": "#/$defs/ref",
            "description": "The escalation ladder an item climbs when its step's time limit passes.",
        },
        **FLOW,
    },
    required=["id", "name", "form", "states", "transitions"],
    description="Another kind of workflow item, run by the same engine as cases.",
)
# a transition needs `to` or `stay: true`: `onegrid.workflow.checks` says so

DISTINCT_ITEM = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The rule's id, e.g. handler_evaluates."},
        "name": {
            "$ref": "#/$defs/text",
            "description": "The rule in words: shown to whoever it refuses.",
        },
        "who": {
            "enum": sorted(SEPARATE),
            "description": "Whom it keeps apart: the same person, or anyone of the same unit.",
        },
        "took": {
            "type": "array",
            "items": {"$ref": "#/$defs/ref"},
            "minItems": 1,
            "description": f"Who took any of these transitions on the case (`{OPENING}`: reported it) ...",
        },
        "may_not": {
            "type": "array",
            "items": {"$ref": "#/$defs/ref"},
            "minItems": 1,
            "description": "... may not take any of these on the same case.",
        },
    },
    required=["id", "name", "who", "took", "may_not"],
    description="Separation of duties (职责分离): who took one step may not take another.",
)

PLACES = ("unit", "department", "enterprise")

DISPATCH_ITEM = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The option's id, e.g. district_centre."},
        "name": {"$ref": "#/$defs/text", "description": "Display name."},
        "matters": {
            "type": "array",
            "items": {"$ref": "#/$defs/ref"},
            "description": "The matters it applies to (first match wins; before `level`).",
        },
        "level": {
            "$ref": "#/$defs/ref",
            "description": "Or: the cases at this level (when no option names the matter).",
        },
        "leads": {
            "type": "array",
            "items": {"$ref": "#/$defs/ref"},
            "description": "Whom the dispatcher may make lead instead of the proposed one.",
        },
        "assistants": {
            "type": "array",
            "items": {"$ref": "#/$defs/ref"},
            "description": "Whom the dispatcher may summon to assist (吹哨报到).",
        },
        "together": {
            "type": "boolean",
            "description": "Accept and dispatch are one action (`accept_and_dispatch`).",
        },
    },
    required=["id", "name"],
    description="What a dispatcher may change of the proposed route, for some matters or a level.",
)

KIND = Kind(
    name="workflow",
    title={"zh": "流程", "en": "Workflow"},
    description={
        "zh": "闭环流程：环节及默认时限、状态、操作（谁在哪一级可以做、需要填写的表单、前提条件）。",
        "en": "The closed loop: steps and default limits, states, transitions (who may take each at which level, the form, guards).",
    },
    schema=file_schema(
        "workflow",
        "onegrid workflow",
        "Steps, states and transitions of the closed loop.",
        {
            **FLOW,
            "duplicates": obj(
                {
                    "window": {
                        "$ref": "#/$defs/duration",
                        "description": "How far back an open case of the same matter counts as a likely duplicate (default 3d).",
                    },
                    "near": {
                        "type": "boolean",
                        "description": "Also at a neighbouring place: the same parent unit, or the unit above (default true).",
                    },
                },
                description="Likely duplicates (并单) offered to the reporting form and the dispatcher.",
            ),
            "dispatch": item_list(
                DISPATCH_ITEM,
                "Dispatch with judgement: the leads and assistants a dispatcher may choose, per matter or level.",
            ),
            "distinct": item_list(
                DISTINCT_ITEM,
                "Separation of duties: pairs of steps one person (or one unit) may not both take on a case.",
            ),
            "items": item_list(ITEM_KIND, "Other kinds of workflow item (admission requests, …)."),
        },
    ),
    ids=(
        *(
            IdSpec((*at, *path), ns)
            for at in ((), ("items", "*"))
            for path, ns in (
                (("steps", "*"), STEP),
                (("states", "*"), STATE),
                (("transitions", "*"), TRANSITION),
            )
        ),
        IdSpec(("distinct", "*"), DISTINCT),
        IdSpec(("dispatch", "*"), DISPATCH),
        IdSpec(("items", "*"), ITEM),
    ),
    refs=(
        *(
            RefSpec((*at, *path), spaces)
            for at in ((), ("items", "*"))
            for path, spaces in (
                (("states", "*", "step"), ("step",)),
                (("transitions", "*", "from"), ("state",)),
                (("transitions", "*", "to"), ("state",)),
                (("transitions", "*", "form"), (FORM.name,)),
                (("transitions", "*", "by", "*", "role"), ("role",)),
                (("transitions", "*", "by", "*", "level"), ("level",)),
            )
        ),
        RefSpec(("distinct", "*", "may_not", "*"), ("transition",)),
        RefSpec(("dispatch", "*", "matters", "*"), ("matter",)),
        RefSpec(("dispatch", "*", "level"), ("level",)),
        RefSpec(("dispatch", "*", "leads", "*"), PLACES),
        RefSpec(("dispatch", "*", "assistants", "*"), PLACES),
        # `took` may also say `open`: onegrid.workflow.checks checks it
        RefSpec(("items", "*", "form"), (FORM.name,)),
        RefSpec(("items", "*", "ladder"), ("ladder",)),
    ),
)
