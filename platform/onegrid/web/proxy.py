"""Behind a reverse proxy that ends TLS: trust its X-Forwarded-* headers.

Only as many hops as configured (`ONEGRID_PROXIES`, `serve --proxies N`):
trusted from a client that reaches the app directly, those headers would
let it claim any address, host or scheme. With them, Werkzeug's ProxyFix
makes the request look as the proxy received it, so external URLs (Open311
discovery, redirects' `next`) say `https://` and the public host.
"""

from __future__ import annotations

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from onegrid import messages
from onegrid.errors import Problem, UsageError

messages.register(
    {
        "proxies-invalid": {
            "zh": "ONEGRID_PROXIES 必须是代理的层数（0、1、2……），而不是“{value}”",
            "en": "ONEGRID_PROXIES must be a number of proxies (0, 1, 2, …), not '{value}'",
        },
    }
)


def hops(app: Flask) -> int:
    value = app.config.get("ONEGRID_PROXIES")
    if value is None or value == "":
        value = os.environ.get("ONEGRID_PROXIES") or 0
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if number < 0:
        raise UsageError(Problem("proxies-invalid", {"value": value}))
    return number


def init_app(app: Flask) -> None:
    n = hops(app)
    if n:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n, x_prefix=n)
