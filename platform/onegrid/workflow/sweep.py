"""Act once on due deadlines: warn, supervise, escalate up the ladder.

Idempotent: every action moves the case past `now` (a warning is marked
given; an escalation restarts the step's clock at the new level), so a
second sweep at the same moment finds nothing.

Scales out: each case is claimed and acted on in a transaction of its own
(`SELECT … ORDER BY sweep_at LIMIT 1 FOR UPDATE SKIP LOCKED` on the
partial index of `cases.sweep_at`), which holds that one case row and the
case's own audit chain, nothing intake needs. Several sweeps at once
(processes, or threads of one) each take the next case nobody holds, so N
sweeps on N cores go about N times as fast, and a burst of deadlines at the
same instant is worked off one short transaction at a time between intake's.
An idle sweep costs one probe of that index. On SQLite the write lock taken
at `BEGIN IMMEDIATE` serialises the transactions instead.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from sqlalchemy import select

from onegrid.store.base import utcnow
from onegrid.store.items import Item
from onegrid.store.models import Case
from onegrid.workflow import assist, audit, deadline, item, notify
from onegrid.workflow.actor import SWEEP
from onegrid.workflow.case import climb
from onegrid.workflow.rulebook import rulebook

BATCH = 100  # kept for callers that pass it; each case is its own transaction
log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    warned: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)
    supervised: list[int] = field(default_factory=list)
    # cases one of whose assistants' parts was warned or escalated (workflow.assist)
    parts: list[int] = field(default_factory=list)
    # cases the sweep could not act on (logged); the others go on regardless
    failed: list[int] = field(default_factory=list)
    # the same for the other kinds of workflow item (`onegrid.workflow.item`)
    items: SweepReport | None = None

    @property
    def total(self) -> int:
        own = len(self.warned) + len(self.escalated) + len(self.supervised) + len(self.parts)
        return own + (self.items.total if self.items else 0)


def due(now: dt.datetime, batch: int = 1, skip=(), model=Case):
    """The next `batch` due cases (or items) nobody else holds, locked."""
    query = select(model).where(model.sweep_at.is_not(None), model.sweep_at <= now)
    if skip:
        query = query.where(model.id.not_in(list(skip)))
    return (
        query.order_by(model.sweep_at, model.id)
        .limit(batch)
        .with_for_update(skip_locked=True, of=model)
    )


def sweep(
    sessions, now: dt.datetime | None = None, batch: int = BATCH, limit: int | None = None
) -> SweepReport:
    """Act on every case due at `now` (default: the current time), one case
    per transaction, then on every due item alike; at most `limit` of each
    (None: all)."""
    now = now or utcnow()
    report = _sweep(sessions, now, limit, Case)
    report.items = _sweep(sessions, now, limit, Item)
    return report


def _sweep(sessions, now: dt.datetime, limit: int | None, model) -> SweepReport:
    report = SweepReport()
    failed: set[int] = set()
    while limit is None or report.total + len(report.failed) < limit:
        with sessions() as session:
            case = session.scalars(due(now, 1, failed, model)).first()
            if case is None:
                session.rollback()
                return report
            try:
                bucket = _act_on(session, case, now, report)
                session.commit()
                bucket.append(case.id)
            except Exception:
                # one case's failure (a broken limit, say) must not stop the rest
                session.rollback()
                log.exception("sweep: cannot act on case %s", case.id)
                report.failed.append(case.id)
                failed.add(case.id)
    return report


def _append(session, case: Case | Item, action: str, at: dt.datetime, data: dict) -> None:
    if isinstance(case, Item):
        item.append(session, case, action, SWEEP.id, at, data)
        # the holder hears of the warning or the escalation, through the outbox
        item.tell(session, item.book_of(case), case, action, SWEEP.id, at)
    else:
        audit.append(session, case.id, action, SWEEP.id, at, data)
        # the holder, and on a lapse the units above, hear of it through the outbox
        unit_before = (data.get("unit") or [None])[0]
        notify.case_deadline(session, rulebook(case.policy_version), case, action, unit_before, at)


def _act_on(session, case: Case | Item, now: dt.datetime, report: SweepReport) -> list[int]:
    """Act on one due case or item; the report's list it belongs in once committed."""
    book = item.book_of(case) if isinstance(case, Item) else rulebook(case.policy_version)
    own = (case.due_at is not None and case.due_at <= now) or (
        not case.warned and case.warn_at is not None and case.warn_at <= now
    )
    if not own and isinstance(case, Case) and assist.due_parts(case, now):
        # only an assistant's part is due: its own warning or escalation, the case stays
        assist.sweep_parts(session, book, case, now, SWEEP.id)
        return report.parts
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
        _append(
            session,
            case,
            action,
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
        return bucket
    case.warned = True
    case.updated_at = now
    session.flush()
    _append(
        session,
        case,
        "warn",
        now,
        {
            "state": case.state,
            "step": case.step,
            "due_at": audit.stamp(case.due_at),
            "version": case.version,
        },
    )
    return report.warned
