"""The system of record: policy versions, cases and the audit record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, and_, event, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import FunctionElement

from onegrid.store.base import Base, Tracked, UTCDateTime, utcnow


class PolicyVersion(Base):
    """A published, resolved pack; never changed once stored."""

    __tablename__ = "policy_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    pack: Mapped[str] = mapped_column(String(80), index=True)
    label: Mapped[str | None] = mapped_column(String(80))
    content_hash: Mapped[str] = mapped_column(String(80), index=True)
    resolved: Mapped[dict[str, Any]] = mapped_column(JSON)
    # the grids of the pack's registry CSV, as org units (revision 0002)
    grids: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    grids_hash: Mapped[str | None] = mapped_column(String(80))
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by: Mapped[str | None] = mapped_column(String(120))


class Case(Tracked, Base):
    """One case (an incident or request) on its way round the closed loop."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_version_id: Mapped[int] = mapped_column(ForeignKey("policy_versions.id"), index=True)
    pack: Mapped[str] = mapped_column(String(80))
    matter: Mapped[str] = mapped_column(String(80), index=True)
    channel: Mapped[str] = mapped_column(String(40), index=True)
    # the door it came in by: pages, api, open311, import (revision 0300)
    door: Mapped[str | None] = mapped_column(String(20), index=True)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)
    submission: Mapped[dict[str, Any]] = mapped_column(JSON)
    route: Mapped[dict[str, Any]] = mapped_column(JSON)
    # the workflow columns every kind of item shares: `onegrid.store.base.Tracked`

    # lazy: a version already read in this process comes from store/versions.py
    policy_version: Mapped[PolicyVersion] = relationship(lazy="select")


class AuditEntry(Base):
    """One step of one subject (a case, an item, the platform), chained to the
    subject's row before it by a keyed hash (workflow/audit.py). Rows are only
    ever inserted: the database refuses the rest. Partitioned by month of
    `at` on PostgreSQL (revision 0700), so its primary key there is (seq, at)."""

    __tablename__ = "audit"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    # "case:42", "item:7", "platform": the chain the row belongs to, and its place in it
    subject: Mapped[str] = mapped_column(String(80))
    subject_seq: Mapped[int] = mapped_column(Integer)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    action: Mapped[str] = mapped_column(String(80))
    actor: Mapped[str | None] = mapped_column(String(120))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # the canonical JSON that was hashed, kept verbatim
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(80))
    hash: Mapped[str] = mapped_column(String(80))


# unique on SQLite; on PostgreSQL a unique index would have to hold the partition
# key, so there the append function keeps a subject's numbers unique
Index("ix_audit_subject", AuditEntry.subject, AuditEntry.subject_seq)


class AuditSeal(Base):
    """A batch of the global log: the Merkle root of the hashes of the rows
    `first`..`upto` (by seq), keyed and chained to the seal before it."""

    __tablename__ = "audit_seals"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    first: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    upto: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    rows: Mapped[int] = mapped_column(Integer)
    root: Mapped[str] = mapped_column(String(80))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    prev_hash: Mapped[str] = mapped_column(String(80))
    hash: Mapped[str] = mapped_column(String(80))


Index("ix_cases_open_deadlines", Case.state, Case.due_at)
# what changed since: connectors' updated_since polls (revision 1700)
Index("ix_cases_updated", Case.updated_at, Case.id)
Index(
    "ix_cases_sweep_at",
    Case.sweep_at,
    postgresql_where=Case.sweep_at.is_not(None),
    sqlite_where=Case.sweep_at.is_not(None),
)

# "no deadline" sorts last in time-left order (the lists' default sort)
FAR = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)


class _Far(FunctionElement):
    """FAR as a SQL literal, never a bound parameter: an expression index on
    coalesce(due_at, FAR) serves only a query that spells the same constant
    (a parameter, as in a prepared statement's generic plan, matches none)."""

    type = UTCDateTime()
    inherit_cache = True


@compiles(_Far)
def _far_naive(element, compiler, **kw):  # SQLite stores moments naive, as text
    return "'9999-01-01 00:00:00.000000'"


@compiles(_Far, "postgresql")
def _far_pg(element, compiler, **kw):
    return "'9999-01-01 00:00:00+00'::timestamptz"


def due_key():
    """A case's place in time-left order: its deadline, or FAR without one."""
    return func.coalesce(Case.due_at, _Far())


# the lists (revision 2000): a page of 50 in time-left order is a walk of an
# index, on each tab; the flags are tested as `flag`, not `flag IS TRUE`, as
# the partial indexes say it (PostgreSQL matches a predicate as written)
Index("ix_cases_due_order", due_key(), Case.id)
for _flag in ("overdue", "warned", "supervised"):
    _open_flag = and_(getattr(Case, _flag), Case.closed_at.is_(None))
    Index(
        f"ix_cases_{_flag}_open",
        due_key(),
        Case.id,
        postgresql_where=_open_flag,
        sqlite_where=_open_flag,
    )


def next_sweep(case: Case) -> dt.datetime | None:
    """The moment the sweep must next act on `case` (see `Case.sweep_at`)."""
    if case.closed_at is not None:
        return None
    times = [case.due_at, None if case.warned else case.warn_at, _parts_at(case)]
    times = [t for t in times if t is not None]
    return min(times) if times else None


def _parts_at(case: Case) -> dt.datetime | None:
    """The next moment an assistant's part of the case is due soon or
    overdue (kept by onegrid.workflow.assist in the case's progress)."""
    at = (case.progress or {}).get("parts_at") if isinstance(case.progress, dict) else None
    try:
        return dt.datetime.fromisoformat(at) if at else None
    except (TypeError, ValueError):
        return None


@event.listens_for(Case, "before_insert")
@event.listens_for(Case, "before_update")
def _next_sweep(_mapper, _connection, case: Case) -> None:
    case.sweep_at = next_sweep(case)
