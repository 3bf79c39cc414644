"""The plans the lists get at a moderate size (issue 22): EXPLAIN on
PostgreSQL with 10,000 cases, made with SQL from one real case."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text

from onegrid.store import Case
from onegrid.workflow import open_case, visibility

from .conftest import REPORTER

N = 10_000


@pytest.fixture
def big(db, version):
    with db() as session:
        if session.bind.dialect.name != "postgresql":
            pytest.skip("the plans are PostgreSQL's")
        case = open_case(session, version, {"matter": "m.litter", "place": "g1"}, {}, REPORTER,
                         "grid")  # fmt: skip
        names = ", ".join(
            c.name
            for c in Case.__table__.c
            if c.name not in ("id", "idempotency_key", "created_at")
        )
        session.execute(
            text(
                f"INSERT INTO cases ({names}, created_at) SELECT {names},"
                " created_at - make_interval(mins => g) FROM cases, generate_series(1, :n) g"
                " WHERE id = :id"
            ),
            {"id": case.id, "n": N},
        )
        # each in one of 100 grids of one community; every 20th dispatched to a department
        session.execute(
            text(
                "INSERT INTO case_access (party, case_id) SELECT p, id FROM cases,"
                " LATERAL (VALUES ('u:g' || (id % 100)), ('u:c1'), ('u:d'),"
                " (CASE WHEN id % 20 = 0 THEN 'b:dept.urban' ELSE 'u:d' END)) v(p)"
                " WHERE id > :id ON CONFLICT DO NOTHING"
            ),
            {"id": case.id},
        )
        session.commit()
        session.execute(text("ANALYZE"))
        session.commit()
        yield session


def plan(session, query) -> str:
    sql = query.compile(session.bind, compile_kwargs={"literal_binds": True})
    return "\n".join(session.execute(text(f"EXPLAIN {sql}")).scalars())


@pytest.mark.parametrize(
    "parties",
    [["r:gw7", "u:g7"], ["r:urban", "b:dept.urban"], ["r:street", "u:c1"], ["r:x", "u:d"]],
    ids=["grid worker", "department", "community", "district"],
)
def test_every_role_s_inbox_is_an_index_scan(big, parties):
    query = (
        select(Case)
        .where(visibility.among(parties), Case.closed_at.is_(None))
        .order_by(Case.created_at.desc(), Case.id.desc())
        .limit(50)
    )
    found = plan(big, query)
    assert "Seq Scan" not in found, found
    assert "pk_case_access" in found or "ix_cases_created_at" in found, found


def test_an_open311_date_window_uses_the_created_at_index(big):
    end = dt.datetime.now(dt.UTC)
    query = (
        select(Case)
        .where(Case.created_at >= end - dt.timedelta(hours=3), Case.created_at < end)
        .order_by(Case.created_at)
        .limit(1000)
    )
    found = plan(big, query)
    assert "ix_cases_created_at" in found and "Seq Scan" not in found, found


DISTRICT = ["r:x", "u:d"]


def tab_page(tab, now):
    from onegrid.web import listing

    return (
        select(Case)
        .where(visibility.among(DISTRICT), listing.tab_condition(tab, now))
        .order_by(*listing.order_of("due"))
        .limit(51)
    )


def test_a_page_in_time_left_order_walks_the_due_index(big):
    """The lists' default sort reads 51 rows of ix_cases_due_order (revision
    2000), not a sort of every case the user sees; the next page too."""
    from onegrid.web import listing

    now = dt.datetime.now(dt.UTC)
    found = plan(big, tab_page("all", now))
    assert "ix_cases_due_order" in found and "Sort" not in found, found
    last = big.scalars(tab_page("all", now)).all()[-1]
    more = tab_page("all", now).where(listing.after(listing.encode(last, "due"), "due"))
    found = plan(big, more)
    assert "ix_cases_due_order" in found and "Sort" not in found, found


@pytest.mark.parametrize("tab", ["overdue", "due_soon", "supervised"])
def test_a_flag_tab_reads_its_partial_index(big, tab):
    """Overdue, due soon and supervised test the flag as its partial index
    says it (`overdue`, not `overdue IS TRUE`), so the planner uses it: no
    sequential scan of the cases."""
    flag = {"overdue": "overdue", "due_soon": "warned", "supervised": "supervised"}[tab]
    found = plan(big, tab_page(tab, dt.datetime.now(dt.UTC)))
    assert f"ix_cases_{flag}_open" in found and "Seq Scan on cases" not in found, found


def test_a_tab_above_the_exact_count_is_the_planners_estimate(big, monkeypatch):
    """An inbox tab counts at most COUNT_EXACT + 1 cases; above, it says
    the database's estimate (issue 22: an exact count read every case the
    user sees); below, it is exact."""
    from onegrid.web import listing

    monkeypatch.setattr(listing, "COUNT_EXACT", 100)
    now = dt.datetime.now(dt.UTC)
    estimated: set[str] = set()
    district = select(Case).where(visibility.among(["r:x", "u:d"]))
    counts = listing.tab_counts(big, district, now, estimated)
    assert estimated == {"all"} and counts["all"] >= 101 and 0.5 * N < counts["all"] < 2 * N
    assert counts["supervised"] == 0
    grid = select(Case).where(visibility.among(["r:gw7", "u:g7"]))
    exact = big.scalar(select(func.count()).select_from(grid.subquery()))
    estimated.clear()
    assert listing.tab_counts(big, grid, now, estimated)["all"] == exact < 101
    assert not estimated
