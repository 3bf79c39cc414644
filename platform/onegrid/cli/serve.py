"""`onegrid serve`: the web app, migrated and with the pack published at start.

Development (the default): Werkzeug's server, an embedded SQLite, demo users.

`--production`: waitress, a WSGI server from PyPI, with `--threads` threads
in each of `--workers` processes. Waitress rather than gunicorn: it serves
with threads in one process and never forks, and durable_rules (the routing
engine) runs timer threads that a forked worker would not have; it is pure
Python and runs wherever onegrid does. Several workers are separate
interpreters started afresh (never forked), all accepting on one listening
socket that this process binds and hands them; this process only watches
over them and starts again one that dies. Each worker runs the deadline
sweep, and the database elects one per round (workflow/scheduler.py), so a
due case is acted on once however many workers or machines run.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import click

from onegrid import messages, store
from onegrid.errors import PolicyError, Problem, UsageError
from onegrid.scoring.run import close_periods, refresh_running
from onegrid.store.formtokens import prune as prune_form_tokens
from onegrid.web import casework, create_app, db, demo, policyview, proxy
from onegrid.workflow import Scheduler
from onegrid.workflow.rounds import open_rounds

# what the scheduler runs after each round's sweep, in every process that
# schedules (serve, serve --production, sweep --every): one list
JOBS = (close_periods, refresh_running, open_rounds, prune_form_tokens)

messages.register(
    {
        "serve-bad-number": {
            "zh": "{name} 必须是不小于 {least} 的整数，而不是“{value}”",
            "en": "{name} must be a whole number of at least {least}, not '{value}'",
        },
    }
)


def demo_secret(instance: str, name: str) -> str:
    """A random demo password or api_key, made once per instance folder and kept there."""
    path = Path(instance) / name
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(6))
    return path.read_text().strip()


def prepare(app, seed_demo: bool = True, migrate: bool = True) -> list[demo.DemoUser]:
    """Migrate, publish the served pack if it is new, seed the demo users.

    A worker of `--production --workers N` neither migrates nor seeds (the
    watching process did), but loads and publishes the pack too: publishing
    what is already the newest version stores nothing and lets this process
    route with the pack as loaded from its folder (its registry included)."""
    if migrate:
        db.upgrade(app)
    with app.app_context():
        loaded = policyview.load(app)
        errors = [p for p in loaded.problems if p.severity == "error"]
        if loaded.policy is None or errors:
            # what `onegrid check` refuses is never published (issue 20)
            raise PolicyError(errors or loaded.problems)
        session = db.session()
        casework.publish(session, loaded.policy, by="onegrid serve")
        if not seed_demo:
            return []
        return demo.seed(
            session,
            loaded.policy,
            password=demo_secret(app.instance_path, "demo-password"),
            api_key=demo_secret(app.instance_path, "demo-api-key"),
        )


def _number(name: str, value, default: int, least: int = 1) -> int:
    """A count from an option or its environment variable, checked."""
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or number < least:
        raise UsageError(
            Problem("serve-bad-number", {"name": name, "least": least, "value": value})
        )
    return number


def serve(
    port: int | None = None,
    host: str = "127.0.0.1",
    catalog: str | None = None,
    production: bool = False,
    threads: int | None = None,
    workers: int | None = None,
    sweep_every: float = 60.0,
    proxies: int | None = None,
    listen_fd: int | None = None,
) -> int:
    port = port or int(os.environ.get("PORT") or 5000)
    config = {"ONEGRID_ENV": os.environ.get("ONEGRID_ENV") or "development"}
    if production:
        config["ONEGRID_ENV"] = "production"
    if catalog:
        config["ONEGRID_CATALOG"] = catalog
    if proxies is not None:
        config["ONEGRID_PROXIES"] = proxies
    if production:
        if threads is None:
            threads = os.environ.get("ONEGRID_THREADS")
        if workers is None:
            workers = os.environ.get("ONEGRID_WORKERS")
        threads = _number("--threads / ONEGRID_THREADS", threads, 8)
        workers = _number("--workers / ONEGRID_WORKERS", workers, 1)
    app = create_app(config)
    if listen_fd is not None:  # a worker: the watching process migrated and published
        prepare(app, seed_demo=False, migrate=False)
        return _serve_worker(app, socket.socket(fileno=listen_fd), threads, sweep_every)
    users = prepare(app, seed_demo=config["ONEGRID_ENV"] == "development")
    click.echo(f"onegrid: serving {app.config['ONEGRID_CATALOG']} on http://{host}:{port}/")
    click.echo(f"onegrid: database {db.database_url(app)}")
    if users:
        click.echo("demo users (用户名 / 密码 · 角色 @ 单位):")
        for u in users:
            if u.api_key:
                click.echo(f"  {u.username:<18} Open311 api_key={u.api_key}")
            else:
                where = f"{u.role} @ {u.unit}" if u.role else "administrator 管理员"
                click.echo(f"  {u.username:<18} {u.password}  · {where}")
    if production:
        listener = socket.create_server(
            (host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET, backlog=1024
        )
        click.echo(f"onegrid: waitress, {workers} worker(s) × {threads} thread(s)")
        if workers == 1:
            return _serve_worker(app, listener, threads, sweep_every)
        db.engine(app).dispose()  # this process serves nothing itself
        argv = _worker_argv(app, threads, sweep_every, proxies, listener.fileno())
        return _watch(argv, workers, listener)
    # deadlines: warnings, supervision and escalation while the app runs
    scheduler = Scheduler(
        store.sessions(db.engine(app)),
        interval=sweep_every or 60,
        after=JOBS,
    )
    scheduler.start()
    try:
        app.run(host=host, port=port, debug=False, use_reloader=False, threaded=True)
    finally:
        scheduler.stop()
    return 0


def stop_on_sigterm() -> None:
    """SIGTERM (systemd, docker stop) ends the process as ^C does, cleanly."""

    def stop(_signum, _frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)


def _serve_worker(app, listener: socket.socket, threads: int, sweep_every: float) -> int:
    """One waitress server on an already bound socket, with the sweep beside it."""
    import waitress

    server = waitress.create_server(
        app,
        sockets=[listener],
        threads=threads,
        ident="onegrid",
        # X-Forwarded-* are ProxyFix's to judge (web/proxy.py); with no proxy
        # configured waitress drops them before the app sees them
        clear_untrusted_proxy_headers=proxy.hops(app) == 0,
    )
    scheduler = None
    if sweep_every > 0:
        scheduler = Scheduler(
            store.sessions(db.engine(app)),
            interval=sweep_every,
            after=JOBS,
        ).start()
    stop_on_sigterm()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        if scheduler is not None:
            scheduler.stop()
        server.close()
    return 0


def _worker_argv(app, threads, sweep_every, proxies, fd) -> list[str]:
    argv = [sys.executable, "-m", "onegrid", "serve", "--production"]
    argv += ["--catalog", str(app.config["ONEGRID_CATALOG"]), "--threads", str(threads)]
    argv += ["--sweep-every", str(sweep_every), "--listen-fd", str(fd)]
    if proxies is not None:
        argv += ["--proxies", str(proxies)]
    return argv


def _watch(argv: list[str], workers: int, listener: socket.socket) -> int:
    """Start `workers` worker processes and keep that many running until stopped."""
    fd = listener.fileno()

    def start() -> subprocess.Popen:
        return subprocess.Popen(argv, pass_fds=(fd,))

    running = [start() for _ in range(workers)]
    stop_on_sigterm()
    try:
        while True:
            time.sleep(1)
            for i, proc in enumerate(running):
                if proc.poll() is not None:
                    click.echo(
                        f"onegrid: worker {proc.pid} ended ({proc.returncode}); starting another",
                        err=True,
                    )
                    running[i] = start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        for proc in running:
            proc.terminate()
        for proc in running:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        listener.close()
    return 0


@click.command("serve")
@click.option("--port", type=int, default=None, help="Port (default $PORT or 5000).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--catalog", default=None, help="Pack to serve (default $ONEGRID_CATALOG or kunqu).")
@click.option(
    "--production",
    is_flag=True,
    help="Production: waitress, needs ONEGRID_SECRET_KEY, secure cookies, no demo users.",
)
@click.option(
    "--workers",
    type=int,
    default=None,
    help="Production: processes (default $ONEGRID_WORKERS or 1).",
)
@click.option(
    "--threads",
    type=int,
    default=None,
    help="Production: threads per process (default $ONEGRID_THREADS or 8).",
)
@click.option(
    "--sweep-every",
    type=float,
    default=60.0,
    show_default=True,
    help="Seconds between deadline sweeps; 0 when a separate `onegrid sweep --every` runs.",
)
@click.option(
    "--proxies",
    type=int,
    default=None,
    help="Reverse proxies in front whose X-Forwarded-* headers to trust (default $ONEGRID_PROXIES or 0).",
)
@click.option("--listen-fd", type=int, default=None, hidden=True)
def command(port, host, catalog, production, workers, threads, sweep_every, proxies, listen_fd):
    """Run the web app (embedded SQLite by default), migrated and with demo users."""
    return serve(
        port=port,
        host=host,
        catalog=catalog,
        production=production,
        threads=threads,
        workers=workers,
        sweep_every=sweep_every,
        proxies=proxies,
        listen_fd=listen_fd,
    )
