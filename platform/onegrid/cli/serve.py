"""`onegrid serve`: the web app on an embedded SQLite, migrated and seeded at start."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import click

from onegrid import store
from onegrid.errors import PolicyError
from onegrid.web import casework, create_app, db, demo, policyview
from onegrid.workflow import Scheduler


def demo_secret(instance: str, name: str) -> str:
    """A random demo password or api_key, made once per instance folder and kept there."""
    path = Path(instance) / name
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(6))
    return path.read_text().strip()


def prepare(app, seed_demo: bool = True) -> list[demo.DemoUser]:
    """Migrate, publish the served pack if it is new, seed the demo users."""
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


def serve(
    port: int | None = None,
    host: str = "127.0.0.1",
    catalog: str | None = None,
    production: bool = False,
) -> int:
    port = port or int(os.environ.get("PORT") or 5000)
    config = {"ONEGRID_ENV": os.environ.get("ONEGRID_ENV") or "development"}
    if production:
        config["ONEGRID_ENV"] = "production"
    if catalog:
        config["ONEGRID_CATALOG"] = catalog
    app = create_app(config)
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
    # deadlines: warnings, supervision and escalation while the app runs
    scheduler = Scheduler(store.sessions(db.engine(app)), interval=60)
    scheduler.start()
    try:
        app.run(host=host, port=port, debug=False, use_reloader=False, threaded=True)
    finally:
        scheduler.stop()
    return 0


@click.command("serve")
@click.option("--port", type=int, default=None, help="Port (default $PORT or 5000).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--catalog", default=None, help="Pack to serve (default $ONEGRID_CATALOG or kunqu).")
@click.option(
    "--production",
    is_flag=True,
    help="Production mode: needs ONEGRID_SECRET_KEY, secure cookies, no demo users.",
)
def command(port, host, catalog, production):
    """Run the web app (embedded SQLite by default), migrated and with demo users."""
    return serve(port=port, host=host, catalog=catalog, production=production)
