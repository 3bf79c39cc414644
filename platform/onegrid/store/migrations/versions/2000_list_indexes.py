"""Indexes for the case lists at volume (issue 22).

Revision ID: 2000
Revises: 1900

A page of 50 in time-left order (`coalesce(due_at, FAR), id`, the lists'
default sort) is a walk of an expression index instead of a sort of every
case the user sees; the overdue, due-soon and supervised tabs each walk a
partial index of the open cases with their flag, in the same order. The
constant and the predicates are spelt as the lists' queries spell them
(store.models.due_key): the planners match an index only to the same text.
"""

from alembic import op

revision = "2000"
down_revision = "1900"
branch_labels = None
depends_on = None

FLAGS = ("overdue", "warned", "supervised")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    far = "'9999-01-01 00:00:00.000000'" if sqlite else "'9999-01-01 00:00:00+00'::timestamptz"
    key = f"coalesce(due_at, {far}), id"
    op.execute(f"CREATE INDEX ix_cases_due_order ON cases ({key})")
    for flag in FLAGS:
        test = f"{flag} = 1" if sqlite else flag
        op.execute(
            f"CREATE INDEX ix_cases_{flag}_open ON cases ({key}) WHERE {test} AND closed_at IS NULL"
        )


def downgrade() -> None:
    for flag in reversed(FLAGS):
        op.drop_index(f"ix_cases_{flag}_open", "cases")
    op.drop_index("ix_cases_due_order", "cases")
