"""The running month's rollups (issue 22): one snapshot per pack, scheme and period.

Revision ID: 1900
Revises: 0900
"""

import sqlalchemy as sa
from alembic import op

from onegrid.store.base import UTCDateTime

revision = "1900"
down_revision = "0900"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "score_snapshots",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("pack", sa.String(80), nullable=False),
        sa.Column("scheme", sa.String(80), nullable=False),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column(
            "policy_version_id",
            sa.Integer,
            sa.ForeignKey(
                "policy_versions.id", name="fk_score_snapshots_policy_version_id_policy_versions"
            ),
            nullable=False,
        ),
        sa.Column("as_of", UTCDateTime, nullable=False),
        sa.Column("took", sa.Float, nullable=False),
        sa.Column("rows", sa.JSON, nullable=False),
        sa.UniqueConstraint("pack", "scheme", "period", name="uq_score_snapshots_pack"),
    )


def downgrade() -> None:
    op.drop_table("score_snapshots")
