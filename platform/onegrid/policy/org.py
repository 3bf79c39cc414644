"""Checks on the shape of the org and the other trees a pack declares.

The schema and the reference check see one value at a time; these see the
whole: one root, parents above their children, no loops in a chain of
units, departments, roles or matter groups. `read_pack` calls `check`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from onegrid import messages
from onegrid.errors import Problem
from onegrid.policy import attributes

if TYPE_CHECKING:
    from onegrid.policy.pack import Policy

messages.register(
    {
        "org-no-root": {
            "zh": "组织单元没有顶层：总得有一个单元不写 parent",
            "en": "the org units have no top: one unit must have no parent",
        },
        "org-many-roots": {
            "zh": "组织单元 '{id}' 没有 parent，但 '{first}' 已经是顶层；组织树只能有一个顶层",
            "en": "org unit '{id}' has no parent, but '{first}' is already the top; the tree has one top",
        },
        "org-parent-level": {
            "zh": "'{id}'（{level}，第 {rank} 级）的上级 '{parent}' 在 {parent_level}（第 {parent_rank} 级），上级必须在更高的层级",
            "en": "'{id}' ({level}, rank {rank}) has parent '{parent}' at {parent_level} (rank {parent_rank}); a parent must be at a higher level",
        },
        "org-rank-duplicate": {
            "zh": "层级 '{id}' 的 rank {rank} 已被 '{other}' 使用；每个层级的 rank 必须不同",
            "en": "level '{id}' has rank {rank}, already used by '{other}'; every level needs its own rank",
        },
        "org-cycle": {
            "zh": "{namespace}链条绕成了圈：{chain}",
            "en": "the {namespace} chain loops: {chain}",
        },
        "org-department-level": {
            "zh": "部门 '{id}' 在 {level} 层级，但所属单元 '{unit}' 在 {unit_level} 层级",
            "en": "department '{id}' is at level {level}, but its unit '{unit}' is at level {unit_level}",
        },
        "org-role-chain": {
            "zh": "角色 '{id}'（{level}）向 '{boss}'（{boss_level}）汇报，但后者的层级更低",
            "en": "role '{id}' ({level}) reports to '{boss}' ({boss_level}), which is at a lower level",
        },
    }
)


def check(policy: Policy) -> list[Problem]:
    """Every problem with the org tree, the chains and the matter groups."""
    problems: list[Problem] = []
    ranks = _ranks(policy, problems)
    _roots(policy, problems)
    for namespace, key in (
        ("unit", "parent"),
        ("department", "parent"),
        ("role", "reports_to"),
        ("group", "parent"),
    ):
        _cycles(policy, namespace, key, problems)
    _unit_levels(policy, ranks, problems)
    _department_levels(policy, problems)
    _role_chain(policy, ranks, problems)
    problems.extend(attributes.check(policy))
    return problems


def _ranks(policy: Policy, problems: list[Problem]) -> dict[str, int]:
    ranks: dict[str, int] = {}
    by_rank: dict[int, str] = {}
    for level in policy.items("level"):
        rank = level.get("rank")
        if not isinstance(rank, int):
            continue
        ranks[level["id"]] = rank
        if rank in by_rank:
            problems.append(
                Problem(
                    "org-rank-duplicate",
                    {"id": level["id"], "rank": rank, "other": by_rank[rank]},
                    level.loc_of("rank"),
                )
            )
        else:
            by_rank[rank] = level["id"]
    return ranks


def _roots(policy: Policy, problems: list[Problem]) -> None:
    units = policy.items("unit")
    if not units:
        return
    roots = [u for u in units if "parent" not in u]
    if not roots:
        problems.append(Problem("org-no-root", {}, units[0].loc))
    for extra in roots[1:]:
        problems.append(
            Problem(
                "org-many-roots", {"id": extra["id"], "first": roots[0]["id"]}, extra.loc_of("id")
            )
        )


def _cycles(policy: Policy, namespace: str, key: str, problems: list[Problem]) -> None:
    """Report each loop once, at its first member in file order."""
    table = policy.index.get(namespace, {})
    done: set[str] = set()
    for start in table:
        if start in done:
            continue
        path: list[str] = []
        node = start
        while node in table and node not in done and node not in path:
            path.append(node)
            node = table[node].get(key)
        done.update(path)
        if node in path:
            loop = path[path.index(node) :]
            first = min(loop, key=lambda i: _order(table[i]))
            chain = " → ".join([*_rotate(loop, first), first])
            problems.append(
                Problem(
                    "org-cycle", {"namespace": namespace, "chain": chain}, table[first].loc_of(key)
                )
            )


def _order(item) -> tuple:
    loc = item.loc
    return (loc.file, loc.line, loc.col) if loc else ("", 0, 0)


def _rotate(loop: list[str], first: str) -> list[str]:
    i = loop.index(first)
    return loop[i:] + loop[:i]


def _unit_levels(policy: Policy, ranks: dict[str, int], problems: list[Problem]) -> None:
    for unit in policy.items("unit"):
        parent = policy.get("unit", unit.get("parent", ""))
        if parent is None:
            continue
        rank, parent_rank = ranks.get(unit.get("level")), ranks.get(parent.get("level"))
        if rank is None or parent_rank is None or parent_rank < rank:
            continue
        problems.append(
            Problem(
                "org-parent-level",
                {
                    "id": unit["id"],
                    "level": unit["level"],
                    "rank": rank,
                    "parent": parent["id"],
                    "parent_level": parent["level"],
                    "parent_rank": parent_rank,
                },
                unit.loc_of("parent"),
            )
        )


def _department_levels(policy: Policy, problems: list[Problem]) -> None:
    for dept in policy.items("department"):
        unit = policy.get("unit", dept.get("unit", ""))
        if unit is None or unit.get("level") == dept.get("level"):
            continue
        problems.append(
            Problem(
                "org-department-level",
                {
                    "id": dept["id"],
                    "level": dept.get("level"),
                    "unit": unit["id"],
                    "unit_level": unit.get("level"),
                },
                dept.loc_of("unit"),
            )
        )


def _role_chain(policy: Policy, ranks: dict[str, int], problems: list[Problem]) -> None:
    for role in policy.items("role"):
        boss = policy.get("role", role.get("reports_to", ""))
        if boss is None or boss is role:
            continue
        rank, boss_rank = ranks.get(role.get("level")), ranks.get(boss.get("level"))
        if rank is None or boss_rank is None or boss_rank <= rank:
            continue
        problems.append(
            Problem(
                "org-role-chain",
                {
                    "id": role["id"],
                    "level": role["level"],
                    "boss": boss["id"],
                    "boss_level": boss["level"],
                },
                role.loc_of("reports_to"),
            )
        )
