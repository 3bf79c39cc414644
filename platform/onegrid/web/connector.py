"""The connector API under /api/v1/connector/: how another system (a 12345
hotline, a petitions desk, a city-management platform) sends us its cases
and hears what becomes of them.

A connector authenticates with the client key an administrator made for it
(`Authorization: Bearer o311_…`, the client keys page): the key's channel
is the channel its cases enter by, so hotline cases are hotline cases for
routing and the indicators. Each case carries the sender's own ticket
number (`external_id`), which makes a re-sent batch file nothing twice and
lets the sender look its cases up. State changes go back to the URL it
registers, through the notification outbox (signed, retried with backoff).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, g, jsonify, request, url_for
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from onegrid import messages
from onegrid.store import Case, Webhook, clients, utcnow
from onegrid.web import (
    api,
    bounds,
    caseview,
    casework,
    db,
    formview,
    listing,
    policyview,
    throttles,
)
from onegrid.web.i18n import current_lang
from onegrid.web.open311 import client_actor
from onegrid.web.security import csrf
from onegrid.workflow import errors as wf_errors
from onegrid.workflow import notify

bp = Blueprint("connector", __name__, url_prefix="/api/v1/connector")

MAX_BATCH = 1000
MAX_EXTERNAL_ID = 120
# cases committed together: one disk flush per chunk, not per case, and the
# write lock (SQLite) held for a chunk, not a whole batch
CHUNK = 100
CORE = ("description", "email", "first_name", "last_name", "phone")
CORE_LIMITS = {"description": 4000, "email": 254, "first_name": 60, "last_name": 60, "phone": 40}

messages.register(
    {
        "connector-external-id": {
            "zh": "external_id 须为 1 至 {max} 个字符的字符串",
            "en": "external_id must be a string of 1 to {max} characters",
        },
        "connector-external-id-twice": {
            "zh": "本批中 external_id '{id}' 出现了不止一次",
            "en": "external_id '{id}' comes more than once in this batch",
        },
        "connector-external-id-used": {
            "zh": "external_id '{id}' 已用于内容不同的案件 #{case}",
            "en": "external_id '{id}' was already used for a different case, #{case}",
        },
        "connector-field-type": {
            "zh": "'{field}' 须为{type}",
            "en": "'{field}' must be {type}",
        },
        "connector-unknown-matter": {
            "zh": "未知事项 '{matter}'",
            "en": "unknown matter '{matter}'",
        },
        "connector-unknown-place": {
            "zh": "未知地点 '{place}'",
            "en": "unknown place '{place}'",
        },
        "connector-not-saved": {
            "zh": "未保存：本批有被拒收的案件，且要求全部成功（all_or_nothing）",
            "en": "not saved: the batch has refused cases and asked for all or nothing",
        },
    }
)

TYPES = {
    "string": ("字符串", "a string"),
    "object": ("对象", "an object"),
    "number": ("数字", "a number"),
}


def said(code: str, **params) -> str:
    return messages.text(code, params, current_lang())


@bp.before_request
def authenticate():
    header = request.headers.get("Authorization", "")
    key = header[len("Bearer ") :].strip() if header.startswith("Bearer ") else ""
    if not key:
        return api.error(401, "unauthorized", "send the connector's client key as a bearer token")
    if throttles.blocked("open311-key", throttles.address()):
        response = api.error(429, "too-many-requests", "too many invalid keys; try again later")
        response.headers["Retry-After"] = "300"
        return response
    client = clients.client_for_key(db.session(), key)
    if client is None:
        throttles.failed("open311-key", throttles.address())
        return api.error(401, "unauthorized", "invalid client key")
    g.connector = client
    return None


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    return api.http_error(exc)


def hook_key() -> str:
    return notify.client_hook(g.connector.id)


def external_key(external_id: str) -> str:
    """The case's idempotency key: the sender's ticket number, per connector."""
    return f"connector:{g.connector.id}:{external_id}"


# --- batch intake ----------------------------------------------------------------


@bp.route("/batches", methods=("POST",))
def post_batch():
    """File up to 1,000 cases; each is accepted or refused with its field
    errors. A case whose external_id was filed before is that case again
    (0 new on a re-sent batch). `all_or_nothing: true`: nothing is saved
    unless every case is accepted."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("cases"), list):
        return api.error(400, "bad-request", "a JSON object with the list 'cases' is required")
    items = body["cases"]
    whole = body.get("all_or_nothing", False)
    if not isinstance(whole, bool):
        return api.error(400, "bad-request", "'all_or_nothing' must be true or false")
    if not 1 <= len(items) <= MAX_BATCH:
        return api.error(400, "bad-request", f"send 1 to {MAX_BATCH} cases a call")
    session = db.session()
    results: list[dict[str, Any]] = []
    seen: set[str] = set()
    version = casework.current_version(session)  # once: every case of a batch is under it
    for n, item in enumerate(items, 1):
        results.append(file_one(session, item, seen, version))
        if not whole and n % CHUNK == 0:
            session.commit()  # other writers are not kept waiting for the whole batch
    refused = [r for r in results if r["status"] == "refused"]
    if whole and refused:
        session.rollback()
        for r in results:
            if r["status"] != "refused":
                r.update(status="not-saved", case=None)
        return jsonify(
            {
                "saved": False,
                "message": said("connector-not-saved"),
                "created": 0,
                "existing": 0,
                "refused": len(refused),
                "results": results,
            }
        ), 422
    session.commit()
    return jsonify(
        {
            "saved": True,
            "created": sum(r["status"] == "created" for r in results),
            "existing": sum(r["status"] == "existing" for r in results),
            "refused": len(refused),
            "results": results,
        }
    )


