"""Duty rounds: open items found by pack, kind and holder (the sweep's
idempotent opening, "我的职责", a closed case's on_event ticks).

Revision ID: 0810
Revises: 0800
"""

from alembic import op

revision = "0810"
down_revision = "0800"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_items_pack_kind_unit", "items", ["pack", "kind", "unit"])


def downgrade() -> None:
    op.drop_index("ix_items_pack_kind_unit", "items")
