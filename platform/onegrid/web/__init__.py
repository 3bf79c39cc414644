"""The web app: an app factory and one blueprint per area."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from onegrid import paths


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(
        ONEGRID_CATALOG=os.environ.get("ONEGRID_CATALOG") or paths.DEFAULT_CATALOG,
    )
    if test_config:
        app.config.from_mapping(test_config)

    from onegrid.web import summary

    summary.init_app(app)
    return app
