"""Staff forms submitted once (issue 14): each form a page renders carries a
fresh token; the step it caused is stored with the token in the same
transaction (revision 1400), so a second submit of the same form (a
double tap, back and submit again, a reload after the POST, a retry after
a lost response) finds what the first one did instead of doing it again.

A new report keeps its token as the case's own idempotency key
(`cases.idempotency_key`); these rows are for the steps taken on cases.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from onegrid.store.base import Base, UTCDateTime, utcnow


class FormToken(Base):
    __tablename__ = "form_tokens"

    username: Mapped[str] = mapped_column(String(200), primary_key=True)
    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    # the transition taken, and on which cases (one, or a bulk form's many)
    action: Mapped[str] = mapped_column(String(100))
    cases: Mapped[list[int]] = mapped_column(JSON, default=list)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
