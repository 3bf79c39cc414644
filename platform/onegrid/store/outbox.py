"""The notification outbox: what happened that someone must act on,
written in the same transaction as the step that caused it, so a
notification exists exactly when its step does (revision 0500).

- `Notification`: one event (a case opened, a transition taken, or any
  other part's event), its subject and payload, and the units and users it
  is for.
- `NotificationRecipient`: one user's copy, read or not (the in-app list
  and the unread count in the header).
- `Webhook`: an administrator's delivery address for one unit (an SMS or
  WeChat gateway, another system), with the secret that signs each post.
- `Delivery`: one notification on its way to one unit's webhook, with its
  attempts and the time of the next try (retries back off exponentially).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from onegrid.store.base import Base, UTCDateTime, utcnow


class Notification(Base):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event: Mapped[str] = mapped_column(String(80))
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # {"zh": ..., "en": ...} or a plain text
    subject: Mapped[Any] = mapped_column(JSON)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    units: Mapped[list[str]] = mapped_column(JSON, default=list)
    users: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class NotificationRecipient(Base):
    __tablename__ = "notification_recipients"
    __table_args__ = (UniqueConstraint("notification_id", "username", name="uq_recipient"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), index=True
    )
    username: Mapped[str] = mapped_column(String(120))
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Webhook(Base):
    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit: Mapped[str] = mapped_column(String(128), unique=True)
    url: Mapped[str] = mapped_column(String(2000))
    # the HMAC-SHA256 key of the X-Onegrid-Signature header
    secret: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Delivery(Base):
    __tablename__ = "notification_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), index=True
    )
    unit: Mapped[str] = mapped_column(String(128))
    # pending → delivered, or failed after the last attempt
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


Index("ix_recipients_unread", NotificationRecipient.username, NotificationRecipient.read_at)
Index("ix_deliveries_due", Delivery.state, Delivery.next_at)
