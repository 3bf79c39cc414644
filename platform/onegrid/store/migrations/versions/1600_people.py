"""Person records apart from login accounts: `people` (store/people.py).

Revision ID: 1600
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from onegrid.store.base import UTCDateTime

revision = "1600"
down_revision = "0002"
branch_labels = None
depends_on = ("0101",)  # people.user_id refers to users


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("pack", sa.String(80), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("party_member", sa.Boolean, nullable=False),
        sa.Column("home_grid", sa.String(128), nullable=False),
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("users.id", ondelete="SET NULL", name="fk_people_user_id_users"),
        ),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_people"),
        sa.UniqueConstraint("pack", "phone", name="uq_people_pack_phone"),
    )
    op.create_index("ix_people_pack", "people", ["pack"])
    op.create_index("ix_people_home_grid", "people", ["home_grid"])
    op.create_index("ix_people_user_id", "people", ["user_id"])


def downgrade() -> None:
    op.drop_table("people")
