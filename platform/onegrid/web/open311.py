"""Open311 GeoReport v2 under /open311/v2/: matters are services, form fields attributes.

Written for the clients already out there: `api_key` and `jurisdiction_id`
are read from the query string or the body, an empty `jurisdiction_id`
counts as absent, the legacy `service/{code}` path answers like
`services/{code}`, request lists are always arrays (even of one), and
multivalue attributes arrive as `attribute[X][]`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request, url_for
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from onegrid import messages
from onegrid.forms import corefields
from onegrid.store import AuditEntry, Case, clients
from onegrid.web import (
    bounds,
    caseview,
    casework,
    db,
    formview,
    listing,
    policyview,
    scope,
    throttles,
)
from onegrid.web.i18n import current_lang, text_of
from onegrid.web.security import csrf
from onegrid.workflow import errors as wf_errors
from onegrid.workflow import rulebook
from onegrid.workflow.actor import Actor
from onegrid.workflow.calendar import duration_words

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")

SPEC = "http://wiki.open311.org/GeoReport_v2"
FORMATS = ("json", "xml")
TOKEN_PREFIX = "open311:"
# GeoReport v2: without dates, a search covers the most recent 90 days
DEFAULT_SPAN = dt.timedelta(days=90)
MAX_DESCRIPTION = 4000  # the GeoReport v2 schema's limit
DEFAULT_PRECISION = 3  # decimal places of a summary matter's coordinates (about 100 m)
DEFAULT_WINDOW = "10m"  # a client's identical requests within it are one case


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


# --- parameters --------------------------------------------------------------


def param(name: str) -> str | None:
    """A parameter from the body or the query string; empty counts as absent."""
    value = request.form.get(name)
    if value in (None, ""):
        value = request.args.get(name)
    return value if value not in (None, "") else None


def check_jurisdiction() -> None:
    wanted = param("jurisdiction_id")
    if wanted is not None and wanted != policyview.policy().id:
        raise Open311Error(404, f"unknown jurisdiction_id {wanted!r}")


def api_client():
    """The Open311 client whose key came with the request, or None without one.

    Only client keys open this door (never a staff API token); failures are
    throttled per address across every app process."""
    key = param("api_key")
    if key is None:
        return None
    if throttles.blocked("open311-key", throttles.address()):
        raise Open311Error(429, "too many invalid api_key attempts; try again later")
    client = clients.client_for_key(db.session(), key)
    if client is None:
        throttles.failed("open311-key", throttles.address())
        raise Open311Error(403, "invalid api_key")
    return client


# --- rendering ---------------------------------------------------------------


def _xml_value(parent: ET.Element, key: str, value: Any) -> None:
    child = ET.SubElement(parent, key)
    if isinstance(value, bool):
        child.text = "true" if value else "false"
    elif isinstance(value, list):
        singular = {
            "attributes": "attribute",
            "values": "value",
            "endpoints": "endpoint",
            "formats": "format",
            "groups": "group",
        }.get(key, "item")
        for item in value:
            _xml_item(child, singular, item)
    elif isinstance(value, dict):
        for k, v in value.items():
            _xml_value(child, k, v)
    elif value is not None:
        child.text = str(value)


def _xml_item(parent: ET.Element, tag: str, item: Any) -> None:
    if isinstance(item, dict):
        node = ET.SubElement(parent, tag)
        for k, v in item.items():
            _xml_value(node, k, v)
    else:
        _xml_value(parent, tag, item)


def respond(fmt: str, data: Any, root: str, item: str | None = None, status: int = 200):
    if fmt == "xml":
        top = ET.Element(root)
        if item is None:
            for k, v in data.items():
                _xml_value(top, k, v)
        else:
            for entry in data:
                _xml_item(top, item, entry)
        body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(top, encoding="utf-8")
        return Response(body, status=status, mimetype="text/xml")
    response = jsonify(data)
    response.status_code = status
    return response


@bp.errorhandler(Open311Error)
def open311_error(exc: Open311Error):
    fmt = "xml" if request.path.endswith(".xml") else "json"
    return respond(
        fmt, [{"code": exc.status, "description": exc.description}], "errors", "error", exc.status
    )


def need_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Open311Error(404, "format must be json or xml")
    return fmt


# --- services ----------------------------------------------------------------


def service_json(matter) -> dict[str, Any]:
    policy = policyview.policy()
    group = policy.get("category", matter.get("category")) if matter.get("category") else None
    return {
        "service_code": matter["id"],
        "service_name": text_of(matter.get("name")),
        "description": text_of(matter.get("description")) or None,
        "metadata": bool(matter.get("form")),
        "type": "realtime",
        "keywords": matter.get("code"),
        "group": text_of(group.get("name")) if group is not None else None,
        # an extension front ends read (FixMyStreet): every group the service is in
        "groups": groups_of(matter),
    }


def groups_of(matter) -> list[str]:
    """The names of the matter's group and the groups that hold it, outermost first."""
    policy = policyview.policy()
    names: list[str] = []
    seen: set[str] = set()
    group = policy.get("group", matter["group"]) if matter.get("group") else None
    while group is not None and group["id"] not in seen:
        seen.add(group["id"])
        names.insert(0, text_of(group.get("name")))
        group = policy.get("group", group["parent"]) if group.get("parent") else None
    return names


