"""A case as people and programs see it: names, states, deadlines, the
trail, why it was routed there, and a CSV export. Plain data only."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app

from onegrid import decide, forms, messages
from onegrid.errors import OnegridError
from onegrid.store import Case, utcnow
from onegrid.web import policyview
from onegrid.web.i18n import text_of
from onegrid.workflow.rulebook import rulebook as wf_rulebook

DEFAULT_ZONE = "Asia/Shanghai"


def policy_of(case: Case):
    """The policy the case runs under; the loaded pack itself when it is that
    version, so that rules keep their file and line."""
    loaded = policyview.load().policy
    if loaded is not None and loaded.content_hash == case.policy_version.content_hash:
        return loaded
    return wf_rulebook(case.policy_version).policy


def why(case: Case, lang: str = "zh") -> list[str]:
    """Why the case went where it went: the routing rules that decided, with
    their file and line (`onegrid.decide.explain`), else the matter catalog."""
    zh = lang == "zh"
    lines: list[str] = []
    facts = dict(case.facts or {})
    if case.place and "unit" not in facts:
        facts["unit"] = case.place  # decide names the place `unit`
    try:
        explanation = decide.explain(policy_of(case), facts)
    except OnegridError:
        explanation = None
    except Exception:  # the page must show even if explaining fails; the log keeps why
        current_app.logger.exception("explaining case %s failed", case.id)
        explanation = None
    for trial in explanation.trials if explanation is not None else ():
        if not trial.applied:
            continue
        where = f"{messages.display_path(trial.file)}:{trial.line}" if trial.file else ""
        held = ", ".join(
            f"{c.get('fact')} {c.get('op')} {c.get('expected')}" for c in trial.matched or ()
        )
        lines.append(
            ("规则 " if zh else "rule ") + f"{trial.id} {where}" + (f"（{held}）" if held else "")
        )
    lead = name_of("unit", case.unit, lang)
    if not lines:
        lines.append(
            (
                "事项清单规定的责任单位："
                if zh
                else "The matter catalog names the responsible unit: "
            )
            + lead
        )
    else:
        lines.append(("主办：" if zh else "Lead: ") + lead)
    if case.assistants:
        names = ", ".join(name_of("unit", a, lang) for a in case.assistants)
        lines.append(("协办：" if zh else "Assisting: ") + names)
    return lines


def name_of(namespace: str, item_id: str | None, lang: str | None = None) -> str:
    if not item_id:
        return ""
    policy = policyview.load().policy
    item = policy.get(namespace, item_id) if policy is not None else None
    if item is None:
        for ns in ("unit", "department", "enterprise"):
            item = policy.get(ns, item_id) if policy is not None else None
            if item is not None:
                break
    return text_of(item.get("name"), lang) if item is not None else item_id


def state_name(case: Case, lang: str = "zh") -> str:
    book = wf_rulebook(case.policy_version)
    return book.name(book.states.get(case.state), lang, case.state)


def step_name(case: Case, lang: str = "zh") -> str:
    book = wf_rulebook(case.policy_version)
    return book.name(book.steps.get(case.step), lang, case.step or "")


def due_status(case: Case, now: dt.datetime | None = None) -> str:
    now = now or utcnow()
    if case.closed_at is not None or case.due_at is None:
        return ""
    if case.overdue or case.due_at <= now:
        return "overdue"
    if case.warned or (case.warn_at is not None and case.warn_at <= now):
        return "due_soon"
    return ""


def calendar_zone() -> ZoneInfo:
    """The pack's calendar time zone (China Standard Time by default)."""
    policy = policyview.load().policy
    name = (policy.section("calendar").get("timezone") if policy is not None else None) or ""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def local(value: dt.datetime | None) -> str:
    """A stored UTC time as people read it: local, to the minute."""
    if value is None:
        return ""
    return value.astimezone(calendar_zone()).strftime("%Y-%m-%d %H:%M")


def report_rows(case: Case, lang: str = "zh") -> list[dict[str, Any]]:
    """The report's fields in form order with their labels; photos apart."""
    submission = dict(case.submission or {})
    matter = policyview.policy().get("matter", case.matter)
    labels: dict[str, str] = {}
    kinds: dict[str, str] = {}
    if matter is not None and matter.get("form"):
        try:
            spec = forms.forms_of(policyview.policy()).form(matter["form"]).spec
        except OnegridError:
            spec = None
        for f in spec.fields if spec is not None else ():
            labels[f.name] = text_of(f.get("label"), lang) or f.name
            kinds[f.name] = f.type
    order = [n for n in labels if n in submission] + [n for n in submission if n not in labels]
    rows = []
    for name in order:
        value = submission[name]
        photos = kinds.get(name) == "photo" or name == "photos"
        rows.append(
            {
                "label": labels.get(name, name),
                "text": "" if photos else shown(value, lang),
                "photos": [v for v in value if isinstance(v, str)] if photos else [],
            }
        )
    return rows


def shown(value: Any, lang: str = "zh") -> str:
    """A submitted value as text: lists joined, yes/no in words, addresses by text."""
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    if isinstance(value, list):
        return (
            "、".join(shown(v, lang) for v in value)
            if lang == "zh"
            else ", ".join(shown(v, lang) for v in value)
        )
    if isinstance(value, dict):
        return str(value.get("text") or ", ".join(f"{k}: {v}" for k, v in value.items()))
    return "" if value is None else str(value)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def case_json(case: Case, lang: str = "zh") -> dict[str, Any]:
    return {
        "id": case.id,
        "matter": case.matter,
        "matter_name": name_of("matter", case.matter, lang),
        "state": case.state,
        "state_name": state_name(case, lang),
        "step": case.step,
        "step_name": step_name(case, lang),
        "channel": case.channel,
        "place": case.place,
        "place_name": name_of("unit", case.place, lang),
        "unit": case.unit,
        "unit_name": name_of("unit", case.unit, lang),
        "assistants": list(case.assistants or []),
        "enterprise": case.enterprise,
        "level": case.level,
        "reporter": case.reporter,
        "facts": case.facts,
        "submission": case.submission,
        "supervised": case.supervised,
        "escalations": case.escalations,
        "due_at": _iso(case.due_at),
        "warn_at": _iso(case.warn_at),
        "due_status": due_status(case),
        "created_at": _iso(case.created_at),
        "updated_at": _iso(case.updated_at),
        "closed_at": _iso(case.closed_at),
        "version": case.version,
        "policy_version": case.policy_version_id,
    }


def action_json(action, lang: str = "zh") -> dict[str, Any]:
    return {
        "id": action.id,
        "name": text_of(action.name, lang),
        "to": action.to,
        "form": action.form,
    }


def step_json(step, lang: str = "zh") -> dict[str, Any]:
    return {
        "seq": step.seq,
        "at": _iso(step.at),
        "action": step.action,
        "actor": step.actor,
        "from_state": step.from_state,
        "to_state": step.to_state,
        "data": step.data,
    }


EXPORT_COLUMNS = (
    "id",
    "matter",
    "matter_name",
    "state",
    "place",
    "place_name",
    "unit",
    "unit_name",
    "channel",
    "reporter",
    "created_at",
    "due_at",
    "closed_at",
    "supervised",
)


def as_csv(cases: list[Case], lang: str = "zh") -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for case in cases:
        data = case_json(case, lang)
        writer.writerow([_cell(data[c]) for c in EXPORT_COLUMNS])
    return out.getvalue()


def _cell(value) -> str:
    text = "" if value is None else str(value)
    # a leading = + - @ would run as a formula in a spreadsheet program
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
