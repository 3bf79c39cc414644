"""Form tokens are kept a week, then pruned by the scheduler in short
batches, on both databases, through the index on their time."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from onegrid.store import make_engine, sessions
from onegrid.store.formtokens import KEEP, FormToken, prune

NOW = dt.datetime(2026, 12, 2, 6, tzinfo=dt.UTC)


def test_tokens_older_than_a_week_are_pruned_in_batches(db_url, monkeypatch):
    engine = make_engine(db_url)
    db = sessions(engine)
    with db() as session:
        for i in range(5):  # a week and more ago: let go
            at = NOW - KEEP - dt.timedelta(minutes=i + 1)
            session.add(
                FormToken(username="gw", token=f"old{i}", action="accept", cases=[i], at=at)
            )
        for i in range(2):  # within the week: still guards a resent form
            at = NOW - KEEP + dt.timedelta(minutes=i + 1)
            session.add(
                FormToken(username="gw", token=f"new{i}", action="accept", cases=[i], at=at)
            )
        session.commit()
    monkeypatch.setattr("onegrid.store.formtokens.BATCH", 2)
    assert prune(db, NOW, most=4) == 4  # two batches of two: the rest next round
    assert prune(db, NOW) == 1
    assert prune(db, NOW) == 0
    with db() as session:
        left = sorted(session.scalars(select(FormToken.token)))
    assert left == ["new0", "new1"]
    engine.dispose()
