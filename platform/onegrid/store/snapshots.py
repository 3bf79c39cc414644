"""The running month's rollups (issue 22): a scheme's standings computed on
the record up to some moment, kept so a page reads them in one query.

A closed month is frozen once (`store/scores.py`). The month still running
changes with every case, and computing it reads every case alive in it
with its trail: 0.7 s at 10k cases and 10 s at 100k, so about 100 s at
1M. The sweep's scheduler therefore recomputes it every few minutes
(`scoring.run.refresh_running`), and the dashboard shows that snapshot,
with the time it was taken. This is one row per pack, scheme and period,
replaced at each refresh: a cache of what the record says, not a record.

Every scheme of a pack is snapshotted, not only the dashboard's, so a
ranking page of the running month reads one row too. The evidence behind
each subject's numbers (the cases, up to every case of the month) is kept
apart, a row per subject: a ranking reads none of it and a subject's
breakdown only its own (revision 2500).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from onegrid.store.base import Base, UTCDateTime


class ScoreSnapshot(Base):
    __tablename__ = "score_snapshots"
    __table_args__ = (UniqueConstraint("pack", "scheme", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pack: Mapped[str] = mapped_column(String(80))
    scheme: Mapped[str] = mapped_column(String(80))
    period: Mapped[str] = mapped_column(String(16))
    policy_version_id: Mapped[int] = mapped_column(ForeignKey("policy_versions.id"))
    # the record up to this moment
    as_of: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # how long computing it took (seconds): the next refresh waits ten times that
    took: Mapped[float] = mapped_column(Float)
    # the view's rows (as scoring.run.as_json), without their evidence
    rows: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class SnapshotEvidence(Base):
    """One subject's evidence in a snapshot: per metric, the items behind
    its value (as `ScoreRow.evidence`)."""

    __tablename__ = "score_snapshot_evidence"

    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("score_snapshots.id", ondelete="CASCADE"), primary_key=True
    )
    subject: Mapped[str] = mapped_column(String(120), primary_key=True)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
