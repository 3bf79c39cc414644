"""The web app: an app factory and one blueprint per area.

Areas: `auth` (login, logout, language), `cases` (inbox, new report, case
page, actions), `admin` (pack, checks, versions, registry, dashboard),
`api` (JSON under /api/v1/), `open311` (GeoReport v2 under /open311/v2/),
`scores` (rankings, breakdowns and exports under /scores/).
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from onegrid import paths
from onegrid.store.engine import instance_path


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    test_config = dict(test_config or {})
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=str(test_config.pop("INSTANCE_PATH", None) or instance_path()),
    )
    app.config.from_mapping(
        ONEGRID_CATALOG=os.environ.get("ONEGRID_CATALOG") or paths.DEFAULT_CATALOG,
        ONEGRID_ENV=os.environ.get("ONEGRID_ENV") or "production",
        ONEGRID_DATABASE_URL=os.environ.get("ONEGRID_DATABASE_URL"),
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
    )
    if test_config:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)

    from onegrid.web import (
        admin,
        admission,
        api,
        assign,
        auth,
        bounds,
        cases,
        clients,
        connector,
        db,
        duties,
        errorpages,
        heap,
        i18n,
        notices,
        offline,
        open311,
        people,
        persons,
        posts,
        proxy,
        redaction,
        scores,
        security,
    )

    heap.init_app(app)  # its teardown runs after every other's
    bounds.init_app(app)  # first: sizes are checked before anything reads a body
    redaction.init_app(app)
    security.init_app(app)
    errorpages.init_app(app)
    db.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    cases.init_app(app)
    admin.init_app(app)
    admission.init_app(app)
    duties.init_app(app)
    assign.init_app(app)
    posts.init_app(app)
    persons.init_app(app)
    api.init_app(app)
    open311.init_app(app)
    connector.init_app(app)
    notices.init_app(app)
    offline.init_app(app)
    people.init_app(app)
    proxy.init_app(app)
    clients.init_app(app)
    scores.init_app(app)
    return app
