"""Connectors poll what changed: an index on `cases (updated_at, id)`, the
order of `updated_since` and its keyset cursor (web/listing.py).

Revision ID: 1700
Revises: 0002
"""

from alembic import op

revision = "1700"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cases_updated", "cases", ["updated_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_cases_updated", table_name="cases")
