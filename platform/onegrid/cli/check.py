"""`onegrid check PACK...`"""

from __future__ import annotations

import json

import click

from onegrid import messages, paths
from onegrid.checks import check_pack, fold
from onegrid.cli import options

SUMMARY = {
    "zh": "{packs} 个策略包，{errors} 个错误",
    "en": "{packs} pack(s), {errors} error(s)",
}


def check(packs: list[str], lang: str = "zh", fmt: str = "text") -> int:
    """Print every problem of every pack; 1 if there is any error."""
    results = []
    errors = 0
    for root in packs:
        policy, problems = check_pack(paths.find_pack(root))  # a path, or a bundled name
        errors += sum(1 for p in problems if p.severity == "error")
        results.append((root, policy, problems))
    if fmt == "json":
        out = {
            "ok": errors == 0,
            "errors": errors,
            "packs": [
                {
                    "pack": root,
                    "id": policy.id if policy else None,
                    "ok": not any(p.severity == "error" for p in problems),
                    "problems": [messages.as_json(p, lang) for p in problems],
                }
                for root, policy, problems in results
            ],
        }
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for _root, _policy, problems in results:
            shown, folded = fold(problems)  # the JSON output keeps them all
            for problem in shown:
                click.echo(messages.format_line(problem, lang))
            if folded is not None:
                click.echo(messages.format_line(folded, lang))
        click.echo(SUMMARY[lang].format(packs=len(results), errors=errors), err=True)
    return 1 if errors else 0


@click.command("check")
@click.argument("packs", nargs=-1, required=True, type=click.Path())
@options.lang
@options.fmt
def command(packs, lang, fmt):
    """Load, validate and cross-check packs; print every problem."""
    return check(packs, lang=lang, fmt=fmt)
