"""The declarative base every table of the store is declared on."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so later migrations can refer to them on both databases.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator):
    """A moment in UTC: stored naive on SQLite, timestamptz on PostgreSQL,
    always returned timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use UTC-aware values")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Tracked:
    """The columns the workflow engine reads and writes on every kind of item
    (a case, an admission request): where it is, who holds it, its step's
    clock, its idempotency key and its row version."""

    state: Mapped[str] = mapped_column(String(80), index=True)
    # where it happened (a grid or other org unit), who leads, at which level
    place: Mapped[str | None] = mapped_column(String(80), index=True)
    level: Mapped[str | None] = mapped_column(String(80))
    unit: Mapped[str | None] = mapped_column(String(80), index=True)
    assistants: Mapped[list[str]] = mapped_column(JSON, default=list)
    enterprise: Mapped[str | None] = mapped_column(String(80))
    reporter: Mapped[str] = mapped_column(String(120), index=True)
    limits: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    supervised: Mapped[bool] = mapped_column(default=False)
    escalations: Mapped[int] = mapped_column(Integer, default=0)
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    # who took each transition and for which unit: [[transition, actor, unit], …]
    hands: Mapped[list[list[str | None]] | None] = mapped_column(JSON, default=list)
    # the moves' state (signed, returns, extension asked, revisited, parts; 0601)
    progress: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=dict)
    # the step whose time limit is running, and its deadline
    step: Mapped[str | None] = mapped_column(String(80))
    step_started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    warn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    warned: Mapped[bool] = mapped_column(default=False)
    overdue: Mapped[bool] = mapped_column(default=False)
    # when the sweep must next act on it: the warning not yet given or the
    # deadline, whichever comes first; NULL when closed or nothing runs. Kept
    # by a flush listener (`store.models.next_sweep`) on each table that
    # mixes this in, under a partial index (revisions 0701, 0800).
    sweep_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    request_hash: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    # optimistic locking: every UPDATE says WHERE version = <the one read>
    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version}
