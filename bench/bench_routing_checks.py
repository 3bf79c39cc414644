"""`onegrid check`'s routing checks (shadowing, overlap, unrouted) on many rules.

Issue 20: 2,000 rules took 89 s and 3,900 took 461 s (every pair of rules
compared, each comparison recomputing the rules' matter sets). The pack:
kunqu with an extra first-hit table and an extra unique table of N rules,
each on one matter, a severity, a channel and a number interval, so that
the checks have real work; reported per size (wall and CPU time: the CPU time
is what a shared machine does not disturb) with the ratio to the smallest
size, which grows like N for an n·log n check and like N² for a quadratic
one.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from onegrid.decide import checks
from onegrid.policy.pack import load_policy

PROJECT = Path(__file__).resolve().parents[1]
SIZES = (500, 1000, 2000, 4000)
SEVERITIES = ("minor", "major", "critical")
CHANNELS = ("patrol", "hotline", "police", "wechat", "petition")


def routing_text(matters: list[str], rules: int) -> str:
    out = ["kind: routing\ntables:\n"]
    for table, hit in (("bench_first", "first"), ("bench_unique", "unique")):
        out.append(f"  - id: {table}\n    hit: {hit}\n    rules:\n")
        half = rules // 2
        for i in range(half):
            matter = matters[i % len(matters)]
            severity = SEVERITIES[(i // len(matters)) % 3]
            channel = CHANNELS[(i // (len(matters) * 3)) % len(CHANNELS)]
            low = (i // (len(matters) * 15)) * 10
            out.append(
                f"      - id: r{i}\n"
                f"        when: {{matter: {matter}, severity: {severity}, channel: {channel},"
                f" tags: {{exists: true}}, fields.households: {{gte: {low}, lt: {low + 10}}}}}\n"
                f"        then: {{level: community}}\n"
            )
    return "".join(out)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = None
        for size in SIZES:
            pack = Path(tmp) / f"kunqu{size}"
            shutil.copytree(PROJECT / "catalogs/kunqu", pack)
            policy = load_policy(pack)
            matters = [m["id"] for m in policy.items("matter")]
            (pack / "routing-bench.yaml").write_text(routing_text(matters, size), encoding="utf-8")
            policy = load_policy(pack)
            start, cpu = time.perf_counter(), time.process_time()
            problems = checks.check(policy)
            took, cpu = time.perf_counter() - start, time.process_time() - cpu
            base = base or cpu
            print(
                f"{size:>5} rules  {took:7.2f} s wall  {cpu:7.2f} s CPU  "
                f"CPU ratio {cpu / base:5.1f}  ({len(problems)} problems)",
                flush=True,
            )


if __name__ == "__main__":
    main()
