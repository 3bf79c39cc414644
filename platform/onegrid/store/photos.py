"""Which case owns each photo: the first case whose record names it.

Photo names are random, but a name once seen (a shared link, a screenshot)
must not become readable by citing it in one's own report (issue 20), so a
photo is shown only through the case it was first attached to. The owner is
claimed in the same transaction as the audit row that first names the photo
(`onegrid.workflow.audit.append`), and looked up by primary key.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from sqlalchemy import ForeignKey, String
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from onegrid.forms.fieldtypes.base import PHOTO_NAME
from onegrid.store.base import Base, UTCDateTime, utcnow

# a stored name as a whole string value of a JSON payload
_IN_TEXT = re.compile('"(' + PHOTO_NAME.strip("^$") + ')"')


class CasePhoto(Base):
    __tablename__ = "case_photos"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    claimed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


def names_in(payload: str) -> set[str]:
    """The stored photo names a canonical JSON payload mentions."""
    return {m.group(1) for m in _IN_TEXT.finditer(payload)}


def claim(session: Session, case_id: int, names: Iterable[str], at: dt.datetime) -> None:
    """Make `case_id` the owner of every name not owned yet (first claim wins,
    also between two transactions at once: the primary key decides)."""
    rows = [{"name": n, "case_id": case_id, "claimed_at": at} for n in sorted(set(names))]
    if not rows:
        return
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(CasePhoto).values(rows).on_conflict_do_nothing())


def owner(session: Session, name: str) -> int | None:
    """The case that owns the photo, or None."""
    found = session.get(CasePhoto, name)
    return found.case_id if found is not None else None
