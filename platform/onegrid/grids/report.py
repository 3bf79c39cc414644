"""The grids report: a pack's grid standards met against its grid registry.

Totals (communities, grids, households, staff by role, party organisations),
grids outside the household range, staffing gaps per grid and per
community, coverage rates, and the registry's totals beside the district's
published figures. Standards that are not met are errors (the report exits
1); totals that differ from the published figures are warnings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from onegrid import messages
from onegrid.errors import Problem
from onegrid.grids.registry import Registry, capital, level_name
from onegrid.policy.suggest import did_you_mean

messages.register(
    {
        "grids-households-low": {
            "zh": "{level} '{grid}'（{community}）只有 {households} 户，少于下限 {limit} 户",
            "en": "{level} '{grid}' ({community}) has {households} households, fewer than the minimum of {limit}",
        },
        "grids-households-high": {
            "zh": "{level} '{grid}'（{community}）有 {households} 户，多于上限 {limit} 户",
            "en": "{level} '{grid}' ({community}) has {households} households, more than the maximum of {limit}",
        },
        "grids-staffing-gap": {
            "zh": "{scope} '{subject}' 的{roles}有 {have} 人，标准 '{rule}' 要求至少 {need} 人",
            "en": "{scope} '{subject}' has {have} {roles}; rule '{rule}' requires at least {need}",
        },
        "grids-staffing-over": {
            "zh": "{scope} '{subject}' 的{roles}有 {have} 人，标准 '{rule}' 规定至多 {need} 人",
            "en": "{scope} '{subject}' has {have} {roles}; rule '{rule}' allows at most {need}",
        },
        "grids-rule-without-column": {
            "zh": "配备标准 '{rule}' 无法检查：网格台账没有 {roles} 中任何一列",
            "en": "staffing rule '{rule}' cannot be checked: the registry has none of the columns {roles}",
        },
        "grids-coverage-low": {
            "zh": "'{rule}' 覆盖 {have}/{grids} 个网格（{share}），低于标准 {min_share}",
            "en": "'{rule}' covers {have} of {grids} grids ({share}), below the standard of {min_share}",
        },
        "grids-community-empty": {
            "zh": "{level} '{community}' 在台账中没有{grids}",
            "en": "{level} '{community}' has no {grids} in the registry",
        },
        "grids-per-level": {
            "zh": "'per' 应为网格台账的层级 '{grid}' 或 '{parent}'，实际是 '{per}'",
            "en": "'per' should be one of the registry's levels, '{grid}' or '{parent}'; got '{per}'",
        },
        "grids-published-mismatch": {
            "zh": "{figure}：台账合计 {have}，公布数字为 {published}",
            "en": "{figure}: the registry adds up to {have}, the published figure is {published}",
        },
        "grids-no-standards": {
            "zh": "策略包没有网格标准（kind: standards），只统计总数",
            "en": "the pack has no grid standards (kind: standards); only totals are reported",
        },
        "grids-bad-range": {
            "zh": "户数标准不合理：应满足 min ≤ target ≤ max，实际是 {min} / {target} / {max}",
            "en": "the household standard must have min ≤ target ≤ max, got {min} / {target} / {max}",
        },
        "grids-bad-staffing": {
            "zh": "配备标准 '{rule}' 的 min {min} 大于 max {max}",
            "en": "staffing rule '{rule}' has min {min} above max {max}",
        },
    },
)

FIGURES = {
    "communities": {"zh": "社区", "en": "Communities"},
    "grids": {"zh": "网格", "en": "Grids"},
    "households": {"zh": "户数", "en": "Households"},
    "party_branch": {"zh": "网格党支部", "en": "Grid party branches"},
    "party_groups": {"zh": "楼栋党小组", "en": "Building party groups"},
    "volunteer_teams": {"zh": "志愿服务团队", "en": "Volunteer teams"},
}


@dataclass
class GridsReport:
    pack: str
    registry: str
    # the registry's two levels, {"parent": id, "grid": id}, and their names
    levels: dict[str, str] = field(default_factory=dict)
    level_names: dict[str, dict[str, str]] = field(default_factory=dict)
    totals: dict[str, Any] = field(default_factory=dict)
    households: dict[str, Any] | None = None
    by_parent: list[dict[str, Any]] = field(default_factory=list)
    out_of_range: list[dict[str, Any]] = field(default_factory=list)
    staffing: list[dict[str, Any]] = field(default_factory=list)
    coverage: list[dict[str, Any]] = field(default_factory=list)
    published: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # real people from the database beside the registry's figures
    # (`onegrid.workflow.people.staffing`), when the caller has a database
    people: dict[str, Any] | None = None

    @property
    def violations(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")

    def as_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "pack": self.pack,
            "registry": messages.display_path(self.registry),
            "levels": self.levels,
            "ok": self.violations == 0,
            "violations": self.violations,
            "totals": self.totals,
            "by_parent": self.by_parent,
            "households": self.households,
            "out_of_range": self.out_of_range,
            "staffing": self.staffing,
            "coverage": self.coverage,
            "published": self.published,
            "problems": [messages.as_json(p, lang) for p in self.problems],
            **({"people": self.people} if self.people is not None else {}),
        }


def standards_problems(policy) -> list[Problem]:
    """Standards that contradict themselves (checked by `onegrid check`)."""
    section = policy.section("standards")
    problems: list[Problem] = []
    households = section.get("households")
    if households and not households["min"] <= households["target"] <= households["max"]:
        problems.append(
            Problem(
                "grids-bad-range",
                {k: households[k] for k in ("min", "target", "max")},
                households.loc,
            )
        )
    staff = (section.get("published") or {}).get("staff") or {}
    for role in staff:
        if policy.get("role", role) is None:
            problems.append(
                Problem(
                    "unknown-ref",
                    {"namespace": "role", "id": role},
                    staff.key_loc(role),
                    did_you_mean(role, policy.ids("role")),
                )
            )
    for rule in section.get("staffing", []):
        if "max" in rule and rule["max"] < rule["min"]:
            problems.append(
                Problem(
                    "grids-bad-staffing",
                    {"rule": rule["id"], "min": rule["min"], "max": rule["max"]},
                    rule.loc_of("max"),
                )
            )
    return problems


def build(policy, registry: Registry) -> GridsReport:
    """Measure `registry` against the standards of `policy`."""
    report = GridsReport(
        pack=policy.id,
        registry=registry.path,
        levels={"parent": registry.parent_level, "grid": registry.grid_level},
        level_names={
            registry.parent_level: level_name(policy, registry.parent_level),
            registry.grid_level: level_name(policy, registry.grid_level),
        },
    )
    section = policy.section("standards")
    _totals(policy, registry, report)
    if not section:
        report.problems.append(Problem("grids-no-standards", {}, None, severity="warning"))
    if section.get("households"):
        _households(section["households"], registry, report)
    for rule in section.get("staffing", []):
        if rule["per"] not in (registry.grid_level, registry.parent_level):
            report.problems.append(_per_problem(rule, registry))
            continue
        _staffing(policy, rule, registry, report)
    for rule in section.get("coverage", []):
        _coverage(rule, registry, report)
    if section.get("published"):
        _published(policy, section["published"], report)
    return report


def _totals(policy, registry: Registry, report: GridsReport) -> None:
    roles = [c for c in registry.columns if c in set(policy.ids("role"))]
    rows = [*registry.community_rows.values(), *registry.grids]
    report.totals = {
        "communities": len(registry.communities()),
        "grids": len(registry.grids),
        "households": sum(g.households or 0 for g in registry.grids),
        "staff": {role: sum(r.staff.get(role, 0) for r in rows) for role in roles},
        "party_branch": sum(1 for g in registry.grids if g.party_branch),
        "party_groups": sum(g.party_groups for g in registry.grids),
        "volunteer_teams": sum(g.volunteer_teams for g in registry.grids),
    }
    _by_parent(policy, registry, report)
    present = set(registry.communities())
    for unit in policy.items("unit"):
        if unit.get("level") == registry.parent_level and unit["id"] not in present:
            params = {
                "community": unit["id"],
                "level": level_name(policy, registry.parent_level),
                "grids": level_name(policy, registry.grid_level),
            }
            report.problems.append(Problem("grids-community-empty", params, unit.loc_of("id")))


def per_problems(policy, registry: Registry) -> list[Problem]:
    """Staffing rules counted per a level the registry does not fill."""
    rules = policy.section("standards").get("staffing", [])
    levels = (registry.grid_level, registry.parent_level)
    return [_per_problem(r, registry) for r in rules if r["per"] not in levels]


def _per_problem(rule, registry: Registry) -> Problem:
    params = {"per": rule["per"], "grid": registry.grid_level, "parent": registry.parent_level}
    return Problem("grids-per-level", params, rule.loc_of("per"))


def _by_parent(policy, registry: Registry, report: GridsReport) -> None:
    """Communities, grids and households under each unit above the communities."""
    rows: dict[str, dict[str, Any]] = {}
    for community in registry.communities():
        unit = policy.get("unit", community)
        parent = unit.get("parent") if unit else None
        if parent is None:
            continue
        grids = registry.rows_of(community)
        row = rows.setdefault(
            parent, {"unit": parent, "communities": 0, "grids": 0, "households": 0}
        )
        row["communities"] += 1
        row["grids"] += sum(1 for g in grids if g.id is not None)
        row["households"] += sum(g.households or 0 for g in grids if g.id is not None)
    report.by_parent = list(rows.values())


def _households(standard, registry: Registry, report: GridsReport) -> None:
    low, high = standard["min"], standard["max"]
    counted = [g.households for g in registry.grids if g.households is not None]
    report.households = {
        "target": standard["target"],
        "min": low,
        "max": high,
        "mean": round(sum(counted) / len(counted), 1) if counted else None,
        "smallest": min(counted, default=None),
        "largest": max(counted, default=None),
    }
    for grid in registry.grids:
        if grid.households is None or low <= grid.households <= high:
            continue
        bound, code = (
            (low, "grids-households-low")
            if grid.households < low
            else (high, "grids-households-high")
        )
        report.out_of_range.append(
            {
                "grid": grid.id,
                "community": grid.community,
                "households": grid.households,
                "limit": bound,
                "row": grid.row,
            }
        )
        report.problems.append(
            Problem(
                code,
                {
                    "grid": grid.id,
                    "community": grid.community,
                    "households": grid.households,
                    "limit": bound,
                    "level": report.level_names[registry.grid_level],
                },
                registry.loc(grid, "households"),
            )
        )


def _staffing(policy, rule, registry: Registry, report: GridsReport) -> None:
    roles = list(rule["roles"])
    names = {
        lang: "/".join(_name(policy.get("role", r), lang, r) for r in roles)
        for lang in ("zh", "en")
    }
    if not any(role in registry.columns for role in roles):
        # one clear line instead of a gap on every grid
        report.problems.append(
            Problem(
                "grids-rule-without-column",
                {"rule": rule["id"], "roles": ", ".join(roles)},
                rule.loc_of("roles"),
            )
        )
        return
    if rule["per"] == registry.grid_level:
        subjects = [(g.id, [g]) for g in registry.grids]
    else:
        subjects = [(c, registry.rows_of(c)) for c in registry.communities()]
    low, high = rule["min"], rule.get("max")
    gaps = []
    for subject, rows in subjects:
        have = sum(r.staff.get(role, 0) for r in rows for role in roles)
        if have < low:
            kind, need, code = "gap", low, "grids-staffing-gap"
        elif high is not None and have > high:
            kind, need, code = "over", high, "grids-staffing-over"
        else:
            continue
        gaps.append({"subject": subject, "have": have, "need": need, "kind": kind})
        params = {
            "scope": report.level_names[rule["per"]],
            "subject": subject,
            "have": have,
            "need": need,
            "rule": rule["id"],
            "roles": names,
        }
        # point at the first row that counts: the community's own row, or the grid
        report.problems.append(Problem(code, params, registry.loc(rows[0], roles[0])))
    report.staffing.append(
        {
            "rule": rule["id"],
            "name": _plain_text(rule.get("name")),
            "per": rule["per"],
            "roles": roles,
            "min": rule["min"],
            "max": rule.get("max"),
            "checked": len(subjects),
            "gaps": gaps,
        }
    )


def _coverage(rule, registry: Registry, report: GridsReport) -> None:
    grids = len(registry.grids)
    have = sum(1 for g in registry.grids if g.count(rule["column"]) > 0)
    share = have / grids if grids else 0.0
    ok = share >= rule["min_share"]
    report.coverage.append(
        {
            "rule": rule["id"],
            "name": _plain_text(rule.get("name")),
            "column": rule["column"],
            "grids_with": have,
            "grids": grids,
            "share": round(share, 4),
            "min_share": rule["min_share"],
            "ok": ok,
        }
    )
    if not ok:
        report.problems.append(
            Problem(
                "grids-coverage-low",
                {
                    "rule": rule["id"],
                    "have": have,
                    "grids": grids,
                    "share": f"{share:.1%}",
                    "min_share": f"{rule['min_share']:.0%}",
                },
                rule.loc_of("min_share"),
            )
        )


def _published(policy, published, report: GridsReport) -> None:
    figures = [(k, published[k], report.totals[k]) for k in FIGURES if k in published]
    for role, value in (published.get("staff") or {}).items():
        figures.append((f"staff.{role}", value, report.totals["staff"].get(role, 0)))
    for key, value, have in figures:
        report.published.append(
            {"figure": key, "published": value, "registry": have, "ok": value == have}
        )
        if value != have:
            label = figure_label(policy, key, report.levels)
            report.problems.append(
                Problem(
                    "grids-published-mismatch",
                    {"figure": label, "have": have, "published": value},
                    published.loc_of(key)
                    if key in published
                    else published["staff"].loc_of(key[6:]),
                    severity="warning",
                )
            )


def figure_label(policy, key: str, levels: dict[str, str] | None = None) -> dict[str, str]:
    """A figure's name in both languages: `grids`, `staff.grid_worker`, …;
    `communities` and `grids` by the names of the registry's `levels`."""
    if key.startswith("staff."):
        role = key[6:]
        return {lang: _name(policy.get("role", role), lang, role) for lang in ("zh", "en")}
    level = {"communities": "parent", "grids": "grid"}.get(key)
    if levels and level and levels.get(level):
        name = level_name(policy, levels[level])
        return {"zh": name["zh"], "en": capital(name["en"])}
    return FIGURES[key]


def _name(item, lang: str, fallback: str) -> str:
    return messages.localized(item.get("name") if item else None, lang) or fallback


def _plain_text(value):
    return dict(value) if isinstance(value, dict) else value
