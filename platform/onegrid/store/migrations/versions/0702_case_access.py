"""Who may see a case, stored with it: `case_access` (party, case).

Revision ID: 0702
Revises: 0701

Replaces the scope's IN list of every unit in a user's area and its EXISTS
on the audit (issue 22): each case lists its parties (store/access.py),
filled here for the cases already there from their own policy version and
trail, and kept by workflow/visibility.py at every step from now on.
"""

import sqlalchemy as sa
from alembic import op

revision = "0702"
down_revision = "0701"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_access",
        sa.Column("party", sa.String(200), nullable=False),
        sa.Column(
            "case_id",
            sa.Integer,
            sa.ForeignKey("cases.id", name="fk_case_access_case_id_cases"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("party", "case_id", name="pk_case_access"),
    )
    op.create_index("ix_case_access_case_id", "case_access", ["case_id"])
    _fill(op.get_bind())


def _fill(bind) -> None:
    if not bind.execute(sa.text("SELECT count(*) FROM cases")).scalar():
        return
    # imported only here: the same rule the app keeps the rows by. Core
    # queries of the columns known at this revision (the model may have more).
    import json
    from types import SimpleNamespace

    from onegrid.workflow import rulebook, visibility

    def value(v):
        return json.loads(v) if isinstance(v, str) else v

    versions = {}
    for row in bind.execute(
        sa.text("SELECT id, content_hash, grids_hash, resolved, grids FROM policy_versions")
    ).mappings():
        versions[row["id"]] = SimpleNamespace(
            content_hash=row["content_hash"],
            grids_hash=row["grids_hash"],
            resolved=value(row["resolved"]),
            grids=value(row["grids"]),
        )
    access = sa.table("case_access", sa.column("party"), sa.column("case_id"))
    rows = []
    cases = (
        bind.execute(
            sa.text(
                "SELECT id, policy_version_id, reporter, place, unit, assistants, enterprise,"
                " EXISTS (SELECT 1 FROM audit WHERE audit.case_id = cases.id"
                " AND audit.action = 'dispatch') AS dispatch FROM cases ORDER BY id"
            )
        )
        .mappings()
        .all()
    )
    for row in cases:
        book = rulebook(versions[row["policy_version_id"]])
        case = SimpleNamespace(**{**row, "assistants": value(row["assistants"]) or []})
        handed = row["dispatch"]
        if not handed:
            actions = visibility.handovers(book)
            handed = bind.execute(
                sa.text(
                    "SELECT count(*) FROM audit WHERE case_id = :id AND action IN :a"
                ).bindparams(sa.bindparam("a", expanding=True)),
                {"id": row["id"], "a": sorted(actions)},
            ).scalar()
        for party in visibility.parties(book, case, bool(handed)):
            rows.append({"party": party, "case_id": row["id"]})
        if len(rows) >= 5000:
            bind.execute(access.insert(), rows)
            rows.clear()
    if rows:
        bind.execute(access.insert(), rows)


def downgrade() -> None:
    op.drop_table("case_access")
