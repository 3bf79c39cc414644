"""The audit record (issue 22 item 1, issue 20 item 3): a keyed chain per
subject, sealed in batches, replayed against the cases; on PostgreSQL the
app's role owns nothing and appends only through the record's functions."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import json
import threading
import time

import psycopg
import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import DBAPIError

from onegrid.store import AuditEntry, Case, make_engine, sessions, upgrade
from onegrid.store.roles import grant
from onegrid.workflow import act, audit, open_case, publish, trail, verify

from .conftest import REPORTER, staff

DISTRICT = staff("d")
BUILDING = {"matter": "m.building", "place": "g1"}
REPORT = {"description": "沿街违建一处"}


def opened(db, version, n=1):
    with db() as session:
        return [open_case(session, version, BUILDING, REPORT, REPORTER, "grid") for _ in range(n)]


def codes(session, **kw):
    return [p.code for p in verify(session, **kw).problems]


def test_each_case_has_its_own_chain_and_records_its_columns(db, version):
    a, b = opened(db, version, 2)
    with db() as session:
        act(session, a.id, "accept", DISTRICT, {}, a.version)
    with db() as session:
        rows = session.query(AuditEntry).order_by(AuditEntry.seq).all()
        assert [(r.subject, r.subject_seq) for r in rows] == [
            ("platform", 1), (f"case:{a.id}", 1), (f"case:{b.id}", 1), (f"case:{a.id}", 2)
        ]  # fmt: skip
        # b's first row links to the genesis, not to a's row before it
        assert rows[2].prev_hash == audit.GENESIS and rows[3].prev_hash == rows[1].hash
        assert rows[3].hash.startswith("hmac-sha256:")
        after = trail(session, a.id)[-1]
        assert after.action == "accept"
        recorded = json.loads(rows[3].payload)["after"]
        assert recorded["state"] == "accepted" and recorded["version"] == 2
        assert set(recorded) == set(audit.REPLAYED)
        assert verify(session).ok


def test_a_case_row_changed_outside_its_trail_is_reported(db, version):
    (case,) = opened(db, version)
    with db() as session:
        session.execute(text("UPDATE cases SET state = 'closed', unit = 'g2' WHERE id = :id"),
                        {"id": case.id})  # fmt: skip
        session.commit()
        found = verify(session).problems
        assert sorted((p.code, p.params["column"]) for p in found) == [
            ("audit-case-differs", "state"), ("audit-case-differs", "unit")
        ]  # fmt: skip
        # a case without any trail at all is reported too
        session.execute(
            text(
                "INSERT INTO cases (policy_version_id, pack, matter, channel, state, assistants,"
                " reporter, facts, submission, route, limits, supervised, escalations, reopened,"
                " warned, overdue, created_at, updated_at, version) SELECT policy_version_id,"
                " pack, matter, channel, state, assistants, reporter, facts, submission, route,"
                " limits, supervised, escalations, reopened, warned, overdue, created_at,"
                " updated_at, 1 FROM cases WHERE id = :id"
            ),
            {"id": case.id},
        )
        session.commit()
        assert "audit-case-unaudited" in codes(session)


def test_a_transition_written_elsewhere_is_replayed_without_its_author_doing_anything(db, version):
    """Another engineer's new step: it changes the case and appends its row
    with only the old call; the row carries the case's columns all the same."""
    (case,) = opened(db, version)
    at = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    with db() as session:
        row = session.get(Case, case.id)
        row.assistants = ["dept.x"]
        row.level = "street"
        audit.append(session, case.id, "merge", "someone", at, {"note": "并单"})
        session.commit()
        assert verify(session).ok
    with db() as session:
        session.execute(
            update(Case).where(Case.id == case.id).values(assistants=[]),
            execution_options={"synchronize_session": False},
        )
        session.commit()
        assert [p.params["column"] for p in verify(session).problems] == ["assistants"]


def test_items_append_under_their_own_subject(db, version):
    at = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    with db() as session:
        audit.append(session, None, "admit", "u1", at, {"item": 7}, subject="item:7")
        audit.append(session, None, "admit", "u1", at, {"item": 7}, subject="item:7")
        audit.append(session, None, "user-add", "admin", at, {"user": "x"})
        session.commit()
        rows = session.query(AuditEntry).filter(AuditEntry.subject == "item:7").all()
        assert [r.subject_seq for r in rows] == [1, 2]
        assert verify(session).ok


