"""`onegrid explain PACK --facts FILE`"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from onegrid.cli import options
from onegrid.decide import explain as explain_case
from onegrid.decide.trace import render
from onegrid.errors import Problem, UsageError
from onegrid.paths import find_pack
from onegrid.policy import loader
from onegrid.policy.located import plain
from onegrid.policy.pack import load_policy


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


@click.command("explain")
@click.argument("pack", type=click.Path())
@click.option(
    "--facts",
    "facts_file",
    required=True,
    help="Facts of the case: a JSON or YAML file, or - for stdin.",
)
@options.lang
@options.fmt
def command(pack, facts_file, lang, fmt):
    """Explain how one case is routed: the decision and every rule tried."""
    return explain(pack, facts_file, lang=lang, fmt=fmt)