def file_one(session, item: Any, seen: set[str], version) -> dict[str, Any]:
    """One case of a batch, in a savepoint of its own: a refused case
    leaves the others as they are."""
    external_id = item.get("external_id") if isinstance(item, dict) else None
    out: dict[str, Any] = {"external_id": external_id}
    if not isinstance(external_id, str) or not 1 <= len(external_id) <= MAX_EXTERNAL_ID:
        return refused(out, "external_id", said("connector-external-id", max=MAX_EXTERNAL_ID))
    if external_id in seen:
        return refused(out, "external_id", said("connector-external-id-twice", id=external_id))
    seen.add(external_id)
    shaped = shape(item)
    if isinstance(shaped, dict) and "errors" in shaped:
        return {**out, "status": "refused", "errors": shaped["errors"]}
    matter, place, submission, facts = shaped
    key = external_key(external_id)
    digest = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    made: list[int] = []

    def recorded(case: Case) -> None:  # called only for a new case, not a replay
        made.append(case.id)
        clients.file_case(session, case.id, g.connector, digest)

    try:
        with session.begin_nested():
            case = casework.open_case(
                session,
                client_actor(g.connector),
                matter,
                place,
                submission,
                channel=g.connector.channel,
                allowed=[g.connector.channel],
                door="api",
                idempotency_key=key,
                extra_facts={**facts, "external_id": external_id},
                recorded=recorded,
                version=version,
                commit=False,
            )
    except wf_errors.InvalidSubmission as exc:
        errors = exc.errors if isinstance(getattr(exc, "errors", None), dict) else None
        return {**out, "status": "refused", "errors": errors or {"": [api.problems_text(exc)]}}
    except wf_errors.Conflict:
        first = session.scalar(select(Case.id).where(Case.idempotency_key == key))
        return refused(
            out, "external_id", said("connector-external-id-used", id=external_id, case=first)
        )
    except wf_errors.Forbidden as exc:
        return refused(out, "", api.problems_text(exc))
    return {**out, "status": "created" if made else "existing", "case": case.id}


def refused(out: dict, field: str, text: str) -> dict:
    return {**out, "status": "refused", "errors": {field: [text]}}


def shape(item: dict):
    """(matter, place, submission, facts) of one case, or {"errors": …}."""
    errors: dict[str, list[str]] = {}
    lang = current_lang()

    def wrong(field: str, kind: str) -> None:
        errors.setdefault(field, []).append(
            said("connector-field-type", field=field, type=TYPES[kind][0 if lang == "zh" else 1])
        )

    matter = item.get("matter")
    if not isinstance(matter, str):
        wrong("matter", "string")
    elif policyview.policy().get("matter", matter) is None:
        errors["matter"] = [said("connector-unknown-matter", matter=matter)]
    place = item.get("place")
    if place is not None and not isinstance(place, str):
        wrong("place", "string")
    elif place is not None and policyview.load().unit(place) is None:
        errors["place"] = [said("connector-unknown-place", place=place)]
    submission = item.get("submission", {})
    if not isinstance(submission, dict):
        wrong("submission", "object")
    core: dict[str, Any] = {}
    for name in CORE:
        value = item.get(name)
        if value is None:
            continue
        if not isinstance(value, str) or len(value) > CORE_LIMITS[name]:
            wrong(name, "string")
            continue
        core[name] = value
    where = api.where_of(item)
    if isinstance(where, str):
        errors.setdefault("location", []).append(where)
    if errors:
        return {"errors": errors}
    form_id = policyview.policy().get("matter", matter).get("form")
    if form_id:
        core.update(
            address_string=where.get("address"), lat=where.get("lat"), long=where.get("long")
        )
        submission = formview.fill_core(form_id, core, submission)
    facts = dict(where)
    contact = {k: core[k] for k in ("email", "first_name", "last_name", "phone") if core.get(k)}
    if contact:
        facts["contact"] = contact
    return matter, place or None, submission, facts