def test_seals_cover_the_log_and_catch_a_cut_tail(db, version):
    _a, b = opened(db, version, 2)
    with db() as session:
        assert verify(session).unsealed == 3
    made = audit.seal(db, limit=2)
    assert [(s.first, s.upto, s.rows) for s in made] == [(1, 2, 2), (3, 3, 1)]
    assert audit.seal(db) == []  # nothing new
    opened(db, version)
    with db() as session:
        v = verify(session)
        assert v.ok and (v.seals, v.unsealed) == (2, 1)
        # incremental: from the last seal on, with the rows after it
        inc = verify(session, since="last")
        assert inc.ok and (inc.seals, inc.rows, inc.cases) == (1, 2, 2)
        assert verify(session, since="2000-01-01").ok
        # the newest row of b (its whole trail) deleted by someone who can
        if session.bind.dialect.name == "postgresql":
            session.execute(text("ALTER TABLE audit DISABLE TRIGGER USER"))
        else:
            session.execute(text("DROP TRIGGER audit_no_delete"))
        session.execute(text("DELETE FROM audit WHERE case_id = :id"), {"id": b.id})
        session.commit()
        assert codes(session) == ["audit-seal-rows", "audit-case-unaudited"]
        assert codes(session, since="last") == ["audit-seal-rows"]


def test_a_row_rewritten_with_a_fresh_unkeyed_or_wrongly_keyed_hash_fails(db, version):
    (case,) = opened(db, version)
    with db() as session:
        row = session.query(AuditEntry).filter(AuditEntry.case_id == case.id).one()
        forged = row.payload.replace("沿街违建一处", "无事")
        for digest in (
            "sha256:" + hashlib.sha256(f"{row.prev_hash}\n{forged}".encode()).hexdigest(),
            audit.chain_hash(row.prev_hash, forged, b"not the key"),
        ):
            if session.bind.dialect.name == "postgresql":
                session.execute(text("ALTER TABLE audit DISABLE TRIGGER USER"))
            else:
                session.execute(text("DROP TRIGGER IF EXISTS audit_no_update"))
            session.execute(
                text("UPDATE audit SET payload = :p, hash = :h WHERE seq = :s"),
                {"p": forged, "h": digest, "s": row.seq},
            )
            session.commit()
            assert codes(session) == ["audit-hash"]


def test_the_cli_verifies_incrementally_and_seals(onegrid, db_url, db, version):
    opened(db, version, 3)
    r = onegrid("audit", "seal", "--url", db_url, "--lang", "en")
    assert (r.code, r.out.strip()) == (0, "1 seal(s) made over 4 rows")
    r = onegrid("audit", "verify", "--url", db_url, "--since", "last", "--lang", "en")
    assert r.code == 0 and "1 seals" in r.out
    r = onegrid("audit", "verify", "--url", db_url, "--since", "yesterday")
    assert r.code != 0 and "yesterday" not in r.out


# -- PostgreSQL: the app's role owns nothing ----------------------------------

_dbs = itertools.count(1)


@pytest.fixture(scope="module")
def _app_template(postgres):
    """A database owned by an owner role (not a superuser), migrated by it,
    with the rights of revision 0700 granted to the app's role."""
    for role in ("onegrid_owner", "onegrid_app"):
        with contextlib.suppress(psycopg.errors.DuplicateObject):
            postgres.execute(f"CREATE ROLE {role} LOGIN")
    postgres.execute("CREATE DATABASE app_template OWNER onegrid_owner")
    url = postgres.url("app_template").replace("postgres@", "onegrid_owner@")
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        grant(conn, "onegrid_app")
    engine.dispose()
    return "app_template"


@pytest.fixture
def app_db(postgres, _app_template, mini):
    """(app sessionmaker, owner sessionmaker, version), the app as its role."""
    name = f"app_{next(_dbs)}"
    postgres.execute(f"CREATE DATABASE {name} TEMPLATE {_app_template} OWNER onegrid_owner")
    base = postgres.url(name)
    app = make_engine(base.replace("postgres@", "onegrid_app@"))
    owner = make_engine(base.replace("postgres@", "onegrid_owner@"))
    try:
        with sessions(owner)() as session:
            version = publish(session, mini, by="admin")
        yield sessions(app), sessions(owner), version
    finally:
        app.dispose()
        owner.dispose()


