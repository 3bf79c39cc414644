"""`onegrid admission PACK --request FILE`: decide one task a department hands down.

`onegrid admission file PACK --request FILE`: file it for real: the request
(the fields of the pack's request form, YAML or JSON) is stored as an
admission item on the newest published version of PACK in the database,
decided by the gate or sent to review, audited; prints its number, state
and reasons, with the same exit codes.

The request is YAML or JSON (`-` for stdin): `{task, department, resources,
basis, attachments}`. Prints the outcome (admitted, needs_review, refused)
and the reasons. Exit 0 admitted, 1 refused, 3 needs review (scripts branch
on it); 1 also when the pack or the file is invalid, 2 when the request is
malformed.
"""

from __future__ import annotations

import json
import sys

import click

from onegrid import messages
from onegrid.admission import decide
from onegrid.cli import options
from onegrid.cli.db import url_option
from onegrid.errors import Problem, UsageError
from onegrid.paths import find_pack
from onegrid.policy import loader
from onegrid.policy.located import plain
from onegrid.policy.pack import load_policy

EXIT = {"admitted": 0, "refused": 1, "needs_review": 3}
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
        return EXIT[decision.outcome]
    click.echo(OUTCOMES[decision.outcome][lang])
    for reason in decision.reasons:
        line = messages.text(reason.code, reason.params, lang)
        if reason.hint is not None:
            line += ("；" if lang == "zh" else "; ") + messages.text(
                reason.hint.code, reason.hint.params, lang
            )
        click.echo(f"  - {line}")
    return EXIT[decision.outcome]


def file_request(
    pack: str, request: str, url: str | None, by: str, lang: str = "zh", fmt: str = "text"
) -> int:
    from onegrid.cli.db import database
    from onegrid.workflow import newest_version, publish
    from onegrid.workflow.actor import Actor
    from onegrid.workflow.item import file_item

    policy = load_policy(find_pack(pack))
    data = plain(loader.load_file(request) if request != "-" else _stdin())
    if not isinstance(data, dict):
        raise UsageError(Problem("admission-bad-request", {"reason": "expected a mapping"}))
    with database(url) as sessions, sessions() as session:
        version = newest_version(session, policy.id)
        if version is None or version.content_hash != policy.content_hash:
            version = publish(session, policy, by=by)
        item = file_item(session, version, "admission", data, Actor(by), lang=lang)
        decision = item.result.get("decision") or {}
        outcome = decision.get("outcome") or "needs_review"
        if fmt == "json":
            click.echo(
                json.dumps(
                    {
                        "item": item.id,
                        "state": item.state,
                        "outcome": outcome,
                        "policy_version": version.id,
                        "decision": decision,
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return EXIT[outcome]
        click.echo(f"#{item.id} {OUTCOMES[outcome][lang]}")
        for reason in decision.get("reasons") or ():
            click.echo(f"  - {messages.text(reason['code'], reason['params'], lang)}")
    return EXIT[outcome]


def _stdin():
    return loader.load_bytes(sys.stdin.buffer.read(), "<stdin>")


@click.command("admission")
@click.argument("pack")
@click.argument("filed_pack", required=False, metavar="[PACK]")
@click.option("--request", required=True, help="The request, YAML or JSON; - for stdin.")
@url_option
@click.option("--by", default="cli", show_default=True, help="Who files it (with `file`).")
@options.lang
@options.fmt
def command(pack, filed_pack, request, url, by, lang, fmt):
    """Decide whether communities may accept a department's task; `admission
    file PACK` files the request in the database (stored, decided, reviewed)."""
    if pack == "file":
        if not filed_pack:
            raise click.UsageError("admission file PACK --request FILE")
        return file_request(filed_pack, request, url, by, lang=lang, fmt=fmt)
    if filed_pack:
        raise click.UsageError(f"unexpected argument {filed_pack!r}")
    return admission(pack, request, lang=lang, fmt=fmt)
