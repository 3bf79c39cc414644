"""The process's long-lived objects kept out of the cycle collector's way.

A served pack's heap (its policy, rulebook, compiled forms and templates,
SQLAlchemy's and Flask's own state: ~180,000 objects once the pages have
been seen) lives as long as the process, yet every full collection of the
cycle collector walked all of it: a pause of 95-180 ms every fifth page
or so of a command centre's inbox (bench/scale at 1M cases: p50 158 ms,
p95 693 ms). Once the process has warmed up, those objects are frozen
(`gc.freeze`): collections then walk only what requests made since.

The caches fill as pages are first seen, so the process freezes what it
holds after its 1st, 2nd, 4th … 256th request (app context), each time
after a full collection (so no garbage is frozen with it): nine
collections in a process's life, then none.
"""

from __future__ import annotations

import gc
import itertools
import threading

from flask import Flask

SETTLE_AT = frozenset(2**k for k in range(9))  # the 1st … 256th request
_served = itertools.count(1)
_lock = threading.Lock()


def settle() -> None:
    """Collect, then freeze whatever survives: it is the process's to keep."""
    gc.collect()
    gc.freeze()


def init_app(app: Flask) -> None:
    def served(_exc=None):
        with _lock:
            n = next(_served)
        if n in SETTLE_AT:
            settle()

    # teardown functions run last registered first: registered before the
    # database's (web/db.py), this runs once the request's session is closed
    app.teardown_appcontext(served)
