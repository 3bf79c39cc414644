"""Throttles that hold across processes: failure counts in the database.

One row per (scope, key, window): `window` is the start of a fixed window
in seconds since the epoch. Several app servers on one PostgreSQL (or
several threads on one SQLite) count into the same row, so a guesser who
spreads attempts over processes gains nothing; a per-process counter could
be beaten by simply reconnecting. Flask-Limiter was considered: its
storages are memory, Redis, Memcached and MongoDB, none of them the
database we already run, and it counts requests where we count failures.

Counting writes in its own short transaction, so a failure is counted even
when the request's own transaction rolls back.
"""

from __future__ import annotations

import time

from sqlalchemy import Integer, String, delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from onegrid.store.base import Base


class ThrottleCount(Base):
    __tablename__ = "throttle_counts"

    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(Integer, default=0)


def _window(seconds: int, now: float | None = None) -> int:
    now = time.time() if now is None else now
    return int(now // seconds) * seconds


def failures(engine: Engine, scope: str, key: str, seconds: int, now: float | None = None) -> int:
    """Failures counted for the key in this window and the one before it
    (so that a burst across a window boundary still counts)."""
    start = _window(seconds, now)
    with engine.connect() as conn:
        rows = conn.execute(
            select(ThrottleCount.count).where(
                ThrottleCount.scope == scope,
                ThrottleCount.key == key[:200],
                ThrottleCount.window.in_((start, start - seconds)),
            )
        ).all()
    return sum(r[0] for r in rows)


def fail(engine: Engine, scope: str, key: str, seconds: int, now: float | None = None) -> None:
    """Count one failure, atomically (an UPDATE, or the INSERT that wins)."""
    start, key = _window(seconds, now), key[:200]
    match = (ThrottleCount.scope == scope, ThrottleCount.key == key, ThrottleCount.window == start)
    for _ in range(3):
        with engine.begin() as conn:
            done = conn.execute(
                update(ThrottleCount).where(*match).values(count=ThrottleCount.count + 1)
            )
            if done.rowcount:
                return
            try:
                with conn.begin_nested():
                    conn.execute(
                        ThrottleCount.__table__.insert().values(
                            scope=scope, key=key, window=start, count=1
                        )
                    )
                return
            except IntegrityError:
                continue  # another process inserted it first: update it


def clear(engine: Engine, scope: str, key: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            delete(ThrottleCount).where(
                ThrottleCount.scope == scope, ThrottleCount.key == key[:200]
            )
        )


def prune(engine: Engine, older_than: int) -> None:
    """Drop windows that started before `older_than` (epoch seconds)."""
    with engine.begin() as conn:
        conn.execute(delete(ThrottleCount).where(ThrottleCount.window < older_than))
