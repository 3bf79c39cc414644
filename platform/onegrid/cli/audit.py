"""`onegrid audit verify`: walk the audit chain."""

from __future__ import annotations

import json

import click

from onegrid import messages
from onegrid.cli import options
from onegrid.cli.db import database, url_option
from onegrid.workflow import verify as verify_chain

messages.register(
    {
        "audit-ok": {
            "zh": "审计链完整：{rows} 条记录",
            "en": "the audit chain is intact: {rows} rows",
        },
        "audit-broken": {
            "zh": "审计链有 {count} 处问题（共 {rows} 条记录）",
            "en": "the audit chain has {count} problem(s) ({rows} rows)",
        },
    }
)


def verify(url: str | None = None, lang: str = "zh", fmt: str = "text") -> int:
    """0 if the chain verifies, 1 if not."""
    with database(url) as db, db() as session:
        verdict = verify_chain(session)
    if fmt == "json":
        out = {
            "ok": verdict.ok,
            "rows": verdict.rows,
            "problems": [messages.as_json(p, lang) for p in verdict.problems],
        }
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    elif verdict.ok:
        click.echo(messages.text("audit-ok", {"rows": verdict.rows}, lang))
    else:
        for problem in verdict.problems:
            click.echo(messages.format_line(problem, lang))
        click.echo(
            messages.text(
                "audit-broken", {"count": len(verdict.problems), "rows": verdict.rows}, lang
            ),
            err=True,
        )
    return 0 if verdict.ok else 1


@click.group("audit")
def command():
    """The audit trail."""


@command.command("verify")
@url_option
@options.lang
@options.fmt
def verify_command(url, lang, fmt):
    """Verify the hash chain of every audit row."""
    return verify(url, lang, fmt)
