"""The sweep, run every so often inside a long-running process (the web app,
or `onegrid sweep --every 60`).

However many processes run one, each round is swept by one of them: on
PostgreSQL a round starts only in the process that takes the advisory lock
`SWEEP_LOCK` (held on its own connection for the round, so a process that
dies releases it with its connection); the others skip that round. On
SQLite, which lives on one machine, the write lock taken at BEGIN IMMEDIATE
already serialises sweeps. Either way the sweep itself is idempotent and
takes each due case in one process only, so a case is never warned twice.
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager

from sqlalchemy import text

from onegrid.workflow import audit, notify
from onegrid.workflow.sweep import sweep

log = logging.getLogger(__name__)

# one fixed 64-bit key for "the sweep" among the database's advisory locks
SWEEP_LOCK = 0x6F6E_6567_7269_6401


@contextmanager
def elected(engine):
    """Yield True when this process is the one to sweep this round."""
    if engine is None or engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect() as conn:
        got = bool(
            conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": SWEEP_LOCK}).scalar()
        )
        conn.commit()  # the lock belongs to the session, not to this transaction
        try:
            yield got
        finally:
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": SWEEP_LOCK})
                conn.commit()


class Scheduler:
    """`Scheduler(sessions, interval=60).start()`; `.stop()` at shutdown.
    `.run()` sweeps in the calling thread until `.stop()`. `after`: more
    jobs, each called with the sessionmaker after every round's sweep (the
    monthly scoring run), each failure logged on its own."""

    def __init__(self, sessions, interval: float = 60.0, after=()):
        self.sessions = sessions
        self.interval = interval
        self.after = tuple(after)
        self.runs = 0  # rounds this process swept
        self.skipped = 0  # rounds another process swept
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Scheduler:
        self._thread = threading.Thread(target=self.run, name="onegrid-sweep", daemon=True)
        self._thread.start()
        return self

    def run(self) -> None:
        engine = getattr(self.sessions, "kw", {}).get("bind")
        while not self._stop.is_set():
            try:
                with elected(engine) as mine:
                    if mine:
                        self._round()
                    else:
                        self.skipped += 1
            except Exception:  # the database is away, say: try again next round
                log.exception("scheduler round failed")
            self._stop.wait(self.interval)

    def _round(self) -> None:
        try:
            report = sweep(self.sessions)
        except Exception:  # keep sweeping; the next run retries the same cases
            log.exception("sweep failed")
        else:
            if report.total:
                log.info(
                    "sweep: %d warned, %d escalated, %d supervised",
                    len(report.warned),
                    len(report.escalated),
                    len(report.supervised),
                )
        try:
            audit.seal(self.sessions)
        except Exception:  # the next run seals what this one could not
            log.exception("audit seal failed")
        try:
            notify.deliver(self.sessions)
        except Exception:  # undelivered notifications stay due for the next run
            log.exception("notification delivery failed")
        for job in self.after:
            try:
                job(self.sessions)
            except Exception:  # the next round tries again
                log.exception("scheduled job %s failed", getattr(job, "__name__", job))
        self.runs += 1

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
