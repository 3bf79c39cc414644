"""Publishing policy: each version stored once, immutably, with its hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from sqlalchemy import select

from onegrid.errors import PolicyError, Problem
from onegrid.store import versions
from onegrid.store.base import utcnow
from onegrid.store.models import PolicyVersion
from onegrid.workflow import audit
from onegrid.workflow.rulebook import Rulebook, remember


def runnable(policy) -> list[Problem]:
    """What stops a pack from running cases at all."""
    book = Rulebook(policy.resolved(), policy.content_hash)
    if not book.states:
        return [Problem("no-workflow", {"pack": policy.id})]
    count = sum(1 for s in book.states.values() if s.get("initial"))
    if count != 1:
        return [Problem("no-initial-state", {"count": count})]
    return []


def registry_grids(policy) -> list[dict]:
    """The grids of the pack's registry CSV as org units (none without one)."""
    from onegrid.grids.registry import grid_units

    return [dict(unit) for unit in grid_units(policy, partial=True)]  # `check` reports problems


def grids_digest(grids: list[dict]) -> str:
    blob = json.dumps(grids, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(blob.encode("utf-8")).hexdigest()


def newest_version(session, pack: str) -> PolicyVersion | None:
    # the id first: a version already in the session is not fetched again
    # (its resolved pack and grids are large JSON, decoded on every fetch)
    newest = session.scalar(
        select(PolicyVersion.id)
        .where(PolicyVersion.pack == pack)
        .order_by(PolicyVersion.id.desc())
        .limit(1)
    )
    if newest is None:
        return None
    return versions.cached(session, newest) or session.get(PolicyVersion, newest)


def publish(session, policy, by: str | None = None, now: dt.datetime | None = None):
    """Store the resolved pack as its newest version (the same content as
    the newest version already stored is not stored twice)."""
    problems = runnable(policy)
    if problems:
        raise PolicyError(problems)
    now = now or utcnow()
    content_hash = policy.content_hash
    grids = registry_grids(policy)
    grids_hash = grids_digest(grids) if grids else None
    fields = {
        "pack": policy.id,
        "label": policy.manifest.get("version"),
        "content_hash": content_hash,
        "grids": grids or None,
        "grids_hash": grids_hash,
    }
    version = _store(session, fields, policy.resolved, by, now)
    remember(policy)
    return version


def restore(session, older: PolicyVersion, by: str | None = None, now: dt.datetime | None = None):
    """Roll back: publish an older version's content again, as the newest
    version (versions are immutable, so a rollback is a new row), audited
    with the version it restores and the one it replaces. Nothing is stored
    when the newest version already has that content."""
    now = now or utcnow()
    fields = {
        "pack": older.pack,
        "label": older.label,
        "content_hash": older.content_hash,
        "grids": older.grids,
        "grids_hash": older.grids_hash,
    }

    def said(newest):
        return {"restores": older.id, "replaces": newest.id if newest is not None else None}

    return _store(session, fields, lambda: older.resolved, by, now, said)


def _store(session, fields: dict, resolved, by, now, said=None) -> PolicyVersion:
    """One new version row of `fields` and `resolved()` (asked for only when
    stored: resolving a pack is not cheap) and its audited `publish`,
    committed (`said(newest)`: more for the audit row); the newest version
    itself when it already has that content and those grids."""
    try:
        newest = newest_version(session, fields["pack"])
        if (
            newest is not None
            and newest.content_hash == fields["content_hash"]
            and newest.grids_hash == fields["grids_hash"]
        ):
            session.commit()
            return newest
        version = PolicyVersion(**fields, resolved=resolved(), published_at=now, published_by=by)
        session.add(version)
        session.flush()
        data = {
            "pack": fields["pack"],
            "version": version.id,
            "hash": fields["content_hash"],
            "grids": fields["grids_hash"],
            **(said(newest) if said else {}),
        }
        audit.append(session, None, "publish", by, now, data)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return version
