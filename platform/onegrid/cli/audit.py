"""`onegrid audit verify [--since]` and `onegrid audit seal`."""

from __future__ import annotations

import json

import click

from onegrid import messages
from onegrid.cli import options
from onegrid.cli.db import database, url_option
from onegrid.workflow import audit

messages.register(
    {
        "audit-ok": {
            "zh": "审计记录完整：{rows} 条记录，{seals} 次封存，{cases} 件案件与其记录一致"
            "（{unsealed} 条尚未封存）",
            "en": "the audit record is intact: {rows} rows, {seals} seals, {cases} cases agree"
            " with their trails ({unsealed} rows not sealed yet)",
        },
        "audit-broken": {
            "zh": "审计记录有 {count} 处问题（查验 {rows} 条记录、{cases} 件案件）",
            "en": "the audit record has {count} problem(s) ({rows} rows, {cases} cases checked)",
        },
        "audit-sealed": {
            "zh": "封存 {seals} 次，共 {rows} 条记录",
            "en": "{seals} seal(s) made over {rows} rows",
        },
    }
)


def verify(url: str | None = None, lang: str = "zh", fmt: str = "text", since=None) -> int:
    """0 if the record verifies, 1 if not."""
    with database(url) as db, db() as session:
        verdict = audit.verify(session, since=since)
    counts = {
        "rows": verdict.rows,
        "seals": verdict.seals,
        "cases": verdict.cases,
        "unsealed": verdict.unsealed,
    }
    if fmt == "json":
        out = {
            "ok": verdict.ok,
            **counts,
            "since_seq": verdict.since,
            "problems": [messages.as_json(p, lang) for p in verdict.problems],
        }
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    elif verdict.ok:
        click.echo(messages.text("audit-ok", counts, lang))
    else:
        for problem in verdict.problems:
            click.echo(messages.format_line(problem, lang))
        click.echo(
            messages.text("audit-broken", {"count": len(verdict.problems), **counts}, lang),
            err=True,
        )
    return 0 if verdict.ok else 1


def _since(_ctx, _param, value):
    if value is None or value == "last" or value.isdigit():
        return value
    import datetime as dt

    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            "expected 'last', a seal number or an ISO date, e.g. 2026-12-01"
        ) from None
    return value


@click.group("audit")
def command():
    """The audit record."""


@command.command("verify")
@url_option
@click.option(
    "--since",
    callback=_since,
    help="Verify from a seal on: 'last', a seal number, or the last seal before an ISO "
    "date (default: everything, from each chain's first row).",
)
@options.lang
@options.fmt
def verify_command(url, since, lang, fmt):
    """Verify every chain, seal and case against its trail."""
    return verify(url, lang, fmt, since)


@command.command("seal")
@url_option
@options.lang
def seal_command(url, lang):
    """Seal the rows appended since the last seal (the scheduler does this too)."""
    with database(url) as db:
        made = audit.seal(db)
    rows = sum(s.rows for s in made)
    click.echo(messages.text("audit-sealed", {"seals": len(made), "rows": rows}, lang))
    return 0
