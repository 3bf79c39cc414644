"""`onegrid show PACK [PATH] [--origin]`: the resolved policy, or one part."""

from __future__ import annotations

import json

import click

from onegrid import messages, paths
from onegrid.cli import options
from onegrid.errors import PolicyError, Problem, UsageError
from onegrid.policy import provenance
from onegrid.policy.located import plain
from onegrid.policy.pack import read_pack

messages.register(
    {
        "show-path-not-found": {
            "zh": "策略包 '{pack}' 中没有 '{path}'（可用的顶层：{top}）",
            "en": "'{path}' is not in the pack '{pack}' (top level: {top})",
        },
    }
)


def load(pack: str):
    """A resolved pack, or `PolicyError` with its errors."""
    policy, problems = read_pack(paths.find_pack(pack))
    errors = [p for p in problems if p.severity == "error"]
    if policy is None or errors:
        raise PolicyError(errors or problems)
    return policy


def show(
    pack: str,
    path: str = "",
    origin: bool = False,
    fmt: str = "text",
    hash_only=False,
    layers=False,
) -> int:
    """Print the resolved policy at `path` (all of it by default)."""
    policy = load(pack)
    if hash_only:
        click.echo(policy.content_hash)
        return 0
    if layers:
        rows = [
            {"role": layer.role, "id": layer.id, "path": messages.display_path(str(layer.root))}
            for layer in policy.layers
        ]
        if fmt == "json":
            click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            for row in rows:
                click.echo(f"{row['role']:8} {row['id']:20} {row['path']}")
        return 0
    root = provenance.tree(policy)
    found = provenance.find(root, path) if path else (root, None)
    if found is None:
        raise UsageError(
            Problem("show-path-not-found", {"pack": pack, "path": path, "top": ", ".join(root)})
        )
    node, loc = found
    if fmt == "json":
        out = {"pack": policy.id, "path": path, "hash": policy.content_hash, "value": plain(node)}
        if origin:
            out["origins"] = {p: provenance.place(at) for p, at in provenance.origins(node, path)}
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        click.echo(provenance.to_yaml(node, origin=origin, loc=loc), nl=False)
    return 0


@click.command("show")
@click.argument("pack")
@click.argument("path", required=False, default="")
@click.option("--origin", is_flag=True, help="After each value, the file and line it came from.")
@click.option(
    "--hash", "hash_only", is_flag=True, help="Print only the content hash (to pin a base)."
)
@click.option(
    "--layers", is_flag=True, help="List the packs resolved into PACK, lowest layer first."
)
@options.lang
@options.fmt
def command(pack, path, origin, hash_only, layers, lang, fmt):
    """The resolved policy of PACK (or the part at PATH, e.g. matters/m.litter
    or org.departments), after extends and includes."""
    return show(pack, path, origin=origin, fmt=fmt, hash_only=hash_only, layers=layers)