@bp.route("/discovery.<fmt>")
def discovery(fmt):
    need_format(fmt)
    data = {
        "changeset": policyview.load().policy.content_hash[:16],
        "contact": "onegrid",
        "key_service": "ask the administrators for an Open311 client key",
        "endpoints": [
            {
                "specification": SPEC,
                "url": url_for("open311.discovery", fmt="json", _external=True).rsplit("/", 1)[0],
                "changeset": policyview.policy().content_hash[:16],
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    return respond(fmt, data, "discovery")


@bp.route("/services.<fmt>")
def services(fmt):
    need_format(fmt)
    check_jurisdiction()
    data = [service_json(m) for m in policyview.policy().items("matter")]
    return respond(fmt, data, "services", "service")


@bp.route("/services/<code>.<fmt>")
@bp.route("/service/<code>.<fmt>")  # the legacy path some clients still call
def service_definition(code, fmt):
    need_format(fmt)
    check_jurisdiction()
    matter = policyview.policy().get("matter", code)
    if matter is None:
        raise Open311Error(404, f"unknown service_code {code!r}")
    attributes = formview.attributes(
        code,
        current_lang(),
        lookup=lambda name: url_for(
            "open311.attribute_values", code=code, attribute=name, fmt=fmt, _external=True
        ),
    )
    return respond(fmt, {"service_code": code, "attributes": attributes}, "service_definition")


LOOKUP_LIMIT = 50  # values one lookup answers with


@bp.route("/services/<code>/attributes/<attribute>.<fmt>")
def attribute_values(code, attribute, fmt):
    """The values of a long choice attribute (a district's hundreds of grids)
    matching `q` (in the id or the name), which the service definition
    names instead of listing them all."""
    need_format(fmt)
    check_jurisdiction()
    matter = policyview.policy().get("matter", code)
    if matter is None or not matter.get("form"):
        raise Open311Error(404, f"unknown service_code {code!r}")
    choices = formview.choices_of(matter["form"], attribute, current_lang())
    if choices is None:
        raise Open311Error(404, f"unknown attribute {attribute!r} of {code!r}")
    wanted = (param("q") or "").strip().lower()
    found = [
        {"key": key, "name": name}
        for key, name in choices
        if not wanted or wanted in key.lower() or wanted in name.lower()
    ]
    return respond(fmt, found[:LOOKUP_LIMIT], "values", "value")


# --- requests ----------------------------------------------------------------


def iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def request_json(case: Case, whole: bool = False) -> dict[str, Any]:
    """A request as GeoReport shows it; `whole` for the client that filed it,
    else only what the matter's visibility allows (never the reporter)."""
    facts = {
        **formview.read_core(case.submission),
        **{k: v for k, v in (case.facts or {}).items() if v is not None},
    }
    out = {
        "service_request_id": str(case.id),
        "status": "closed" if case.closed_at else "open",
        "status_notes": caseview.state_name(case, current_lang()),
        "service_name": caseview.name_of("matter", case.matter),
        "service_code": case.matter,
        "description": facts.get("description"),
        "agency_responsible": caseview.name_of("unit", case.unit) or None,
        "service_notice": notice(case.matter),
        "requested_datetime": iso(case.created_at),
        "updated_datetime": iso(case.updated_at),
        "expected_datetime": iso(case.due_at),
        "address": facts.get("address"),
        "address_id": case.place,
        "zipcode": None,
        "lat": facts.get("lat"),
        "long": facts.get("long"),
        "media_url": facts.get("media_url"),
    }
    if not whole and scope.matter_visibility(case.matter) != "public":
        # summary: no words, address or pictures; coordinates to the pack's precision
        digits = publication().get("precision", DEFAULT_PRECISION)
        out.update(description=None, address=None, media_url=None)
        for key in ("lat", "long"):
            if isinstance(out[key], int | float):
                out[key] = round(out[key], digits)
    if request.args.get("extensions") == "true":
        out["extended_attributes"] = extended(case, whole)
    return out


def extended(case: Case, whole: bool) -> dict[str, Any]:
    """`extensions=true`: the answers as attributes (photos aside; the
    reporter's contact only to the client that filed it; none of a summary
    matter's to anyone else)."""
    if not whole and scope.matter_visibility(case.matter) != "public":
        return {}
    hidden = set() if whole else formview.contact_fields()
    answers = dict(case.submission or {})
    form_id = (policyview.policy().get("matter", case.matter) or {}).get("form")
    for name in formview.photo_fields(form_id) if form_id else ():
        answers.pop(name, None)
    return {
        k: v if isinstance(v, str | int | float | bool | list) else caseview.shown(v)
        for k, v in answers.items()
        if k not in hidden
    }


def publication() -> dict[str, Any]:
    """The pack's `open311:` settings (in its matter catalog)."""
    policy = policyview.load().policy
    settings = policy.section("matters").get("open311") if policy is not None else None
    return settings if isinstance(settings, dict) else {}


def duplicate_window() -> dt.timedelta:
    text = str(publication().get("duplicate_window", DEFAULT_WINDOW))
    if text == "0":
        return dt.timedelta(0)
    number, unit = int(text[:-1]), text[-1]
    return dt.timedelta(minutes=number) if unit == "m" else dt.timedelta(hours=number)


def parse_date(name: str) -> dt.datetime | None:
    value = param(name)
    if value is None:
        return None
    try:
        return bounds.moment(value, name)
    except bounds.BadInput:
        raise Open311Error(400, f"{name} must be a W3C date-time") from None


def split(name: str) -> list[str]:
    value = param(name)
    return [v.strip() for v in value.split(",") if v.strip()] if value else []


# GeoReport v2 answers at most 1,000 requests; beyond, the paging extension:
# `page_size` (1..1,000) and `cursor`, the next page named in a Link header
PAGE_MOST = 1000


def page_size() -> int:
    value = param("page_size")
    if value is None:
        return PAGE_MOST
    if not value.isdigit() or not 1 <= int(value) <= PAGE_MOST:
        raise Open311Error(400, f"page_size must be a whole number from 1 to {PAGE_MOST}")
    return int(value)


def cursor() -> int | None:
    """The place after which the page starts (a cursor this server gave)."""
    try:
        key = listing.decode(param("cursor"), "new")
    except listing.BadCursor:
        raise Open311Error(400, "cursor is not one this server gave") from None
    return None if key is None else key[0]


def paged(stmt, order, size: int, key: str) -> tuple[list, int | None]:
    """One page of `stmt` in `order` (of the unique column `key`, ascending
    or descending): the rows, and the last one's key when more follow."""
    rows = db.session().scalars(stmt.order_by(order).limit(size + 1)).all()
    if len(rows) <= size:
        return rows, None
    return rows[:size], getattr(rows[size - 1], key)


def with_paging(response, counted, column, last: int | None, endpoint: str, fmt: str):
    """The extension's headers: `X-Total-Count` of the whole query (exact
    up to listing.COUNT_EXACT; above, an estimate, and
    `X-Total-Count-Estimated: true`), and the next page's cursor in
    `X-Next-Cursor` and `Link: rel=next` (the same query, one page on)."""
    total, estimated = listing.total(db.session(), counted, column)
    response.headers["X-Total-Count"] = str(total)
    if estimated:
        response.headers["X-Total-Count-Estimated"] = "true"
    if last is not None:
        token = listing.encode_key((last,))
        args = {**request.args.to_dict(flat=False), "cursor": token}
        response.headers["X-Next-Cursor"] = token
        response.headers["Link"] = f'<{url_for(endpoint, fmt=fmt, **args)}>; rel="next"'
    return response


def visible_requests():
    """Open311 reads: anyone sees the public view (scope.visible_public); a
    client key sees that and its own requests."""
    client = g.get("open311_client")
    if client is not None:
        return scope.visible_to_client(client)
    return scope.visible_public()


def shown(cases) -> list[dict[str, Any]]:
    client = g.get("open311_client")
    return [request_json(c, whole=scope.filed_by(c, client)) for c in cases]


@bp.route("/requests.<fmt>", methods=("GET",))
def list_requests(fmt):
    need_format(fmt)
    check_jurisdiction()
    stmt = visible_requests()
    ids = split("service_request_id")
    if ids:  # overrides every other filter, as the spec says
        numbers = [n for n in map(bounds.case_id, ids) if n is not None]
        stmt = stmt.where(Case.id.in_(numbers))
    else:
        codes = split("service_code")
        if codes:
            stmt = stmt.where(Case.matter.in_(codes))
        statuses = split("status")
        if statuses and not {"open", "closed"} >= set(statuses):
            raise Open311Error(400, "status must be open or closed")
        if statuses == ["open"]:
            stmt = stmt.where(Case.closed_at.is_(None))
        elif statuses == ["closed"]:
            stmt = stmt.where(Case.closed_at.is_not(None))
        start, end = parse_date("start_date"), parse_date("end_date")
        if start is None and end is None:
            start = dt.datetime.now(dt.UTC) - DEFAULT_SPAN
        if start is not None:
            stmt = stmt.where(Case.created_at >= start)
        if end is not None:
            stmt = stmt.where(Case.created_at <= end)
    size, last = page_size(), cursor()
    page = stmt if last is None else stmt.where(Case.id < last)
    cases, more = paged(page, Case.id.desc(), size, "id")
    response = respond(fmt, shown(cases), "service_requests", "request")
    return with_paging(response, stmt, Case.id, more, "open311.list_requests", fmt)


@bp.route("/requests/<request_id>.<fmt>", methods=("GET",))
def get_request(request_id, fmt):
    need_format(fmt)
    check_jurisdiction()
    case = None
    number = bounds.case_id(request_id)
    if number is not None:
        case = db.session().scalar(visible_requests().where(Case.id == number))
    if case is None:
        raise Open311Error(404, f"unknown service_request_id {request_id!r}")
    return respond(fmt, shown([case]), "service_requests", "request")


@bp.route("/servicerequestupdates.<fmt>", methods=("GET",))
def request_updates(fmt):
    """What happened to the requests one may read, step by step (the
    `servicerequestupdates` list FixMyStreet-style front ends poll):
    `start_date`/`end_date` (default the last 90 days), `service_request_id`,
    in the order they happened, paged as `requests` is."""
    need_format(fmt)
    check_jurisdiction()
    start, end = parse_date("start_date"), parse_date("end_date")
    if start is None and end is None:
        start = dt.datetime.now(dt.UTC) - DEFAULT_SPAN
    stmt = visible_requests()
    ids = split("service_request_id")
    if ids:
        stmt = stmt.where(Case.id.in_([n for n in map(bounds.case_id, ids) if n is not None]))
    visible = stmt.with_only_columns(Case.id).scalar_subquery()
    rows = select(AuditEntry).where(AuditEntry.case_id.in_(visible))
    if start is not None:
        rows = rows.where(AuditEntry.at >= start)
    if end is not None:
        rows = rows.where(AuditEntry.at <= end)
    size, last = page_size(), cursor()
    page = rows if last is None else rows.where(AuditEntry.seq > last)
    found, more = paged(page, AuditEntry.seq, size, "seq")
    session = db.session()
    cases = {
        c.id: c
        for c in session.scalars(select(Case).where(Case.id.in_({r.case_id for r in found})))
    }
    lang = current_lang()
    data = [update_json(cases[row.case_id], row, lang) for row in found]
    response = respond(fmt, data, "service_request_updates", "request_update")
    return with_paging(response, rows, AuditEntry.seq, more, "open311.request_updates", fmt)


def update_json(case: Case, row: AuditEntry, lang: str) -> dict[str, Any]:
    """One step of a case as a request update: the state it left the case
    in, in the pack's words (never who did it or what they wrote)."""
    data = json.loads(row.payload)["data"]
    book = rulebook(case.policy_version)
    state = data.get("to") or case.state
    closed = bool((book.states.get(state) or {}).get("final"))
    step = book.transitions.get(row.action) if row.action != "open" else None
    words = book.name(book.states.get(state), lang, state)
    if step is not None:
        words = (
            f"{book.name(step, lang, row.action)}：{words}"
            if lang == "zh"
            else f"{book.name(step, lang, row.action)}: {words}"
        )
    return {
        "update_id": str(row.seq),
        "service_request_id": str(case.id),
        "status": "closed" if closed else "open",
        "external_status_code": state,
        "updated_datetime": iso(row.at),
        "description": words,
        "media_url": None,
    }


@bp.route("/tokens/<token>.<fmt>", methods=("GET",))
def get_token(token, fmt):
    need_format(fmt)
    check_jurisdiction()
    case_id = token_case(token)
    stmt = visible_requests()
    if case_id is not None:
        case = db.session().scalar(stmt.where(Case.id == case_id))
    else:  # a token given before tokens were derived from the case
        case = db.session().scalar(stmt.where(Case.idempotency_key == TOKEN_PREFIX + token))
    if case is None:
        raise Open311Error(404, f"unknown token {token!r}")
    data = [{"service_request_id": str(case.id), "token": token}]
    return respond(fmt, data, "service_requests", "request")


@bp.route("/requests.<fmt>", methods=("POST",))
def create_request(fmt):
    need_format(fmt)
    check_jurisdiction()
    client = g.get("open311_client")
    if client is None:
        raise Open311Error(403, "api_key is required to create a request")
    policy = policyview.policy()
    code = param("service_code")
    matter = policy.get("matter", code) if code else None
    if matter is None:
        # GeoReport v2: an unknown service_code is 404
        raise Open311Error(404 if code else 400, f"unknown service_code {code!r}")
    place = param("address_id")
    if place is not None and policyview.load().unit(place) is None:
        raise Open311Error(400, f"unknown address_id {place!r}")
    try:
        lat, long = bounds.coordinates(param("lat"), param("long"))
    except bounds.BadInput as exc:
        raise Open311Error(400, str(exc)) from None
    address = param("address_string")
    if lat is None and long is None and address is None and place is None:
        raise Open311Error(
            400, "a location is required: lat and long, address_string or address_id"
        )
    description, media_url = param("description"), param("media_url")
    if description is not None and len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, f"description is longer than {MAX_DESCRIPTION} characters")
    if media_url is not None and urlsplit(media_url).scheme not in ("http", "https"):
        raise Open311Error(400, "media_url must be an http or https URL")
    core = core_fields(description, address, lat, long)
    submission, ignored = form_answers(matter.get("form"), core)
    facts = {
        "description": description,
        "address": address,
        "lat": lat,
        "long": long,
        "media_url": media_url,
        # the reporter's contact stays with the case; no reader but staff sees it
        "contact": corefields.contact(core) or None,
    }
    key = request.headers.get("Idempotency-Key") or None
    if key is not None and len(key) > bounds.MAX_KEY:
        raise Open311Error(400, f"Idempotency-Key is longer than {bounds.MAX_KEY} characters")
    content = content_hash()
    session = db.session()
    window = duplicate_window()
    earlier = None
    if key is None and window:
        clients.hold(session, client)  # retries in flight at once: one case
        since = dt.datetime.now(dt.UTC) - window
        earlier = clients.recent_duplicate(session, client, content, since)
    if earlier is not None:  # a retry of a client that sends no key: the same case
        case = session.get(Case, earlier)
    else:
        try:
            case = casework.open_case(
                session,
                client_actor(client),
                matter["id"],
                place,
                submission,
                # the client key's channel: the door and the credential decide, not the client
                channel=client.channel,
                allowed=[client.channel],
                door="open311",
                idempotency_key=f"open311:{client.id}:{key}" if key else None,
                extra_facts={k: v for k, v in facts.items() if v is not None},
                # in the case's own transaction: the duplicate window sees it at once
                recorded=lambda made: clients.file_case(session, made.id, client, content),
            )
        except wf_errors.InvalidSubmission as exc:
            session.rollback()
            text = "; ".join(messages.text(p.code, p.params, "en") for p in exc.problems)
            raise Open311Error(400, text or "invalid attributes") from None
        except wf_errors.Conflict:
            session.rollback()
            raise Open311Error(
                409, "this Idempotency-Key was already used for a different request"
            ) from None
        clients.file_case(session, case.id, client, content)  # a keyed replay: filed already
        session.commit()
    g.open311_case = case.id
    answer = {"service_request_id": str(case.id), "service_notice": notice(case.matter)}
    if ignored:  # told, not refused: a front end may send codes of another version
        answer["ignored_attributes"] = ", ".join(ignored)
    return respond(fmt, [answer], "service_requests", "request")


CONTACT_LIMITS = {"email": 254, "first_name": 60, "last_name": 60, "phone": 40}


def core_fields(description, address, lat, long) -> dict:
    """GeoReport's core fields as sent (None when absent), checked for length."""
    core = {"description": description, "address_string": address, "lat": lat, "long": long}
    for name, limit in CONTACT_LIMITS.items():
        value = param(name)
        if value is not None and len(value) > limit:
            raise Open311Error(400, f"{name} is longer than {limit} characters")
        core[name] = value
    email = core["email"]
    if email is not None and ("@" not in email or any(c.isspace() for c in email)):
        raise Open311Error(400, "email must be an e-mail address")
    return core


def form_answers(form_id: str | None, core: dict) -> tuple[dict, list[str]]:
    """The form's answers from the attributes sent, the core fields (the
    pack's mapping) and an uploaded `media` photo; refused with the fields'
    messages. Unknown attribute codes are left out and named."""
    if not form_id:
        return {}, []
    submission = formview.coerce_attributes(form_id, request.form)
    known = formview.field_names(form_id)
    ignored = sorted(k for k in submission if k not in known)
    for name in ignored:
        submission.pop(name)
    submission = formview.fill_core(form_id, core, submission)
    uploads = [f for f in request.files.getlist("media") if f and f.filename]
    refused: dict[str, list[str]] = {}
    if uploads:
        field = formview.photo_field(form_id)
        if field is None:
            raise Open311Error(400, "this service takes no photos: send media_url instead")
        refused = formview.save_photos(
            form_id, MultiDict([(field, f) for f in uploads]), submission, "en"
        )
    errors = {**formview.errors(form_id, submission, "en"), **refused}
    if errors:
        sources = formview.core_sources()
        text = "; ".join(
            f"{k}: {' '.join(v)}"
            + (
                f" (send {' or '.join(sources[k])}, or attribute[{k}])"
                if k not in submission and sources.get(k)
                else ""
            )
            for k, v in errors.items()
        )
        raise Open311Error(400, text)
    return submission, ignored


def notice(matter_id: str, lang: str | None = None) -> str | None:
    """What the reporter may expect, in the pack's words: each step's time limit."""
    lang = lang or current_lang()
    matter = policyview.policy().get("matter", matter_id) or {}
    limits = matter.get("limits") or {}
    if not limits:
        return None
    steps = {s["id"]: s for s in policyview.policy().section("workflow").get("steps") or ()}
    parts = []
    for step, limit in limits.items():
        name = text_of((steps.get(step) or {}).get("name"), lang) or step
        parts.append(
            f"{name} {duration_words(str(limit), lang)}内"
            if lang == "zh"
            else f"{name} within {duration_words(str(limit), lang)}"
        )
    return ("，".join(parts) + "。") if lang == "zh" else ("; ".join(parts) + ".")


def client_actor(client) -> Actor:
    """Who files a client's requests: the client itself, never a staff account."""
    return Actor(id=f"{clients.ACTOR_PREFIX}{client.id}", bindings=(), name=client.name)


def content_hash() -> str:
    """What the client sent, whatever the order (its key and jurisdiction aside)."""
    items = sorted(
        (k, v)
        for source in (request.args, request.form)
        for k, v in source.items(multi=True)
        if k not in ("api_key", "jurisdiction_id")
    )
    blob = json.dumps(items, ensure_ascii=False)
    return "sha256:" + hashlib.sha256(blob.encode()).hexdigest()


def case_token(case_id: int) -> str:
    """GeoReport's token: derived from the case, so nothing needs storing."""
    mac = hmac.new(current_app.secret_key.encode(), f"open311-token:{case_id}".encode(), "sha256")
    return f"{case_id}-{mac.hexdigest()[:24]}"


def token_case(token: str) -> int | None:
    number, _, _ = token.partition("-")
    case_id = bounds.case_id(number)
    if case_id is None or not hmac.compare_digest(case_token(case_id), token):
        return None
    return case_id


@bp.before_request
def authenticate():
    g.open311_client = api_client() if request.endpoint != "open311.discovery" else None


def init_app(app: Flask) -> None:
    # clients authenticate with api_key, never with the staff session cookie
    csrf.exempt(bp)
    app.register_blueprint(bp)
