"""The grid registry (网格台账): one CSV row per grid, imported against a pack.

Columns (UTF-8, a header row first, in any order):

- two columns named after two adjacent levels of org.yaml (required): the
  level of the grids (`grid` in the bundled packs) and the level above it
  (`community`, or `village` in a rural pack). The parent column holds the
  parent unit's id (or its Chinese name); the grid column holds the grid's
  id, empty on a row that holds the parent's own staff (first secretary,
  grid chief) rather than a grid's. The engine knows no level by name:
  which level the registry fills is read from this header;
- `name`: the grid's display name;
- `households` (required): households in the grid (empty on a community row);
- one column per role id of the pack (`grid_worker`, …): head counts;
- `party_branch`: whether the grid has a party branch, `1`/`0` or `是`/`否`;
- `party_groups`, `volunteer_teams`: counts of building party groups and
  volunteer teams in the grid;
- `lat`, `lng` (optional): the grid's centroid, in degrees, so that a case
  reported by coordinates only is placed in the nearest grid.

Empty count cells mean 0. Every mistake is reported at its row and column
as `FILE:ROW:COL`, and all of them at once. Grids become org units under
their parent (`Registry.units`). In the code, "community" is the parent
level, whatever the pack calls it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from onegrid import messages
from onegrid.errors import Loc, PolicyError, Problem
from onegrid.policy import attributes, keyboard
from onegrid.policy.kinds.defs import ID_PATTERN
from onegrid.policy.suggest import did_you_mean

messages.register(
    {
        "registry-empty": {
            "zh": "网格台账没有数据行",
            "en": "the grid registry has no data rows",
        },
        "registry-missing-column": {
            "zh": "网格台账缺少列 '{column}'",
            "en": "the grid registry lacks the column '{column}'",
        },
        "registry-unknown-column": {
            "zh": "未知的列 '{column}'：应为层级 id（{levels}）、{columns} 或某个角色 id",
            "en": "unknown column '{column}': expected a level id ({levels}), {columns} or a role id",
        },
        "registry-level-columns": {
            "zh": "网格台账须有两列以 org.yaml 中相邻两个层级的 id 命名（网格所在层级及其上一级，例如 {example}），实际有：{found}",
            "en": "the grid registry needs two columns named after two adjacent levels of org.yaml (the grids' level and the one above it, e.g. {example}); found: {found}",
        },
        "registry-duplicate-column": {
            "zh": "列 '{column}' 出现了两次",
            "en": "the column '{column}' appears twice",
        },
        "registry-row-length": {
            "zh": "这一行有 {found} 个单元格，表头有 {expected} 列",
            "en": "this row has {found} cells, the header has {expected} columns",
        },
        "registry-unknown-community": {
            "zh": "未知的{level} '{community}'",
            "en": "unknown {level} '{community}'",
        },
        "registry-ambiguous-community": {
            "zh": "有几个{level}都叫 '{community}'（{ids}）：请写编号",
            "en": "several of the {level} units are called '{community}' ({ids}): write the id",
        },
        "registry-not-a-count": {
            "zh": "'{column}' 应为非负整数，实际是 '{cell}'",
            "en": "'{column}' should be a whole number of 0 or more, got '{cell}'",
        },
        "registry-bad-flag": {
            "zh": "'{column}' 应为 1/0 或 是/否，实际是 '{cell}'",
            "en": "'{column}' should be 1/0 or 是/否 (yes/no), got '{cell}'",
        },
        "registry-bad-grid-id": {
            "zh": "网格编号 '{grid}' 格式不对（应为小写字母、数字、点、下划线或连字符）",
            "en": "the grid id '{grid}' is not well formed (lower-case letters, digits, '.', '_' or '-')",
        },
        "registry-duplicate-grid": {
            "zh": "网格 '{grid}' 重复：第 {first} 行已经登记",
            "en": "grid '{grid}' is listed twice: first on row {first}",
        },
        "registry-duplicate-community-row": {
            "zh": "{level} '{community}' 的本级行重复：第 {first} 行已经登记",
            "en": "{level} '{community}' has two rows of its own: first on row {first}",
        },
        "registry-grid-clash": {
            "zh": "网格编号 '{grid}' 与组织架构中的单元重名",
            "en": "the grid id '{grid}' is already an org unit",
        },
        "registry-missing-households": {
            "zh": "网格 '{grid}' 缺少户数",
            "en": "grid '{grid}' has no households figure",
        },
        "registry-syntax": {
            "zh": "网格台账不是合法的 CSV：{reason}",
            "en": "the grid registry is not valid CSV: {reason}",
        },
        "registry-outside-pack": {
            "zh": "网格台账 '{path}' 必须在策略包目录之内",
            "en": "the grid registry '{path}' must be inside the pack's folder",
        },
        "registry-bad-coordinate": {
            "zh": "'{column}' 应为 {low} 到 {high} 之间的度数，实际是 '{cell}'",
            "en": "'{column}' should be degrees between {low} and {high}, got '{cell}'",
        },
        "registry-gb18030": {
            "zh": "网格台账是 GBK/GB18030 编码（Excel 的默认），已按此读取；建议另存为 UTF-8",
            "en": "the grid registry is GBK/GB18030-encoded (Excel's default) and was read as such; saving it as UTF-8 is better",
        },
        "registry-overlay-levels": {
            "zh": "叠加台账的层级列（{found}）须与继承的台账相同（{expected}）",
            "en": "the overlay's level columns ({found}) must be those of the inherited registry ({expected})",
        },
        "registry-overlay-alone": {
            "zh": "registry_overlay 叠加在继承的网格台账上，但本包没有继承到台账（registry:）",
            "en": "registry_overlay lays rows on an inherited grid registry, but this pack inherits none (registry:)",
        },
        "registry-not-utf8": {
            "zh": "网格台账不是 UTF-8 编码（第 {offset} 字节处）",
            "en": "the grid registry is not UTF-8 (at byte {offset})",
        },
    }
)

FLAGS = {"1": True, "0": False, "是": True, "否": False}
COUNT_COLUMNS = ("party_groups", "volunteer_teams")
# a grid's centroid: (column, lowest, highest)
COORDINATES = (("lat", -90.0, 90.0), ("lng", -180.0, 180.0))
FIXED = ("name", "households", "party_branch", *COUNT_COLUMNS, *(c for c, _l, _h in COORDINATES))
MAX_BYTES = 20_000_000
_ID = re.compile(ID_PATTERN)


@dataclass
class GridRow:
    """One grid, or (when `id` is None) a community's own row."""

    community: str
    id: str | None
    row: int
    name: str = ""
    households: int | None = None
    staff: dict[str, int] = field(default_factory=dict)
    party_branch: bool = False
    party_groups: int = 0
    volunteer_teams: int = 0
    # the centroid, when the registry gives one
    lat: float | None = None
    lng: float | None = None
    # columns the grid level declares as attributes, read as their types
    extra: dict = field(default_factory=dict)
    # the file the row was read from, when an overlay laid it on another's rows
    origin: Registry | None = field(default=None, repr=False, compare=False)

    def count(self, column: str) -> int:
        if column == "party_branch":
            return int(self.party_branch)
        if column in COUNT_COLUMNS:
            return getattr(self, column)
        return self.staff.get(column, 0)


