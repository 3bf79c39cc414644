"""`onegrid check` for grid standards: standards that contradict themselves,
and the pack's own registry (`registry:` in pack.yaml), imported row by row."""

from __future__ import annotations

from onegrid.errors import Problem
from onegrid.grids.registry import read_registry
from onegrid.grids.report import standards_problems


def check(policy) -> list[Problem]:
    problems = standards_problems(policy)
    path = policy.manifest.get("registry")
    if isinstance(path, str):
        _registry, found = read_registry(policy, policy.root / path)
        problems.extend(found)
    return problems
