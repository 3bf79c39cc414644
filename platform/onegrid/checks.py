"""`onegrid check`: the policy layer's problems plus each stage's own checks.

Checks that belong to a stage (rule overlaps in `decide`, unsafe patterns in
`forms`) live in that stage; this module, which sits above them all,
collects them, so `onegrid.policy` never imports the stages that read it.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from pathlib import Path

from onegrid.errors import Problem
from onegrid.policy.pack import Policy, read_pack

log = logging.getLogger(__name__)

# "module:function" of every stage check; each takes a Policy that loaded
# without problems and returns a list of Problems.
STAGE_CHECKS: list[str] = []


def _stage_functions() -> list[Callable[[Policy], list[Problem]]]:
    out = []
    for dotted in STAGE_CHECKS:
        module, _, name = dotted.partition(":")
        out.append(getattr(importlib.import_module(module), name))
    return out


def check_pack(root: str | Path) -> tuple[Policy | None, list[Problem]]:
    """Everything wrong with one pack, sorted by place."""
    policy, problems = read_pack(root)
    if policy is not None and not any(p.severity == "error" for p in problems):
        for stage in _stage_functions():
            problems.extend(stage(policy))
    return policy, sorted(problems, key=Problem.sort_key)
