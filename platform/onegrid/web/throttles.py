"""Failure throttles for the doors that take a secret: staff login, POST
/api/v1/tokens and Open311 client keys. Counts live in the database
(`store.throttle`), so they hold across every app process and restart.

Each scope counts failures per key in a fixed window (and the window
before it): per username, so one account cannot be guessed at, and per
client address, so many accounts cannot be sprayed from one place.
"""

from __future__ import annotations

from flask import current_app, request

from onegrid.store import throttle
from onegrid.web import db

# scope → (failures allowed, window in seconds)
LIMITS = {
    "login": (5, 300),
    "login-address": (50, 300),
    "tokens": (5, 300),
    "tokens-address": (50, 300),
    "open311-key": (20, 300),
    # self-service registrations (posts.join) per address per hour: every
    # attempt counts, not only failures, since the door needs no secret
    "register-address": (20, 3600),
}


def address() -> str:
    """The client's address as the WSGI server saw it (a proxy in front
    should be configured with werkzeug's ProxyFix to pass the real one)."""
    return request.remote_addr or "-"


def _limit(scope: str) -> tuple[int, int]:
    custom = current_app.config.get("ONEGRID_THROTTLES") or {}
    return custom.get(scope) or LIMITS[scope]


def _own_transaction() -> None:
    """End the request's transaction first: on SQLite every transaction
    holds the write lock from BEGIN (store.engine), so a second connection
    of the same request would wait on it."""
    db.session().commit()


def blocked(scope: str, key: str) -> bool:
    _own_transaction()
    limit, seconds = _limit(scope)
    return throttle.failures(db.engine(), scope, key, seconds) >= limit


def failed(scope: str, key: str) -> None:
    _own_transaction()
    throttle.fail(db.engine(), scope, key, _limit(scope)[1])


def passed(scope: str, key: str) -> None:
    _own_transaction()
    throttle.clear(db.engine(), scope, key)
