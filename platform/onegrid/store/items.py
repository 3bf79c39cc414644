"""Workflow items other than cases: admission requests, duty rounds, ….

An item runs through the states and transitions of its kind (`items:` in
the pack's workflow), on the policy version it was filed under, with the
same columns the engine's shared pieces read on a case (who holds it,
where, its step's clock), so `party`, `guard`, `deadline`, `escalation`
and the sweep treat both alike.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from onegrid.store.base import Base, Tracked
from onegrid.store.models import PolicyVersion, next_sweep


class Item(Tracked, Base):
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_version_id: Mapped[int] = mapped_column(ForeignKey("policy_versions.id"), index=True)
    pack: Mapped[str] = mapped_column(String(80))
    # the kind of item: an id of `items:` in the pack's workflow
    kind: Mapped[str] = mapped_column(String(80), index=True)
    # what the state it rests in counts as (`outcome:` of the state), e.g. admitted
    outcome: Mapped[str | None] = mapped_column(String(80), index=True)
    # the filed form, as validated
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    # what the kind's decision said at filing, and what later steps recorded
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # the workflow columns every kind of item shares: `onegrid.store.base.Tracked`

    # lazy: a version already read in this process comes from store/versions.py
    policy_version: Mapped[PolicyVersion] = relationship(lazy="select")

    # an item is of no matter of the catalog and has no routing facts: the
    # guards and escalation that read them on a case see none
    matter = None

    @property
    def facts(self) -> dict[str, Any]:
        return {}


Index("ix_items_open_deadlines", Item.state, Item.due_at)
# a holder's rounds, a closed case's on_event ticks (revision 0810)
Index("ix_items_pack_kind_unit", Item.pack, Item.kind, Item.unit)
Index(
    "ix_items_sweep_at",
    Item.sweep_at,
    postgresql_where=Item.sweep_at.is_not(None),
    sqlite_where=Item.sweep_at.is_not(None),
)


@event.listens_for(Item, "before_insert")
@event.listens_for(Item, "before_update")
def _next_sweep(_mapper, _connection, item: Item) -> None:
    item.sweep_at = next_sweep(item)
