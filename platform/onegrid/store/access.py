"""Who may see a case, stored with it (issue 22 item 3).

One row per (party, case): "u:<org unit>" for every unit from the case's
place and from its lead unit up to the top, "b:<department or enterprise>"
for its lead, assistants and enterprise once it has been dispatched,
"r:<username>" for its reporter, and the marker "dispatched". A user's list
is then `case_id IN (SELECT case_id FROM case_access WHERE party IN
(<the user's few parties>))`: a range scan of the primary key, whatever
the size of the user's area. Kept by `workflow/visibility.py` at every
audited step of a case.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from onegrid.store.base import Base


class CaseAccess(Base):
    __tablename__ = "case_access"

    party: Mapped[str] = mapped_column(String(200), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)


Index("ix_case_access_case_id", CaseAccess.case_id)
