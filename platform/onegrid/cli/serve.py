"""`onegrid serve`"""

from __future__ import annotations

import os

import click

from onegrid.web import create_app


def serve(port: int | None = None, host: str = "127.0.0.1", catalog: str | None = None) -> int:
    port = port or int(os.environ.get("PORT") or 5000)
    config = {"ONEGRID_CATALOG": catalog} if catalog else None
    app = create_app(config)
    click.echo(f"onegrid: serving {app.config['ONEGRID_CATALOG']} on http://{host}:{port}/")
    app.run(host=host, port=port, debug=False, use_reloader=False)
    return 0


@click.command("serve")
@click.option("--port", type=int, default=None, help="Port (default $PORT or 5000).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--catalog", default=None, help="Pack to serve (default $ONEGRID_CATALOG or kunqu).")
def command(port, host, catalog):
    """Run the web app on an embedded SQLite database."""
    return serve(port=port, host=host, catalog=catalog)
