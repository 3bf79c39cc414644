"""Scoring on both databases: Cuntan published, a month generated through the engine."""

from __future__ import annotations

import pytest

from conftest import CATALOGS
from onegrid.policy.pack import load_policy
from onegrid.store import make_engine, sessions
from onegrid.workflow import publish
from scoring.month import generate

_LOADED: dict[str, object] = {}


def pack(name: str):
    if name not in _LOADED:
        _LOADED[name] = load_policy(CATALOGS / name)
    return _LOADED[name]


@pytest.fixture
def db(db_url):
    engine = make_engine(db_url)
    yield sessions(engine)
    engine.dispose()


@pytest.fixture
def cuntan(db):
    with db() as session:
        return publish(session, pack("cuntan"), by="admin")


@pytest.fixture
def month(db, cuntan):
    return generate(db, cuntan)