REFUSED_TO_THE_APP = [
    "ALTER TABLE audit DISABLE TRIGGER USER",
    "ALTER TABLE cases DISABLE TRIGGER USER",
    "DROP TRIGGER audit_append_only ON audit",
    "SET session_replication_role = replica",
    "UPDATE audit SET actor = 'x'",
    "DELETE FROM audit",
    "TRUNCATE audit",
    "INSERT INTO audit SELECT seq + 100, subject, subject_seq + 1, case_id, action, actor, at,"
    " payload, hash, hash FROM audit",
    "UPDATE audit_seals SET rows = 0",
    "INSERT INTO audit_seals VALUES (99, 1, 1, 1, 'x', now(), 'x', 'x')",
    "UPDATE policy_versions SET label = 'x'",
    "SELECT setval('audit_seq', 1)",
    "CREATE OR REPLACE FUNCTION onegrid_append_only() RETURNS trigger LANGUAGE plpgsql"
    " AS $$ BEGIN RETURN NEW; END $$",
    "ALTER TABLE audit_seals OWNER TO onegrid_app",
]


def test_the_app_role_cannot_rewrite_the_record(app_db):
    db, _owner, version = app_db
    (case,) = opened(db, version)
    with db() as session:
        act(session, case.id, "accept", DISTRICT, {}, case.version)
    for sql in REFUSED_TO_THE_APP:
        with db() as session, pytest.raises(DBAPIError, match=r"denied|must be owner|owner of"):
            session.execute(text(sql))
    with db() as session:
        assert verify(session).ok


def test_forged_chains_and_edited_rows_fail_as_the_app_role(app_db):
    db, owner, version = app_db
    (case,) = opened(db, version)
    with db() as session:
        # a row that does not continue its chain is refused by the function
        seq, n, prev = session.execute(
            text("SELECT * FROM onegrid_audit_next(:s)"), {"s": f"case:{case.id}"}
        ).one()
        for args in ((seq, n + 1, prev), (seq, n, audit.GENESIS), (seq + 5, n, prev)):
            with (
                pytest.raises(DBAPIError, match=r"continue its chain|not drawn"),
                session.begin_nested(),
            ):
                session.execute(
                    text(
                        "SELECT onegrid_audit_append(:seq, :s, :n, :c, 'close', 'x', now(),"
                        " '{}', :prev, 'sha256:x')"
                    ),
                    {"seq": args[0], "s": f"case:{case.id}", "n": args[1], "c": case.id,
                     "prev": args[2]},
                )  # fmt: skip
        session.rollback()
    with db() as session:
        # a forged step, chained correctly but hashed without the key, goes in
        seq, n, prev = session.execute(
            text("SELECT * FROM onegrid_audit_next(:s)"), {"s": f"case:{case.id}"}
        ).one()
        body = audit.canonical(
            {"seq": seq, "subject": f"case:{case.id}", "n": n, "case": case.id,
             "action": "approve", "actor": "x", "at": "2026-12-01T00:00:00.000000+00:00",
             "data": {}, "after": {"state": "closed"}}
        )  # fmt: skip
        unkeyed = "sha256:" + hashlib.sha256(f"{prev}\n{body}".encode()).hexdigest()
        session.execute(
            text(
                "SELECT onegrid_audit_append(:seq, :s, :n, :c, 'approve', 'x',"
                " '2026-12-01T00:00:00+00:00', :p, :prev, :h)"
            ),
            {"seq": seq, "s": f"case:{case.id}", "n": n, "c": case.id, "p": body, "prev": prev,
             "h": unkeyed},
        )  # fmt: skip
        # and the case row is edited to match it
        session.execute(text("UPDATE cases SET state = 'closed' WHERE id = :id"), {"id": case.id})
        session.commit()
        # the case agrees with the forged step, and the forged step is reported
        assert codes(session) == ["audit-hash"]
    # even the owner, who can switch the guards off, cannot make a row pass
    # without the key
    with owner() as session:
        session.execute(text("ALTER TABLE audit DISABLE TRIGGER USER"))
        session.execute(
            text("DELETE FROM audit WHERE subject = :s AND subject_seq = 2"),
            {"s": f"case:{case.id}"},
        )
        session.execute(text("UPDATE cases SET state = 'reported' WHERE id = :id"),
                        {"id": case.id})  # fmt: skip
        session.execute(
            text("UPDATE audit SET payload = replace(payload, '沿街', '路边') WHERE case_id = :id"),
            {"id": case.id},
        )
        session.commit()
    with db() as session:
        assert codes(session) == ["audit-hash"]


