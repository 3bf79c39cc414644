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


def check_pack(root: str | Path) -> tuple[Policy | None, list[Problem]]:
    """Everything wrong with one pack, sorted by place."""
    policy, problems = read_pack(root)
    if policy is not None and not any(p.severity == "error" for p in problems):
        for stage in stage_checks():
            problems.extend(stage(policy))
    return policy, sorted(problems, key=Problem.sort_key)
