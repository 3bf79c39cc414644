"""The JSON API under /api/v1/: what the pages do, for programs.

Authentication: `Authorization: Bearer <token>` (POST /api/v1/tokens), or
the staff session cookie; a cookie-authenticated write needs the CSRF token
in an `X-CSRFToken` header, a token-authenticated one does not (a browser
never sends a bearer token by itself). Scoping is the pages' (`scope`).
"""

from __future__ import annotations

import datetime as dt
import json

from flask import Blueprint, Flask, abort, current_app, g, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from onegrid import messages
from onegrid.store import accounts
from onegrid.web import (
    bounds,
    caseview,
    casework,
    db,
    formview,
    listing,
    openapi,
    policyview,
    scope,
    scores,
    throttles,
)
from onegrid.web.admin import origin
from onegrid.web.errorpages import with_headers
from onegrid.web.i18n import current_lang, text_of
from onegrid.web.security import csrf
from onegrid.workflow import case as wf_case
from onegrid.workflow import errors as wf_errors

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def error(status: int, code: str, message: str, **extra):
    response = jsonify({"error": code, "message": message, **extra})
    response.status_code = status
    return response


@bp.before_request
def authenticate():
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        user = accounts.user_for_token(db.session(), header[len("Bearer ") :].strip())
        if user is None:
            return error(401, "unauthorized", "invalid token")
        g.user = user
        g.api_token = True
        return None
    g.api_token = False
    writes = request.method not in ("GET", "HEAD", "OPTIONS")
    if g.get("user") is not None and writes and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    return None


def need_user():
    if g.get("user") is None:
        abort(401)
    return g.user


def need_admin():
    user = need_user()
    if not user.is_admin:
        abort(404)
    return user


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException):
    code = {401: "unauthorized", 403: "forbidden", 404: "not-found", 409: "conflict"}.get(
        exc.code, "error"
    )
    return with_headers(error(exc.code or 500, code, exc.description or code), exc)


@bp.route("/openapi.json")
def openapi_document():
    return jsonify(openapi.document())


@bp.route("/tokens", methods=("POST",))
def tokens():
    body = request.get_json(silent=True) or request.form
    if not hasattr(body, "get"):
        return error(400, "bad-request", "send username and password")
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        return error(400, "bad-request", "send username and password")
    if throttles.blocked("tokens", username) or throttles.blocked(
        "tokens-address", throttles.address()
    ):
        response = error(429, "too-many-requests", "too many failed attempts; try again later")
        response.headers["Retry-After"] = "300"
        return response
    user = accounts.authenticate(db.session(), username, password)
    if user is None:
        throttles.failed("tokens", username)
        throttles.failed("tokens-address", throttles.address())
        return error(401, "unauthorized", "wrong username or password")
    throttles.passed("tokens", username)
    name = body.get("name") or "api"
    if not isinstance(name, str) or len(name) > 128:
        return error(400, "bad-request", "'name' must be a string of at most 128 characters")
    token = accounts.issue_token(db.session(), user, name=name)
    db.session().commit()
    return jsonify({"token": token, "user": user_json(user)}), 201


