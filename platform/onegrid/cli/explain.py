"""`onegrid explain PACK --facts FILE`, and `onegrid explain --case ID` for a stored case"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from onegrid import messages
from onegrid.cli import options
from onegrid.cli.db import database, url_option
from onegrid.decide import explain as explain_case
from onegrid.decide.trace import render
from onegrid.errors import Problem, UsageError
from onegrid.paths import find_pack
from onegrid.policy import loader
from onegrid.policy.located import plain
from onegrid.policy.pack import load_policy

messages.register(
    {
        "explain-what": {
            "zh": "请给出策略包和 --facts 事实文件，或者用 --case 编号（配合 --url）解释一件已存的案件",
            "en": "give a pack and --facts FILE, or --case ID (with --url) for a stored case",
        }
    }
)


def read_facts(source: str) -> dict:
    """Facts from a JSON or YAML file, or from stdin for `-`."""
    if source == "-":
        text, name = sys.stdin.read(), "<stdin>"
    else:
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(Problem("file-unreadable", {"reason": str(exc)}, None)) from exc
        name = str(path)
    data = loader.load_text(text, name)
    return plain(data)


def explain(pack: str, facts_file: str, lang: str = "zh", fmt: str = "text") -> int:
    policy = load_policy(find_pack(pack))
    facts = read_facts(facts_file)
    explanation = explain_case(policy, facts)
    if fmt == "json":
        click.echo(json.dumps(explanation.as_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(render(policy, explanation, lang))
    return 0


def explain_stored(url: str | None, case_id: int, lang: str = "zh", fmt: str = "text") -> int:
    """A live case: how the router proposed to route it (its stored facts under
    the version it runs on), then what each dispatcher chose, and why."""
    from onegrid.workflow import case as wf_case
    from onegrid.workflow.rulebook import rulebook

    with database(url) as sessions, sessions() as session:
        case = wf_case.get_case(session, case_id)
        policy = rulebook(case.policy_version).policy
        facts = dict(case.facts or {})
        if case.place and "unit" not in facts:
            facts["unit"] = case.place  # decide names the place `unit`
        steps = wf_case.trail(session, case_id)
    choices = [
        {
            "at": step.at.isoformat(timespec="minutes"),
            "action": step.action,
            "by": step.actor,
            **{k: step.data["route"].get(k) for k in CHOICE},
        }
        for step in steps
        if isinstance(step.data.get("route"), dict) and "chosen" in step.data["route"]
    ]
    explanation = explain_case(policy, facts)
    if fmt == "json":
        out = {"case": case_id, **explanation.as_json(), "dispatched": choices}
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        click.echo(render(policy, explanation, lang, choices))
    return 0


CHOICE = ("proposed", "chosen", "changed", "reason", "instruction", "option")


@click.command("explain")
@click.argument("pack", type=click.Path(), required=False)
@click.option(
    "--facts",
    "facts_file",
    default=None,
    help="Facts of the case: a JSON or YAML file, or - for stdin.",
)
@click.option(
    "--case",
    "case_id",
    type=click.IntRange(min=1),
    default=None,
    help="A stored case instead (with --url): its route as proposed, and as dispatchers chose it.",
)
@url_option
@options.lang
@options.fmt
def command(pack, facts_file, case_id, url, lang, fmt):
    """Explain how one case is routed: the decision and every rule tried;
    for a stored case, also what the dispatcher changed and why."""
    if case_id is not None:
        return explain_stored(url, case_id, lang=lang, fmt=fmt)
    if pack is None or facts_file is None:
        raise UsageError(Problem("explain-what", {}, None))
    return explain(pack, facts_file, lang=lang, fmt=fmt)
