"""Form tokens pruned by age: an index on `form_tokens.at` (store/formtokens.py).

Revision ID: 2100
Revises: 1400
"""

from alembic import op

revision = "2100"
down_revision = "1400"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_form_tokens_at", "form_tokens", ["at"])


def downgrade() -> None:
    op.drop_index("ix_form_tokens_at", table_name="form_tokens")
