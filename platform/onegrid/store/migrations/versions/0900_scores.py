"""Frozen scoring results (issue 17): runs per scheme, period and revision.

Revision ID: 0900
Revises: 0002

Both tables are append-only, like the audit chain: a correction is a new
revision, never an update.
"""

import sqlalchemy as sa
from alembic import op

from onegrid.store.base import UTCDateTime

revision = "0900"
down_revision = "0002"
branch_labels = None
depends_on = None

FROZEN = ("score_runs", "score_rows")


def upgrade() -> None:
    op.create_table(
        "score_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("pack", sa.String(80), nullable=False),
        sa.Column("scheme", sa.String(80), nullable=False),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column(
            "policy_version_id",
            sa.Integer,
            sa.ForeignKey(
                "policy_versions.id", name="fk_score_runs_policy_version_id_policy_versions"
            ),
            nullable=False,
        ),
        sa.Column("computed_at", UTCDateTime, nullable=False),
        sa.Column("computed_by", sa.String(120)),
        sa.Column("digest", sa.String(80), nullable=False),
        sa.UniqueConstraint("pack", "scheme", "period", "revision", name="uq_score_runs_pack"),
    )
    op.create_index("ix_score_runs_pack", "score_runs", ["pack"])
    op.create_table(
        "score_rows",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "run_id",
            sa.Integer,
            sa.ForeignKey("score_runs.id", name="fk_score_rows_run_id_score_runs"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("subject", sa.String(120), nullable=False),
        sa.Column("name", sa.JSON),
        sa.Column("units", sa.JSON),
        sa.Column("score", sa.Float),
        sa.Column("rank", sa.Integer),
        sa.Column("tier", sa.String(80)),
        sa.Column("values", sa.JSON),
        sa.Column("evidence", sa.JSON),
    )
    op.create_index("ix_score_rows_run_id", "score_rows", ["run_id"])
    op.create_index("ix_score_rows_subject", "score_rows", ["subject"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION onegrid_scores_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              RAISE EXCEPTION 'onegrid: % on % refused: frozen results are append-only',
                TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
            END $$
            """
        )
        for table in FROZEN:
            op.execute(
                f"CREATE TRIGGER {table}_frozen BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION onegrid_scores_frozen()"
            )
    else:
        for table in FROZEN:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'onegrid: {verb} on {table} refused: "
                    "frozen results are append-only'); END"
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in FROZEN:
            op.execute(f"DROP TRIGGER {table}_frozen ON {table}")
        op.execute("DROP FUNCTION onegrid_scores_frozen()")
    op.drop_table("score_rows")
    op.drop_table("score_runs")
