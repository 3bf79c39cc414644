"""PostgreSQL: the app connects as a role that owns nothing.

Migrations run as the owner role (it owns the schema, the tables and the
SECURITY DEFINER functions of the audit record); the app runs as another
role that may read and write the working tables but only *append* to the
record, through the functions of revision 0700, and cannot alter, disable
or drop anything (only an owner may). `grant(connection, role)` gives a
role exactly that; `onegrid db upgrade` calls it after migrating when
ONEGRID_APP_ROLE names the app's role, so tables that later revisions add
are granted too. See README, "Deploying".
"""

from __future__ import annotations

import os
import re

from sqlalchemy import text

# written only through the audit functions
APPEND_ONLY = ("audit", "audit_seals")
# rows inserted, never changed (triggers refuse the rest anyway)
INSERT_ONLY = ("policy_versions",)
AUDIT_FUNCTIONS = (
    "onegrid_audit_partition(timestamptz)",
    "onegrid_audit_next(text)",
    "onegrid_audit_append(bigint, text, integer, integer, text, text, timestamptz, text,"
    " text, text)",
    "onegrid_audit_seal(integer, bigint, bigint, integer, text, timestamptz, text, text)",
)
ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def app_role() -> str | None:
    return os.environ.get("ONEGRID_APP_ROLE") or None


def grant(connection, role: str) -> None:
    """Give `role` the app's rights on every table of the schema, and no more."""
    if connection.dialect.name != "postgresql":
        return
    if not ROLE.match(role):
        raise ValueError(f"not a plain role name: {role!r}")
    tables = connection.execute(
        text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    ).scalars()
    for table in tables:
        connection.execute(text(f'REVOKE ALL ON "{table}" FROM {role}'))
        base = re.sub(r"_\d{6}$", "", table)  # a monthly partition is its table's
        if table in APPEND_ONLY or base in APPEND_ONLY:
            rights = "SELECT"
        elif table in INSERT_ONLY:
            rights = "SELECT, INSERT"
        else:
            rights = "SELECT, INSERT, UPDATE, DELETE"
        connection.execute(text(f'GRANT {rights} ON "{table}" TO {role}'))
    sequences = connection.execute(
        text("SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()")
    ).scalars()
    for sequence in sequences:
        rights = "SELECT" if sequence == "audit_seq" else "USAGE, SELECT"
        connection.execute(text(f'REVOKE ALL ON SEQUENCE "{sequence}" FROM {role}'))
        connection.execute(text(f'GRANT {rights} ON SEQUENCE "{sequence}" TO {role}'))
    for function in AUDIT_FUNCTIONS:
        connection.execute(text(f"GRANT EXECUTE ON FUNCTION {function} TO {role}"))
    connection.execute(text(f"GRANT USAGE ON SCHEMA {current_schema(connection)} TO {role}"))


def current_schema(connection) -> str:
    return connection.execute(text("SELECT current_schema()")).scalar_one()
