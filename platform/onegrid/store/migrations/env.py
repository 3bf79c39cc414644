"""Alembic environment: the URL or an open connection come from `migrate.py`."""

from alembic import context

from onegrid.store import Base, load_models, make_engine
from onegrid.store.roles import app_role, grant

load_models()  # every table declared in onegrid.store, others' too

config = context.config


def run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
        # PostgreSQL: the app's role gets its rights on every table, new ones too
        if app_role():
            grant(connection, app_role())


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    engine = make_engine(config.attributes["url"])
    try:
        with engine.begin() as conn:
            run(conn)
    finally:
        engine.dispose()
