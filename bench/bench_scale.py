"""A megacity on one PostgreSQL (issue 22): lists, exports, sweeps and
intake at 10k and 100k cases, measured through the app.

    python -m bench scale
    BENCH_SCALE_SIZES=10000,100000,1000000 python -m bench scale

Cases are generated with the engine's own functions: a few hundred real
cases are opened with `open_case` (routed, validated, audited) on kunqu
across its matters and grids; their rows are then cloned with COPY into
N cases (80% closed over the past month with a five-step trail, 20% open
with deadlines ahead, a tenth of those warned and 3% overdue and
supervised at the top of the ladder), each with a valid keyed audit trail and its
visible-to set (who may see it, who may act on it, its place in
time-left order), so `audit verify` passes on the result. Measured through
the Flask app (its test client: the whole WSGI stack, no network): every
role's inbox tabs, the API list, an Open311 window, the dashboard (its
running month from the snapshot the scheduler keeps; the snapshot's cost
is printed too) and the export; then an idle and a busy sweep tick (1 and
2 processes on a burst of same-instant deadlines), intake by 1, 2 and 4
writer processes alone and by 1 and 2 beside a busy sweep, each in turn
twice, and an incremental `audit verify`. Prints p50/p95
per size and the growth from the smallest size to the largest.

PostgreSQL runs in a throwaway cluster (as the tests start it) with fsync
on. The numbers are ratios within this run, on this machine.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import random
import tempfile
import time
import tracemalloc
from pathlib import Path

from sqlalchemy import JSON, func, select, text
from tests.pg import Cluster, find_bindir

from onegrid import paths
from onegrid.forms import forms_of
from onegrid.forms.example import valid_example
from onegrid.policy.pack import load_policy
from onegrid.scoring.run import refresh_running
from onegrid.store import Case, make_engine, sessions, upgrade
from onegrid.store.access import MARKS
from onegrid.store.accounts import create_user, issue_token
from onegrid.store.models import FAR
from onegrid.workflow import Actor, Binding, audit, open_case, publish, rulebook, sweep, visibility
from onegrid.workflow.channels import default_channel

SIZES = [int(s) for s in os.environ.get("BENCH_SCALE_SIZES", "10000,100000").split(",")]
PACK = os.environ.get("BENCH_PACK", "kunqu")
REPEAT = int(os.environ.get("BENCH_SCALE_REPEAT", "7"))
BURST = int(os.environ.get("BENCH_SCALE_BURST", "1000"))
INTAKE_S = float(os.environ.get("BENCH_SCALE_INTAKE_S", "8"))
INTAKE_ROUNDS = int(os.environ.get("BENCH_SCALE_INTAKE_ROUNDS", "2"))
EXPORT_ROWS = int(os.environ.get("BENCH_SCALE_EXPORT_ROWS", "100000"))
PASSWORD = "bench-pw"
NOW = dt.datetime.now(dt.UTC)


# -- generating ----------------------------------------------------------------


def templates(db, policy, version, want: int = 300) -> list[int]:
    """Real cases, opened by the engine, on many matters and grids."""
    book = rulebook(version)
    forms = forms_of(policy)
    grids = [u["id"] for u in book.units.values() if u.get("level") == max_level(book)]
    random.seed(7)
    made: list[int] = []
    matters = list(book.matters.values())
    attempts = 0
    while len(made) < want and attempts < want * 4:
        attempts += 1
        matter = random.choice(matters)
        place = random.choice(grids)
        form = matter.get("form")
        report = valid_example(forms.form(form)) if form else {}
        actor = Actor(f"gw.{place}", (Binding("grid_worker", place),))
        with db() as session:
            try:
                case = open_case(
                    session, version, {"matter": matter["id"], "place": place}, report, actor,
                    default_channel(book, "pages"), now=NOW - dt.timedelta(days=40),
                )  # fmt: skip
            except Exception:
                continue
            made.append(case.id)
    return made


def max_level(book) -> str:
    """The deepest level that has units (the grids)."""
    used = {u.get("level") for u in book.units.values()}
    return max((lv for lv in book.levels if lv in used), key=book.rank)


def clone(engine, db, version, template_ids: list[int], start_id: int, count: int) -> None:
    """COPY `count` cases made from the templates, each with its audit trail
    (keyed, chained, sealed later) and its visible-to set."""
    book = rulebook(version)
    final = next(s for s, st in book.states.items() if st.get("final"))
    handle = next(iter(visibility.handovers(book)))
    table = Case.__table__
    columns = [c.name for c in table.c]
    is_json = {c.name for c in table.c if isinstance(c.type, JSON)}
    with engine.connect() as conn:
        rows = [
            dict(r)
            for r in conn.execute(select(table).where(table.c.id.in_(template_ids))).mappings()
        ]
        seq0 = conn.execute(text("SELECT coalesce(max(seq), 0) FROM audit")).scalar()
    secret = audit.key()
    span = dt.timedelta(days=30)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        seq = seq0
        months = set()
        with (
            cur.copy(f"COPY cases ({', '.join(columns)}) FROM STDIN") as cases_copy,
        ):
            audit_rows, access_rows = [], []
            for k in range(count):
                case_id = start_id + k
                t = dict(rows[k % len(rows)])
                created = NOW - span + span * (k / max(count, 1)) - dt.timedelta(minutes=1)
                t.update(id=case_id, created_at=created, updated_at=created, version=1,
                         idempotency_key=None, request_hash=None)  # fmt: skip
                closed = random.random() < 0.8
                if closed:
                    t.update(state=final, closed_at=created + dt.timedelta(days=1), step=None,
                             due_at=None, warn_at=None, sweep_at=None, step_started_at=None,
                             version=5)  # fmt: skip
                else:
                    due = NOW + dt.timedelta(hours=random.uniform(2, 120))
                    t.update(due_at=due, warn_at=due - dt.timedelta(hours=1), warned=False,
                             overdue=False, supervised=False, step_started_at=created)  # fmt: skip
                    t["sweep_at"] = t["warn_at"]
                    flag = random.random()
                    if flag < 0.03:
                        # at the top of the ladder: overdue and supervised, no deadline left
                        t.update(overdue=True, warned=True, supervised=True, due_at=None,
                                 warn_at=None, sweep_at=None)  # fmt: skip
                    elif flag < 0.13:
                        # warned by the sweep: due soon
                        t.update(warned=True, warn_at=NOW - dt.timedelta(minutes=30),
                                 sweep_at=due)  # fmt: skip
                cases_copy.write_row(
                    [json.dumps(t[c], ensure_ascii=False) if c in is_json and t[c] is not None
                     else t[c] for c in columns]
                )  # fmt: skip
                obj = _Row(t)
                steps = ["open", "accept", handle, "handle", "approve"] if closed else ["open"]
                prev = audit.GENESIS
                for n, action in enumerate(steps, start=1):
                    seq += 1
                    at = created + dt.timedelta(hours=n - 1)
                    months.add((at.year, at.month))
                    body = {"seq": seq, "subject": f"case:{case_id}", "n": n, "case": case_id,
                            "action": action, "actor": "bench", "at": audit.stamp(at), "data": {}}  # fmt: skip
                    if n == len(steps):
                        body["after"] = audit.case_values(obj)
                    payload = audit.canonical(body)
                    digest = audit.chain_hash(prev, payload, secret)
                    audit_rows.append((seq, f"case:{case_id}", n, case_id, action, "bench", at,
                                       payload, prev, digest))  # fmt: skip
                    prev = digest
                seen = visibility.parties(book, obj, closed or random.random() < 0.5)
                due = t["due_at"] or FAR
                marks = tuple(visibility.marks(obj).values())
                for party in seen | visibility.acting(book, obj):
                    access_rows.append((party, case_id, due, *marks))
        for year, month in sorted(months):
            cur.execute(
                "SELECT onegrid_audit_partition(%s)", (dt.datetime(year, month, 1, tzinfo=dt.UTC),)
            )
        with cur.copy(
            "COPY audit (seq, subject, subject_seq, case_id, action, actor, at, payload,"
            " prev_hash, hash) FROM STDIN"
        ) as audit_copy:
            for r in audit_rows:
                audit_copy.write_row(r)
        marked = ", ".join(MARKS)
        with cur.copy(
            f"COPY case_access (party, case_id, due_key, {marked}) FROM STDIN"
        ) as access_copy:
            for r in access_rows:
                access_copy.write_row(r)
        cur.execute("SELECT setval('audit_seq', %s)", (seq,))
        cur.execute("SELECT setval('cases_id_seq', %s)", (start_id + count,))
        raw.commit()
        cur.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


class _Row:
    def __init__(self, mapping):
        self.__dict__.update(mapping)


# -- measuring -----------------------------------------------------------------


def timed(fn, repeat: int = REPEAT) -> list[float]:
    fn()  # warm
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def users(db, book) -> dict[str, str]:
    """One user per kind of role: username → the unit bound."""
    # the busiest grid (of the templates', which the clones repeat), as the
    # busiest department below: its lists hold a full page at every size,
    # so their growth is the volume's, not a page filling up (the first
    # grid held 33 cases at 10k, a third of the API's page)
    grids = {u["id"] for u in book.units.values() if u.get("level") == max_level(book)}
    with db() as session:
        placed = session.execute(select(Case.place, func.count()).group_by(Case.place)).all()
    grid = max((n, place) for place, n in placed if place in grids)[1]
    chain = book.ancestors(grid)
    street = chain[2] if len(chain) > 2 else chain[-1]
    centre = next((d for d, x in book.departments.items() if x.get("type") == "centre"), None)
    leads: dict[str, int] = {}
    for m in book.matters.values():
        if m.get("unit") in book.departments and m.get("unit") != centre:
            leads[m["unit"]] = leads.get(m["unit"], 0) + 1
    dept = max(leads, key=leads.get)
    who = {"grid": grid, "street": street, "department": dept, "centre": centre}
    with db() as session:
        for name, unit in who.items():
            create_user(session, f"b.{name}", PASSWORD, bindings=[("staff", unit)],
                        method="pbkdf2:sha256:1000")  # fmt: skip
        create_user(session, "b.admin", PASSWORD, is_admin=True, method="pbkdf2:sha256:1000")
        session.commit()
    return {f"b.{k}": v for k, v in who.items()} | {"b.admin": "admin"}


def app_for(url: str, folder: Path):
    from onegrid.web import create_app

    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": str(folder),
            "ONEGRID_CATALOG": str(paths.CATALOGS / PACK),
            "ONEGRID_DATABASE_URL": url,
            "WTF_CSRF_ENABLED": False,
        }
    )


def measure_pages(app, names, results):
    from onegrid.web import casework

    for name in names:
        client = app.test_client()
        client.post("/auth/login", data={"username": name, "password": PASSWORD})
        for tab in casework.INBOX_TABS:
            results[f"inbox {tab} ({name[2:]})"] = timed(
                lambda c=client, t=tab: check(c.get(f"/?tab={t}"))
            )
        with app.app_context():
            from onegrid.web import db as web_db

            session = web_db.session()
            from onegrid.store.accounts import User

            token = issue_token(session, session.scalar(select(User).where(User.username == name)))
            session.commit()
        bearer = {"Authorization": f"Bearer {token}"}
        results[f"api list ({name[2:]})"] = timed(
            lambda c=client, h=bearer: check(c.get("/api/v1/cases", headers=h))
        )
    anon = app.test_client()
    end = NOW
    window = f"start_date={(end - dt.timedelta(hours=6)).isoformat()}&end_date={end.isoformat()}"
    window = window.replace("+", "%2B")
    results["open311 6h window"] = timed(
        lambda: check(anon.get(f"/open311/v2/requests.json?{window}"))
    )
    admin = app.test_client()
    admin.post("/auth/login", data={"username": "b.admin", "password": PASSWORD})
    results["dashboard"] = timed(lambda: check(admin.get("/admin/dashboard")))


def check(response):
    if response.status_code >= 400:
        raise RuntimeError(f"{response.request.path}: {response.status_code}")
    response.get_data()
    return response


def measure_export(app, name) -> tuple[float, float, int]:
    """The centre's CSV export, read until EXPORT_ROWS rows (the target's
    100k; the whole of a 1M city would take half an hour): seconds, the
    Python heap's peak in MB under tracemalloc, and the rows read."""
    client = app.test_client()
    client.post("/auth/login", data={"username": name, "password": PASSWORD})
    tracemalloc.start()
    start = time.perf_counter()
    response = client.get("/cases/export.csv")
    lines = 0
    try:
        for block in response.response:
            lines += block.count(b"\n")
            if lines > EXPORT_ROWS:
                break
    finally:
        response.close()
    took = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return took, peak / 2**20, lines - 1


