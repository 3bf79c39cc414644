"""Engines and sessions for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from onegrid import paths

BUSY_TIMEOUT_S = 30


def instance_path() -> Path:
    return Path(os.environ.get("ONEGRID_INSTANCE_PATH") or paths.default_instance())


def database_url() -> str:
    """`ONEGRID_DATABASE_URL`, else an SQLite file in the instance folder."""
    url = os.environ.get("ONEGRID_DATABASE_URL")
    if url:
        return url
    folder = instance_path()
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'onegrid.sqlite'}"


def make_engine(url: str | None = None, **kwargs) -> Engine:
    url = url or database_url()
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_S}, **kwargs)
        _sqlite_for_writers(engine)
        return engine
    # No server-side prepared statements (psycopg prepares a query after its
    # fifth run): PostgreSQL then switches to a generic plan, blind to the
    # parties and the moment a list passes, and the inbox of a command centre
    # went from 0.2 s to 1.7 s at 100k cases (issue 22, docs/scale.md).
    connect_args = {"prepare_threshold": None, **kwargs.pop("connect_args", {})}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)


def _sqlite_for_writers(engine: Engine) -> None:
    """WAL, synchronous FULL, a busy timeout and BEGIN IMMEDIATE.

    pysqlite opens transactions lazily as DEFERRED, so two writers that both
    read first deadlock on the upgrade and one gets "database is locked" at
    once, busy timeout or not. Taking the write lock at BEGIN makes them
    queue instead. This is SQLAlchemy's documented recipe for pysqlite
    transaction control (docs: dialects/sqlite, "Serializable isolation /
    Savepoints / Transactional DDL").
    """

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    # Threads of one process queue on a lock instead: SQLite's busy handler
    # sleeps in steps of up to 100 ms, which makes a contended write queue
    # ten times slower than it needs to be. Other processes still meet the
    # busy timeout.
    gate = threading.RLock()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.info["onegrid.gate"] = gate.acquire(timeout=BUSY_TIMEOUT_S)
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _end(conn)
            raise

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _end(conn):
        if conn.info.pop("onegrid.gate", False):
            gate.release()


def sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
