"""The notification outbox: notifications, recipients, webhooks, deliveries.

Revision ID: 0500
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from onegrid.store.base import UTCDateTime

revision = "0500"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("event", sa.String(80), nullable=False),
        sa.Column("case_id", sa.Integer, nullable=True),
        sa.Column("subject", sa.JSON, nullable=True),
        sa.Column("payload", sa.JSON, nullable=True),
        sa.Column("units", sa.JSON, nullable=True),
        sa.Column("users", sa.JSON, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_notifications_case_id", "notifications", ["case_id"])
    op.create_table(
        "notification_recipients",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "notification_id",
            sa.Integer,
            sa.ForeignKey(
                "notifications.id", ondelete="CASCADE", name="fk_recipients_notification"
            ),
            nullable=False,
        ),
        sa.Column("username", sa.String(120), nullable=False),
        sa.Column("read_at", UTCDateTime, nullable=True),
        sa.UniqueConstraint("notification_id", "username", name="uq_recipient"),
    )
    op.create_index(
        "ix_notification_recipients_notification_id",
        "notification_recipients",
        ["notification_id"],
    )
    op.create_index("ix_recipients_unread", "notification_recipients", ["username", "read_at"])
    op.create_table(
        "webhooks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit", sa.String(128), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("secret", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("unit", name="uq_webhooks_unit"),
    )
    op.create_table(
        "notification_deliveries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "notification_id",
            sa.Integer,
            sa.ForeignKey(
                "notifications.id", ondelete="CASCADE", name="fk_deliveries_notification"
            ),
            nullable=False,
        ),
        sa.Column("unit", sa.String(128), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_at", UTCDateTime, nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("delivered_at", UTCDateTime, nullable=True),
    )
    op.create_index(
        "ix_notification_deliveries_notification_id",
        "notification_deliveries",
        ["notification_id"],
    )
    op.create_index("ix_deliveries_due", "notification_deliveries", ["state", "next_at"])


def downgrade() -> None:
    op.drop_table("notification_deliveries")
    op.drop_table("webhooks")
    op.drop_table("notification_recipients")
    op.drop_table("notifications")
