"""Who may act on an open case, and its place in time-left order, stored
with who may see it (issue 22: the "mine" tab and pages at volume).

Revision ID: 2400
Revises: 0702, 2000

`case_access` gains `due_key` (the case's coalesce(due_at, FAR), copied
to every row of the case) and `ix_case_access_due` (party, due_key,
case_id), so a page of a party's cases in time-left order is a walk of
that party's range; and each open case gains its acting parties ("m:",
workflow/visibility.acting), filled here from each case's own policy
version, kept by workflow/visibility.py at every step from now on.
"""

import sqlalchemy as sa
from alembic import op

revision = "2400"
down_revision = ("0702", "2000")
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    far = "'9999-01-01 00:00:00.000000'" if sqlite else "'9999-01-01 00:00:00+00'"
    # a plain ADD COLUMN with a constant default: instant on PostgreSQL, and
    # on SQLite without the batch copy (which would reflect `cases` and its
    # expression indexes)
    op.add_column(
        "case_access",
        sa.Column(
            "due_key", sa.DateTime(timezone=True), nullable=False, server_default=sa.text(far)
        ),
    )
    if sqlite:
        op.execute(
            "UPDATE case_access SET due_key = (SELECT cases.due_at FROM cases"
            " WHERE cases.id = case_access.case_id) WHERE case_id IN"
            " (SELECT id FROM cases WHERE due_at IS NOT NULL)"
        )
    else:
        op.execute(
            "UPDATE case_access SET due_key = cases.due_at FROM cases"
            " WHERE cases.id = case_access.case_id AND cases.due_at IS NOT NULL"
        )
    _fill(bind)
    op.create_index("ix_case_access_due", "case_access", ["party", "due_key", "case_id"])


def _fill(bind) -> None:
    # imported only here: the same rule the app keeps the rows by. Core
    # queries of the columns known at this revision (the model may have more).
    import json
    from types import SimpleNamespace

    from onegrid.workflow import rulebook, visibility

    def value(v):
        return json.loads(v) if isinstance(v, str) else v

    books = {}
    for row in bind.execute(
        sa.text("SELECT id, content_hash, grids_hash, resolved, grids FROM policy_versions")
    ).mappings():
        version = SimpleNamespace(
            content_hash=row["content_hash"],
            grids_hash=row["grids_hash"],
            resolved=value(row["resolved"]),
            grids=value(row["grids"]),
        )
        books[row["id"]] = rulebook(version)
    timed = sa.table("case_access", sa.column("party"), sa.column("case_id"), sa.column("due_key"))
    # a case without a deadline keeps the column's default (FAR)
    bare = sa.table("case_access", sa.column("party"), sa.column("case_id"))
    last = 0
    while True:
        cases = (
            bind.execute(
                sa.text(
                    "SELECT id, policy_version_id, state, level, reporter, place, unit,"
                    " assistants, enterprise, closed_at, due_at FROM cases"
                    " WHERE closed_at IS NULL AND id > :last ORDER BY id LIMIT :n"
                ),
                {"last": last, "n": BATCH},
            )
            .mappings()
            .all()
        )
        if not cases:
            return
        with_due, without = [], []
        for row in cases:
            case = SimpleNamespace(**{**row, "assistants": value(row["assistants"]) or []})
            for party in sorted(visibility.acting(books[row["policy_version_id"]], case)):
                if row["due_at"] is None:
                    without.append({"party": party, "case_id": row["id"]})
                else:
                    with_due.append(
                        {"party": party, "case_id": row["id"], "due_key": row["due_at"]}
                    )
        for table, rows in ((timed, with_due), (bare, without)):
            if rows:
                bind.execute(table.insert(), rows)
        last = cases[-1]["id"]


def downgrade() -> None:
    op.execute("DELETE FROM case_access WHERE party LIKE 'm:%'")
    op.drop_index("ix_case_access_due", "case_access")
    op.drop_column("case_access", "due_key")
