"""`onegrid check` for grid standards: standards that contradict themselves,
and the pack's own registry (`registry:` in pack.yaml), imported row by row."""

from __future__ import annotations

from onegrid.errors import Problem
from onegrid.grids.registry import read_pack_registry
from onegrid.grids.report import per_problems, standards_problems


def check(policy) -> list[Problem]:
    problems = standards_problems(policy)
    registry, found = read_pack_registry(policy)
    problems.extend(found)
    if registry is not None:
        problems.extend(per_problems(policy, registry))
    return problems
