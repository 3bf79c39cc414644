"""`onegrid sweep`: act once on due deadlines."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json

import click

from onegrid import messages
from onegrid.cli import options
from onegrid.cli.db import database, url_option
from onegrid.cli.serve import JOBS, stop_on_sigterm
from onegrid.scoring.run import close_periods
from onegrid.workflow import Scheduler
from onegrid.workflow import sweep as sweep_cases
from onegrid.workflow.rounds import open_rounds

messages.register(
    {
        "sweep-done": {
            "zh": "提醒 {warned} 件，升级 {escalated} 件，督办 {supervised} 件",
            "en": "{warned} warned, {escalated} escalated, {supervised} put under supervision",
        },
        "sweep-scores": {
            "zh": "已冻结考评结果 {count} 份：{runs}",
            "en": "{count} scoring result(s) frozen: {runs}",
        },
        "sweep-failed": {
            "zh": "{count} 件案件无法处理（详见日志）：{cases}",
            "en": "{count} case(s) could not be acted on (see the log): {cases}",
        },
    }
)


def sweep(
    url: str | None = None, now: dt.datetime | None = None, lang="zh", fmt="text", every=None
) -> int:
    """Warn, supervise and escalate every due case once; 1 if a case failed.
    With `every`, sweep every so many seconds until stopped (SIGTERM, ^C)."""
    if every:
        return sweep_forever(url, every)
    with database(url) as db:
        report = sweep_cases(db, now)
        # the monthly scoring run: each ended period is frozen once
        frozen = [f"{r.scheme} {r.period}" for r in close_periods(db, now)]
        # this period's duty rounds, each once (对单履职)
        rounds = open_rounds(db, now)
    counts = {
        "warned": len(report.warned),
        "escalated": len(report.escalated),
        "supervised": len(report.supervised),
        "parts": len(report.parts),
    }
    if fmt == "json":
        cases = {k: v for k, v in dataclasses.asdict(report).items() if k != "items"}
        # admission requests and the other workflow items, swept alike
        items = dataclasses.asdict(report.items) if report.items else None
        click.echo(
            json.dumps(
                {**counts, "cases": cases, "items": items, "scores": frozen, "rounds": len(rounds)},
                ensure_ascii=False,
            )
        )
    else:
        click.echo(messages.text("sweep-done", counts, lang))
        if frozen:
            args = {"count": len(frozen), "runs": ", ".join(frozen)}
            click.echo(messages.text("sweep-scores", args, lang))
        if report.failed:
            cases = ", ".join(str(i) for i in report.failed)
            click.echo(
                messages.text("sweep-failed", {"count": len(report.failed), "cases": cases}, lang),
                err=True,
            )
    return 1 if report.failed else 0


def sweep_forever(url: str | None, every: float) -> int:
    """The web app's scheduler in the foreground: one elected sweeper per
    round however many run (workflow/scheduler.py)."""
    stop_on_sigterm()
    with database(url) as db, contextlib.suppress(KeyboardInterrupt):
        Scheduler(db, interval=every, after=JOBS).run()
    return 0


def _moment(_ctx, _param, value):
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            "expected an ISO date and time, e.g. 2026-11-20T09:00+08:00"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@click.command("sweep")
@url_option
@click.option(
    "--now", callback=_moment, help="Act as if it were this moment (ISO 8601; for tests)."
)
@click.option(
    "--every",
    type=click.FloatRange(min=0.1),
    default=None,
    help="Sweep every so many seconds until stopped (beside `serve --production --sweep-every 0`).",
)
@options.lang
@options.fmt
def command(url, now, lang, fmt, every):
    """Act once on due deadlines: warnings, supervision, escalation."""
    return sweep(url, now, lang, fmt, every)
