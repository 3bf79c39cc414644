"""Cases keep the state of the hotline moves: signed for, returned,
extension asked, revisited (`cases.progress`, plain JSON).

Revision ID: 0601
Revises: 0600
"""

import sqlalchemy as sa
from alembic import op

revision = "0601"
down_revision = "0600"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("progress", sa.JSON))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("progress")
