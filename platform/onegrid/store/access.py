"""Who may see a case, stored with it (issue 22 item 3).

One row per (party, case): "u:<org unit>" for every unit from the case's
place and from its lead unit up to the top, "b:<department or enterprise>"
for its lead, assistants and enterprise once it has been dispatched,
"r:<username>" for its reporter, and the marker "dispatched"; and, while
the case is open, "m:..." for whoever may take a step of it now (the
"mine" tab). A user's list is then `case_id IN (SELECT case_id FROM
case_access WHERE party IN (<the user's few parties>))`: a range scan of
the primary key, whatever the size of the user's area. Each row repeats
the case's place in time-left order (`due_key`: its deadline, or FAR), so
a page in that order walks `ix_case_access_due` from the user's parties
rather than the whole city's deadlines; and the case's flags while it is
open (`warned`, `overdue`, `supervised`, revision 2600), so the sparse tabs
(due soon, overdue, supervised) walk a party's flagged rows in that order
(partial indexes), not its whole range to find the few. Kept by
`workflow/visibility.py` at every audited step of a case.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column

from onegrid.store.base import Base, UTCDateTime
from onegrid.store.models import FAR


class CaseAccess(Base):
    __tablename__ = "case_access"

    party: Mapped[str] = mapped_column(String(200), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    # coalesce(cases.due_at, FAR), copied at every step (revision 2400)
    due_key: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=FAR)
    # the case's flag and open (revision 2600): a closed case's flags stay
    # on the case for its history, never here, so these rows stay few
    warned: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    overdue: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    supervised: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


MARKS = ("warned", "overdue", "supervised")


Index("ix_case_access_case_id", CaseAccess.case_id)
Index("ix_case_access_due", CaseAccess.party, CaseAccess.due_key, CaseAccess.case_id)
for _mark in MARKS:
    # written as the lists test it (`mark`, not `mark IS TRUE`): PostgreSQL
    # matches a partial index's predicate as written
    Index(
        f"ix_case_access_{_mark}",
        CaseAccess.party,
        CaseAccess.due_key,
        CaseAccess.case_id,
        postgresql_where=getattr(CaseAccess, _mark),
        sqlite_where=getattr(CaseAccess, _mark),
    )