@dataclass
class Registry:
    path: str
    columns: list[str]
    # the levels the header names: the grids' parent level and the grids' own
    parent_level: str = ""
    grid_level: str = ""
    # the grid level's declared attributes (`policy.attributes`): extra columns
    typed: dict = field(default_factory=dict)
    grids: list[GridRow] = field(default_factory=list)
    community_rows: dict[str, GridRow] = field(default_factory=dict)
    _by_community: dict[str, list[GridRow]] | None = field(default=None, repr=False)

    def loc(self, row: GridRow | int, column: str | None = None) -> Loc:
        if isinstance(row, GridRow) and row.origin is not None and row.origin is not self:
            return row.origin.loc(row.row, column)
        line = row if isinstance(row, int) else row.row
        col = self.columns.index(column) + 1 if column in self.columns else 1
        return Loc(self.path, line, col)

    def communities(self) -> list[str]:
        """Communities with at least one grid, in registry order."""
        return list(dict.fromkeys(g.community for g in self.grids))

    def rows_of(self, community: str) -> list[GridRow]:
        """The community's own row (if any), then its grids."""
        if self._by_community is None:
            self._by_community = {}
            for grid in self.grids:
                self._by_community.setdefault(grid.community, []).append(grid)
        rows = self._by_community.get(community, [])
        own = self.community_rows.get(community)
        return [own, *rows] if own else list(rows)

    def units(self) -> list[dict]:
        """The grids as org units under their communities, with the figures
        routing rules may test as attributes (`grid.households`)."""
        out = []
        for g in self.grids:
            attributes = {"households": g.households, "party_branch": g.party_branch, **g.extra}
            unit = {
                "id": g.id,
                "name": g.name or g.id,
                "level": self.grid_level,
                "parent": g.community,
            }
            unit["attributes"] = {k: v for k, v in attributes.items() if v is not None}
            if g.lat is not None and g.lng is not None:
                unit["centroid"] = [g.lat, g.lng]
            out.append(unit)
        return out


