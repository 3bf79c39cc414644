"""The store's engines, migrations and the database's own refusals."""

from __future__ import annotations

import threading

from sqlalchemy import inspect, text

from onegrid.store import database_url, make_engine, upgrade


def test_sqlite_is_set_up_for_writers(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'w.sqlite'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_the_url_comes_from_the_environment_or_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("ONEGRID_DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert database_url() == "postgresql+psycopg://u@h/db"
    monkeypatch.delenv("ONEGRID_DATABASE_URL")
    monkeypatch.setenv("ONEGRID_INSTANCE_PATH", str(tmp_path / "instance"))
    assert database_url() == f"sqlite:///{tmp_path / 'instance' / 'onegrid.sqlite'}"
    assert (tmp_path / "instance").is_dir()


def test_upgrade_is_repeatable_and_creates_every_table(db_url):
    upgrade(db_url)
    engine = make_engine(db_url)
    upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"policy_versions", "cases", "audit", "audit_seals", "alembic_version"} <= tables
    engine.dispose()


def test_sqlite_writers_queue_instead_of_failing(tmp_path):
    """Threads that read then write at once on SQLite: BEGIN IMMEDIATE makes
    them wait for each other instead of failing with "database is locked"."""
    engine = make_engine(f"sqlite:///{tmp_path / 'q.sqlite'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (n INTEGER)"))
        conn.execute(text("INSERT INTO counter VALUES (0)"))
    errors = []

    def bump():
        try:
            for _ in range(50):
                with engine.begin() as conn:
                    n = conn.execute(text("SELECT n FROM counter")).scalar()
                    conn.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
        except Exception as exc:  # asserted below
            errors.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with engine.connect() as conn:
        total = conn.execute(text("SELECT n FROM counter")).scalar()
    engine.dispose()
    assert errors == []
    assert total == 200  # serialised: no lost update either
