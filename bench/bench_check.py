"""`onegrid check` on a large generated pack against PyYAML's bare C parse.

The pack: 20,000 grids (org units at level grid under 200 communities in
10 streets) and 1,000 matters with categories, groups, departments, levels
and time limits. Target: the whole check at most 3x the bare parse.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import yaml

from onegrid.checks import check_pack
from onegrid.policy import pack

GRIDS = 20_000
MATTERS = 1_000
STREETS = 10
COMMUNITIES = 200
DEPARTMENTS = 40
CATEGORIES = 12
GROUPS = 30
RUNS = 5
TARGET = 3.0
HINT = "# yaml-language-server: $schema=../../docs/schemas/{kind}.schema.json\n"


def org_text() -> str:
    out = [HINT.format(kind="org"), "kind: org\nlevels:\n"]
    for rank, level in enumerate(("district", "street", "community", "grid"), 1):
        out.append(
            f"  - id: {level}\n    name: {{zh: 层级{rank}, en: {level}}}\n    rank: {rank}\n"
        )
    out.append("units:\n  - id: d\n    name: 区\n    level: district\n    code: '150203'\n")
    for s in range(STREETS):
        out.append(f"  - id: s{s}\n    name: 街道{s}\n    level: street\n    parent: d\n")
    for c in range(COMMUNITIES):
        out.append(
            f"  - id: s{c % STREETS}.c{c}\n    name: 社区{c}\n    level: community\n"
            f"    parent: s{c % STREETS}\n"
        )
    for g in range(GRIDS):
        c = g % COMMUNITIES
        out.append(
            f"  - id: s{c % STREETS}.c{c}.g{g}\n"
            f"    name: {{zh: 第{g}网格, en: Grid {g}}}\n"
            f"    level: grid\n"
            f"    parent: s{c % STREETS}.c{c}\n"
            f"    code: '15020300{g:05d}'\n"
            f"    attributes:\n      households: {300 + g % 200}\n"
            f"      kind: {('residential', 'commercial', 'mixed')[g % 3]}\n"
        )
    out.append("departments:\n")
    for d in range(DEPARTMENTS):
        out.append(
            f"  - id: dept.d{d}\n    name: 部门{d}\n    type: department\n    level: district\n"
        )
    return "".join(out)


def matters_text() -> str:
    out = [HINT.format(kind="matters"), "kind: matters\ncategories:\n"]
    for c in range(CATEGORIES):
        out.append(f"  - id: cat.c{c}\n    name: 类别{c}\n")
    out.append("groups:\n")
    for g in range(GROUPS):
        out.append(f"  - id: grp.g{g}\n    name: {{zh: 分组{g}, en: Group {g}}}\n")
    out.append("matters:\n")
    for m in range(MATTERS):
        out.append(
            f"  - id: m.m{m}\n"
            f"    code: '{m:06d}'\n"
            f"    name: {{zh: 事项{m}, en: Matter {m}}}\n"
            f"    category: cat.c{m % CATEGORIES}\n"
            f"    group: grp.g{m % GROUPS}\n"
            f"    unit: dept.d{m % DEPARTMENTS}\n"
            f"    level: {('street', 'community', 'grid')[m % 3]}\n"
            f"    limits:\n      accept: 2h\n      dispatch: 4h\n      handle: {1 + m % 9}wd\n"
            f"    on_the_spot: {'true' if m % 4 == 0 else 'false'}\n"
        )
    return "".join(out)


def write_pack(root: Path) -> list[Path]:
    (root / "pack.yaml").write_text(
        HINT.format(kind="pack") + "kind: pack\nid: big\nname: 大包\n", encoding="utf-8"
    )
    (root / "org.yaml").write_text(org_text(), encoding="utf-8")
    (root / "matters.yaml").write_text(matters_text(), encoding="utf-8")
    return pack.pack_files(root)


def bare_parse(files: list[Path]) -> None:
    for path in files:
        with path.open("rb") as fh:
            yaml.load(fh, Loader=yaml.CSafeLoader)


def timed(*fns, runs: int = RUNS) -> list[float]:
    """Median seconds of each function; runs alternate so that a busy
    machine slows them alike."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for fn, spent in zip(fns, times, strict=True):
            start = time.perf_counter()
            fn()
            spent.append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def main() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="onegrid-bench-") as tmp:
        root = Path(tmp)
        files = write_pack(root)
        size = sum(p.stat().st_size for p in files)
        policy, problems = check_pack(root)
        errors = [p for p in problems if p.severity == "error"]
        if errors or policy is None:
            raise SystemExit(f"the generated pack is not clean: {errors[:3]}")
        units = len(policy.items("unit"))
        matters = len(policy.items("matter"))
        parse, check = timed(lambda: bare_parse(files), lambda: check_pack(root))
    ratio = check / parse
    print(f"pack: {units} units ({GRIDS} grids), {matters} matters, {size / 1e6:.1f} MB")
    print(f"{'what':<34}{'median s':>10}  ({RUNS} runs)")
    print(f"{'yaml.load CSafeLoader (bare)':<34}{parse:>10.3f}")
    print(f"{'onegrid check (check_pack)':<34}{check:>10.3f}")
    print(f"{'ratio':<34}{ratio:>9.2f}x  (target <= {TARGET:.0f}x)")
    return {"parse": parse, "check": check, "ratio": ratio}


if __name__ == "__main__":
    main()
