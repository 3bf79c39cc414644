"""`onegrid intake import FILE --channel hotline --pack PACK`"""

from __future__ import annotations

import dataclasses
import json
import sys

import click

from onegrid import messages
from onegrid.cli import options
from onegrid.cli.db import database, url_option
from onegrid.errors import Loc
from onegrid.paths import DEFAULT_CATALOG, find_pack
from onegrid.policy.pack import load_policy
from onegrid.workflow import Actor, channel_for, newest_version, publish, rulebook
from onegrid.workflow.intake import import_rows, read_rows

messages.register(
    {
        "intake-done": {
            "zh": "新建 {created} 件，重复 {repeated} 件，出错 {errors} 行",
            "en": "{created} created, {repeated} already imported, {errors} row(s) with errors",
        },
        "intake-label": {"zh": "导入", "en": "Importing"},
    }
)


def intake_import(
    path: str,
    channel: str | None,
    pack: str = DEFAULT_CATALOG,
    actor: str | None = None,
    url: str | None = None,
    lang: str = "zh",
    fmt: str = "text",
) -> int:
    """Open a case per row; print each bad row; 1 if any row failed."""
    rows = read_rows(path)
    policy = load_policy(find_pack(pack))
    with database(url) as db:
        with db() as session:
            version = newest_version(session, policy.id)
            if version is None:  # the first import publishes the pack
                version = publish(session, policy, by=actor or "import")
        channel = channel_for(rulebook(version), "import", channel)
        who = Actor(actor or f"{channel}:import", (), None)
        label = messages.text("intake-label", {}, lang)
        with click.progressbar(length=len(rows), label=label, file=sys.stderr) as bar:
            report = import_rows(db, version, rows, channel, who, progress=bar.update)
    problems = [
        dataclasses.replace(p, loc=Loc(path, error.row, 1))
        for error in report.errors
        for p in error.problems
    ]
    counts = {
        "created": len(report.created),
        "repeated": len(report.repeated),
        "errors": len(report.errors),
    }
    if fmt == "json":
        out = {
            **counts,
            "cases": report.created,
            "problems": [messages.as_json(p, lang) for p in problems],
        }
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for problem in problems:
            click.echo(messages.format_line(problem, lang))
        click.echo(messages.text("intake-done", counts, lang), err=True)
    return 1 if report.errors else 0


@click.group("intake")
def command():
    """Cases from other channels: the 12345 hotline, petitions …"""


@command.command("import")
@click.argument("path", type=click.Path())
@click.option(
    "--channel",
    help="The channel the cases came in through: one of the pack's channels (default: the one it marks for import).",
)
@click.option("--pack", default=DEFAULT_CATALOG, show_default=True, help="The pack (name or path).")
@click.option("--actor", help="Who is recorded as the reporter (default CHANNEL:import).")
@url_option
@options.lang
@options.fmt
def import_command(path, channel, pack, actor, url, lang, fmt):
    """Import cases from a CSV, JSON or JSON-lines file, row by row.

    Columns: id (the source's ticket number: importing it again is
    harmless), matter, place, fact.NAME, then the matter's form fields.
    The cases run on the newest published version of the pack (published
    first if it never was). Every bad row is reported as FILE:ROW.
    """
    return intake_import(path, channel, pack, actor, url, lang, fmt)
