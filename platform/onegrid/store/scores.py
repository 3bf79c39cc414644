"""Frozen scoring results: one run per scheme, period and revision.

A period's standings are written once (`ScoreRun` with its `ScoreRow`s) and
never changed: the tables are append-only, like the audit chain. Computing
a closed period again and getting something different (a late evaluation,
a correction) stores a new revision beside the old one, so what was
published stays visible; getting the same results stores nothing.
These runs are also the rollups the pages and the dashboard read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from onegrid.store.base import Base, UTCDateTime, utcnow


class ScoreRun(Base):
    __tablename__ = "score_runs"
    __table_args__ = (UniqueConstraint("pack", "scheme", "period", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pack: Mapped[str] = mapped_column(String(80), index=True)
    scheme: Mapped[str] = mapped_column(String(80))
    period: Mapped[str] = mapped_column(String(16))
    revision: Mapped[int] = mapped_column(Integer)
    policy_version_id: Mapped[int] = mapped_column(ForeignKey("policy_versions.id"))
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    computed_by: Mapped[str | None] = mapped_column(String(120))
    # sha256 of the canonical results: equal digests mean nothing changed
    digest: Mapped[str] = mapped_column(String(80))
    # not loaded with the run: a run's evidence may hold every case of its
    # period, and pages read the rows they show (scoring.run.frozen_rows)
    rows: Mapped[list[ScoreRow]] = relationship(
        back_populates="run", order_by="ScoreRow.position", lazy="select"
    )


class ScoreRow(Base):
    __tablename__ = "score_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("score_runs.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String(120), index=True)
    name: Mapped[Any] = mapped_column(JSON)
    units: Mapped[list[str]] = mapped_column(JSON)
    score: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(Integer)
    tier: Mapped[str | None] = mapped_column(String(80))
    # per metric: indicator, value, points, items, hits
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
    # per metric: the items behind the value ({"case": id, "ok": 0-1, "note": …})
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    run: Mapped[ScoreRun] = relationship(back_populates="rows")


FROZEN = ("score_runs", "score_rows")
