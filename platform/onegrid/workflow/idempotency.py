"""Filing once: the same idempotency key and body give back what was
filed; the same key with another body is a conflict. For cases and every
other kind of workflow item (the model says which table)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from onegrid.workflow.errors import Conflict


def replay(session, model, key: str, digest: str):
    existing = session.scalars(select(model).where(model.idempotency_key == key)).first()
    if existing is None:
        return None
    if existing.request_hash != digest:
        raise Conflict("idempotency-conflict", {"key": key, "case": existing.id})
    return existing


def once(session, model, key: str | None, digest: str, create: Callable, commit: bool = True):
    """`create()` in one transaction, committed; or what the key already filed.
    `commit=False`: flushed in the caller's transaction (a batch, each item
    in a savepoint of its own), the caller commits or rolls back."""
    if not commit:
        existing = replay(session, model, key, digest) if key else None
        return existing if existing is not None else create()
    try:
        if key:
            existing = replay(session, model, key, digest)
            if existing is not None:
                session.commit()
                return existing
        made = create()
        session.commit()
        return made
    except IntegrityError:
        session.rollback()
        # a concurrent request with the same key won the race
        if key:
            existing = replay(session, model, key, digest)
            if existing is not None:
                session.commit()
                return existing
        raise
    except BaseException:
        session.rollback()
        raise
