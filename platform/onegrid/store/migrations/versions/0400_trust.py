"""Open311 client keys, which client filed a case, token expiry, throttles.

Revision ID: 0400
Revises: 0002

Client keys are their own credential (issue 20): `open311_clients` holds
each client's key digest, channel and revocation; `case_clients` which
client filed a case (a client reads its own). Staff API tokens expire
(`api_tokens.expires_at`; tokens made before this revision get 30 days from
now). `throttle_counts` counts failures per (scope, key, window) for every
app process at once.
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

from onegrid.store.base import UTCDateTime

revision = "0400"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "open311_clients",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("channel", sa.String(40), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("created_by", sa.String(120)),
        sa.Column("revoked_at", UTCDateTime),
        sa.Column("revoked_by", sa.String(120)),
        sa.PrimaryKeyConstraint("id", name="pk_open311_clients"),
        sa.UniqueConstraint("key_hash", name="uq_open311_clients_key_hash"),
    )
    op.create_table(
        "case_clients",
        sa.Column("case_id", sa.Integer, nullable=False),
        sa.Column("client_id", sa.Integer, nullable=False),
        sa.Column("content_hash", sa.String(80), nullable=False),
        sa.Column("filed_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("case_id", name="pk_case_clients"),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name="fk_case_clients_case_id_cases", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["open311_clients.id"], name="fk_case_clients_client_id_open311_clients"
        ),
    )
    op.create_index("ix_case_clients_client_id", "case_clients", ["client_id"])
    op.create_index(
        "ix_case_clients_window", "case_clients", ["client_id", "content_hash", "filed_at"]
    )
    op.create_table(
        "throttle_counts",
        sa.Column("scope", sa.String(40), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("window", sa.Integer, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", "window", name="pk_throttle_counts"),
    )
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", UTCDateTime))
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    op.execute(
        sa.text("UPDATE api_tokens SET expires_at = :soon").bindparams(
            sa.bindparam("soon", soon, type_=UTCDateTime)
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("expires_at")
    op.drop_table("throttle_counts")
    op.drop_index("ix_case_clients_window", table_name="case_clients")
    op.drop_index("ix_case_clients_client_id", table_name="case_clients")
    op.drop_table("case_clients")
    op.drop_table("open311_clients")
