"""待我处理 ("mine") on every bundled pack, for every demo user: exactly the
open cases the engine offers them a step on (no case lost by the SQL that
narrows the candidates), through a query whose size depends on the
workflow and the user's bindings, never on the registry's grids or the
number of cases (the "too many SQL variables" of kunqu's 791 grids)."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from onegrid.store import Case
from onegrid.store.accounts import User
from onegrid.web import casework, db, listing, scope
from onegrid.workflow import actions_for, rulebook
from web.bundled import PACKS

# bound values in any one statement of a "mine" listing (kunqu had 250,000+)
MOST_PARAMETERS = 200


def bound_values(params) -> int:
    rows = params if isinstance(params, list) else [params]
    count = 0
    for row in rows:
        values = row.values() if isinstance(row, dict) else row
        for value in values:
            count += len(value) if isinstance(value, list | tuple) else 1
    return count


@pytest.mark.parametrize("pack", PACKS)
def test_mine_is_what_the_engine_offers_through_a_bounded_query(bundled_app, pack):
    app = bundled_app(pack)
    sizes: list[int] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        sizes.append(bound_values(parameters))

    with app.test_request_context():
        session = db.session()
        engine = db.engine(app)
        users = session.scalars(select(User).where(User.is_admin.is_(False))).all()
        some = 0
        for user in users:
            actor = casework.actor_of(user)
            open_ = session.scalars(scope.visible(user).where(Case.closed_at.is_(None))).all()
            exact = {c.id for c in open_ if offered_beyond_oversight(c, actor)}
            event.listen(engine, "before_cursor_execute", count)
            try:
                page = listing.listing(session, user, "mine", limit=500)
                stmt, keep = listing.view_select(session, user, "mine", listing.Filters())
                exported = {c.id for c in session.scalars(stmt) if keep(c)}
            finally:
                event.remove(engine, "before_cursor_execute", count)
            assert {c.id for c in page.cases} == exact, user.username
            assert page.total == page.counts["mine"] == len(exact), user.username
            assert not page.estimated  # below listing.MINE_EXACT candidates: exact
            assert exported == exact, user.username
            some += bool(exact)
        assert some >= 3  # the seeded walk leaves work in several inboxes
    assert max(sizes) <= MOST_PARAMETERS, max(sizes)


def offered_beyond_oversight(case, actor) -> bool:
    """The engine's own answer: some action it offers is not oversight (督办)."""
    book = rulebook(case.policy_version)
    return any(not listing.oversight(book.transitions[a.id]) for a in actions_for(case, actor))
