"""Published policy versions, read once per process.

A version row never changes once stored (the database refuses UPDATE), and
it is large: a resolved pack is 100–200 KB of JSON. Loading it with every
case on every request cost more than the rest of the request (issue 22),
so a case's `policy_version` comes from a per-process cache by database
and id: the first load of a version in a process reads the row, every later
case of that version gets the same detached copy without a query. (A
database restored under the same URL needs its processes restarted; the
tests' reset of a shared database calls `forget()`.)
"""

from __future__ import annotations

import threading

from sqlalchemy import event
from sqlalchemy.orm import attributes

from onegrid.store.items import Item
from onegrid.store.models import Case, PolicyVersion

COLUMNS = tuple(c.key for c in PolicyVersion.__mapper__.column_attrs)
_cache: dict[tuple[str, int], PolicyVersion] = {}
_lock = threading.Lock()


def cached(session, version_id: int) -> PolicyVersion | None:
    """The process's copy of a version already read, without a query."""
    return _cache.get((str(session.get_bind().url), version_id))


def forget() -> None:
    with _lock:
        _cache.clear()


# each engine's URL as text, by the URL object's id (the URL is kept, so
# the id is not reused): str(url) renders it anew each time, 0.2 ms a case
_names: dict[int, tuple[object, str]] = {}


def _database(context) -> str:
    url = context.session.get_bind().url
    known = _names.get(id(url))
    if known is None or known[0] is not url:
        known = (url, str(url))
        _names[id(url)] = known
    return known[1]


def _detached_copy(version: PolicyVersion) -> PolicyVersion:
    state = attributes.instance_state(version)
    if any(key in state.unloaded for key in COLUMNS):
        return None  # a partial load: not worth keeping
    return PolicyVersion(**{key: getattr(version, key) for key in COLUMNS})


@event.listens_for(PolicyVersion, "load")
def _loaded(version: PolicyVersion, context) -> None:
    key = (_database(context), version.id)
    if key in _cache:
        return
    copy = _detached_copy(version)
    if copy is not None:
        with _lock:
            _cache.setdefault(key, copy)


@event.listens_for(Item, "load")
@event.listens_for(Case, "load")
def _case_loaded(case: Case | Item, context) -> None:
    version = _cache.get((_database(context), case.policy_version_id))
    if version is not None:
        attributes.set_committed_value(case, "policy_version", version)
