"""Apps serving a bundled pack with a generated month, for the scoring pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from onegrid.cli.serve import prepare
from onegrid.scoring.run import close_periods
from onegrid.store import accounts, make_engine, sessions
from onegrid.web import create_app, db
from onegrid.workflow.version import newest_version
from web.webapp import FAST_HASH, PASSWORD, PROJECT, config

DEC = dt.datetime(2026, 12, 1, 2, tzinfo=dt.UTC)


def build(folder: Path, pack: str, generate, users: dict[str, tuple[str, str]]):
    """The app on a fresh database: the pack published, the month generated
    through the engine, `users` ({name: (role, unit)}) and an admin created,
    and November frozen by the monthly run. Every password is PASSWORD."""
    app = create_app(config(PROJECT / "catalogs" / pack, folder))
    prepare(app, seed_demo=False)
    engine = make_engine(app.config["ONEGRID_DATABASE_URL"])
    maker = sessions(engine)
    with maker() as session:
        version = newest_version(session, pack)
    made = generate(maker, version)
    with maker() as session:
        for user in session.scalars(accounts.select(accounts.User)):
            user.set_password(PASSWORD, method=FAST_HASH)
        for username, (role, unit) in users.items():
            accounts.create_user(
                session, username, PASSWORD, bindings=[(role, unit)], method=FAST_HASH
            )
        accounts.create_user(session, "admin", PASSWORD, is_admin=True, method=FAST_HASH)
        session.commit()
    close_periods(maker, DEC)
    engine.dispose()
    return app, made


def dispose(app) -> None:
    db.engine(app).dispose()
