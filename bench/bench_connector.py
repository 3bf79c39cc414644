"""A hotline's batch through the connector API against the same cases filed
one call each through the JSON API, on SQLite and on PostgreSQL.

    python -m bench connector
    BENCH_BATCH=1000 BENCH_PACK=luohu python -m bench connector

Each case is validated, routed, audited and notified, through the real
Flask app (its test client: no sockets). The batch commits 100 cases at
a time, a savepoint per case; the single calls commit one each. PostgreSQL
runs in a throwaway cluster with fsync on, as bench_cases does.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from tests.pg import Cluster, find_bindir

from onegrid import paths
from onegrid.cli.serve import prepare
from onegrid.forms import forms_of
from onegrid.store import accounts, clients
from onegrid.web import create_app, db, policyview
from onegrid.workflow.channels import default_channel

COUNT = int(os.environ.get("BENCH_BATCH", "1000"))
SINGLE = max(COUNT // 10, 20)
PACK = os.environ.get("BENCH_PACK", "luohu")


def app_on(url: str, folder: Path):
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": str(folder),
            "ONEGRID_CATALOG": str(paths.CATALOGS / PACK),
            "ONEGRID_DATABASE_URL": url,
            "WTF_CSRF_ENABLED": False,
        }
    )
    prepare(app, seed_demo=False)
    return app


def tickets(app, count: int, prefix: str) -> list[dict]:
    with app.app_context():
        policy = policyview.policy(app)
        matter = next(m for m in policy.items("matter") if m.get("form") == "form.report.general")
        form = forms_of(policy).form("form.report.general")
        grids = next(f.choice_values for f in form.spec.fields if f.name == "grid")
    return [
        {
            "external_id": f"{prefix}{n:06d}",
            "matter": matter["id"],
            "place": grids[n % len(grids)],
            "description": f"市民来电反映：小区门口路灯不亮，第 {n} 号工单",
            "address": f"人民南路 {n} 号",
            "phone": "13800138000",
        }
        for n in range(count)
    ]


def measure(url: str, folder: Path) -> tuple[float, float]:
    """Cases per second: the batch, and one API call per case."""
    app = app_on(url, folder)
    with app.app_context():
        session = db.session()
        book_channel = default_channel_of(app)
        _, key = clients.create_client(session, "bench hotline", book_channel, by="bench")
        accounts.create_user(
            session, "bench", "bench-password", is_admin=True, method="pbkdf2:sha256:1000"
        )
        token = accounts.issue_token(
            session, session.scalar(accounts.select(accounts.User)), name="bench"
        )
        session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    client.post(
        "/api/v1/connector/batches", json={"cases": tickets(app, 5, "warm-")}, headers=headers
    )
    batch = tickets(app, COUNT, "b-")
    start = time.perf_counter()
    r = client.post("/api/v1/connector/batches", json={"cases": batch}, headers=headers)
    batch_rate = COUNT / (time.perf_counter() - start)
    assert r.status_code == 200 and r.get_json()["created"] == COUNT, r.get_data(as_text=True)[:500]
    staff = {"Authorization": f"Bearer {token}"}
    singles = tickets(app, SINGLE, "s-")
    start = time.perf_counter()
    for item in singles:
        body = {
            "matter": item["matter"],
            "place": item["place"],
            "address": item["address"],
            "channel": book_channel,
            "submission": {
                "title": item["description"][:60],
                "description": item["description"],
                "location": {"text": item["address"]},
                "urgency": "normal",
            },
        }
        r = client.post("/api/v1/cases", json=body, headers=staff)
        assert r.status_code == 201, r.get_data(as_text=True)[:500]
    single_rate = SINGLE / (time.perf_counter() - start)
    db.engine(app).dispose()
    return batch_rate, single_rate


def default_channel_of(app) -> str:
    """The hotline: the channel the pack marks for its intake import."""
    from onegrid.web import casework
    from onegrid.workflow import rulebook

    return default_channel(rulebook(casework.current_version(db.session())), "import")


def report_line(name: str, figures: tuple[float, float]) -> None:
    batch_rate, single_rate = figures
    print(
        f"{name:<11} batch of {COUNT} {batch_rate:7.1f} cases/s"
        f"   {SINGLE} single API calls {single_rate:7.1f} cases/s"
        f"   ratio {batch_rate / single_rate:4.1f}x",
        flush=True,
    )


def main() -> None:
    print(f"pack {PACK}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        report_line("SQLite", measure(f"sqlite:///{Path(tmp) / 'bench.sqlite'}", Path(tmp)))
    bindir = find_bindir()
    if bindir is None:
        print("PostgreSQL   skipped: no initdb/postgres under /usr/lib/postgresql/*/bin")
        return
    cluster = Cluster(bindir, fsync=True).start()
    try:
        cluster.execute("CREATE DATABASE bench")
        with tempfile.TemporaryDirectory() as tmp:
            report_line("PostgreSQL", measure(cluster.url("bench"), Path(tmp)))
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
