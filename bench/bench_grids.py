"""Grid registry import and the grids report, on kunqu's 791 grids and on a
registry ten times larger (7,910 grids), as `onegrid grids report` runs them.

    python -m bench grids
"""

from __future__ import annotations

import csv
import tempfile
import time
from pathlib import Path

from onegrid import paths
from onegrid.admission import decide
from onegrid.grids.registry import read_registry
from onegrid.grids.report import build
from onegrid.policy.pack import load_policy

ROUNDS = 5


def best(fn, rounds: int = ROUNDS) -> float:
    """The fastest of a few runs, in milliseconds."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


def larger(source: Path, times: int, out: Path) -> None:
    """The kunqu registry repeated `times` times, with grid ids made unique."""
    with source.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    grid = header.index("grid")
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        for copy in range(times):
            for row in body:
                if row[grid]:
                    writer.writerow([*row[:grid], f"{row[grid]}.x{copy}", *row[grid + 1 :]])
                elif copy == 0:
                    writer.writerow(row)


def main() -> None:
    policy = load_policy(paths.find_pack("kunqu"))
    source = policy.root / "registry" / "grids.csv"
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "grids.csv"
        larger(source, 10, big)
        for label, path in (("791 grids", source), ("7,910 grids", big)):
            registry, problems = read_registry(policy, path)
            assert not problems, problems[:3]
            imported = best(lambda p=path: read_registry(policy, p))
            reported = best(lambda r=registry: build(policy, r))
            print(f"{label:>12}: import {imported:7.1f} ms  report {reported:7.1f} ms")
    request = {
        "task": "task.census",
        "department": "dept.statistics",
        "resources": ["funds", "training", "data"],
    }
    n = 2000
    per = best(lambda: [decide(policy, request) for _ in range(n)], 3) * 1000 / n
    print(f"{'admission':>12}: {per:7.1f} µs a decision")


if __name__ == "__main__":
    main()
