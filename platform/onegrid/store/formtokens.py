"""Staff forms submitted once (issue 14): each form a page renders carries a
fresh token; the step it caused is stored with the token in the same
transaction (revision 1400), so a second submit of the same form (a
double tap, back and submit again, a reload after the POST, a retry after
a lost response) finds what the first one did instead of doing it again.

A new report keeps its token as the case's own idempotency key
(`cases.idempotency_key`); these rows are for the steps taken on cases.

A row is needed only while someone may still send that form again: the
scheduler deletes rows older than KEEP (`prune`, revision 2100's index).
A form resent after that is taken as new, and the case's version check
refuses it if the case moved on meanwhile, so nothing is done twice.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Index, String, delete, select, tuple_
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


Index("ix_form_tokens_at", FormToken.at)

KEEP = dt.timedelta(days=7)  # a week: longer than any page is kept open and resent
BATCH = 1000


def prune(sessions, now: dt.datetime | None = None, most: int = 10 * BATCH) -> int:
    """Delete the tokens older than KEEP, in short transactions of BATCH
    rows (at most `most` a call: a backlog is worked off round by round);
    how many were deleted."""
    before = (now or utcnow()) - KEEP
    done = 0
    while done < most:
        with sessions() as session:
            keys = session.execute(
                select(FormToken.username, FormToken.token)
                .where(FormToken.at < before)
                .order_by(FormToken.at)
                .limit(BATCH)
            ).all()
            if not keys:
                break
            pair = tuple_(FormToken.username, FormToken.token)
            session.execute(delete(FormToken).where(pair.in_([tuple(k) for k in keys])))
            session.commit()
        done += len(keys)
    return done
