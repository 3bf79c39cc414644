"""What the pages, the JSON API and Open311 share: the case engine seen from the web.

The engine (`onegrid.workflow`) owns cases; this module turns a web user
into an engine actor, opens cases, lists and counts them through `scope`,
publishes versions and serves attachments. `caseview` shapes what is shown.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from typing import Any

from flask import Response, abort
from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid import messages
from onegrid.errors import OnegridError
from onegrid.forms import fieldtypes
from onegrid.grids.registry import load_registry
from onegrid.grids.report import build as grids_report
from onegrid.grids.text import as_text
from onegrid.store import Case, PolicyVersion, photos, utcnow
from onegrid.store.accounts import User
from onegrid.web import db, formview, policyview, scope
from onegrid.web.i18n import current_lang
from onegrid.workflow import actor as wf_actor
from onegrid.workflow import case as wf_case
from onegrid.workflow import channels as wf_channels
from onegrid.workflow import version as wf_version
from onegrid.workflow.rulebook import rulebook

INBOX_TABS = ("mine", "due_soon", "overdue", "supervised", "all")
INBOX_LIMIT = 200
PHOTO_NAME = re.compile(fieldtypes.PHOTO_NAME)


def actor_of(user: User):
    return wf_actor.Actor(
        id=user.username,
        bindings=tuple(wf_actor.Binding(role=b.role, unit=b.unit) for b in user.bindings),
        name=user.name,
        person=person_id(user),
    )


def person_id(user: User) -> int | None:
    """The person record of the served pack linked to the account, if any
    (read once per request and user)."""
    from flask import g

    from onegrid.store import Person

    cache = g.setdefault("person_ids", {})
    if user.id not in cache:
        pack = policyview.policy().id
        cache[user.id] = db.session().scalar(
            select(Person.id).where(Person.user_id == user.id, Person.pack == pack)
        )
    return cache[user.id]


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


def report_omits(session: Session, matter: dict) -> set[str]:
    """The report form's fields this matter does not offer (已当场处置 where
    the matter is not collect-and-handle), under the live version."""
    from onegrid.forms import forms_of
    from onegrid.workflow import onreport

    book = rulebook(current_version(session))
    return onreport.hidden_fields(book, forms_of(book.policy).form(matter["form"]), matter["id"])


def new_idempotency_key() -> str:
    """Put in each new-report form, so a double submit opens one case."""
    return secrets.token_urlsafe(16)


def report_key(user: User, key: str) -> str:
    """The stored idempotency key of a report from the web form: the user's own."""
    return f"web:{user.id}:{key}"


def reported_with(session: Session, user: User, key: str) -> Case | None:
    """The case this user's report form with `key` already opened, if any."""
    return session.scalar(select(Case).where(Case.idempotency_key == report_key(user, key)))


def open_case(
    session: Session,
    user: User | wf_actor.Actor,
    matter: str,
    place: str | None,
    submission: dict[str, Any],
    channel: str | None = None,
    idempotency_key: str | None = None,
    extra_facts: dict[str, Any] | None = None,
    door: str = "pages",
    allowed: list[str] | None = None,
    recorded=None,
    version=None,
    commit: bool = True,
) -> Case:
    """Open a case from a door (pages, api, open311): the channel asked for,
    if the pack and the credential (`allowed`) let it, else the door's own
    (under `version`, an older one a report was filled under, else the newest;
    `commit=False`: in the caller's transaction, see workflow.case.open_case)."""
    facts: dict[str, Any] = {**(extra_facts or {}), "matter": matter}
    if place:
        facts["place"] = place
    version = version or current_version(session)
    book = rulebook(version)
    if allowed is None and not isinstance(user, wf_actor.Actor):
        allowed = wf_channels.staff_channels(book)  # a staff account's, never a client's
    return wf_case.open_case(
        session,
        version,
        facts,
        submission,
        user if isinstance(user, wf_actor.Actor) else actor_of(user),
        wf_channels.channel_for(book, door, channel, allowed),
        idempotency_key=idempotency_key,
        lang=current_lang(),
        door=door,
        recorded=recorded,
        commit=commit,
    )


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


def owner_of_photo(name: str) -> int | None:
    """The case a photo was first attached to: the only one it is shown through
    (`onegrid.store.photos`)."""
    if not PHOTO_NAME.match(name):
        return None
    return photos.owner(db.session(), name)


def photo_response(case: Case, name: str):
    """Send a photo of the case, or 404 if the case does not hold it."""
    held = formview.photo_names(case.submission)
    for step in wf_case.trail(db.session(), case.id):
        held |= formview.photo_names(step.data.get("submission"))
    if name not in held or owner_of_photo(name) != case.id:
        abort(404)
    path = formview.photo_store().path(name)
    if not path.is_file():
        abort(404)
    mimetype = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}[path.suffix[1:]]
    # read whole: photos are size-limited, and no file handle outlives the request
    response = Response(path.read_bytes(), mimetype=mimetype)
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- administration ------------------------------------------------------------


@dataclass
class RegistryReport:
    source: str
    lines: list[str]
    summary: str = ""


def registry_report(loaded, lang: str = "zh") -> RegistryReport | None:
    """The grid registry (`registry:` in pack.yaml) checked against the grid
    standards, as `onegrid grids report` prints it; None without a registry."""

    policy = loaded.policy
    name = policy.manifest.get("registry") if policy is not None else None
    if not name:
        return None
    try:
        result = grids_report(policy, load_registry(policy))
    except OnegridError as exc:
        return RegistryReport(str(name), [messages.format_line(p, lang) for p in exc.problems])
    result.people = people_on_record(policy)
    return RegistryReport(
        str(name),
        [messages.format_line(p, lang) for p in result.problems],
        as_text(policy, result, lang),
    )


def people_on_record(policy) -> dict:
    """Real people beside the registry (`onegrid grids report --people`)."""
    from onegrid.workflow import people

    session = db.session()
    rules = policy.section("standards").get("staffing", [])
    return people.staffing(session, current_version(session), rules)


def uncounted_states(loaded) -> list[str]:
    """States a case is not counted in (`counted: false`: merged into another, 并单)."""
    policy = loaded.policy
    workflow = policy.section("workflow") if policy is not None else {}
    return [s["id"] for s in workflow.get("states") or () if s.get("counted") is False]


def likely_duplicates(session: Session, user: User, case: Case) -> list[Case]:
    """Open cases like this one (并单), among those the user may see."""
    from onegrid.workflow import duplicates
    from onegrid.workflow.rulebook import rulebook

    found = duplicates.of_case(session, rulebook(case.policy_version), case)
    ids = [c.id for c in found]
    return search(session, user, ids=ids) if ids else []


def duplicates_for_report(
    session: Session, user: User, matter: str, place: str | None
) -> list[Case]:
    """Open cases like the report being written (the reporting form shows them)."""
    from onegrid.workflow import duplicates
    from onegrid.workflow.rulebook import rulebook

    # shown as number, place and time only (never a description), in scope or not:
    # the reporter should know the problem is already being handled
    return duplicates.likely(session, rulebook(current_version(session)), matter, place)