def test_appends_to_different_cases_do_not_wait_for_each_other(app_db):
    """No hot row: a transaction that has appended to one case and not yet
    committed holds up no other case's intake; the sealer leaves its number
    unsealed until it ends."""
    db, _owner, version = app_db
    a, b = opened(db, version, 2)
    slow = db()
    row = slow.get(Case, a.id)
    row.state = "accepted"
    audit.append(slow, a.id, "accept", DISTRICT.id, dt.datetime.now(dt.UTC), {})
    try:
        started = time.monotonic()
        done = threading.Event()

        def other():
            with db() as session:
                act(session, b.id, "accept", DISTRICT, {}, b.version)
                open_case(session, version, BUILDING, REPORT, REPORTER, "grid")
            done.set()

        worker = threading.Thread(target=other)
        worker.start()
        worker.join(10)
        assert done.is_set() and time.monotonic() - started < 5
        sealed = audit.seal(db, wait=0.2)
        assert sealed == []  # a number below the newest is still in flight
    finally:
        slow.commit()
        slow.close()
    sealed = audit.seal(db, wait=0.2)
    assert sum(s.rows for s in sealed) == 6
    with db() as session:
        assert verify(session).ok


def test_the_migration_carries_the_old_chain_over(tmp_path, postgres):
    """Rows of revision 0001's single chain are verified, then re-chained."""
    for url in (f"sqlite:///{tmp_path / 'old.sqlite'}", postgres.url("postgres")):
        if url.startswith("postgresql"):
            postgres.execute("CREATE DATABASE carried")
            url = postgres.url("carried")
        upgrade(url, "0002")
        engine = make_engine(url)
        at = dt.datetime(2026, 11, 30, 23, 59, tzinfo=dt.UTC)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO policy_versions (id, pack, content_hash, resolved, published_at)"
                    " VALUES (1, 'p', 'h', '{}', :at)"
                ),
                {"at": at},
            )
            conn.execute(
                text(
                    "INSERT INTO cases (id, policy_version_id, pack, matter, channel, state,"
                    " assistants, reporter, facts, submission, route, limits, supervised,"
                    " escalations, reopened, warned, overdue, created_at, updated_at, version)"
                    " VALUES (1, 1, 'p', 'm', 'grid', 'accepted', '[]', 'gw1', '{}', '{}', '{}',"
                    " '{}', false, 0, 0, false, false, :at, :at, 2)"
                ),
                {"at": at},
            )
            prev = audit.GENESIS
            for seq, case_id, action in ((1, None, "publish"), (2, 1, "open"), (3, 1, "accept")):
                payload = audit.canonical({"seq": seq, "case": case_id, "action": action,
                                           "actor": "a", "at": audit.stamp(at), "data": {}})  # fmt: skip
                digest = "sha256:" + hashlib.sha256(f"{prev}\n{payload}".encode()).hexdigest()
                conn.execute(
                    text(
                        "INSERT INTO audit (seq, case_id, action, actor, at, payload, prev_hash,"
                        " hash) VALUES (:seq, :c, :a, 'a', :at, :p, :prev, :h)"
                    ),
                    {"seq": seq, "c": case_id, "a": action, "at": at, "p": payload,
                     "prev": prev, "h": digest},
                )  # fmt: skip
                prev = digest
            conn.execute(text("UPDATE audit_head SET seq = 3, hash = :h"), {"h": prev})
        upgrade(engine)
        with sessions(engine)() as session:
            rows = session.query(AuditEntry).order_by(AuditEntry.seq).all()
            assert [(r.subject, r.subject_seq) for r in rows] == [
                ("platform", 1), ("case:1", 1), ("case:1", 2)
            ]  # fmt: skip
            v = verify(session)
            assert v.ok and (v.rows, v.cases) == (3, 1)
            # the newest row of the case now carries its columns: an edit shows
            session.execute(text("UPDATE cases SET state = 'closed'"))
            assert codes(session) == ["audit-case-differs"]
            session.rollback()
        with sessions(engine)() as session:
            # and new rows continue each chain
            case = session.get(Case, 1)
            case.state = "dispatched"
            audit.append(session, 1, "dispatch", "a", at, {})
            session.commit()
            assert verify(session).ok
        engine.dispose()
