"""`onegrid schema DIR`"""

from __future__ import annotations

import click

from onegrid.policy.schema import write_schemas


def schema(directory: str) -> int:
    for path in write_schemas(directory):
        click.echo(str(path))
    return 0


@click.command("schema")
@click.argument("directory", type=click.Path(file_okay=False))
def command(directory):
    """Write the JSON Schema of every policy file kind into DIRECTORY."""
    return schema(directory)
