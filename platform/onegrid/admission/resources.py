"""Resources as amounts: what a listed task must bring, what a request
states, and whether one covers the other ("funds follow the task").

A requirement (`resources:` of a task) or an offer (`resources:` of a
request) of one type may give `yuan` and `per` (funds), `headcount` and
`hours` with `per` (staff), and `names` (the named powers, equipment,
training, data sets or premises). Amounts per month, quarter or year are
compared per year; an amount `once` (for the whole task) only with another
`once`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from onegrid import messages
from onegrid.errors import Problem

PER_YEAR = {"month": 12, "quarter": 4, "year": 1}
PERIOD_NAMES = {
    "month": {"zh": "/月", "en": " a month"},
    "quarter": {"zh": "/季度", "en": " a quarter"},
    "year": {"zh": "/年", "en": " a year"},
    "once": {"zh": "（一次性）", "en": " once"},
}
AMOUNTS = ("yuan", "headcount", "hours")

messages.register(
    {
        "admission-resource-short": {
            "zh": "'{task}' 须随之下沉{resource} {need}，申请只写明 {have}",
            "en": "'{task}' must come with {resource} of {need}; the request states {have}",
        },
        "admission-resource-missing-names": {
            "zh": "'{task}' 须随之下沉{resource}：{names}，申请没有写明",
            "en": "'{task}' must come with {resource}: {names}, which the request does not state",
        },
    }
)


def offer(value: Any) -> dict[str, dict]:
    """A request's resources as {type: {yuan, per, headcount, hours, names}}:
    from a list of types (each present, no amounts) or a mapping of type to
    true or to its amounts."""
    if isinstance(value, Mapping):
        out = {}
        for kind, spec in value.items():
            if spec is None or spec is False:
                continue
            out[str(kind)] = dict(spec) if isinstance(spec, Mapping) else {}
        return out
    return {str(kind): {} for kind in value or ()}


def _amount(spec: Mapping, key: str, lang: str) -> str:
    value = spec.get(key)
    number = f"{value:g}" if isinstance(value, float) else str(value)
    unit = {"yuan": {"zh": "元", "en": " yuan"}, "headcount": {"zh": "人", "en": " people"}}.get(
        key, {"zh": "小时", "en": " hours"}
    )[lang]
    per = spec.get("per") if key != "headcount" else None  # people are not per period
    return number + unit + (PERIOD_NAMES[per][lang] if per in PERIOD_NAMES else "")


def _texts(spec: Mapping, key: str) -> dict[str, str]:
    return {lang: _amount(spec, key, lang) for lang in ("zh", "en")}


def _yearly(spec: Mapping, key: str) -> float | None:
    value = spec.get(key)
    if not isinstance(value, int | float):
        return None
    per = spec.get("per", "once")
    return float(value) * PER_YEAR.get(per, 1)


def shortfalls(task_label, required: list[Mapping], offered: dict[str, dict], names) -> list:
    """What the offer lacks, as problems (`names` names each resource type)."""
    problems = []
    for need in required:
        kind = need["type"]
        have = offered.get(kind)
        if have is None:
            continue  # the caller reports a type missing altogether
        short = [
            key for key in AMOUNTS if need.get(key) is not None and not _covers_one(need, have, key)
        ]
        if short:
            key = short[0]
            stated = _texts(have, key) if have.get(key) is not None else {"zh": "无", "en": "none"}
            problems.append(
                Problem(
                    "admission-resource-short",
                    {
                        "task": task_label,
                        "resource": names[kind],
                        "need": _texts(need, key),
                        "have": stated,
                    },
                )
            )
        missing = [n for n in need.get("names") or () if n not in (have.get("names") or ())]
        if missing:
            problems.append(
                Problem(
                    "admission-resource-missing-names",
                    {"task": task_label, "resource": names[kind], "names": "、".join(missing)},
                )
            )
    return problems


def _covers_one(need: Mapping, have: Mapping, key: str) -> bool:
    """Whether the offered amount `key` covers the required one (per year;
    an amount for the whole task only against another)."""
    if have.get(key) is None:
        return False
    if key == "headcount":
        return have[key] >= need[key]
    if (need.get("per", "once") == "once") != (have.get("per", "once") == "once"):
        return False
    return _yearly(have, key) >= _yearly(need, key)


def describe(kind: str, spec: Mapping, names: Mapping, lang: str = "zh") -> str:
    """One resource in words: "经费 30000元/年", "staff 2 people, 40 hours a month"."""
    parts = [_amount(spec, key, lang) for key in AMOUNTS if spec.get(key) is not None]
    listed = (
        "、".join(spec.get("names") or ()) if lang == "zh" else ", ".join(spec.get("names") or ())
    )
    if listed:
        parts.append(listed)
    label = names[kind][lang] if kind in names else kind
    return f"{label} {('，' if lang == 'zh' else ', ').join(parts)}".strip()
