"""Staff forms submitted once: `form_tokens` (store/formtokens.py).

Revision ID: 1400
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from onegrid.store.base import UTCDateTime

revision = "1400"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "form_tokens",
        sa.Column("username", sa.String(200), nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("cases", sa.JSON, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("username", "token", name="pk_form_tokens"),
    )


def downgrade() -> None:
    op.drop_table("form_tokens")
