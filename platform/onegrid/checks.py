"""`onegrid check`: the policy layer's problems plus each stage's own checks.

Checks that belong to a stage (rule overlaps in `decide`, unsafe patterns in
`forms`) live in that stage as `onegrid.<stage>.checks.check(policy)`; this
module, which sits above them all, collects them, so `onegrid.policy` never
imports the stages that read it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from functools import cache
from pathlib import Path

import onegrid
from onegrid import messages
from onegrid.errors import Problem
from onegrid.policy.pack import Policy, read_pack


@cache
def stage_checks() -> tuple[Callable[[Policy], list[Problem]], ...]:
    """`check(policy)` of every stage package that has a `checks` module."""
    found = []
    for info in sorted(pkgutil.iter_modules(onegrid.__path__), key=lambda i: i.name):
        if not info.ispkg or info.name in ("policy", "cli", "web"):
            continue
        try:
            module = importlib.import_module(f"onegrid.{info.name}.checks")
        except ModuleNotFoundError as exc:
            if exc.name != f"onegrid.{info.name}.checks":
                raise
            continue
        found.append(module.check)
    return tuple(found)


# Problems that keep a whole file out of the pack. What goes wrong elsewhere
# often follows from them (every reference to a unit of an unreadable
# org.yaml is unknown), so they come first, and `folded` counts the rest.
DROPS_FILE = frozenset(
    {
        "file-unreadable",
        "file-too-large",
        "not-utf8",
        "yaml-syntax",
        "fullwidth-syntax",
        "too-deep",
        "too-many-nodes",
        "multiple-documents",
        "empty-file",
        "not-a-mapping",
        "missing-kind",
        "unknown-kind",
        # the loader refuses the whole file for these too
        "duplicate-key",
        "merge-key",
        "tag-not-allowed",
        "complex-key",
        # a registry whose header cannot be read brings in no grid at all
        "registry-syntax",
        "registry-empty",
        "registry-not-utf8",
        "registry-level-columns",
        "registry-missing-column",
        "registry-unknown-column",
        "registry-duplicate-column",
    }
)
# what a dropped file leaves behind in the files that name its ids (or grids)
FOLLOWS = frozenset({"unknown-ref", "decide-unknown-unit", "form-no-units"})

messages.register(
    {
        "folded": {
            "zh": "另有 {count} 个“未知引用”错误，多半是 {cause} 无法读取所致：先改正它（--format json 列出全部）",
            "en": "and {count} more unknown-reference errors, most likely caused by {cause}, which could not be read: fix it first (--format json lists them all)",
        },
    }
)


def check_pack(root: str | Path) -> tuple[Policy | None, list[Problem]]:
    """Everything wrong with one pack: the problems that drop a file first,
    then the rest sorted by place."""
    policy, problems = read_pack(root)
    if policy is not None and not any(p.severity == "error" for p in problems):
        for stage in stage_checks():
            problems.extend(stage(policy))
    # The pack's own files before the base packs and the shared library it
    # uses: the administrator's line comes first wherever the checkout lives
    # (sorting by absolute path alone put the library first on some machines).
    own = str(Path(root).resolve())
    problems = sorted(problems, key=lambda p: (not _inside(p, own), *p.sort_key()))
    return policy, sorted(problems, key=lambda p: p.code not in DROPS_FILE)


def _inside(problem: Problem, root: str) -> bool:
    if problem.loc is None or not problem.loc.file:
        return True
    return str(Path(problem.loc.file).resolve()).startswith(root + "/")


def fold(problems: list[Problem]) -> tuple[list[Problem], Problem | None]:
    """For people: the problems to print, and one line standing for the
    unknown references that a dropped file explains (None if nothing folds)."""
    causes = [p for p in problems if p.code in DROPS_FILE]
    if not causes:
        return problems, None
    dropped = {p.loc.file for p in causes if p.loc is not None}
    folded = [
        p for p in problems if p.code in FOLLOWS and (p.loc is None or p.loc.file not in dropped)
    ]
    if not folded:
        return problems, None
    first = causes[0].loc
    cause = f"{messages.display_path(first.file)}:{first.line}" if first else "?"
    kept = [p for p in problems if not any(p is f for f in folded)]
    return kept, Problem("folded", {"count": len(folded), "cause": cause}, None, severity="note")
