"""An admission request as filed through the pack's request form (the
kind `admission` of the workflow's `items:`): the form's values become an
`AdmissionRequest`, and what is wrong is said per field, before anything
is stored.

The request form's field names are this stage's contract with the pack
(the shared `admission-review` pack declares them): `task` (a listed
task's id or name) or `name` (an unlisted task), `department`, `reach` (the unit
whose communities take it on), `period_from`, `period_to`, `basis`,
`attachments`, and the resources: `funds_yuan` with `funds_per`,
`staff_headcount`, `staff_hours` with `staff_per`, and one named thing a
line in `powers`, `equipment`, `training`, `data`, `premises`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from onegrid import messages
from onegrid.admission import RESOURCE_NAMES, AdmissionRequest
from onegrid.policy.suggest import did_you_mean

NAMED = ("powers", "equipment", "training", "data", "premises")

messages.register(
    {
        "admission-task-or-name": {
            "zh": "请填写清单上事务的编号，或清单外事务的名称",
            "en": "give a listed task's id, or the name of an unlisted task",
        },
        "admission-unknown-task": {
            "zh": "本版本的准入清单上没有事务 '{task}'",
            "en": "the admission list of this version has no task '{task}'",
        },
        "admission-not-a-department": {
            "zh": "'{department}' 不是本策略的部门",
            "en": "'{department}' is not a department of this pack",
        },
        "admission-unknown-reach": {
            "zh": "组织架构中没有 '{unit}'",
            "en": "the org has no unit '{unit}'",
        },
        "admission-period-order": {
            "zh": "结束日期早于开始日期",
            "en": "the period ends before it starts",
        },
    }
)


def _lines(value) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [line.strip() for line in str(value or "").splitlines() if line.strip()]


def stated_resources(values: dict[str, Any]) -> dict[str, dict]:
    """The resources the form states, as `AdmissionRequest` amounts."""
    out: dict[str, dict] = {}
    if values.get("funds_yuan") is not None:
        out["funds"] = {"yuan": values["funds_yuan"], "per": values.get("funds_per") or "year"}
    staff = {k: values.get(f"staff_{k}") for k in ("headcount", "hours")}
    staff = {k: v for k, v in staff.items() if v is not None}
    if staff:
        out["staff"] = {**staff, "per": values.get("staff_per") or "year"}
    for kind in NAMED:
        names = _lines(values.get(kind))
        if names and kind in RESOURCE_NAMES:
            out[kind] = {"names": names}
    return out


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def request_of(policy, values: dict[str, Any], lang: str = "zh", units=()):
    """(the `AdmissionRequest`, {field: [message]}) from validated form values;
    `units` are org units beyond the pack's own (the registry's grids)."""
    errors: dict[str, list[str]] = {}

    def fail(name, code, params=None, hint=None):
        text = messages.text(code, params or {}, lang)
        if hint is not None:
            text += ("；" if lang == "zh" else "; ") + messages.text(hint.code, hint.params, lang)
        errors.setdefault(name, []).append(text)

    task = str(values.get("task") or "").strip()
    name = str(values.get("name") or "").strip()
    if not task and not name:
        fail("task", "admission-task-or-name")
    elif task and policy.get("task", task) is None:
        fail(
            "task", "admission-unknown-task", {"task": task}, did_you_mean(task, policy.ids("task"))
        )
    department = str(values.get("department") or "").strip()
    if department and policy.get("department", department) is None:
        fail(
            "department",
            "admission-not-a-department",
            {"department": department},
            did_you_mean(department, policy.ids("department")),
        )
    reach = values.get("reach")
    if reach and policy.get("unit", reach) is None and reach not in units:
        fail("reach", "admission-unknown-reach", {"unit": reach})
    start, end = _date(values.get("period_from")), _date(values.get("period_to"))
    if start and end and end < start:
        fail("period_to", "admission-period-order")
    if errors:
        return None, errors
    request = AdmissionRequest(
        task=task or name,
        department=department,
        resources=tuple(stated_resources(values)),
        basis=(values.get("basis") or None),
        attachments=tuple(_lines(values.get("attachments"))),
        amounts=stated_resources(values),
    )
    return request, {}
