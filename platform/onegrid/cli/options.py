"""Options shared by several subcommands."""

import click

lang = click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default="zh",
    envvar="ONEGRID_LANG",
    show_default=True,
    help="Language of messages.",
)
fmt = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
