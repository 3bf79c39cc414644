"""`onegrid db upgrade`: create or migrate the database."""

from __future__ import annotations

from contextlib import contextmanager

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from onegrid import messages
from onegrid.errors import Hint, OnegridError, Problem
from onegrid.store import database_url, make_engine, sessions
from onegrid.store import upgrade as upgrade_store

messages.register(
    {
        "database-error": {
            "zh": "数据库出错：{reason}",
            "en": "database error: {reason}",
        },
        "hint-db-upgrade": {
            "zh": "数据库可能尚未创建或迁移：请先运行 onegrid db upgrade",
            "en": "the database may not be created or migrated yet: run onegrid db upgrade",
        },
        "db-upgraded": {
            "zh": "数据库已迁移到最新版本：{url}",
            "en": "the database is at the newest revision: {url}",
        },
    }
)

url_option = click.option(
    "--url",
    envvar="ONEGRID_DATABASE_URL",
    help="Database URL (default: ONEGRID_DATABASE_URL or an SQLite file in the instance folder).",
)


def database_problem(exc: SQLAlchemyError) -> OnegridError:
    """A database failure as the user should see it (no traceback)."""
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    return OnegridError(
        Problem("database-error", {"reason": reason}, None, Hint("hint-db-upgrade"))
    )


@contextmanager
def database(url: str | None):
    """A sessionmaker on the database; its engine is disposed afterwards and
    database failures become a message."""
    engine = make_engine(url or database_url())
    try:
        yield sessions(engine)
    except SQLAlchemyError as exc:
        raise database_problem(exc) from None
    finally:
        engine.dispose()


def upgrade(url: str | None = None, lang: str = "zh") -> int:
    url = url or database_url()
    try:
        upgrade_store(url)
    except SQLAlchemyError as exc:
        raise database_problem(exc) from None
    shown = make_url(url).render_as_string(hide_password=True)
    click.echo(messages.text("db-upgraded", {"url": shown}, lang))
    return 0


@click.group("db")
def command():
    """The database: create or migrate it."""


@command.command("upgrade")
@url_option
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", envvar="ONEGRID_LANG")
def upgrade_command(url, lang):
    """Create the database or migrate it to the newest revision (Alembic)."""
    return upgrade(url, lang)
