"""Cases remember who took each step, for separation of duties.

Revision ID: 0600
Revises: 0002

`cases.hands` lists, for every transition taken, the actor and the unit
they acted for (as the trail's `as` field says), so that `distinct:` rules
in the workflow are checked without reading the trail.
"""

import sqlalchemy as sa
from alembic import op

revision = "0600"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("hands", sa.JSON))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("hands")