def read_registry(policy, path: str | Path) -> tuple[Registry | None, list[Problem]]:
    """Import a registry CSV against `policy`: (registry, every problem)."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()[: MAX_BYTES + 1]
    except OSError as exc:
        return None, [
            Problem("file-unreadable", {"reason": exc.strerror or str(exc)}, Loc(name, 1, 1))
        ]
    if len(raw) > MAX_BYTES:
        return None, [
            Problem("file-too-large", {"size": len(raw), "limit": MAX_BYTES}, Loc(name, 1, 1))
        ]
    read_as: list[Problem] = []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # what Excel saves a Chinese CSV as: read it, and say so
        text = keyboard.gb18030_text(raw)
        if text is None:
            return None, [Problem("registry-not-utf8", {"offset": exc.start}, Loc(name, 1, 1))]
        read_as.append(Problem("registry-gb18030", {}, Loc(name, 1, 1), severity="warning"))
    # (first line, cells) of each record: a quoted cell may span lines
    rows: list[tuple[int, list[str], int]] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for cells in reader:
            rows.append((rows[-1][2] + 1 if rows else 1, cells, reader.line_num))
    except csv.Error as exc:
        where = Loc(name, max(reader.line_num, 1), 1)
        return None, [Problem("registry-syntax", {"reason": str(exc)}, where)]
    if not rows or not any(cell.strip() for cell in rows[0][1]):
        return None, [Problem("registry-empty", {}, Loc(name, 1, 1))]
    header = [cell.strip() for cell in rows[0][1]]
    problems: list[Problem] = read_as
    registry = Registry(name, header)
    roles = set(policy.ids("role"))
    levels = ranked_levels(policy)
    typed = {lv: attributes.declared(policy, lv) for lv in levels}
    _check_header(registry, roles, levels, problems, typed)
    if any(p.severity == "error" for p in problems):
        return None, problems
    registry.typed = typed.get(registry.grid_level, {})
    communities = {
        u["id"]: u for u in policy.items("unit") if u.get("level") == registry.parent_level
    }
    by_name: dict[str, list[str]] = {}
    for uid, unit in communities.items():
        by_name.setdefault(_zh(unit.get("name")), []).append(uid)
    units = set(policy.ids("unit"))
    first_grid: dict[str, int] = {}
    data_rows = 0
    for line, cells, _last in rows[1:]:
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are allowed
        data_rows += 1
        if len(cells) != len(header):
            problems.append(
                Problem(
                    "registry-row-length",
                    {"found": len(cells), "expected": len(header)},
                    Loc(name, line, 1),
                )
            )
            continue
        values = {col: cell.strip() for col, cell in zip(header, cells, strict=True)}
        row = _row(registry, line, values, roles, communities, by_name, problems, policy)
        if row is None:
            continue
        if row.id is None:
            first = registry.community_rows.get(row.community)
            if first is not None:
                problems.append(
                    Problem(
                        "registry-duplicate-community-row",
                        {
                            "community": row.community,
                            "first": first.row,
                            "level": level_name(policy, registry.parent_level),
                        },
                        registry.loc(line, registry.parent_level),
                    )
                )
            else:
                registry.community_rows[row.community] = row
            continue
        if row.id in first_grid:
            problems.append(
                Problem(
                    "registry-duplicate-grid",
                    {"grid": row.id, "first": first_grid[row.id]},
                    registry.loc(line, registry.grid_level),
                )
            )
            continue
        if row.id in units:
            problems.append(
                Problem(
                    "registry-grid-clash", {"grid": row.id}, registry.loc(line, registry.grid_level)
                )
            )
            continue
        first_grid[row.id] = line
        registry.grids.append(row)
    if not data_rows:
        problems.append(Problem("registry-empty", {}, Loc(name, 1, 1)))
    return registry, problems


def load_registry(policy, path: str | Path | None = None) -> Registry:
    """A registry without problems, or `PolicyError` with all of them: the
    file at `path`, or (without one) the pack's own, overlay included."""
    if path is None:
        registry, problems = read_pack_registry(policy)
    else:
        registry, problems = read_registry(policy, path)
    errors = [p for p in problems if p.severity == "error"]
    if errors or registry is None:
        raise PolicyError(errors or problems)
    return registry


