"""Many hands on one case, and a writer killed mid-stream."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter

from sqlalchemy import select

from onegrid.store import AuditEntry, Case
from onegrid.workflow import Actor, Binding, Conflict, act, actions_for, get_case, open_case, verify

from .conftest import REPORTER

# everyone in the loop at once, each in their own part (separation of duties):
# a second grid worker accepts and handles, the community feeds back (the grid
# handled it), the reporter evaluates
GRID = Actor("gw2", (Binding("grid_worker", "g1"),))
COMMUNITY = Actor("officer@c1", (Binding("officer", "c1"),))
NEXT = {
    "dispatched": ("handle", {"result": "处理"}, GRID),
    "handled": ("feed_back", {"message": "反馈"}, COMMUNITY),
    "fed_back": ("reopen", {"reason": "不满意"}, REPORTER),
}


def test_twenty_threads_one_case(db, version):
    with db() as session:
        case = open_case(
            session, version, {"matter": "m.litter", "place": "g1"}, {}, REPORTER, "grid"
        )
        case = act(session, case.id, "accept", GRID, {}, case.version)
        case = act(session, case.id, "dispatch", GRID, {}, case.version)
    start_version = case.version
    outcomes: Counter = Counter()
    unexpected: list[BaseException] = []
    barrier = threading.Barrier(20)

    def worker():
        barrier.wait()
        for _ in range(50):
            try:
                with db() as session:
                    seen = get_case(session, case.id)
                    transition, body, who = NEXT[seen.state]
                    offered = {a.id for a in actions_for(seen, who)}
                    session.commit()  # let others in between reading and acting
                    assert transition in offered
                    act(session, case.id, transition, who, body, seen.version)
                outcomes["won"] += 1
            except Conflict as exc:
                outcomes[exc.code] += 1
            except BaseException as exc:
                unexpected.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"20 threads x 50 on {db.kw['bind'].dialect.name}: {dict(outcomes)}")
    assert unexpected == []
    assert sum(outcomes.values()) == 1000
    assert set(outcomes) <= {"won", "case-stale"}
    with db() as session:
        final = get_case(session, case.id)
        assert final.version - start_version == outcomes["won"]
        versions = [
            json.loads(payload)["data"]["version"]
            for payload in session.scalars(
                select(AuditEntry.payload)
                .where(AuditEntry.case_id == case.id, AuditEntry.action != "open")
                .order_by(AuditEntry.seq)
            )
        ]
        # exactly one winner per version: one audit row for each, in order
        assert versions == list(range(2, final.version + 1))
        assert verify(session).ok


WRITER = """
import sys
from onegrid.store import make_engine, sessions, PolicyVersion
from onegrid.workflow import Actor, open_case
url, version_id = sys.argv[1], int(sys.argv[2])
db = sessions(make_engine(url))
with db() as s:
    version = s.get(PolicyVersion, version_id)
reporter = Actor("gw1", ())
i = 0
while True:
    i += 1
    with db() as s:
        case = open_case(s, version, {"matter": "m.litter", "place": "g1"},
                         {"n": i}, reporter, "grid", f"kill-{i}")
    print(case.id, flush=True)  # acknowledged: committed
"""


def test_a_killed_writer_loses_nothing_acknowledged(db, version, db_url):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    acknowledged = []
    with subprocess.Popen(
        [sys.executable, "-c", WRITER, db_url, str(version.id)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    ) as writer:
        try:
            for line in writer.stdout:
                acknowledged.append(int(line))
                if len(acknowledged) == 60:
                    break
        finally:
            writer.send_signal(signal.SIGKILL)
            writer.wait()
        failure = writer.stderr.read().decode()
    assert len(acknowledged) == 60, failure
    with db() as session:
        stored = set(session.scalars(select(Case.id)))
        assert set(acknowledged) <= stored
        assert verify(session).ok


def test_one_idempotency_key_raced_by_eight_threads(db, version):
    ids, unexpected = [], []
    barrier = threading.Barrier(8)

    def submit():
        barrier.wait()
        try:
            with db() as session:
                facts = {"matter": "m.litter", "place": "g1"}
                ids.append(open_case(session, version, facts, {}, REPORTER, "wechat", "tap-1").id)
        except BaseException as exc:
            unexpected.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert unexpected == []
    assert len(ids) == 8 and len(set(ids)) == 1
    with db() as session:
        assert session.scalars(select(Case.id)).all() == [ids[0]]
        assert verify(session).ok


ACTOR = """
import sys
from onegrid.store import make_engine, sessions
from onegrid.workflow import Actor, Binding, Conflict, act, get_case
url, case_id = sys.argv[1], int(sys.argv[2])
db = sessions(make_engine(url))
grid = Actor("gw2", (Binding("grid_worker", "g1"),))
community = Actor("officer@c1", (Binding("officer", "c1"),))
reporter = Actor("gw1", (Binding("grid_worker", "g1"),))
step = {"dispatched": ("handle", {"result": "处理"}, grid),
        "handled": ("feed_back", {"message": "反馈"}, community),
        "fed_back": ("reopen", {"reason": "不满意"}, reporter)}
for _ in range(15):
    try:
        with db() as s:
            seen = get_case(s, case_id)
            s.commit()
            transition, body, who = step[seen.state]
            act(s, case_id, transition, who, body, seen.version)
        print("won", flush=True)
    except Conflict as exc:
        print(exc.code, flush=True)
    except Exception as exc:
        print("error", type(exc).__name__, exc, flush=True)
"""


def test_three_processes_one_case(db, version, db_url):
    """Across processes there is no in-process queue: BEGIN IMMEDIATE and
    the busy timeout (SQLite) or row locks (PostgreSQL) must do it."""
    with db() as session:
        case = open_case(
            session, version, {"matter": "m.litter", "place": "g1"}, {}, REPORTER, "grid"
        )
        case = act(session, case.id, "accept", GRID, {}, case.version)
        case = act(session, case.id, "dispatch", GRID, {}, case.version)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    args = [sys.executable, "-c", ACTOR, db_url, str(case.id)]
    workers = [
        subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        for _ in range(3)
    ]
    outcomes: Counter = Counter()
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err.decode()
        outcomes.update(line.split()[0] for line in out.decode().splitlines())
    assert sum(outcomes.values()) == 45
    assert set(outcomes) <= {"won", "case-stale"}, outcomes
    with db() as session:
        assert get_case(session, case.id).version - case.version == outcomes["won"]
        assert verify(session).ok
