"""The `onegrid` command line. Each subcommand lives in a module of its own
as a plain function returning an exit code; `main` is the error boundary."""

from __future__ import annotations

import click

from onegrid import __version__
from onegrid.cli.boundary import run

LANG = click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default=None,
    envvar="ONEGRID_LANG",
    help="Language of messages (default zh).",
)
FORMAT = click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Output format."
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="onegrid")
def cli() -> None:
    """onegrid: grid governance from policy files."""


@cli.command()
@click.argument("packs", nargs=-1, required=True, type=click.Path())
@LANG
@FORMAT
def check(packs, lang, fmt):
    """Load, validate and cross-check packs; print every problem."""
    from onegrid.cli.check import check as run_check

    return run_check(packs, lang=lang or "zh", fmt=fmt)


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False))
def schema(directory):
    """Write the JSON Schema of every policy file kind into DIRECTORY."""
    from onegrid.cli.schema import schema as run_schema

    return run_schema(directory)


@cli.command()
@click.option("--port", type=int, default=None, help="Port (default $PORT or 5000).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--catalog", default=None, help="Pack to serve (default $ONEGRID_CATALOG or kunqu).")
def serve(port, host, catalog):
    """Run the web app on an embedded SQLite database."""
    from onegrid.cli.serve import serve as run_serve

    return run_serve(port=port, host=host, catalog=catalog)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the CLI behind the error boundary."""
    raise SystemExit(run(cli, argv))
