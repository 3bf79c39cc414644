"""Input bounds before work: body sizes per endpoint, JSON depth, NUL bytes,
ids, moments and coordinates checked at the edge, and strict JSON out.

Size comes first, before the CSRF check reads a form and before anyone is
authenticated: an anonymous client may only send the small bodies of the
doors it may use (login, tokens, Open311 POST), so a 14 MB form from
nobody is refused unread (issue 20: it used to cost 11 s of CPU and 640 MB).
A logged-in staff member (signed session cookie) or a client with a valid
bearer token gets the endpoint's own limit.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from typing import Any

from flask import Flask, abort, request, session
from flask.json.provider import DefaultJSONProvider

from onegrid.store import accounts, clients
from onegrid.web import db, uploads

KB = 1024
MB = 1024 * KB
# what an unauthenticated client may send to the doors open to it
ANONYMOUS = 64 * KB
# an authenticated JSON body (a case with its form; photos come as uploads)
JSON_BODY = 1 * MB
# page forms carry photo uploads: the app's MAX_CONTENT_LENGTH
LIMITS = {
    "api.create_case": JSON_BODY,
    "api.take_action": JSON_BODY,
    "api.tokens": 4 * KB,
    "auth.login": 4 * KB,
    "auth.switch_lang": 4 * KB,
    "open311.create_request": ANONYMOUS,
    # 1,000 cases of a hotline's batch, each with its form
    "connector.post_batch": 8 * MB,
    # a party member's self-service registration: five short fields
    "posts.join": 16 * KB,
}
# an API report with its photos (multipart) takes the pages' limit
UPLOADS = {"api.create_case"}
# a client key known before the body is read lifts these to their own limits
# (an Open311 photo upload with api_key in the query string; a connector)
CLIENT_LIMITS = {"open311.create_request": None, "connector.post_batch": 8 * MB}
MAX_DEPTH = 16
# a database integer (BIGINT); a larger id names no row
MAX_ID = 2**63 - 1
MAX_KEY = 100  # idempotency keys


class BadInput(ValueError):
    """Input refused at the edge; the message names what and where."""


# --- the request body, before anything reads it ---------------------------------


def authenticated() -> bool:
    if session.get("uid") is not None:
        return True
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        token = header[len("Bearer ") :].strip()
        return bool(token) and accounts.user_for_token(db.session(), token) is not None
    return False


def client_key_sent() -> bool:
    """A valid client key in the Authorization header or the query string."""
    header = request.headers.get("Authorization", "")
    key = header[len("Bearer ") :].strip() if header.startswith("Bearer ") else None
    key = key or request.args.get("api_key")
    return bool(key) and clients.client_for_key(db.session(), key) is not None


def body_limit() -> None:
    """Refuse a body above the endpoint's limit before it is read."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    limit = LIMITS.get(request.endpoint or "")
    if request.endpoint in uploads.ENDPOINTS:
        limit = uploads.page_body()  # each file stored only up to its limit
    if request.endpoint in UPLOADS and request.mimetype == "multipart/form-data":
        if authenticated():
            return  # photos: the app's MAX_CONTENT_LENGTH, as on the pages
        limit = ANONYMOUS
    elif request.endpoint in CLIENT_LIMITS and client_key_sent():
        limit = CLIENT_LIMITS[request.endpoint]
        if limit is None:  # the app's MAX_CONTENT_LENGTH (photo uploads)
            return
    elif (limit is None or limit > ANONYMOUS) and not authenticated():
        limit = min(limit or ANONYMOUS, ANONYMOUS)
    if limit is None:
        return
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        abort(413, f"the request body is larger than {limit // KB} KB")


def no_nul() -> None:
    """NUL bytes never reach the database (PostgreSQL text cannot hold them)."""
    if "\x00" in request.path:
        abort(400, "the path holds a NUL character")
    for key, value in request.args.items(multi=True):
        if "\x00" in key or "\x00" in value:
            abort(400, f"query parameter {key!r} holds a NUL character")
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, value in request.form.items(multi=True):
            if "\x00" in key or "\x00" in value:
                abort(400, f"form field {key!r} holds a NUL character")


# --- JSON in and out -----------------------------------------------------------


def _refuse_constant(name: str):
    raise BadInput(f"{name} is not a JSON number")


def check_json(value: Any) -> None:
    """Depth at most MAX_DEPTH, no NUL in any string (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                raise BadInput(f"JSON nested deeper than {MAX_DEPTH} levels")
            if isinstance(item, dict):
                for key in item:
                    if "\x00" in key:
                        raise BadInput("a JSON key holds a NUL character")
                children = item.values()
            else:
                children = item
            stack.extend((child, depth + 1) for child in children)
        elif isinstance(item, str) and "\x00" in item:
            raise BadInput("a JSON string holds a NUL character")


def finite(value: Any) -> Any:
    """The value with every NaN or infinity replaced by null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


class StrictJSON(DefaultJSONProvider):
    """Reads only strict JSON within the bounds; writes only strict JSON
    (a bare NaN breaks JSON.parse for every client of a list)."""

    def loads(self, s, **kwargs):
        try:
            value = json.loads(s, parse_constant=_refuse_constant, **kwargs)
        except RecursionError:
            raise BadInput(f"JSON nested deeper than {MAX_DEPTH} levels") from None
        check_json(value)
        return value

    def dumps(self, obj, **kwargs):
        kwargs.setdefault("default", self.default)
        kwargs.setdefault("ensure_ascii", self.ensure_ascii)
        kwargs.setdefault("sort_keys", self.sort_keys)
        try:
            return json.dumps(obj, allow_nan=False, **kwargs)
        except ValueError:
            return json.dumps(finite(obj), allow_nan=False, **kwargs)


# --- values at the edge --------------------------------------------------------


def case_id(value: str | int) -> int | None:
    """A case id from a path or parameter, or None if it cannot name a case."""
    if isinstance(value, int):
        return value if 0 < value <= MAX_ID else None
    if not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


KEY = re.compile(rf"^[A-Za-z0-9_-]{{8,{MAX_KEY}}}$")


def idempotency_key(value: str | None) -> str | None:
    """A form's idempotency key from the query, or None if it is not one."""
    return value if value and KEY.match(value) else None


def moment(value: str, name: str) -> dt.datetime:
    """An ISO 8601 date-time as an aware UTC moment; BadInput if not one or out of range."""
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
        return parsed.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise BadInput(f"{name} must be a date-time such as 2026-12-01T08:00:00+08:00") from None


def coordinates(lat: str | None, long: str | None) -> tuple[float | None, float | None]:
    """(lat, long) in degrees: both or neither, finite, within the globe."""
    if lat is None and long is None:
        return None, None
    if lat is None or long is None:
        raise BadInput("lat and long go together: send both or neither")
    out = []
    for name, raw, bound in (("lat", lat, 90.0), ("long", long, 180.0)):
        try:
            number = float(raw)
        except ValueError:
            raise BadInput(f"{name} must be a number") from None
        if not math.isfinite(number) or not -bound <= number <= bound:
            raise BadInput(f"{name} must be a number from {-bound:g} to {bound:g}")
        out.append(number)
    return out[0], out[1]


def init_app(app: Flask) -> None:
    """Call before any other module registers a before_request hook (CSRF reads forms)."""
    app.json = StrictJSON(app)
    app.before_request(body_limit)
    app.before_request(no_nul)