def registry_path(policy) -> tuple[Path | None, Problem | None]:
    """Where the pack's own registry (`registry:` in pack.yaml) is, if it names one.

    The path must stay inside the pack: a pack someone else wrote must not
    make us read, and quote in messages, any other file.
    """
    name = policy.manifest.get("registry")
    if not isinstance(name, str):
        return None, None
    path = (policy.root / name).resolve()
    loc = policy.manifest.loc_of("registry")
    # inside this pack, or inside the (base) pack whose pack.yaml declared it
    owners = [policy.root.resolve()]
    if loc is not None:
        owners.append(Path(loc.file).resolve().parent)
    if not any(path.is_relative_to(owner) for owner in owners):
        return None, Problem("registry-outside-pack", {"path": name}, loc)
    return path, None


def overlay_path(policy) -> tuple[Path | None, Problem | None]:
    """Where the adopter's `registry_overlay:` is: inside its own folder."""
    name = policy.manifest.get("registry_overlay")
    if not isinstance(name, str):
        return None, None
    path = (policy.root / name).resolve()
    if not path.is_relative_to(policy.root.resolve()):
        loc = policy.manifest.loc_of("registry_overlay")
        return None, Problem("registry-outside-pack", {"path": name}, loc)
    return path, None


def read_pack_registry(policy) -> tuple[Registry | None, list[Problem]]:
    """The pack's registry as its layers make it: the (inherited) `registry:`
    with the adopter's `registry_overlay:` rows laid on it, and every problem
    of both files. (None, []) when the pack names no registry."""
    path, problem = registry_path(policy)
    over, over_problem = overlay_path(policy)
    problems = [p for p in (problem, over_problem) if p is not None]
    if problems:
        return None, problems
    if path is None:
        if over is not None:
            loc = policy.manifest.loc_of("registry_overlay")
            return None, [Problem("registry-overlay-alone", {}, loc)]
        return None, []
    registry, problems = read_registry(policy, path)
    if over is None or registry is None:
        return registry, problems
    rows, found = read_registry(policy, over)
    problems += found
    if rows is None:
        return registry, problems
    if (rows.parent_level, rows.grid_level) != (registry.parent_level, registry.grid_level):
        params = {
            "found": f"{rows.parent_level},{rows.grid_level}",
            "expected": f"{registry.parent_level},{registry.grid_level}",
        }
        problems.append(Problem("registry-overlay-levels", params, Loc(rows.path, 1, 1)))
        return registry, problems
    return overlaid(policy, registry, rows, problems), problems


