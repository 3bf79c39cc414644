"""`onegrid scores PACK --period 2026-11`: the period's indicators, scores and tiers."""

from __future__ import annotations

import json

import click

from onegrid import messages
from onegrid.cli import options
from onegrid.cli.db import database, url_option
from onegrid.cli.show import load
from onegrid.errors import Problem, UsageError
from onegrid.messages import localized
from onegrid.scoring import indicators_of, periods, schemes_of
from onegrid.scoring import run as scoring_run
from onegrid.scoring.table import table
from onegrid.store import utcnow
from onegrid.workflow.rulebook import rulebook
from onegrid.workflow.version import newest_version

messages.register(
    {
        "scores-not-published": {
            "zh": "数据库中没有策略包 '{pack}' 的已发布版本（先 onegrid serve 或发布）",
            "en": "the database holds no published version of the pack '{pack}' (serve or publish it first)",
        },
        "scores-no-scheme": {
            "zh": "策略包 '{pack}' 没有按{kind}考评的方案{scheme}",
            "en": "the pack '{pack}' has no {kind} scoring scheme{scheme}",
        },
        "scores-heading": {
            "zh": "{scheme}  {period}  {state}",
            "en": "{scheme}  {period}  {state}",
        },
        "scores-frozen": {
            "zh": "已冻结，第 {revision} 版",
            "en": "frozen, revision {revision}",
        },
        "scores-provisional": {
            "zh": "未冻结（按当前记录计算）",
            "en": "not frozen (computed from the record now)",
        },
        "scores-unchanged": {
            "zh": "{scheme} {period}：重新计算结果相同，未新增版本（第 {revision} 版）",
            "en": "{scheme} {period}: recomputed, unchanged (revision {revision})",
        },
        "scores-revised": {
            "zh": "{scheme} {period}：已冻结第 {revision} 版",
            "en": "{scheme} {period}: frozen as revision {revision}",
        },
        "scores-not-ended": {
            "zh": "周期 {period} 尚未结束，不能冻结",
            "en": "the period {period} has not ended yet and cannot be frozen",
        },
    }
)

KIND_WORDS = {
    "monthly": {"zh": "月", "en": "monthly"},
    "quarterly": {"zh": "季度", "en": "quarterly"},
    "yearly": {"zh": "年", "en": "yearly"},
}


def lines(view: scoring_run.View, indicators: dict, lang: str) -> list[str]:
    header, rows = table(view, indicators, lang)
    return ["\t".join(header), *("\t".join(str(c) for c in row) for row in rows)]


def scores(
    pack: str,
    period: str,
    scheme: str | None = None,
    recompute: bool = False,
    url: str | None = None,
    lang: str = "zh",
    fmt: str = "text",
) -> int:
    """Print each scheme's standings for the period (frozen, else computed
    now); with `recompute`, freeze the ended period again (a new revision
    only if the results changed)."""
    policy = load(pack)
    wanted = periods.parse(period)
    out = []
    with database(url) as db, db() as session:
        version = newest_version(session, policy.id)
        if version is None:
            raise UsageError(Problem("scores-not-published", {"pack": policy.id}))
        book = rulebook(version)
        chosen = [
            s for s in schemes_of(book) if s["period"] == wanted.kind and scheme in (None, s["id"])
        ]
        if not chosen:
            raise UsageError(
                Problem(
                    "scores-no-scheme",
                    {
                        "pack": policy.id,
                        "kind": KIND_WORDS[wanted.kind][lang],
                        "scheme": f" '{scheme}'" if scheme else "",
                    },
                )
            )
        if recompute:
            _, end = wanted.bounds(book.calendar.tz)
            if end > utcnow():
                raise UsageError(Problem("scores-not-ended", {"period": wanted.key}))
            for s in chosen:
                done = scoring_run.freeze(session, version, s, wanted, by="onegrid scores")
                code = "scores-revised" if done.created else "scores-unchanged"
                args = {"scheme": s["id"], "period": wanted.key, "revision": done.run.revision}
                click.echo(messages.text(code, args, lang), err=fmt == "json")
        indicators = indicators_of(book)
        for s in chosen:
            evidence = scoring_run.ALL if fmt == "json" else None
            view = scoring_run.view(session, version, s, wanted, now=utcnow(), evidence=evidence)
            if fmt == "json":
                out.append(
                    {
                        "scheme": s["id"],
                        "period": wanted.key,
                        "revision": view.revisions or None,
                        "provisional": view.provisional,
                        "rows": view.rows,
                    }
                )
                continue
            state = (
                messages.text("scores-provisional", {}, lang)
                if view.provisional
                else messages.text("scores-frozen", {"revision": view.revisions}, lang)
            )
            heading = {
                "scheme": localized(s["name"], lang),
                "period": wanted.label(lang),
                "state": state,
            }
            click.echo(messages.text("scores-heading", heading, lang))
            for line in lines(view, indicators, lang):
                click.echo(line)
            click.echo("")
    if fmt == "json":
        click.echo(json.dumps(out, ensure_ascii=False, indent=2, default=str))
    return 0


@click.command("scores")
@click.argument("pack")
@click.option("--period", required=True, help="A month 2026-11, a quarter 2026-Q4 or a year 2026.")
@click.option("--scheme", help="Only this scheme (default: every scheme of that period).")
@click.option(
    "--recompute",
    is_flag=True,
    help="Freeze the ended period again: a new revision if the results changed.",
)
@url_option
@options.lang
@options.fmt
def command(pack, period, scheme, recompute, url, lang, fmt):
    """The period's indicators, scores and tiers (frozen by the monthly run)."""
    return scores(pack, period, scheme, recompute, url, lang, fmt)
