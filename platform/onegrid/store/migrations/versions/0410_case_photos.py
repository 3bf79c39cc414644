"""Which case owns each photo, looked up by name (no scan of the audit trail).

Revision ID: 0410
Revises: 0400

Until this revision the owner of a photo was found by searching every audit
payload for its name. `case_photos` keeps it (name → case), claimed by the
audit row that first names the photo; the upgrade fills it from the trail,
oldest row first, so each photo keeps the owner it had.
"""

import sqlalchemy as sa
from alembic import op

from onegrid.store.base import UTCDateTime
from onegrid.store.photos import names_in

revision = "0410"
down_revision = "0400"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_photos",
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("case_id", sa.Integer, nullable=False),
        sa.Column("claimed_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_case_photos"),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name="fk_case_photos_case_id_cases", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_case_photos_case_id", "case_photos", ["case_id"])
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT case_id, at, payload FROM audit WHERE case_id IS NOT NULL ORDER BY seq"
        ).columns(
            sa.column("case_id", sa.Integer), sa.column("at", UTCDateTime), sa.column("payload")
        )
    )
    owned: dict[str, tuple] = {}
    for case_id, at, payload in rows:
        for name in names_in(payload):
            owned.setdefault(name, (case_id, at))
    table = sa.table(
        "case_photos",
        sa.column("name", sa.String),
        sa.column("case_id", sa.Integer),
        sa.column("claimed_at", UTCDateTime),
    )
    if owned:
        op.bulk_insert(
            table, [{"name": n, "case_id": c, "claimed_at": a} for n, (c, a) in owned.items()]
        )


def downgrade() -> None:
    op.drop_table("case_photos")
