"""Act once on due deadlines: warn, supervise, escalate up the ladder.

Idempotent: every action moves the case past `now` (a warning is marked
given; an escalation restarts the step's clock at the new level), so a
second sweep at the same moment finds nothing. Several sweeps may run at
once: on PostgreSQL each locks the cases it takes with
`FOR UPDATE SKIP LOCKED`, so no case is acted on twice; on SQLite the
write lock taken at `BEGIN IMMEDIATE` serialises them.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select

from onegrid.store.base import utcnow
from onegrid.store.models import Case
from onegrid.workflow import audit, deadline
from onegrid.workflow.actor import SWEEP
from onegrid.workflow.case import climb
from onegrid.workflow.rulebook import rulebook

BATCH = 100
log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    warned: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)
    supervised: list[int] = field(default_factory=list)
    # cases the sweep could not act on (logged); the others go on regardless
    failed: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.warned) + len(self.escalated) + len(self.supervised)


def due(now: dt.datetime, batch: int = BATCH, skip=()):
    return (
        select(Case)
        .where(
            Case.closed_at.is_(None),
            or_(Case.due_at <= now, and_(Case.warn_at <= now, Case.warned.is_(False))),
            Case.id.not_in(list(skip)),
        )
        .order_by(Case.due_at, Case.id)
        .limit(batch)
        .with_for_update(skip_locked=True, of=Case)
    )


def sweep(sessions, now: dt.datetime | None = None, batch: int = BATCH) -> SweepReport:
    """Act on every case due at `now` (default: the current time), `batch`
    cases per transaction."""
    now = now or utcnow()
    report = SweepReport()
    while True:
        with sessions() as session:
            cases = session.scalars(due(now, batch, report.failed)).all()
            if not cases:
                session.rollback()
                return report
            for case in cases:
                try:
                    # one case's failure (a broken limit, say) must not stop the rest
                    with session.begin_nested():
                        _act_on(session, case, now, report)
                except Exception:
                    log.exception("sweep: cannot act on case %s", case.id)
                    report.failed.append(case.id)
            session.commit()


def _act_on(session, case: Case, now: dt.datetime, report: SweepReport) -> None:
    book = rulebook(case.policy_version)
    if case.due_at is not None and case.due_at <= now:
        before = {"level": case.level, "unit": case.unit, "step": case.step}
        due_at = case.due_at
        if climb(book, case):
            deadline.start_step(book, case, now)
            action, bucket = "escalate", report.escalated
        else:
            # the top of the ladder: stays supervised and marked overdue
            case.supervised = True
            case.overdue = True
            case.warned = True
            case.due_at = None
            action, bucket = "supervise", report.supervised
        case.updated_at = now
        session.flush()
        audit.append(
            session,
            case.id,
            action,
            SWEEP.id,
            now,
            {
                "state": case.state,
                "step": before["step"],
                "overdue_since": audit.stamp(due_at),
                "level": [before["level"], case.level],
                "unit": [before["unit"], case.unit],
                "version": case.version,
                "due_at": audit.stamp(case.due_at) if case.due_at else None,
            },
        )
        bucket.append(case.id)
        return
    case.warned = True
    case.updated_at = now
    session.flush()
    audit.append(
        session,
        case.id,
        "warn",
        SWEEP.id,
        now,
        {
            "state": case.state,
            "step": case.step,
            "due_at": audit.stamp(case.due_at),
            "version": case.version,
        },
    )
    report.warned.append(case.id)