def _sweeper(url, now, out):
    engine = make_engine(url)
    report = sweep(sessions(engine), now)
    out.put(report.total)
    engine.dispose()


def measure_sweep(url, engine, results) -> dict:
    db = sessions(engine)
    engine.dispose()  # no pooled connection is shared with the forked sweepers
    results["sweep idle tick"] = timed(lambda: sweep(db, NOW), repeat=20)
    rates = {}
    for procs in (1, 2):
        # a burst of deadlines on the same instant
        moment = NOW + dt.timedelta(seconds=procs)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE cases SET due_at = :m, sweep_at = :m WHERE id IN (SELECT id FROM"
                    " cases WHERE sweep_at > :far ORDER BY id LIMIT :n)"
                ),
                {"m": moment, "n": BURST, "far": NOW + dt.timedelta(hours=1)},
            )
        queue = multiprocessing.Queue()
        workers = [
            multiprocessing.Process(target=_sweeper, args=(url, moment, queue))
            for _ in range(procs)
        ]
        start = time.perf_counter()
        for w in workers:
            w.start()
        done = sum(queue.get() for _ in workers)
        for w in workers:
            w.join()
        took = time.perf_counter() - start
        rates[procs] = done / took
    return rates


def _writer(url, version_id, seconds, out, tag):
    from onegrid.store import PolicyVersion

    engine = make_engine(url)
    db = sessions(engine)
    with db() as session:
        version = session.get(PolicyVersion, version_id)
        template = session.scalars(select(Case).order_by(Case.id).limit(1)).first()
        # reported as the templates were: a matter and a place (the stored
        # facts name the lead unit, not the place, and filed placeless cases)
        facts = {"matter": template.matter, "place": template.place}
        report = dict(template.submission)
        channel = template.channel
    actor = Actor("bench.writer", (Binding("grid_worker", facts.get("place")),))
    n, waits, end = 0, [], time.perf_counter() + seconds
    while time.perf_counter() < end:
        start = time.perf_counter()
        with db() as session:
            open_case(session, version, facts, report, actor, channel, f"{tag}-{os.getpid()}-{n}")
        waits.append((time.perf_counter() - start) * 1000)
        n += 1
    out.put((n, waits))
    engine.dispose()


