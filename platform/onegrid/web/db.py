"""The database for the web app: one SQLAlchemy session per request."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from onegrid import store


def database_url(app: Flask) -> str:
    """ONEGRID_DATABASE_URL, else an SQLite file in the instance folder."""
    url = app.config.get("ONEGRID_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(Path(app.instance_path) / "onegrid.sqlite")


def engine(app: Flask | None = None):
    app = app or current_app
    if "onegrid.engine" not in app.extensions:
        app.extensions["onegrid.engine"] = store.make_engine(database_url(app))
    return app.extensions["onegrid.engine"]


def session() -> Session:
    if "db" not in g:
        g.db = Session(engine(), expire_on_commit=False)
    return g.db


def close(exc=None) -> None:
    s = g.pop("db", None)
    if s is not None:
        if exc is not None:
            s.rollback()
        s.close()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close)


def upgrade(app: Flask) -> None:
    """Create or migrate the database (Alembic), as `onegrid db upgrade` does."""
    store.upgrade(engine(app))
