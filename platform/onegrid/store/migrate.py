"""Alembic, configured in code: the migrations ship inside the package."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str):
    # imported here: Alembic is needed only to migrate, not to run cases
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # passed beside the ini options: a password with '%' would trip configparser
    config.attributes["url"] = url
    return config


def upgrade(target: str | Engine, revision: str = "heads") -> None:
    """Create or migrate the database to the newest revision."""
    from alembic import command

    if isinstance(target, str):
        command.upgrade(alembic_config(target), revision)
        return
    config = alembic_config(target.url.render_as_string(hide_password=False))
    with target.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