def _busy_sweeper(url, seconds, stop):
    engine = make_engine(url)
    db = sessions(engine)
    end = time.perf_counter() + seconds
    while time.perf_counter() < end and not stop.is_set():
        moment = dt.datetime.now(dt.UTC) + dt.timedelta(hours=200)  # everything open is due
        sweep(db, moment, limit=20)
    engine.dispose()


def _lock_waits(url, stop, out):
    """Sample pg_stat_activity every 20 ms: the share of samples in which
    some session of the database waits on a lock (a heavyweight lock, a
    row or a transaction), the target's "lock wait" on 2 cores."""
    engine = make_engine(url)
    waiting = samples = 0
    with engine.connect() as conn:
        while not stop.is_set():
            n = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock'"
                )
            ).scalar()
            conn.commit()
            samples += 1
            waiting += bool(n)
            time.sleep(0.02)
    engine.dispose()
    out.append(waiting / max(samples, 1))


def measure_intake(url, version_id, results, waits: dict | None = None) -> dict:
    """Cases/s of 1, 2 and 4 writers alone and of 1 and 2 beside a busy
    sweep; every configuration run INTAKE_ROUNDS times, in turn, so that a
    ratio compares windows of the same minutes (one 8 s window of one
    writer alone ranged 42-62 cases/s on a held 1M database)."""
    import threading

    configs = ((1, False), (2, False), (4, False), (1, True), (2, True))
    done: dict[str, int] = {}
    multiprocessing.active_children()
    for _ in range(INTAKE_ROUNDS):
        for writers, with_sweep in configs:
            sampled: list[float] = []
            halt = threading.Event()
            sampler = threading.Thread(target=_lock_waits, args=(url, halt, sampled))
            sampler.start()
            queue = multiprocessing.Queue()
            stop = multiprocessing.Event()
            tag = f"w{writers}{'s' if with_sweep else ''}{time.monotonic_ns()}"
            procs = [
                multiprocessing.Process(
                    target=_writer, args=(url, version_id, INTAKE_S, queue, tag)
                )
                for _ in range(writers)
            ]
            sweeper = None
            if with_sweep:
                sweeper = multiprocessing.Process(target=_busy_sweeper, args=(url, INTAKE_S, stop))
                sweeper.start()
            for w in procs:
                w.start()
            got = [queue.get() for _ in procs]
            for w in procs:
                w.join()
            if sweeper is not None:
                stop.set()
                sweeper.join()
            halt.set()
            sampler.join()
            label = f"intake {writers} writer{'s' if writers > 1 else ''}"
            if with_sweep:
                label += " + sweep"
            results.setdefault(label, []).extend(x for _, w in got for x in w)
            done[label] = done.get(label, 0) + sum(n for n, _ in got)
            if waits is not None:
                waits[label] = max(waits.get(label, 0.0), sampled[0] if sampled else 0.0)
    return {label: n / (INTAKE_S * INTAKE_ROUNDS) for label, n in done.items()}


