"""Cases created per second (validated, routed, stored with audit) against
a bare insert of the same row, on SQLite and on PostgreSQL.

    python -m bench cases
    BENCH_CASES=1000 BENCH_PACK=kunqu python -m bench cases

PostgreSQL runs in a throwaway cluster (as the tests start it) with fsync
on, so both databases make every commit durable.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert
from tests.pg import Cluster, find_bindir

from onegrid import paths
from onegrid.forms import forms_of
from onegrid.forms.example import valid_example
from onegrid.policy.pack import load_policy
from onegrid.store import Case, make_engine, sessions, upgrade
from onegrid.workflow import Actor, Binding, open_case, publish, rulebook
from onegrid.workflow.channels import default_channel

COUNT = int(os.environ.get("BENCH_CASES", "400"))
PACK = os.environ.get("BENCH_PACK", "kunqu")


def workload(policy, book):
    """The facts, report and reporter of a typical grid report."""
    matter = max(book.matters.values(), key=lambda m: book.rank(m.get("level")))
    place = max(book.units.values(), key=lambda u: book.rank(u.get("level")))["id"]
    form = matter.get("form")
    report = valid_example(forms_of(policy).form(form)) if form else {}
    return (
        {"matter": matter["id"], "place": place},
        report,
        Actor("bench", (Binding("grid_worker", place),)),
    )


def measure(url: str, policy) -> tuple[float, float, float, float]:
    """Cases per second through the engine, bare inserts per second, and
    the CPU milliseconds this process spent on each (the rest is waiting
    for the disk and the server)."""
    upgrade(url)
    engine = make_engine(url)
    db = sessions(engine)
    with db() as session:
        version = publish(session, policy, by="bench")
    facts, report, actor = workload(policy, rulebook(version))  # registry grids included
    channel = default_channel(rulebook(version), "pages")  # the pack's own vocabulary
    with db() as session:
        open_case(session, version, facts, report, actor, channel)  # warm caches
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(COUNT):
        with db() as session:
            case = open_case(session, version, facts, report, actor, channel, f"bench-{i}")
    engine_rate = COUNT / (time.perf_counter() - start)
    engine_cpu = (time.process_time() - cpu) * 1000 / COUNT

    columns = {c.key for c in Case.__table__.columns} - {"id", "idempotency_key"}
    row = {k: getattr(case, k) for k in columns}
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(COUNT):
        with engine.begin() as conn:
            conn.execute(insert(Case.__table__).values(**row))
    bare_rate = COUNT / (time.perf_counter() - start)
    bare_cpu = (time.process_time() - cpu) * 1000 / COUNT
    engine.dispose()
    return engine_rate, bare_rate, engine_cpu, bare_cpu


def report_line(name: str, figures: tuple[float, float, float, float]) -> None:
    engine_rate, bare_rate, engine_cpu, bare_cpu = figures
    print(
        f"{name:<11} engine {engine_rate:7.1f} cases/s ({engine_cpu:5.2f} ms CPU each)"
        f"   bare insert {bare_rate:7.1f} rows/s ({bare_cpu:5.2f} ms CPU each)"
        f"   ratio {bare_rate / engine_rate:4.1f}x",
        flush=True,
    )


def main() -> None:
    policy = load_policy(paths.CATALOGS / PACK)
    print(f"pack {PACK}, {COUNT} cases each, one transaction per case", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        report_line("SQLite", measure(f"sqlite:///{Path(tmp) / 'bench.sqlite'}", policy))
    bindir = find_bindir()
    if bindir is None:
        print("PostgreSQL   skipped: no initdb/postgres under /usr/lib/postgresql/*/bin")
        return
    cluster = Cluster(bindir, fsync=True).start()
    try:
        cluster.execute("CREATE DATABASE bench")
        report_line("PostgreSQL", measure(cluster.url("bench"), policy))
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
