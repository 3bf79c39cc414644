"""Person records (人员): the people a district counts, apart from login
accounts. A person has a name, a phone, whether they are a party member, a
home grid and, optionally, the account they log in with; posts they claim
(认岗) are post-claim items tied to the record (`result.person`). Each pack
keeps its own people; within a pack the phone number identifies a person.
Every change is an audit row on the person's own chain (`person:<id>`),
written by `onegrid.workflow.people`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from onegrid.store.base import Base, UTCDateTime, utcnow


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("pack", "phone", name="uq_people_pack_phone"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pack: Mapped[str] = mapped_column(String(80), index=True)
    name: Mapped[str] = mapped_column(String(128))
    # digits only (spaces, dashes and a +86 prefix dropped): how a person is recognised again
    phone: Mapped[str] = mapped_column(String(32))
    party_member: Mapped[bool] = mapped_column(Boolean, default=False)
    home_grid: Mapped[str] = mapped_column(String(128), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
