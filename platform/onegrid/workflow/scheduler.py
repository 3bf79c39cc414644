"""The sweep, run every so often inside a long-running process (the web app).

Several app processes may each run one: the sweep is idempotent and takes
each due case in one process only.
"""

from __future__ import annotations

import logging
import threading

from onegrid.workflow import audit, notify
from onegrid.workflow.sweep import sweep

log = logging.getLogger(__name__)


class Scheduler:
    """`Scheduler(sessions, interval=60).start()`; `.stop()` at shutdown."""

    def __init__(self, sessions, interval: float = 60.0):
        self.sessions = sessions
        self.interval = interval
        self.runs = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Scheduler:
        self._thread = threading.Thread(target=self._loop, name="onegrid-sweep", daemon=True)
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                report = sweep(self.sessions)
                if report.total:
                    log.info(
                        "sweep: %d warned, %d escalated, %d supervised",
                        len(report.warned),
                        len(report.escalated),
                        len(report.supervised),
                    )
            except Exception:  # keep sweeping; the next run retries the same cases
                log.exception("sweep failed")
            try:
                audit.seal(self.sessions)
            except Exception:  # the next run seals what this one could not
                log.exception("audit seal failed")
            try:
                notify.deliver(self.sessions)
            except Exception:  # undelivered notifications stay due for the next run
                log.exception("notification delivery failed")
            self.runs += 1
            self._stop.wait(self.interval)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
