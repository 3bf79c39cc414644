"""`onegrid admission PACK --request FILE`: decide one task a department hands down.

The request is YAML or JSON (`-` for stdin): `{task, department, resources,
basis, attachments}`. Prints the outcome (admitted, needs_review, refused)
and the reasons; exit 0 whatever the outcome, 1 when the pack or the file is
invalid, 2 when the request is malformed.
"""

from __future__ import annotations

import json
import sys

import click

from onegrid import messages
from onegrid.admission import decide
from onegrid.cli import options
from onegrid.paths import find_pack
from onegrid.policy import loader
from onegrid.policy.located import plain
from onegrid.policy.pack import load_policy

OUTCOMES = {
    "admitted": {"zh": "准入", "en": "admitted"},
    "needs_review": {"zh": "需“一事一议”审核", "en": "needs review (one matter, one review)"},
    "refused": {"zh": "不予准入", "en": "refused"},
}


def admission(pack: str, request: str, lang: str = "zh", fmt: str = "text") -> int:
    policy = load_policy(find_pack(pack))
    if request == "-":
        data = loader.load_bytes(sys.stdin.buffer.read(), "<stdin>")
    else:
        data = loader.load_file(request)
    decision = decide(policy, plain(data))
    if fmt == "json":
        click.echo(json.dumps(decision.as_dict(lang), ensure_ascii=False, indent=2))
        return 0
    click.echo(OUTCOMES[decision.outcome][lang])
    for reason in decision.reasons:
        line = messages.text(reason.code, reason.params, lang)
        if reason.hint is not None:
            line += ("；" if lang == "zh" else "; ") + messages.text(
                reason.hint.code, reason.hint.params, lang
            )
        click.echo(f"  - {line}")
    return 0


@click.command("admission")
@click.argument("pack")
@click.option("--request", required=True, help="The request, YAML or JSON; - for stdin.")
@options.lang
@options.fmt
def command(pack, request, lang, fmt):
    """Decide whether communities may accept a department's task."""
    return admission(pack, request, lang=lang, fmt=fmt)
