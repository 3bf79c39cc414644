"""Open311 client keys: a credential of their own, not a staff account.

A client (a resident app, a hotline connector) holds one key that may only
submit requests and read back its own, through one intake channel the pack
declares. The key is shown once when made; only its digest is kept. A
revoked key stops working at once. Staff API tokens (`accounts.ApiToken`)
are a different thing and are never accepted as an Open311 `api_key`.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import ForeignKey, Index, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from onegrid.store.accounts import token_digest
from onegrid.store.base import Base, UTCDateTime, utcnow

# a recognisable prefix: log redaction and leak scanners can find client keys
KEY_PREFIX = "o311_"
# who files a client's cases (the audit trail's actor): the client, never a staff account
ACTOR_PREFIX = "open311-client:"


class Open311Client(Base):
    __tablename__ = "open311_clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    # the intake channel its requests enter by (one of the pack's channels)
    channel: Mapped[str] = mapped_column(String(40))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(120))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(120))


class CaseClient(Base):
    """Which client filed a case (Open311 reads: a client sees its own)."""

    __tablename__ = "case_clients"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    client_id: Mapped[int] = mapped_column(ForeignKey("open311_clients.id"), index=True)
    # the digest of what the client sent, for its duplicate window
    content_hash: Mapped[str] = mapped_column(String(80))
    filed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


Index("ix_case_clients_window", CaseClient.client_id, CaseClient.content_hash, CaseClient.filed_at)


def create_client(
    session: Session, name: str, channel: str, by: str | None = None, key: str | None = None
) -> tuple[Open311Client, str]:
    """A new client and its key (random unless given); the key is not kept."""
    key = key or KEY_PREFIX + secrets.token_urlsafe(24)
    client = Open311Client(name=name, channel=channel, key_hash=token_digest(key), created_by=by)
    session.add(client)
    session.flush()
    return client, key


def client_for_key(session: Session, key: str | None) -> Open311Client | None:
    if not key:
        return None
    client = session.scalar(
        select(Open311Client).where(Open311Client.key_hash == token_digest(key))
    )
    if client is None or client.revoked_at is not None:
        return None
    return client


def revoke_client(session: Session, client_id: int, by: str | None = None) -> bool:
    client = session.get(Open311Client, client_id)
    if client is None or client.revoked_at is not None:
        return False
    client.revoked_at = utcnow()
    client.revoked_by = by
    session.flush()
    return True


def named(session: Session, actors) -> dict[str, str]:
    """actor id → the client's name, for the actors that are clients."""
    ids = {}
    for actor in actors:
        if isinstance(actor, str) and actor.startswith(ACTOR_PREFIX):
            number = actor[len(ACTOR_PREFIX) :]
            if number.isdigit() and len(number) < 18:
                ids[int(number)] = actor
    if not ids:
        return {}
    rows = session.scalars(select(Open311Client).where(Open311Client.id.in_(list(ids)))).all()
    return {ids[c.id]: c.name for c in rows}


def clients(session: Session) -> list[Open311Client]:
    return list(session.scalars(select(Open311Client).order_by(Open311Client.id)).all())


def file_case(session: Session, case_id: int, client: Open311Client, content_hash: str) -> None:
    """Record that the client filed the case (once: a replay files nothing)."""
    if session.get(CaseClient, case_id) is None:
        session.add(CaseClient(case_id=case_id, client_id=client.id, content_hash=content_hash))
        session.flush()


def hold(session: Session, client: Open311Client) -> None:
    """Wait for the client's other requests in flight to commit, so that two
    identical retries sent at once see each other in the duplicate window
    (PostgreSQL: the client's row locked until commit; SQLite serialises
    writers from BEGIN IMMEDIATE already). Only requests without an
    Idempotency-Key take it: a client that sends keys is never queued."""
    session.execute(select(Open311Client.id).where(Open311Client.id == client.id).with_for_update())


def recent_duplicate(
    session: Session, client: Open311Client, content_hash: str, since: dt.datetime
) -> int | None:
    """The case the client filed with this content since `since`, if any."""
    return session.scalar(
        select(CaseClient.case_id)
        .where(
            CaseClient.client_id == client.id,
            CaseClient.content_hash == content_hash,
            CaseClient.filed_at >= since,
        )
        .order_by(CaseClient.filed_at.desc())
        .limit(1)
    )
