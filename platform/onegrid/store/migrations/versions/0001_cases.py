"""Policy versions, cases and the append-only audit chain.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from onegrid.store.base import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY = ("audit", "policy_versions")
# the hash before the first audit row
GENESIS = "sha256:" + "0" * 64


def upgrade() -> None:
    op.create_table(
        "policy_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("pack", sa.String(80), nullable=False),
        sa.Column("label", sa.String(80)),
        sa.Column("content_hash", sa.String(80), nullable=False),
        sa.Column("resolved", sa.JSON, nullable=False),
        sa.Column("published_at", UTCDateTime, nullable=False),
        sa.Column("published_by", sa.String(120)),
    )
    op.create_index("ix_policy_versions_pack", "policy_versions", ["pack"])
    op.create_index("ix_policy_versions_content_hash", "policy_versions", ["content_hash"])
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "policy_version_id", sa.Integer, sa.ForeignKey("policy_versions.id"), nullable=False
        ),
        sa.Column("pack", sa.String(80), nullable=False),
        sa.Column("matter", sa.String(80), nullable=False),
        sa.Column("channel", sa.String(40), nullable=False),
        sa.Column("state", sa.String(80), nullable=False),
        sa.Column("place", sa.String(80)),
        sa.Column("level", sa.String(80)),
        sa.Column("unit", sa.String(80)),
        sa.Column("assistants", sa.JSON, nullable=False),
        sa.Column("enterprise", sa.String(80)),
        sa.Column("reporter", sa.String(120), nullable=False),
        sa.Column("facts", sa.JSON, nullable=False),
        sa.Column("submission", sa.JSON, nullable=False),
        sa.Column("route", sa.JSON, nullable=False),
        sa.Column("limits", sa.JSON, nullable=False),
        sa.Column("supervised", sa.Boolean, nullable=False),
        sa.Column("escalations", sa.Integer, nullable=False),
        sa.Column("reopened", sa.Integer, nullable=False),
        sa.Column("step", sa.String(80)),
        sa.Column("step_started_at", UTCDateTime),
        sa.Column("warn_at", UTCDateTime),
        sa.Column("due_at", UTCDateTime),
        sa.Column("warned", sa.Boolean, nullable=False),
        sa.Column("overdue", sa.Boolean, nullable=False),
        sa.Column("idempotency_key", sa.String(200)),
        sa.Column("request_hash", sa.String(80)),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("closed_at", UTCDateTime),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("idempotency_key", name="uq_cases_idempotency_key"),
    )
    for column in ("policy_version_id", "matter", "channel", "state", "place", "unit"):
        op.create_index(f"ix_cases_{column}", "cases", [column])
    op.create_index("ix_cases_reporter", "cases", ["reporter"])
    op.create_index("ix_cases_warn_at", "cases", ["warn_at"])
    op.create_index("ix_cases_due_at", "cases", ["due_at"])
    op.create_index("ix_cases_open_deadlines", "cases", ["state", "due_at"])
    op.create_table(
        "audit",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id")),
        sa.Column("action", sa.String(80), nullable=False),
        sa.Column("actor", sa.String(120)),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(80), nullable=False),
        sa.Column("hash", sa.String(80), nullable=False),
        sa.UniqueConstraint("hash", name="uq_audit_hash"),
    )
    op.create_index("ix_audit_case_id", "audit", ["case_id"])
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(80), nullable=False),
    )
    head = sa.table("audit_head", sa.column("id"), sa.column("seq"), sa.column("hash"))
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS}])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION onegrid_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              RAISE EXCEPTION 'onegrid: % on % refused: rows are append-only',
                TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
            END $$
            """
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION onegrid_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION onegrid_append_only()"
            )
    else:
        for table in APPEND_ONLY:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'onegrid: {verb} on {table} refused: "
                    "rows are append-only'); END"
                )


def downgrade() -> None:
    # the audit chain is kept forever: there is deliberately no way down
    raise RuntimeError("the first revision cannot be downgraded: audit rows are permanent")
