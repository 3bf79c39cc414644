"""Policy versions keep the pack's grid registry as published.

Revision ID: 0002
Revises: 0101

A case may be reported in any grid of the registry CSV (`registry:` in
pack.yaml), which is not part of the resolved policy; a version stores the
grids it was published with, so open cases keep theirs.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0101"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("policy_versions") as batch:
        batch.add_column(sa.Column("grids", sa.JSON))
        batch.add_column(sa.Column("grids_hash", sa.String(80)))


def downgrade() -> None:
    with op.batch_alter_table("policy_versions") as batch:
        batch.drop_column("grids_hash")
        batch.drop_column("grids")
