"""The `onegrid` command line.

Each subcommand lives in a module of this package: a plain function that
returns an exit code (testable without the CLI) plus a click command named
`command` that calls it. Every module defining `command` is added to the
group. `main` runs the group behind the error boundary.
"""

from __future__ import annotations

import importlib
import pkgutil

import click

from onegrid import __version__
from onegrid.cli.boundary import run


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="onegrid")
def cli() -> None:
    """onegrid: grid governance from policy files."""


for _info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
    _module = importlib.import_module(f"{__name__}.{_info.name}")
    _command = getattr(_module, "command", None)
    if isinstance(_command, click.Command):
        cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the CLI behind the error boundary."""
    raise SystemExit(run(cli, argv))