# --- reading back -----------------------------------------------------------------


def case_json(case: Case) -> dict[str, Any]:
    """A connector's own case: where it stands, in ids and the pack's words."""
    lang = current_lang()
    data = caseview.case_json(case, lang)
    keep = (
        "id", "matter", "matter_name", "title", "state", "state_name", "step", "step_name",
        "channel", "place", "place_name", "unit", "unit_name", "due_at", "created_at",
        "updated_at", "closed_at", "version",
    )  # fmt: skip
    out = {k: data[k] for k in keep}
    out["external_id"] = (case.facts or {}).get("external_id")
    out["status"] = "closed" if case.closed_at else "open"
    return out


def own_cases():
    return select(Case).where(
        Case.id.in_(
            select(clients.CaseClient.case_id).where(clients.CaseClient.client_id == g.connector.id)
        )
    )


@bp.route("/cases")
def list_cases():
    """The connector's cases, oldest change first: `updated_since` (a
    date-time), `limit` (at most 500) and `cursor` (from X-Next-Cursor)."""
    since = api.parse_time(request.args.get("updated_since"))
    limit = api.page_limit()
    if limit is None:
        return api.error(400, "bad-request", "limit must be between 1 and 500")
    stmt = own_cases()
    if since is not None:
        stmt = stmt.where(Case.updated_at >= since)
    try:
        keyset = listing.after(request.args.get("cursor") or None, "updated")
    except listing.BadCursor:
        return api.error(400, "bad-request", "cursor is not one this API gave")
    if keyset is not None:
        stmt = stmt.where(keyset)
    session = db.session()
    rows = session.scalars(stmt.order_by(*listing.order_of("updated")).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    response = jsonify([case_json(c) for c in rows])
    if more and rows:
        cursor = listing.encode(rows[-1], "updated")
        response.headers["X-Next-Cursor"] = cursor
        nxt = url_for(
            "connector.list_cases", **{**request.args.to_dict(flat=False), "cursor": cursor}
        )
        response.headers["Link"] = f'<{nxt}>; rel="next"'
    return response


@bp.route("/cases/external/<external_id>")
def by_external_id(external_id):
    """The case the connector filed with its own ticket number."""
    if len(external_id) > MAX_EXTERNAL_ID:
        return api.error(404, "not-found", "no case has this external_id")
    case = db.session().scalar(own_cases().where(Case.idempotency_key == external_key(external_id)))
    if case is None:
        return api.error(404, "not-found", "no case has this external_id")
    return jsonify(case_json(case))


@bp.route("/cases/<int:case_id>")
def get_case(case_id):
    if bounds.case_id(case_id) is None:
        return api.error(404, "not-found", "no such case")
    case = db.session().scalar(own_cases().where(Case.id == case_id))
    if case is None:
        return api.error(404, "not-found", "no such case")
    return jsonify(case_json(case))


# --- callbacks --------------------------------------------------------------------


@bp.route("/callback", methods=("GET",))
def get_callback():
    hook = db.session().scalar(select(Webhook).where(Webhook.unit == hook_key()))
    if hook is None:
        return api.error(404, "not-found", "no callback URL is registered")
    return jsonify({"url": hook.url, "active": hook.active})


@bp.route("/callback", methods=("PUT",))
def put_callback():
    """Register the URL each state change of the connector's cases is
    posted to, signed with `secret` (HMAC-SHA256 of the body, in the
    X-Onegrid-Signature header; one is made and shown once if not sent)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("url"), str):
        return api.error(400, "bad-request", "a JSON object with 'url' is required")
    url = body["url"]
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 2000:
        return api.error(400, "bad-request", "'url' must be an http or https URL")
    secret = body.get("secret")
    if secret is not None and (not isinstance(secret, str) or not 16 <= len(secret) <= 200):
        return api.error(400, "bad-request", "'secret' must be a string of 16 to 200 characters")
    session = db.session()
    hook = session.scalar(select(Webhook).where(Webhook.unit == hook_key()))
    if hook is None:
        hook = Webhook(unit=hook_key(), created_at=utcnow())
        session.add(hook)
    hook.url = url
    hook.secret = secret or secrets.token_urlsafe(24)
    hook.active = True
    hook.updated_at = utcnow()
    session.commit()
    return jsonify({"url": hook.url, "secret": hook.secret, "active": True})


@bp.route("/callback", methods=("DELETE",))
def delete_callback():
    session = db.session()
    hook = session.scalar(select(Webhook).where(Webhook.unit == hook_key()))
    if hook is not None:
        session.delete(hook)
        session.commit()
    return "", 204


def init_app(app: Flask) -> None:
    csrf.exempt(bp)  # a client key, never the staff session cookie
    app.register_blueprint(bp)
