"""`onegrid notify deliver`: post the notification outbox to the units' webhooks."""

from __future__ import annotations

import json
import time

import click

from onegrid import messages
from onegrid.cli import options
from onegrid.cli.db import database, url_option
from onegrid.workflow import notify as wf_notify

messages.register(
    {
        "notify-done": {
            "zh": "已送达 {delivered} 条，待重试 {retried} 条，最终失败 {failed} 条",
            "en": "{delivered} delivered, {retried} to be retried, {failed} failed for good",
        },
    }
)


def deliver(url: str | None = None, lang="zh", fmt="text", every: float | None = None) -> int:
    """Deliver what is due once (or every `every` seconds until interrupted)."""
    while True:
        with database(url) as db:
            report = wf_notify.deliver(db)
        counts = {k: len(v) for k, v in report.__dict__.items()}
        if fmt == "json":
            click.echo(json.dumps({**counts, "deliveries": report.__dict__}))
        else:
            click.echo(messages.text("notify-done", counts, lang))
        if every is None:
            return 0
        time.sleep(every)


@click.group("notify")
def command():
    """The notification outbox."""


@command.command("deliver")
@url_option
@click.option("--every", type=float, default=None, help="Keep delivering, every N seconds.")
@options.lang
@options.fmt
def deliver_command(url, every, lang, fmt):
    """Post due notifications to each unit's webhook (retries back off)."""
    return deliver(url, lang, fmt, every)
