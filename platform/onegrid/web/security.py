"""Secret key, cookies, CSRF and response headers."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, current_app
from flask_wtf.csrf import CSRFProtect

from onegrid import messages
from onegrid.errors import Problem, UsageError

messages.register(
    {
        "secret-key-missing": {
            "zh": "生产环境必须设置 ONEGRID_SECRET_KEY（开发环境请设 ONEGRID_ENV=development）",
            "en": "set ONEGRID_SECRET_KEY outside development (or ONEGRID_ENV=development)",
        },
    }
)

csrf = CSRFProtect()

# No inline scripts or styles: templates load /static files only, so an
# injected <script> cannot run even if escaping were ever missed. blob: images
# are the report form's previews of photos chosen on the device (onegrid.js).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def is_development(app: Flask) -> bool:
    return app.config.get("ONEGRID_ENV") == "development" or bool(app.config.get("TESTING"))


def secret_key(app: Flask) -> str:
    """ONEGRID_SECRET_KEY; in development a random key kept in the instance folder."""
    key = app.config.get("SECRET_KEY") or os.environ.get("ONEGRID_SECRET_KEY")
    if key:
        return key
    if not is_development(app):
        raise UsageError(Problem("secret-key-missing"))
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


def headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def init_app(app: Flask) -> None:
    app.config["SECRET_KEY"] = secret_key(app)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=not is_development(app),
        SESSION_COOKIE_NAME="onegrid_session",
        WTF_CSRF_TIME_LIMIT=None,
    )
    csrf.init_app(app)
    app.after_request(headers)
