"""`onegrid grids report PACK --registry FILE`: grid standards against a registry.

Exit 0 when every standard is met, 1 when any is not (a grid outside the
household range, a staffing gap, coverage below the standard, a community
without grids) or when the registry or the pack has errors, 2 on misuse.
Totals that differ from the published figures are warnings only.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from onegrid import messages
from onegrid.cli import options
from onegrid.cli.db import url_option
from onegrid.errors import PolicyError, Problem, UsageError
from onegrid.grids.registry import load_registry, registry_path
from onegrid.grids.report import build
from onegrid.grids.text import as_csv, as_text
from onegrid.paths import find_pack
from onegrid.policy.pack import load_policy

messages.register(
    {
        "grids-no-registry": {
            "zh": "请用 --registry 指定网格台账（CSV），或在 pack.yaml 中写 registry:",
            "en": "give the grid registry (CSV) with --registry, or set registry: in pack.yaml",
        },
    }
)


def report(
    pack: str,
    registry: str | None,
    lang: str = "zh",
    fmt: str = "text",
    people: bool = False,
    url: str | None = None,
) -> int:
    """Print the grids report of `pack`; 1 when a standard is not met. With
    `people`, real people on record in the database are counted beside it."""
    policy = load_policy(find_pack(pack))
    if registry:
        path = Path(registry)
    else:
        path, problem = registry_path(policy)
        if problem is not None:
            raise PolicyError(problem)
        if path is None:
            raise UsageError(Problem("grids-no-registry", {}))
        path = None  # the pack's own, with an adopter's overlay
    result = build(policy, load_registry(policy, path))
    if people:
        result.people = people_on_record(policy, url)
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(lang), ensure_ascii=False, indent=2))
    elif fmt == "csv":
        click.echo(as_csv(policy, result, lang), nl=False)
    else:
        click.echo(as_text(policy, result, lang))
    if fmt == "text":
        for problem in result.problems:
            click.echo(messages.format_line(problem, lang), err=True)
    return 1 if result.violations else 0


def people_on_record(policy, url: str | None) -> dict:
    """The people side of the report from the database's newest published
    version of the pack (`onegrid.workflow.people.staffing`)."""
    from onegrid.cli.db import database
    from onegrid.workflow import people
    from onegrid.workflow.version import newest_version

    with database(url) as db, db() as session:
        version = newest_version(session, policy.id)
        if version is None:
            raise UsageError(Problem("scores-not-published", {"pack": policy.id}))
        rules = policy.section("standards").get("staffing", [])
        return people.staffing(session, version, rules)


@click.group("grids")
def command():
    """Grid registry and grid standards."""


@command.command("report")
@click.argument("pack")
@click.option("--registry", type=click.Path(dir_okay=False), help="The grid registry CSV.")
@options.lang
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "csv", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--people",
    is_flag=True,
    help="Also count the people on record in the database (accounts and confirmed post claims).",
)
@url_option
def report_command(pack, registry, lang, fmt, people, url):
    """Check a grid registry against the pack's grid standards.

    The registry defaults to the pack's own (`registry:` in pack.yaml). Exit 1
    when a standard is not met; totals that differ from the published
    figures are only warnings. `--people` counts real people from the
    database beside the registry: per staffing rule and per claimable post.
    """
    return report(pack, registry, lang=lang, fmt=fmt, people=people, url=url)
