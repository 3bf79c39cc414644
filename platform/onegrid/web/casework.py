"""What the pages, the JSON API and Open311 share: the case engine seen from the web.

The engine (`onegrid.workflow`) owns cases; this module turns a web user
into an engine actor, lists and counts cases through `scope`, and shapes
cases, actions and trails into plain data for templates and JSON alike.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Response, abort, current_app
from sqlalchemy import case as when
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from onegrid import decide, messages
from onegrid.errors import OnegridError
from onegrid.store import Case, PolicyVersion, utcnow
from onegrid.store.accounts import User
from onegrid.web import db, formview, policyview, scope
from onegrid.web.i18n import current_lang, text_of
from onegrid.workflow import actor as wf_actor
from onegrid.workflow import case as wf_case
from onegrid.workflow import version as wf_version
from onegrid.workflow.rulebook import rulebook as wf_rulebook

INBOX_TABS = ("mine", "due_soon", "overdue", "supervised", "all")
INBOX_LIMIT = 200


def actor_of(user: User):
    return wf_actor.Actor(
        id=user.username,
        bindings=tuple(wf_actor.Binding(role=b.role, unit=b.unit) for b in user.bindings),
        name=user.name,
    )


# --- policy versions -------------------------------------------------------


def versions(session: Session) -> list[dict[str, Any]]:
    rows = session.scalars(select(PolicyVersion).order_by(PolicyVersion.id.desc())).all()
    return [
        {
            "id": v.id,
            "pack": v.pack,
            "label": v.label,
            "content_hash": v.content_hash,
            "published_at": v.published_at.isoformat() if v.published_at else None,
            "published_by": v.published_by,
        }
        for v in rows
    ]


def publish(session: Session, policy, by: str | None = None) -> int:
    return wf_version.publish(session, policy, by=by).id


def current_version(session: Session):
    """The newest published version of the served pack (published now if none)."""
    policy = policyview.policy()
    version = wf_version.newest_version(session, policy.id)
    if version is None:
        version = wf_version.publish(session, policy, by="onegrid")
    return version


def new_idempotency_key() -> str:
    """Put in each new-report form, so a double submit opens one case."""
    return secrets.token_urlsafe(16)


def open_case(
    session: Session,
    user: User,
    matter: str,
    place: str | None,
    submission: dict[str, Any],
    channel: str = "web",
    idempotency_key: str | None = None,
    extra_facts: dict[str, Any] | None = None,
) -> Case:
    facts: dict[str, Any] = {**(extra_facts or {}), "matter": matter}
    if place:
        facts["place"] = place
    return wf_case.open_case(
        session,
        current_version(session),
        facts,
        submission,
        actor_of(user),
        channel,
        idempotency_key=idempotency_key,
        lang=current_lang(),
    )


def why(case: Case, lang: str = "zh") -> list[str]:
    """Why the case went where it went: the routing rules that decided, with
    their file and line (`onegrid.decide.explain`), else the matter catalog."""
    zh = lang == "zh"
    lines: list[str] = []
    facts = dict(case.facts or {})
    if case.place and "unit" not in facts:
        facts["unit"] = case.place  # decide names the place `unit`
    try:
        explanation = decide.explain(wf_rulebook(case.policy_version).policy, facts)
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


# --- listing ---------------------------------------------------------------


def inbox(session: Session, user: User, tab: str, now: dt.datetime | None = None) -> list[Case]:
    """The user's cases on one inbox tab, newest first."""
    now = now or utcnow()
    stmt = scope.visible(user).where(Case.closed_at.is_(None))
    # the engine's definitions (onegrid.workflow): flags set by the sweep, or the times
    overdue = Case.overdue.is_(True) | (Case.due_at <= now)
    if tab == "due_soon":
        stmt = stmt.where(Case.warned.is_(True) | (Case.warn_at <= now), ~overdue)
    elif tab == "overdue":
        stmt = stmt.where(overdue)
    elif tab == "supervised":
        stmt = stmt.where(Case.supervised.is_(True))
    elif tab == "all":
        stmt = scope.visible(user)
    cases = session.scalars(stmt.order_by(Case.id.desc()).limit(INBOX_LIMIT)).all()
    if tab == "mine":
        actor = actor_of(user)
        cases = [c for c in cases if wf_case.actions_for(c, actor, current_lang())]
    return list(cases)


