"""A throwaway PostgreSQL cluster for the tests, and a database per test.

`postgres` (session): initdb + postgres from the machine
(/usr/lib/postgresql/*/bin), run as user postgres when we are root, on a
unix socket in a temp dir and a free loopback port; stopped afterwards.
Skips with the reason when the binaries are absent.

`db_url` (per test, parametrized "sqlite" and "postgresql"): the URL of a
fresh, migrated database: a copy of a migrated SQLite file, or a
PostgreSQL database created from a migrated template.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from onegrid.store import upgrade


def find_bindir() -> Path | None:
    found = []
    for initdb in glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        bindir = Path(initdb).parent
        if (bindir / "postgres").is_file():
            try:
                found.append((int(bindir.parent.name), bindir))
            except ValueError:
                continue
    return max(found)[1] if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """One PostgreSQL server in a temp dir; `url(db)` for SQLAlchemy."""

    def __init__(self, bindir: Path, fsync: bool = False):
        self.bindir = bindir
        self.fsync = fsync
        self.root = Path(tempfile.mkdtemp(prefix="onegrid-pg-"))
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        # the server refuses to run as root: run it (and initdb) as postgres,
        # directly rather than under runuser, so that our signals reach it
        self.as_user = {"user": "postgres", "group": "postgres"} if os.geteuid() == 0 else {}

    def start(self) -> Cluster:
        data, sockets = self.root / "data", self.root / "sockets"
        sockets.mkdir()
        if self.as_user:
            shutil.chown(self.root, "postgres", "postgres")
            shutil.chown(sockets, "postgres", "postgres")
        subprocess.run(
            [
                str(self.bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
            cwd=self.root,
            **self.as_user,
        )
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": str(sockets),
            "max_connections": "200",
            "fsync": "on" if self.fsync else "off",
            "synchronous_commit": "on" if self.fsync else "off",
            "full_page_writes": "on" if self.fsync else "off",
        }
        args = [arg for k, v in settings.items() for arg in ("-c", f"{k}={v}")]
        self.log = open(self.root / "server.log", "wb")  # noqa: SIM115 (lives with the server)
        self.process = subprocess.Popen(
            [str(self.bindir / "postgres"), "-D", str(data), *args],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=self.root,
            **self.as_user,
        )
        self._wait()
        return self

    def _wait(self) -> None:
        import psycopg

        deadline = time.monotonic() + 60
        while True:
            try:
                psycopg.connect(self.dsn(), connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    log = (self.root / "server.log").read_text(errors="replace")
                    raise RuntimeError(f"PostgreSQL did not start:\n{log}") from None
                time.sleep(0.1)

    def dsn(self, db: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={db}"

    def url(self, db: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{db}"

    def execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(sql)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            # SIGINT: "fast shutdown", disconnecting clients
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if hasattr(self, "log"):
            self.log.close()
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres():
    bindir = find_bindir()
    if bindir is None:
        pytest.skip(
            "PostgreSQL is not installed: no initdb/postgres under /usr/lib/postgresql/*/bin"
        )
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root, and there is no user 'postgres' to run PostgreSQL as")
    cluster = Cluster(bindir).start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def _pg_template(postgres) -> str:
    postgres.execute("CREATE DATABASE onegrid_template")
    upgrade(postgres.url("onegrid_template"))
    return "onegrid_template"


@pytest.fixture(scope="session")
def _sqlite_dir(tmp_path_factory):
    """Where the tests' SQLite files live: in memory-backed /dev/shm when
    there is one. The same SQLite, WAL and synchronous FULL; the fsyncs just
    cost nothing there, and no test depends on the disk surviving a crash."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        path = Path(tempfile.mkdtemp(prefix="onegrid-tests-", dir=shm))
        yield path
        shutil.rmtree(path, ignore_errors=True)
    else:
        yield tmp_path_factory.mktemp("sqlite")


@pytest.fixture(scope="session")
def _sqlite_template(_sqlite_dir) -> Path:
    path = _sqlite_dir / "template.sqlite"
    upgrade(f"sqlite:///{path}")
    return path


_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def _pg_shared(postgres, _pg_template) -> str:
    postgres.execute(f"CREATE DATABASE onegrid_tests TEMPLATE {_pg_template}")
    return "onegrid_tests"


def reset(cluster: Cluster, db: str) -> None:
    """Empty every table but Alembic's: much faster than a new database per
    test. The append-only triggers are bypassed for this session only
    (replica role); the audit's number sequence restarts with its table."""
    import psycopg

    from onegrid.store import versions

    versions.forget()  # the same database, new rows under the same ids
    with psycopg.connect(cluster.dsn(db), autocommit=True) as conn:
        conn.execute("SET lock_timeout = '5s'")
        conn.execute("SET session_replication_role = replica")
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'"
            )
        ]
        conn.execute(
            "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
        )
        for table in tables:  # a test may have switched the append-only triggers off
            conn.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request) -> str:
    """A fresh migrated database on each backend."""
    if request.param == "sqlite":
        path = request.getfixturevalue("_sqlite_dir") / f"test_{next(_numbers)}.sqlite"
        shutil.copy(request.getfixturevalue("_sqlite_template"), path)
        return f"sqlite:///{path}"
    import psycopg

    cluster = request.getfixturevalue("postgres")
    shared = request.getfixturevalue("_pg_shared")
    try:
        reset(cluster, shared)
        return cluster.url(shared)
    except psycopg.errors.LockNotAvailable:
        # an earlier test left a connection holding a lock: a database of its own
        name = f"test_{next(_numbers)}"
        template = request.getfixturevalue("_pg_template")
        cluster.execute(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY")
        return cluster.url(name)
