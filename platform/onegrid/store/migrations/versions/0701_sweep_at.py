"""The sweep's next moment per case, under a partial index; Open311 windows.

Revision ID: 0701
Revises: 0700

`cases.sweep_at` is when the sweep must next act on a case (the warning
not yet given, or the deadline, whichever is first; NULL once closed), so
an idle sweep is one probe of a partial index and a busy one takes the
earliest due case first. `created_at` gets an index for Open311's date
windows and lists in filing order.
"""

import sqlalchemy as sa
from alembic import op

from onegrid.store.base import UTCDateTime

revision = "0701"
down_revision = "0700"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("sweep_at", UTCDateTime))
    # the same rule as store.models.next_sweep, for the cases already there
    op.execute(
        "UPDATE cases SET sweep_at = CASE"
        " WHEN closed_at IS NOT NULL THEN NULL"
        " WHEN warned OR warn_at IS NULL THEN due_at"
        " WHEN due_at IS NULL OR warn_at < due_at THEN warn_at"
        " ELSE due_at END"
    )
    op.create_index(
        "ix_cases_sweep_at",
        "cases",
        ["sweep_at"],
        postgresql_where=sa.text("sweep_at IS NOT NULL"),
        sqlite_where=sa.text("sweep_at IS NOT NULL"),
    )
    op.create_index("ix_cases_created_at", "cases", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_cases_created_at", "cases")
    op.drop_index("ix_cases_sweep_at", "cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("sweep_at")