def overlaid(policy, base: Registry, rows: Registry, problems: list[Problem]) -> Registry:
    """`base` with `rows` laid on it: a grid id (or a parent's own row) the base
    has is replaced where it stands, a new one appended; each row keeps the
    file and line it came from, so a later problem points at the overlay."""
    for grid in base.grids:
        grid.origin = grid.origin or base
    merged = Registry(base.path, base.columns, base.parent_level, base.grid_level, base.typed)
    merged.grids = list(base.grids)
    merged.community_rows = dict(base.community_rows)
    for own in merged.community_rows.values():
        own.origin = own.origin or base
    where = {g.id: i for i, g in enumerate(merged.grids)}
    units = set(policy.ids("unit"))
    for row in rows.grids:
        row.origin = rows
        if row.id in where:
            merged.grids[where[row.id]] = row
        elif row.id in units:
            continue  # already reported by read_registry as a clash
        else:
            where[row.id] = len(merged.grids)
            merged.grids.append(row)
    for parent, own in rows.community_rows.items():
        own.origin = rows
        merged.community_rows[parent] = own
    return merged


def pack_registry(policy, partial: bool = False) -> Registry | None:
    """The pack's own registry (with an adopter's overlay), if it imports
    cleanly (or, with `partial`, the rows that import when others do not).

    For stages that need the grids as units (unit pickers, routing by grid);
    `onegrid check` reports the registry's problems.
    """
    registry, problems = read_pack_registry(policy)
    if registry is None:
        return None
    clean = not any(p.severity == "error" for p in problems)
    return registry if partial or clean else None


def grid_units(policy, partial: bool = False) -> list[dict]:
    """The grids of the pack's own registry as org units (at the level its
    header names, under their parents); those a published version stored,
    for a policy rebuilt from it."""
    if getattr(policy, "grids", None) is not None:
        return list(policy.grids)
    registry = pack_registry(policy, partial)
    return registry.units() if registry else []


def ranked_levels(policy) -> list[str]:
    """The pack's level ids, top first (by rank)."""
    levels = [lv for lv in policy.items("level") if isinstance(lv.get("rank"), int)]
    return [lv["id"] for lv in sorted(levels, key=lambda lv: lv["rank"])]


def capital(text: str) -> str:
    """`village` → `Village`, for headings (level names sit lower-cased in sentences)."""
    return text[:1].upper() + text[1:]


def level_name(policy, level: str) -> dict[str, str]:
    """A level's name in both languages, for messages and reports."""
    item = policy.get("level", level)
    name = item.get("name") if item else None
    # without an English name the id reads best in English (`village`);
    # lower case, as the name sits inside sentences ("unknown village 'x'")
    en = name.get("en") if isinstance(name, dict) else None
    en = en[:1].lower() + en[1:] if en and not en[:2].isupper() else en
    zh = name.get("zh") if isinstance(name, dict) else name
    return {"zh": zh or level, "en": en or level}


def _check_header(
    registry: Registry, roles: set[str], levels: list[str], problems: list[Problem], typed
) -> None:
    seen: set[str] = set()
    named = [c for c in registry.columns if c in levels]
    # any level's declared attribute may be a column; `_row` reads the grid level's
    declared = {name for decl in typed.values() for name in decl}
    for col in registry.columns:
        if col in seen:
            problems.append(
                Problem("registry-duplicate-column", {"column": col}, registry.loc(1, col))
            )
        seen.add(col)
        if col not in FIXED and col not in roles and col not in levels and col not in declared:
            problems.append(
                Problem(
                    "registry-unknown-column",
                    {"column": col, "levels": ", ".join(levels), "columns": ", ".join(FIXED)},
                    registry.loc(1, col),
                    did_you_mean(col, [*levels, *FIXED, *sorted(roles)]),
                )
            )
    pair = sorted(set(named), key=levels.index)
    if len(pair) == 2 and levels.index(pair[1]) == levels.index(pair[0]) + 1:
        registry.parent_level, registry.grid_level = pair
    else:
        example = ",".join(levels[-2:]) if len(levels) >= 2 else "community,grid"
        problems.append(
            Problem(
                "registry-level-columns",
                {"example": example, "found": ", ".join(named) or "—"},
                registry.loc(1, named[0]) if named else Loc(registry.path, 1, 1),
            )
        )
    if "households" not in seen:
        problems.append(
            Problem("registry-missing-column", {"column": "households"}, Loc(registry.path, 1, 1))
        )


