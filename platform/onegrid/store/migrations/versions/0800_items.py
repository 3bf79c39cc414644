"""Workflow items other than cases (admission requests, duty rounds).

Revision ID: 0800
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from onegrid.store.base import UTCDateTime

revision = "0800"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "policy_version_id", sa.Integer, sa.ForeignKey("policy_versions.id"), nullable=False
        ),
        sa.Column("pack", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(80), nullable=False),
        sa.Column("state", sa.String(80), nullable=False),
        sa.Column("outcome", sa.String(80)),
        sa.Column("place", sa.String(80)),
        sa.Column("level", sa.String(80)),
        sa.Column("unit", sa.String(80)),
        sa.Column("assistants", sa.JSON, nullable=False),
        sa.Column("enterprise", sa.String(80)),
        sa.Column("reporter", sa.String(120), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("result", sa.JSON, nullable=False),
        sa.Column("limits", sa.JSON, nullable=False),
        sa.Column("hands", sa.JSON, nullable=False),
        sa.Column("progress", sa.JSON),
        sa.Column("supervised", sa.Boolean, nullable=False),
        sa.Column("escalations", sa.Integer, nullable=False),
        sa.Column("reopened", sa.Integer, nullable=False),
        sa.Column("step", sa.String(80)),
        sa.Column("step_started_at", UTCDateTime),
        sa.Column("warn_at", UTCDateTime),
        sa.Column("due_at", UTCDateTime),
        sa.Column("warned", sa.Boolean, nullable=False),
        sa.Column("overdue", sa.Boolean, nullable=False),
        sa.Column("sweep_at", UTCDateTime),
        sa.Column("idempotency_key", sa.String(200)),
        sa.Column("request_hash", sa.String(80)),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("closed_at", UTCDateTime),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("idempotency_key", name="uq_items_idempotency_key"),
    )
    for column in ("policy_version_id", "kind", "state", "outcome", "place", "unit", "reporter"):
        op.create_index(f"ix_items_{column}", "items", [column])
    op.create_index("ix_items_warn_at", "items", ["warn_at"])
    op.create_index("ix_items_due_at", "items", ["due_at"])
    op.create_index("ix_items_open_deadlines", "items", ["state", "due_at"])
    op.create_index("ix_items_created_at", "items", ["created_at"])
    op.create_index(
        "ix_items_sweep_at",
        "items",
        ["sweep_at"],
        postgresql_where=sa.text("sweep_at IS NOT NULL"),
        sqlite_where=sa.text("sweep_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_table("items")
