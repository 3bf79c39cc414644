"""Who acts on a case: a person (or system) and the roles they hold where."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Binding:
    """A role held in an org unit, department or enterprise."""

    role: str
    unit: str


@dataclass(frozen=True)
class Actor:
    id: str
    bindings: tuple[Binding, ...] = ()
    name: str | None = None
    # the person record their account is linked to (`onegrid.workflow.people`):
    # whose claimed post's rounds they tick
    person: int | None = None

    def holds(self, role: str) -> bool:
        return any(b.role == role for b in self.bindings)


SWEEP = Actor("system:sweep", (), "onegrid sweep")
