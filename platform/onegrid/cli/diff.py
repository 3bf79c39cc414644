"""`onegrid diff OLD NEW`: what changed between two packs, as resolved.

`onegrid diff MINE --base-old OLD --base-new NEW` answers "what would
upgrading my base change for me": MINE resolved against each base.
"""

from __future__ import annotations

import json

import click

from onegrid import messages, paths
from onegrid.cli import options
from onegrid.errors import PolicyError, Problem, UsageError
from onegrid.policy import diff as policy_diff
from onegrid.policy.pack import read_pack

messages.register(
    {
        "diff-usage": {
            "zh": "请给出 OLD 和 NEW 两个策略包，或者一个策略包加 --base-old 和 --base-new",
            "en": "give two packs, OLD and NEW, or one pack with --base-old and --base-new",
        },
    }
)

SIGNS = {"added": "+", "removed": "-", "changed": "~", "reordered": "^"}
SUMMARY = {
    "zh": "{total} 处不同：新增 {added}，删除 {removed}，修改 {changed}，调整顺序 {reordered}",
    "en": "{total} difference(s): {added} added, {removed} removed, {changed} changed, {reordered} reordered",
}
SAME = {"zh": "两者的策略相同", "en": "the policies are the same"}
LABELS = {"zh": ("原", "新"), "en": ("old", "new")}


def load(pack: str, base: str | None = None):
    policy, problems = read_pack(
        paths.find_pack(pack), base=paths.find_pack(base) if base else None
    )
    errors = [p for p in problems if p.severity == "error"]
    if policy is None or errors:
        raise PolicyError(errors or problems)
    return policy


def diff(
    old: str,
    new: str | None = None,
    base_old: str | None = None,
    base_new: str | None = None,
    lang: str = "zh",
    fmt: str = "text",
) -> int:
    """Print the changes from OLD to NEW; 0 when equal, 1 when they differ."""
    if new is not None and not (base_old or base_new):
        before, after = load(old), load(new)
    elif new is None and base_old and base_new:
        before, after = load(old, base_old), load(old, base_new)
    else:
        raise UsageError(Problem("diff-usage", {}))
    changes = policy_diff.diff(before, after)
    counts = {c: sum(1 for x in changes if x.change == c) for c in SIGNS}
    if fmt == "json":
        out = {
            "equal": not changes,
            "old": {"pack": before.id, "hash": before.content_hash},
            "new": {"pack": after.id, "hash": after.content_hash},
            "counts": counts,
            "changes": [c.as_json() for c in changes],
        }
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        old_label, new_label = LABELS[lang]
        for c in changes:
            if c.change in ("changed", "reordered"):
                click.echo(f"~ {c.path}: {show(c.old)} → {show(c.new)}")
                click.echo(f"    {old_label}: {policy_diff.place(c.old_at)}")
                click.echo(f"    {new_label}: {policy_diff.place(c.new_at)}")
            elif c.change == "added":
                click.echo(f"+ {c.path}: {show(c.new)}  # {policy_diff.place(c.new_at)}")
            else:
                click.echo(f"- {c.path}: {show(c.old)}  # {policy_diff.place(c.old_at)}")
        text = SUMMARY[lang].format(total=len(changes), **counts) if changes else SAME[lang]
        click.echo(text, err=True)
    return 1 if changes else 0


def show(value) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 160 else text[:157] + "…"


@click.command("diff")
@click.argument("old")
@click.argument("new", required=False)
@click.option("--base-old", help="With one pack: the base it is resolved against first.")
@click.option("--base-new", help="With one pack: the base it would be upgraded to.")
@options.lang
@options.fmt
def command(old, new, base_old, base_new, lang, fmt):
    """Semantic diff of two packs as resolved: items added, removed or
    changed, with where each value came from. Exit 0 when equal, 1 when not."""
    return diff(old, new, base_old, base_new, lang=lang, fmt=fmt)
