"""Cases remember the door they came in by (pages, api, open311, import).

Revision ID: 0300
Revises: 0002

The channel is the pack's own vocabulary now (hotline, patrol, …), so it no
longer says whether a case was filed through Open311, whose public view
shows exactly those. Cases filed before kept the channel 'open311'.
"""

import sqlalchemy as sa
from alembic import op

revision = "0300"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("door", sa.String(20)))
        batch.create_index("ix_cases_door", ["door"])
    op.execute("UPDATE cases SET door = 'open311' WHERE channel = 'open311'")


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_door")
        batch.drop_column("door")
