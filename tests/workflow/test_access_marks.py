"""Revision 2600 on a database that already holds cases: the flags of
the open cases are copied to their visible-to rows, a closed case's are
not, and from then on every step keeps them (SQLite and PostgreSQL)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import select, text

from onegrid.store import Case, make_engine, sessions, upgrade
from onegrid.store.access import CaseAccess
from onegrid.store.migrate import alembic_config
from onegrid.workflow import open_case, publish

from .conftest import REPORTER


def marks_by_case(session) -> dict[int, set[tuple[bool, bool, bool]]]:
    out: dict[int, set] = {}
    rows = select(CaseAccess.case_id, CaseAccess.warned, CaseAccess.overdue, CaseAccess.supervised)
    for case_id, *flags in session.execute(rows):
        out.setdefault(case_id, set()).add(tuple(flags))
    return out


def test_the_migration_fills_the_marks_of_open_flagged_cases(tmp_path, postgres, mini):
    for url in (f"sqlite:///{tmp_path / 'marks.sqlite'}", "pg"):
        if url == "pg":
            postgres.execute("CREATE DATABASE marks")
            url = postgres.url("marks")
        upgrade(url)
        engine = make_engine(url)
        db = sessions(engine)
        with db() as session:
            version = publish(session, mini, by="admin")
            facts = {"matter": "m.litter", "place": "g1"}
            ids = [open_case(session, version, facts, {}, REPORTER, "grid").id for _ in range(3)]
        # flags set behind the app's back, as an older revision left them
        with engine.begin() as conn:
            conn.execute(Case.__table__.update().where(Case.id == ids[0]).values(warned=True))
            conn.execute(Case.__table__.update().where(Case.id == ids[1]).values(
                overdue=True, supervised=True))  # fmt: skip
            conn.execute(Case.__table__.update().where(Case.id == ids[2]).values(
                supervised=True, closed_at=Case.created_at))  # fmt: skip
        engine.dispose()
        command.downgrade(alembic_config(url), "2500")
        upgrade(url)
        engine = make_engine(url)
        with sessions(engine)() as session:
            got = marks_by_case(session)
            assert got[ids[0]] == {(True, False, False)}
            assert got[ids[1]] == {(False, True, True)}
            assert got[ids[2]] == {(False, False, False)}  # closed: none
            names = {
                r[0]
                for r in session.execute(
                    text(
                        "SELECT indexname FROM pg_indexes WHERE tablename = 'case_access'"
                        if url.startswith("postgresql")
                        else "SELECT name FROM sqlite_master WHERE tbl_name = 'case_access'"
                    )
                )
            }
            assert {f"ix_case_access_{m}" for m in ("warned", "overdue", "supervised")} <= names
        engine.dispose()