def measure_verify(url, engine) -> tuple[float, int]:
    db = sessions(engine)
    start = time.perf_counter()
    with db() as session:
        verdict = audit.verify(session, since="last")
    return time.perf_counter() - start, verdict.rows


def main() -> None:
    bindir = find_bindir()
    if bindir is None:
        print("PostgreSQL is not installed: skipped")
        return
    cluster = Cluster(bindir, fsync=True).start()
    folder = Path(tempfile.mkdtemp(prefix="onegrid-bench-scale-"))
    os.environ.setdefault("ONEGRID_AUDIT_KEY", "bench-key")
    try:
        cluster.execute("CREATE DATABASE scale")
        url = cluster.url("scale")
        upgrade(url)
        engine = make_engine(url)
        db = sessions(engine)
        policy = load_policy(paths.CATALOGS / PACK)
        with db() as session:
            version = publish(session, policy, by="bench")
        made = templates(db, policy, version)
        names = users(db, rulebook(version))
        app = app_for(url, folder)
        tables = {}
        have = len(made)
        for size in SIZES:
            start = time.perf_counter()
            with engine.connect() as conn:
                next_id = conn.execute(text("SELECT max(id) FROM cases")).scalar() + 1
            clone(engine, db, version, made, next_id, size - have)
            have = size
            gen = time.perf_counter() - start
            audit.seal(db)
            # the scheduler's job: the running month's dashboard, snapshotted
            # (anew at each size: the last size's snapshot would not be due yet)
            with engine.begin() as conn:
                conn.execute(text("DELETE FROM score_snapshot_evidence"))
                conn.execute(text("DELETE FROM score_snapshots"))
            started = time.perf_counter()
            refresh_running(db)
            snapshot_s = time.perf_counter() - started
            results: dict[str, list[float]] = {}
            measure_pages(app, names, results)
            took, peak, rows = measure_export(app, "b.centre")
            sweep_rates = measure_sweep(url, engine, results)
            waits: dict[str, float] = {}
            intake = measure_intake(url, version.id, results, waits)
            verify_s, verify_rows = measure_verify(url, engine)
            tables[size] = results
            print(f"-- {size:,} cases (generated in {gen:.1f} s)", flush=True)
            print(f"{'measure':44} {'p50 ms':>9} {'p95 ms':>9}")
            for label, values in results.items():
                print(f"{label:44} {p(values, 0.5):9.1f} {p(values, 0.95):9.1f}")
            print(
                f"dashboard snapshot (the scheduler's job, every few minutes): {snapshot_s:.1f} s"
            )
            print(f"export csv: {rows:,} rows in {took:.1f} s, Python heap peak {peak:.1f} MB")
            print(
                f"sweep burst of {BURST:,}: 1 process {sweep_rates[1]:.0f} cases/s, 2 processes {sweep_rates[2]:.0f} cases/s"
                f" ({sweep_rates[2] / sweep_rates[1]:.2f}x)"
            )
            base = intake["intake 1 writer"]
            for label, rate in intake.items():
                print(
                    f"{label}: {rate:.0f} cases/s ({rate / base:.2f}x one writer),"
                    f" lock wait in {waits.get(label, 0):.1%} of samples"
                )
            print(
                f"audit verify --since last: {verify_rows:,} rows in {verify_s:.2f} s", flush=True
            )
        if len(SIZES) > 1:
            small, big = tables[SIZES[0]], tables[SIZES[-1]]
            print(f"-- growth {SIZES[0]:,} -> {SIZES[-1]:,} (p95)")
            for label in small:
                if label in big:
                    ratio = p(big[label], 0.95) / max(p(small[label], 0.95), 0.01)
                    print(f"{label:44} {ratio:6.2f}x")
        engine.dispose()
    finally:
        cluster.stop()
