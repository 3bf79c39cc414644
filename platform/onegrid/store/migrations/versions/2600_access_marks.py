"""A case's flags on its visible-to rows while it is open (issue 22: the
sparse tabs at volume).

Revision ID: 2600
Revises: 2500

`case_access` gains `warned`, `overdue` and `supervised` (the case's flag
while it is open, copied to every row of the case) and a partial index of
each, (party, due_key, case_id) where the flag is set. A party's due-soon,
overdue or supervised tab then walks its flagged rows in time-left order,
not its whole range (a street's 70,000 rows at 1M cases, to find a few
dozen). Kept by workflow/visibility.py at every step from now on; filled
here from the open flagged cases (few: the columns' default is false).
"""

import sqlalchemy as sa
from alembic import op

revision = "2600"
down_revision = "2500"
branch_labels = None
depends_on = None

MARKS = ("warned", "overdue", "supervised")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for mark in MARKS:
        # a constant default: a plain ADD COLUMN, instant on PostgreSQL, and
        # on SQLite without the batch copy
        op.add_column(
            "case_access",
            sa.Column(mark, sa.Boolean, nullable=False, server_default=sa.false()),
        )
    for mark in MARKS:
        test = f"{mark} = 1" if sqlite else mark
        if sqlite:
            op.execute(
                f"UPDATE case_access SET {mark} = 1 WHERE case_id IN"
                f" (SELECT id FROM cases WHERE {test} AND closed_at IS NULL)"
            )
        else:
            op.execute(
                f"UPDATE case_access SET {mark} = true FROM cases"
                f" WHERE cases.id = case_access.case_id AND cases.{mark}"
                " AND cases.closed_at IS NULL"
            )
        op.execute(
            f"CREATE INDEX ix_case_access_{mark} ON case_access (party, due_key, case_id)"
            f" WHERE {test}"
        )


def downgrade() -> None:
    for mark in reversed(MARKS):
        op.drop_index(f"ix_case_access_{mark}", "case_access")
    for mark in reversed(MARKS):
        # a plain DROP COLUMN (SQLite 3.35+): the batch copy would reflect
        # `cases` and its expression indexes
        op.execute(f"ALTER TABLE case_access DROP COLUMN {mark}")
