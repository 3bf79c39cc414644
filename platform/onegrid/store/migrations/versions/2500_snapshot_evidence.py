"""Snapshots of every scheme's running period, with each subject's evidence
in a row of its own (issue 22: a ranking page reads no evidence).

Revision ID: 2500
Revises: 2400
"""

import sqlalchemy as sa
from alembic import op

revision = "2500"
down_revision = "2400"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "score_snapshot_evidence",
        sa.Column(
            "snapshot_id",
            sa.Integer,
            sa.ForeignKey(
                "score_snapshots.id",
                name="fk_score_snapshot_evidence_snapshot_id_score_snapshots",
                ondelete="CASCADE",
            ),
            nullable=False,
        ),
        sa.Column("subject", sa.String(120), nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("snapshot_id", "subject", name="pk_score_snapshot_evidence"),
    )


def downgrade() -> None:
    op.drop_table("score_snapshot_evidence")