def _row(registry, line, values, roles, communities, by_name, problems, policy) -> GridRow | None:
    before = len(problems)
    parent, level = registry.parent_level, registry.grid_level
    community = values[parent]
    if community not in communities and len(by_name.get(community, ())) > 1:
        problems.append(
            Problem(
                "registry-ambiguous-community",
                {
                    "community": community,
                    "ids": by_name[community],
                    "level": level_name(policy, parent),
                },
                registry.loc(line, parent),
            )
        )
    elif community not in communities:
        community = (by_name.get(community) or [community])[0]
    if community not in communities and not problems[before:]:
        problems.append(
            Problem(
                "registry-unknown-community",
                {"community": values[parent], "level": level_name(policy, parent)},
                registry.loc(line, parent),
                did_you_mean(values[parent], [*communities, *filter(None, by_name)]),
            )
        )
    grid = values[level] or None
    if grid is not None and not _ID.match(grid):
        problems.append(Problem("registry-bad-grid-id", {"grid": grid}, registry.loc(line, level)))
    row = GridRow(community=community, id=grid, row=line, name=values.get("name", ""))
    if values["households"]:
        row.households = _count(registry, line, "households", values["households"], problems)
    elif grid is not None:
        problems.append(
            Problem("registry-missing-households", {"grid": grid}, registry.loc(line, "households"))
        )
    for col in registry.columns:
        if col in roles:
            row.staff[col] = _count(registry, line, col, values[col], problems) or 0
        elif col in COUNT_COLUMNS:
            setattr(row, col, _count(registry, line, col, values[col], problems) or 0)
    if values.get("party_branch"):
        flag = FLAGS.get(values["party_branch"].lower())
        if flag is None:
            problems.append(
                Problem(
                    "registry-bad-flag",
                    {"column": "party_branch", "cell": values["party_branch"]},
                    registry.loc(line, "party_branch"),
                )
            )
        row.party_branch = bool(flag)
    for col, low, high in COORDINATES:
        cell = values.get(col)
        if cell:
            setattr(row, col, _degrees(registry, line, col, cell, low, high, problems))
    for col, spec in registry.typed.items():
        if col in values and col not in FIXED:
            kind = spec.get("type", "text")
            value, ok = attributes.from_cell(kind, values[col])
            if not ok:
                problems.append(
                    attributes.type_problem(col, kind, values[col], registry.loc(line, col))
                )
            elif value is not None:
                row.extra[col] = value
    return row if len(problems) == before else None


def _degrees(registry, line, column, cell, low, high, problems) -> float | None:
    try:
        value = float(cell)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        problems.append(
            Problem(
                "registry-bad-coordinate",
                {"column": column, "cell": cell, "low": low, "high": high},
                registry.loc(line, column),
            )
        )
        return None
    return value


def _count(registry, line, column, value, problems) -> int | None:
    if not value:
        return 0
    if value.isascii() and value.isdigit():
        return int(value)
    problems.append(
        Problem(
            "registry-not-a-count", {"column": column, "cell": value}, registry.loc(line, column)
        )
    )
    return None


def _zh(name) -> str | None:
    if isinstance(name, dict):
        return name.get("zh")
    return name if isinstance(name, str) else None
