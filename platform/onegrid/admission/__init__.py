"""The task admission gate (准入): may a department hand this task down?

`decide(policy, request)` applies the pack's `kind: admission` list: a listed
task from its own department, bringing every resource it requires, is
admitted; a listed task from another department, or without the powers,
money or people it needs, is refused ("authority follows duty, funds follow
the task"); an unlisted task goes to one-matter-one-review when the pack
allows it and the request is complete, and is refused otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from onegrid import messages
from onegrid.admission import resources as amounts
from onegrid.errors import Problem, UsageError
from onegrid.policy.suggest import did_you_mean

OUTCOMES = ("admitted", "needs_review", "refused")

RESOURCE_NAMES = {
    "funds": {"zh": "经费", "en": "funds"},
    "staff": {"zh": "人员", "en": "staff"},
    "powers": {"zh": "权限", "en": "powers"},
    "equipment": {"zh": "装备", "en": "equipment"},
    "training": {"zh": "培训", "en": "training"},
    "data": {"zh": "数据", "en": "data"},
    "premises": {"zh": "场地", "en": "premises"},
}

messages.register(
    {
        "admission-listed": {
            "zh": "'{task}' 在准入清单上，由 {department} 下派，所需资源齐全",
            "en": "'{task}' is on the admission list, handed down by {department}, with every resource it needs",
        },
        "admission-wrong-department": {
            "zh": "'{task}' 在准入清单上登记的下派部门是 {expected}，不是 {department}",
            "en": "'{task}' is listed for {expected} to hand down, not {department}",
        },
        "admission-missing-resource": {
            "zh": "'{task}' 必须随之下沉{resource}（权随责走、费随事转）",
            "en": "'{task}' must come with {resource} (authority follows duty, funds follow the task)",
        },
        "admission-unlisted-refused": {
            "zh": "'{task}' 不在准入清单上，本策略不受理清单外事务",
            "en": "'{task}' is not on the admission list, and this pack accepts no unlisted task",
        },
        "admission-needs-review": {
            "zh": "'{task}' 不在准入清单上，须经 {reviewer} “一事一议”审核{limit}",
            "en": "'{task}' is not on the admission list: {reviewer} must review it (one matter, one review){limit}",
        },
        "admission-unlisted-incomplete": {
            "zh": "'{task}' 不在准入清单上，“一事一议”送审还缺少以下内容",
            "en": "'{task}' is not on the admission list, and the request for one-matter-one-review lacks what follows",
        },
        "admission-no-basis": {
            "zh": "清单外事务须写明法律或政策依据",
            "en": "an unlisted task must cite its legal or policy basis",
        },
        "admission-missing-attachment": {
            "zh": "送审材料缺少“{attachment}”",
            "en": "the request for review lacks '{attachment}'",
        },
        "admission-unknown-department": {
            "zh": "未知的部门 '{department}'",
            "en": "unknown department '{department}'",
        },
        "admission-bad-request": {
            "zh": "准入申请格式不对：{reason}",
            "en": "the admission request is malformed: {reason}",
        },
        "admission-no-reviewer": {
            "zh": "清单外事务要“一事一议”，但没有写明审核单位（review.reviewer）",
            "en": "unlisted tasks go to review, but no reviewer is named (review.reviewer)",
        },
        "admission-task-without-resources": {
            "zh": "准入事务 '{task}' 没有列出随之下沉的资源（权随责走、费随事转）",
            "en": "admitted task '{task}' lists no resources that come with it (authority follows duty, funds follow the task)",
        },
    }
)


@dataclass(frozen=True)
class AdmissionRequest:
    """A department asks communities to take on a task."""

    task: str
    department: str
    resources: tuple[str, ...] = ()
    basis: str | None = None
    attachments: tuple[str, ...] = ()
    # what the request states of each resource ({type: {yuan, per, headcount, hours, names}})
    amounts: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, data: Mapping[str, Any] | AdmissionRequest) -> AdmissionRequest:
        if isinstance(data, AdmissionRequest):
            return data
        if not isinstance(data, Mapping):
            raise _bad("expected a mapping with task and department")
        for key in ("task", "department"):
            if key in data and not isinstance(data[key], str):
                raise _bad(f"'{key}' must be text")
            if not str(data.get(key) or "").strip():
                raise _bad(f"'{key}' is required")
        lists = {}
        for key in ("resources", "attachments"):
            value = data.get(key) or []
            if key == "resources" and isinstance(value, Mapping):
                continue
            if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
                raise _bad(f"'{key}' must be a list of ids")
            lists[key] = tuple(value)
        stated = _amounts(data.get("resources"))
        lists["resources"] = tuple(stated)
        basis = data.get("basis")
        if basis is not None and not isinstance(basis, str):
            raise _bad("'basis' must be text")
        unknown = set(data) - {"task", "department", "resources", "basis", "attachments"}
        if unknown:
            raise _bad(f"unknown keys {sorted(unknown)}")
        return cls(
            data["task"].strip(),
            data["department"].strip(),
            basis=basis or None,
            amounts=stated,
            **lists,
        )


@dataclass
class AdmissionDecision:
    outcome: str
    task: str | None  # the listed task's id, None when unlisted
    reasons: list[Problem] = field(default_factory=list)
    reviewer: str | None = None
    limit: str | None = None

    def as_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "task": self.task,
            "reviewer": self.reviewer,
            "limit": self.limit,
            "reasons": [
                {
                    "code": r.code,
                    "message": messages.text(r.code, r.params, lang),
                    "params": r.params,
                }
                for r in self.reasons
            ],
        }


def decide(policy, request: Mapping[str, Any] | AdmissionRequest) -> AdmissionDecision:
    """Admitted, needs_review or refused, with the reasons why."""
    req = AdmissionRequest.of(request)
    section = policy.section("admission")
    task = find_task(policy, req.task)
    if task is not None:
        return _listed(policy, task, req)
    return _unlisted(policy, section.get("review") or {"unlisted": "refuse"}, req)


def find_task(policy, name: str):
    """A listed task by id, or by its Chinese or English name."""
    found = policy.get("task", name)
    if found is not None:
        return found
    for task in policy.items("task"):
        if name in _names(task):
            return task
    return None


def _listed(policy, task, req: AdmissionRequest) -> AdmissionDecision:
    reasons = []
    label = _name(task)
    if req.department != task["department"]:
        reasons.append(
            Problem(
                "admission-wrong-department",
                {
                    "task": label,
                    "expected": _dept(policy, task["department"]),
                    "department": _dept(policy, req.department),
                },
            )
        )
    needed = list(dict.fromkeys(r["type"] for r in task.get("resources", [])))
    for resource in needed:
        if resource not in req.resources:
            reasons.append(
                Problem(
                    "admission-missing-resource",
                    {"task": label, "resource": RESOURCE_NAMES[resource]},
                )
            )
    names = {kind: RESOURCE_NAMES[kind] for kind in RESOURCE_NAMES}
    reasons.extend(
        amounts.shortfalls(label, list(task.get("resources") or ()), dict(req.amounts), names)
    )
    if reasons:
        return AdmissionDecision("refused", task["id"], reasons)
    ok = Problem(
        "admission-listed", {"task": label, "department": _dept(policy, task["department"])}
    )
    return AdmissionDecision("admitted", task["id"], [ok])


def _unlisted(policy, review, req: AdmissionRequest) -> AdmissionDecision:
    # a near miss of a listed task's id or name is more likely a typo than a new task
    names = [n for t in policy.items("task") for n in (t["id"], *_names(t))]
    near = did_you_mean(req.task, names)
    if review.get("unlisted") == "refuse":
        return AdmissionDecision(
            "refused", None, [Problem("admission-unlisted-refused", {"task": req.task}, hint=near)]
        )
    reasons = []
    if policy.get("department", req.department) is None:
        reasons.append(
            Problem(
                "admission-unknown-department",
                {"department": req.department},
                hint=did_you_mean(req.department, policy.ids("department")),
            )
        )
    if review.get("basis_required", True) and not req.basis:
        reasons.append(Problem("admission-no-basis", {}))
    for resource in review.get("resources", []):
        if resource not in req.resources:
            reasons.append(
                Problem(
                    "admission-missing-resource",
                    {"task": req.task, "resource": RESOURCE_NAMES[resource]},
                )
            )
    for attachment in review.get("attachments", []):
        if attachment["id"] not in req.attachments:
            reasons.append(
                Problem("admission-missing-attachment", {"attachment": _text(attachment["name"])})
            )
    if reasons:
        head = Problem("admission-unlisted-incomplete", {"task": req.task}, hint=near)
        return AdmissionDecision("refused", None, [head, *reasons])
    reviewer = review.get("reviewer")
    limit = review.get("limit")
    within = {"zh": f"，时限 {limit}", "en": f", within {limit}"} if limit else {"zh": "", "en": ""}
    reason = Problem(
        "admission-needs-review",
        {"task": req.task, "reviewer": _reviewer(policy, reviewer), "limit": within},
        hint=near,
    )
    return AdmissionDecision("needs_review", None, [reason], reviewer=reviewer, limit=limit)


def _amounts(value) -> dict[str, dict]:
    """The request's resources, checked: known types, amounts not negative."""
    from onegrid.policy.kinds.admission import PERIODS

    stated = amounts.offer(value)
    for kind, spec in stated.items():
        if kind not in RESOURCE_NAMES:
            raise _bad(f"unknown resource '{kind}' (known: {', '.join(RESOURCE_NAMES)})")
        for key in amounts.AMOUNTS:
            number = spec.get(key)
            if number is None:
                continue
            if isinstance(number, bool) or not isinstance(number, int | float) or number < 0:
                raise _bad(f"'resources.{kind}.{key}' must be a number, 0 or more")
        if spec.get("per") is not None and spec["per"] not in PERIODS:
            raise _bad(f"'resources.{kind}.per' must be one of {', '.join(PERIODS)}")
        names = spec.get("names")
        if names is not None and (
            not isinstance(names, list | tuple) or not all(isinstance(n, str) for n in names)
        ):
            raise _bad(f"'resources.{kind}.names' must be a list of text")
    return stated


def _bad(reason: str) -> UsageError:
    return UsageError(Problem("admission-bad-request", {"reason": reason}))


def _names(item) -> list[str]:
    name = item.get("name")
    return list(name.values()) if isinstance(name, dict) else [name]


def _name(item) -> dict[str, str] | str:
    return _text(item.get("name")) or item["id"]


def _text(value):
    if isinstance(value, dict):
        return {"zh": value["zh"], "en": value.get("en", value["zh"])}
    return value


def _dept(policy, dept_id: str):
    dept = policy.get("department", dept_id)
    return _text(dept.get("name")) if dept else dept_id


def _reviewer(policy, reviewer_id):
    if reviewer_id is None:
        return {"zh": "上级", "en": "the level above"}
    item = policy.get("department", reviewer_id) or policy.get("unit", reviewer_id)
    return _text(item.get("name")) if item else reviewer_id
