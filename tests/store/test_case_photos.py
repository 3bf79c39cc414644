"""A photo's owner is a row looked up by name, claimed by the first audit row
that names it; revision 0410 fills it from an existing trail."""

from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import text

from onegrid.store import make_engine, sessions, upgrade
from onegrid.store.migrate import alembic_config
from onegrid.store.photos import CasePhoto, claim, names_in, owner
from onegrid.workflow import audit

NAME = "0123456789abcdef0123456789abcdef.png"
OTHER = "fedcba9876543210fedcba9876543210.jpg"


def test_names_are_whole_string_values():
    payload = audit.canonical({"photo": [NAME], "note": f"see x{OTHER}", "also": OTHER})
    assert names_in(payload) == {NAME, OTHER}
    assert names_in(audit.canonical({"note": f"see {NAME} please"})) == set()


def test_the_first_claim_wins_and_the_migration_fills_the_table(tmp_path, postgres):
    for url in (f"sqlite:///{tmp_path / 'p.sqlite'}", postgres.url("postgres")):
        if url.startswith("postgresql"):
            postgres.execute("CREATE DATABASE photos")
            url = postgres.url("photos")
        engine = make_engine(url)
        upgrade(engine)
        at = dt.datetime(2026, 11, 30, 8, tzinfo=dt.UTC)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO policy_versions (id, pack, content_hash, resolved, published_at)"
                    " VALUES (1, 'p', 'h', '{}', :at)"
                ),
                {"at": at},
            )
            for case_id in (1, 2):
                conn.execute(
                    text(
                        "INSERT INTO cases (id, policy_version_id, pack, matter, channel, state,"
                        " assistants, reporter, facts, submission, route, limits, supervised,"
                        " escalations, reopened, warned, overdue, created_at, updated_at,"
                        " version) VALUES (:id, 1, 'p', 'm', 'grid', 'reported', '[]', 'gw1',"
                        " '{}', '{}', '{}', '{}', false, 0, 0, false, false, :at, :at, 1)"
                    ),
                    {"id": case_id, "at": at},
                )
        with sessions(engine)() as session:
            audit.append(session, 1, "open", "gw1", at, {"submission": {"photo": [NAME]}})
            # a later report citing the same name (a name seen in a screenshot) owns nothing
            audit.append(session, 2, "open", "gw2", at, {"submission": {"photo": [NAME, OTHER]}})
            session.commit()
            assert (owner(session, NAME), owner(session, OTHER)) == (1, 2)
            claim(session, 2, [NAME], at)  # on conflict, nothing: never an error
            assert owner(session, NAME) == 1
        # an existing trail: the table rebuilt by the revision says the same
        config = alembic_config(url)
        command.downgrade(config, "0400")
        with engine.begin() as conn:
            assert "case_photos" not in _tables(conn)
        upgrade(engine)
        with sessions(engine)() as session:
            rows = {p.name: p.case_id for p in session.query(CasePhoto)}
            assert rows == {NAME: 1, OTHER: 2}
        engine.dispose()


def _tables(conn) -> set[str]:
    from sqlalchemy import inspect

    return set(inspect(conn).get_table_names())
