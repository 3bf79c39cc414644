"""The plans the lists get at a moderate size (issue 22): EXPLAIN on
PostgreSQL with 100,000 cases, made with SQL from one real case."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text

from onegrid.store import Case, make_engine, sessions, versions
from onegrid.workflow import open_case, publish, visibility

from .conftest import REPORTER, runnable

N = 100_000


@pytest.fixture(scope="module")
def big_db(postgres, _pg_template, mini_root):
    """A database of its own with N cases, made once for the module."""
    postgres.execute(f"CREATE DATABASE plans TEMPLATE {_pg_template} STRATEGY FILE_COPY")
    engine = make_engine(postgres.url("plans"))
    db = sessions(engine)
    with db() as session:
        version = publish(session, runnable(mini_root), by="admin")
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
                "INSERT INTO case_access (party, case_id, due_key) SELECT p, id,"
                " coalesce(due_at, '9999-01-01 00:00:00+00') FROM cases,"
                " LATERAL (VALUES ('u:g' || (id % 100)), ('u:c1'), ('u:d'),"
                " (CASE WHEN id % 20 = 0 THEN 'b:dept.urban' ELSE 'u:d' END)) v(p)"
                " WHERE id > :id ON CONFLICT DO NOTHING"
            ),
            {"id": case.id},
        )
        session.commit()
        session.execute(text("ANALYZE"))
        session.commit()
    yield db
    engine.dispose()
    versions.forget()  # the module's version ids are not the next test's


@pytest.fixture
def big(big_db):
    """A session on the module's N cases; what a test writes is rolled back."""
    with big_db() as session:
        yield session
        session.rollback()


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
    """An inbox tab counts at most COUNT_EXACT + 1 cases of each of the
    user's parties, each case once; above, it says the database's estimate
    (issue 22: an exact count read every case the user sees); below, it
    is exact, though a case is reached through two parties."""
    from onegrid.web import listing

    now = dt.datetime.now(dt.UTC)

    def parts(parties, bound):
        monkeypatch.setattr(listing, "COUNT_EXACT", bound)
        plain = select(Case).where(visibility.among(parties))
        supervised = plain.where(listing.tab_condition("supervised", now))
        return [
            ("all", plain, listing._legs(parties, lambda s: s, bound + 1)),
            ("supervised", supervised, listing._legs(
                parties, lambda s: s.where(listing.tab_condition("supervised", now)), bound + 1)),
        ]  # fmt: skip

    estimated: set[str] = set()
    counts = listing.counted(big, parts(["r:x", "u:d"], 100), estimated)
    assert estimated == {"all"} and counts["all"] >= 101 and 0.5 * N < counts["all"] < 2 * N
    assert counts["supervised"] == 0
    grid = ["r:gw7", "u:g7"]  # a grid's N / 100 cases, 5 of them reached twice
    big.execute(text("INSERT INTO case_access (party, case_id) SELECT 'r:gw7', case_id"
                     " FROM case_access WHERE party = 'u:g7' LIMIT 5"))  # fmt: skip
    exact = big.scalar(
        select(func.count()).select_from(select(Case).where(visibility.among(grid)).subquery())
    )
    estimated.clear()
    assert listing.counted(big, parts(grid, N // 50), estimated)["all"] == exact < N // 50
    assert not estimated
    big.rollback()


def sorts_by_deadline(found: str) -> bool:
    return any("Sort Key" in line and "due_key" in line for line in found.splitlines())


@pytest.mark.parametrize(
    "parties", [["r:gw7", "u:g7"], ["r:urban", "b:dept.urban"], ["r:x", "u:d", "u:c1"]]
)
def test_a_page_walks_the_parties_own_rows_in_time_left_order(big, parties):
    """A page of one grid's cases among the city's does not walk the city's
    deadlines (ix_cases_due_order) but each party's own range of
    ix_case_access_due from the cursor on, `limit` rows each, merged: never
    a sort of a party's whole range (the district's 100,000). A case two
    parties reach comes twice, side by side (the reader keeps it once)."""
    from onegrid.web import listing

    def page(key=None):
        return listing.through(parties, "due", key, 51, lambda s: s.where(Case.closed_at.is_(None)))

    rows = big.scalars(page()).all()
    first = list(dict.fromkeys(c.id for c in rows))
    alone = big.scalars(select(Case.id).where(visibility.among(parties), Case.closed_at.is_(None))
                        .order_by(*listing.order_of("due")).limit(51)).all()  # fmt: skip
    assert len(rows) == 51 and first == alone[: len(first)]
    key = listing.key_of(rows[-1], "due")
    more = big.scalars(page(key)).all()
    assert more and not {c.id for c in more} & set(first)
    for found in (plan(big, page()), plan(big, page(key))):
        assert "ix_cases_due_order" not in found and "Seq Scan on cases" not in found, found
        assert "ix_case_access_due" in found, found
        lateral = found.split("Nested Loop")[-1]
        assert not sorts_by_deadline(lateral), found


@pytest.mark.parametrize("tab", ["overdue", "due_soon", "supervised"])
def test_a_sparse_tab_walks_the_parties_flagged_rows(big, tab):
    """A sparse tab's page (and count) walks each party's flagged rows (the
    partial indexes of revision 2600), the range before now on "overdue"
    and the sweep's backlog on "due soon": never a party's whole range (the
    district's 100,000 rows, none of them flagged), as it did."""
    from onegrid.web import listing

    now = dt.datetime.now(dt.UTC)
    mark = {"overdue": "overdue", "due_soon": "warned", "supervised": "supervised"}[tab]

    def narrow(s):
        return s.where(listing.tab_condition(tab, now))

    ways = listing._ways(tab, now)
    parties = ["r:x", "u:d", "u:c1"]
    page = listing.through(parties, "due", None, 51, narrow, ways)
    legs = listing._legs(parties, narrow, listing.COUNT_EXACT + 1, ways=ways)
    count = listing.counted(big, [(tab, narrow(select(Case)), legs)])
    assert count == {tab: 0}
    for found in (plan(big, page), plan(big, legs[0])):
        assert f"ix_case_access_{mark}" in found and "Seq Scan" not in found, found
    found = plan(big, page)
    if tab == "overdue":
        assert "((party = 'u:d'::text) AND (due_key <=" in found, found
    if tab == "due_soon":
        assert "ix_cases_sweep_at" in found, found