@bp.route("/tokens/current", methods=("DELETE",))
def revoke_token():
    """Log out an API client: the token it sent stops working."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return error(401, "unauthorized", "send the token to revoke as a bearer token")
    accounts.revoke_token(db.session(), header[len("Bearer ") :].strip())
    db.session().commit()
    return "", 204


def user_json(user) -> dict:
    return {
        "username": user.username,
        "name": user.name,
        "is_admin": user.is_admin,
        "bindings": [{"role": b.role, "unit": b.unit} for b in user.bindings],
    }


@bp.route("/me")
def me():
    return jsonify(user_json(need_user()))


@bp.route("/matters")
def matters():
    need_user()
    lang = current_lang()
    return jsonify(
        [
            {
                "id": m["id"],
                "code": m.get("code"),
                "name": text_of(m.get("name"), lang),
                "unit": m.get("unit"),
                "form": m.get("form"),
                "on_the_spot": bool(m.get("on_the_spot")),
            }
            for m in policyview.policy().items("matter")
        ]
    )


@bp.route("/matters/<matter_id>/form")
def matter_form(matter_id):
    """The fields a report of this matter takes (as Open311 attributes)."""
    need_user()
    if policyview.policy().get("matter", matter_id) is None:
        abort(404)
    return jsonify({"matter": matter_id, "fields": formview.attributes(matter_id, current_lang())})


def parse_time(value: str | None) -> dt.datetime | None:
    if value is None:  # an empty value is not a date-time: refused, not ignored
        return None
    try:
        return bounds.moment(value, "start/end")
    except bounds.BadInput as exc:
        abort(400, str(exc))


@bp.route("/cases")
def list_cases():
    """One page of cases (the inbox's listing): `tab`, the inbox's filters,
    `sort`, `limit` (at most 500) and `cursor`; the next page's cursor is in
    the `X-Next-Cursor` header (and `Link: rel=next`), the total in `X-Total-Count`
    (exact up to listing.COUNT_EXACT; above, an estimate, and
    `X-Total-Count-Estimated: true` says so)."""
    user = need_user()
    lang = current_lang()
    # an empty tab is refused, not taken as absent (found by schemathesis)
    tab = request.args.get("tab")
    if tab is None:
        tab = "all"
    if tab not in listing.TABS:
        abort(400, f"tab must be one of {', '.join(listing.TABS)}")
    f = listing.Filters.from_args(request.args)
    f.start = parse_time(request.args.get("start"))
    f.end = parse_time(request.args.get("end"))
    f.updated_since = parse_time(request.args.get("updated_since"))
    default = "updated" if f.updated_since else "new" if tab == "all" else "due"
    sort = request.args.get("sort") or default
    if sort not in listing.SORTS:
        abort(400, f"sort must be one of {', '.join(listing.SORTS)}")
    limit = page_limit()
    if limit is None:
        abort(400, "limit must be between 1 and 500")
    try:
        page = listing.listing(
            db.session(),
            user,
            tab,
            f,
            sort,
            request.args.get("cursor") or None,
            limit,
            with_counts=False,
        )
    except listing.BadCursor:
        abort(400, "cursor is not one this API gave")
    response = jsonify([caseview.case_json(c, lang) for c in page.cases])
    response.headers["X-Total-Count"] = str(page.total)
    if tab in page.estimated:
        response.headers["X-Total-Count-Estimated"] = "true"
    if page.next_cursor:
        response.headers["X-Next-Cursor"] = page.next_cursor
        nxt = url_for(
            "api.list_cases", **{**request.args.to_dict(flat=False), "cursor": page.next_cursor}
        )
        response.headers["Link"] = f'<{nxt}>; rel="next"'
    return response


def page_limit(default: int = 100, most: int = 500) -> int | None:
    """`limit` of a list: a whole number in 1..most; None when it is not one
    (Flask's type=int would take "abc" as the default)."""
    text = request.args.get("limit")
    if text is None:
        return default
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= most:
        return None
    return int(text)


@bp.route("/cases", methods=("POST",))
def create_case():
    user = need_user()
    multipart = request.mimetype == "multipart/form-data"
    body = multipart_body() if multipart else request.get_json(silent=True)
    if isinstance(body, str):
        return error(400, "bad-request", body)
    if not isinstance(body, dict) or not isinstance(body.get("matter"), str):
        return error(400, "bad-request", "a JSON object with 'matter' is required")
    if not isinstance(body.get("submission", {}), dict):
        return error(400, "bad-request", "'submission' must be an object")
    for key in ("place", "idempotency_key", "channel"):
        if not isinstance(body.get(key, ""), str):
            return error(400, "bad-request", f"'{key}' must be a string")
    policy = policyview.policy()
    if policy.get("matter", body["matter"]) is None:
        return error(422, "unknown-matter", f"unknown matter {body['matter']!r}")
    place = body.get("place")
    if place is not None and policyview.load().unit(place) is None:
        return error(422, "unknown-place", f"unknown place {place!r}")
    channel = body.get("channel") or None  # None: the api door's channel
    key = request.headers.get("Idempotency-Key") or body.get("idempotency_key") or None
    if key is not None and len(key) > bounds.MAX_KEY:
        return error(400, "bad-request", f"the idempotency key is longer than {bounds.MAX_KEY}")
    where = where_of(body)
    if isinstance(where, str):
        return error(400, "bad-request", where)
    submission = body.get("submission") or {}
    form_id = policy.get("matter", body["matter"]).get("form")
    if multipart and form_id:
        # the photos uploaded with the report, checked as the pages check them
        refused = formview.save_photos(form_id, request.files, submission, current_lang())
        if refused:
            return error(
                422,
                "invalid-submission",
                "; ".join(" ".join(v) for v in refused.values()),
                errors=refused,
            )
    try:
        case = casework.open_case(
            db.session(),
            user,
            body["matter"],
            place,
            submission,
            channel=channel,
            door="api",
            # a key is the client's own: another user's same key is another request
            idempotency_key=f"api:{user.id}:{key}" if key else None,
            extra_facts=where,
        )
    except wf_errors.InvalidSubmission as exc:
        db.session().rollback()
        return invalid(exc)
    except wf_errors.Conflict as exc:
        db.session().rollback()
        return error(409, "conflict", problems_text(exc))
    except wf_errors.Forbidden as exc:
        db.session().rollback()
        return error(403, "forbidden", problems_text(exc))
    return jsonify(case_detail(case)), 201


def multipart_body() -> dict | str:
    """A report sent as multipart/form-data (to carry photos): the JSON
    fields as form fields, `submission` a JSON object in its own field, the
    photos as files named by their photo field; a message when malformed."""
    body: dict = {k: v for k, v in request.form.items() if k != "submission"}
    for key in ("lat", "long"):
        if key in body:
            try:
                body[key] = float(body[key])
            except ValueError:
                return f"'{key}' must be a number"
    text = request.form.get("submission")
    if text:
        try:
            body["submission"] = json.loads(text)
        except ValueError:
            return "'submission' must be a JSON object"
    return body


def where_of(body: dict) -> dict | str:
    """`lat`, `long` and `address`: where the case is when no place is given
    (the router finds the place); a message when malformed."""
    out: dict = {}
    for key in ("lat", "long"):
        value = body.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            return f"'{key}' must be a number"
        out[key] = float(value)
    if ("lat" in out) != ("long" in out):
        return "'lat' and 'long' go together"
    if out and not (-90 <= out["lat"] <= 90 and -180 <= out["long"] <= 180):
        return "'lat' must be within ±90 and 'long' within ±180"
    address = body.get("address")
    if address is not None:
        if not isinstance(address, str) or len(address) > 200:
            return "'address' must be a string of at most 200 characters"
        out["address"] = address
    return out


def problems_text(exc) -> str:
    return "; ".join(messages.text(p.code, p.params, current_lang()) for p in exc.problems)


def invalid(exc):
    errors = getattr(exc, "errors", None)
    if not isinstance(errors, dict):  # problems with the case itself, not a field
        errors = {"": [messages.text(p.code, p.params, current_lang()) for p in exc.problems]}
    return error(422, "invalid-submission", problems_text(exc), errors=errors)


def case_detail(case) -> dict:
    lang = current_lang()
    actor = casework.actor_of(g.user)
    data = caseview.case_json(case, lang)
    data["actions"] = [
        caseview.action_json(a, lang) for a in wf_case.actions_for(case, actor, lang)
    ]
    data["why"] = caseview.why_text(case, lang, admin=g.user.is_admin)
    data["duplicates"] = [c.id for c in casework.likely_duplicates(db.session(), g.user, case)]
    return data


@bp.route("/cases/<int:case_id>")
def get_case(case_id):
    return jsonify(case_detail(scope.case_or_404(need_user(), case_id)))


@bp.route("/cases/<int:case_id>/trail")
def get_trail(case_id):
    case = scope.case_or_404(need_user(), case_id)
    lang = current_lang()
    return jsonify([caseview.step_json(s, lang) for s in wf_case.trail(db.session(), case.id)])


@bp.route("/cases/<int:case_id>/photos/<name>")
def get_photo(case_id, name):
    return casework.photo_response(scope.case_or_404(need_user(), case_id), name)


@bp.route("/cases/<int:case_id>/actions/<action_id>", methods=("POST",))
def take_action(case_id, action_id):
    user = need_user()
    case = scope.case_or_404(user, case_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("version"), int):
        return error(400, "bad-request", "a JSON object with the integer 'version' is required")
    if not isinstance(body.get("submission", {}), dict):
        return error(400, "bad-request", "'submission' must be an object")
    try:
        case = wf_case.act(
            db.session(),
            case.id,
            action_id,
            casework.actor_of(user),
            body.get("submission") or {},
            body["version"],
            lang=current_lang(),
        )
    except wf_errors.InvalidSubmission as exc:
        db.session().rollback()
        return invalid(exc)
    except wf_errors.Conflict as exc:
        db.session().rollback()
        return error(409, "conflict", problems_text(exc))
    except wf_errors.Forbidden as exc:
        db.session().rollback()
        return error(403, "forbidden", problems_text(exc))
    return jsonify(case_detail(case))


@bp.route("/versions")
def list_versions():
    need_admin()
    return jsonify(casework.versions(db.session()))


@bp.route("/versions", methods=("POST",))
def publish_version():
    user = need_admin()
    loaded = policyview.load()
    if loaded.policy is None or any(p.severity == "error" for p in loaded.problems):
        return error(422, "pack-has-errors", "the pack has errors and cannot be published")
    version = casework.publish(db.session(), loaded.policy, by=user.username)
    db.session().commit()
    return jsonify({"id": version}), 201


@bp.route("/pack")
def pack():
    """The loaded pack: every item by kind, with the file and line it came from."""
    need_admin()
    loaded = policyview.load()
    policy = loaded.policy
    if policy is None:
        return error(422, "pack-has-errors", "the pack does not load")
    lang = current_lang()
    return jsonify(
        {
            "id": policy.id,
            "name": text_of(policy.manifest.get("name"), lang),
            "content_hash": policy.content_hash,
            "items": {
                ns: [
                    {
                        "id": item.get("id"),
                        "name": text_of(item.get("name"), lang),
                        "origin": origin(item),
                    }
                    for item in policy.items(ns)
                ]
                for ns in sorted(policy.index)
            },
        }
    )


@bp.route("/registry")
def registry():
    need_admin()
    report = casework.registry_report(policyview.load(), current_lang())
    if report is None:
        abort(404)
    return jsonify({"registry": report.source, "problems": report.lines})


@bp.route("/checks")
def checks():
    need_admin()
    lang = current_lang()
    return jsonify([messages.as_json(p, lang) for p in policyview.load().problems])


@bp.route("/dashboard")
def dashboard():
    need_admin()
    args = request.args
    rows = scores.dashboard_view(args.get("period"), args.get("area"))["rows"]
    lang = current_lang()
    return jsonify([{**r, "name": text_of(r["name"], lang)} for r in rows])


def init_app(app: Flask) -> None:
    # CSRF is checked in `authenticate` above, only for cookie-authenticated writes
    csrf.exempt(bp)
    app.register_blueprint(bp)