def search(
    session: Session,
    user: User,
    *,
    ids: list[int] | None = None,
    matters: list[str] | None = None,
    states: list[str] | None = None,
    closed: bool | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    limit: int = 1000,
) -> list[Case]:
    """Cases in the user's scope matching every given filter, newest first."""
    stmt = scope.visible(user)
    if ids:
        stmt = stmt.where(Case.id.in_(ids))
    if matters:
        stmt = stmt.where(Case.matter.in_(matters))
    if states:
        stmt = stmt.where(Case.state.in_(states))
    if closed is True:
        stmt = stmt.where(Case.closed_at.is_not(None))
    elif closed is False:
        stmt = stmt.where(Case.closed_at.is_(None))
    if start is not None:
        stmt = stmt.where(Case.created_at >= start)
    if end is not None:
        stmt = stmt.where(Case.created_at <= end)
    return list(session.scalars(stmt.order_by(Case.id.desc()).limit(limit)).all())


# --- shaping -----------------------------------------------------------------


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


def photo_response(case: Case, name: str):
    """Send a photo of the case, or 404 if the case does not hold it."""
    held = formview.photo_names(case.submission)
    for step in wf_case.trail(db.session(), case.id):
        held |= formview.photo_names(step.data.get("submission"))
    if name not in held:
        abort(404)
    path = formview.photo_store().path(name)
    if not path.is_file():
        abort(404)
    mimetype = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}[path.suffix[1:]]
    # read whole: photos are size-limited, and no file handle outlives the request
    response = Response(path.read_bytes(), mimetype=mimetype)
    response.headers["Cache-Control"] = "private, no-store"
    return response


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


# --- administration ------------------------------------------------------------


@dataclass
class RegistryReport:
    source: str
    lines: list[str]
    summary: str = ""


def registry_report(loaded, lang: str = "zh") -> RegistryReport | None:
    """The grid registry (`registry:` in pack.yaml) checked against the grid
    standards, as `onegrid grids report` prints it; None without a registry."""
    # imported here: onegrid.cli imports every subcommand, `serve` among them, which imports us
    from onegrid.cli.grids import as_text
    from onegrid.errors import OnegridError
    from onegrid.grids.registry import load_registry
    from onegrid.grids.report import build

    policy = loaded.policy
    name = policy.manifest.get("registry") if policy is not None else None
    if not name:
        return None
    path = Path(loaded.root) / name
    try:
        result = build(policy, load_registry(policy, path))
    except OnegridError as exc:
        return RegistryReport(str(name), [messages.format_line(p, lang) for p in exc.problems])
    return RegistryReport(
        str(name),
        [messages.format_line(p, lang) for p in result.problems],
        as_text(policy, result, lang),
    )


def rates_by_unit(session: Session, loaded) -> list[dict[str, Any]]:
    """Closure and on-time rates per lead unit, over every case."""
    rows = session.execute(
        select(
            Case.unit,
            func.count(Case.id),
            func.count(Case.closed_at),
            func.sum(when((Case.closed_at.is_not(None) & ~Case.overdue, 1), else_=0)),
        ).group_by(Case.unit)
    ).all()
    out = []
    for unit, total, closed, ontime in rows:
        ontime = int(ontime or 0)
        out.append(
            {
                "unit": unit,
                "name": name_of("unit", unit),
                "total": total,
                "closed": closed,
                "ontime": ontime,
                "closure_rate": closed / total if total else None,
                "ontime_rate": ontime / closed if closed else None,
            }
        )
    out.sort(key=lambda r: (-r["total"], r["unit"] or ""))
    return out
