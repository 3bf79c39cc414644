"""What a policy file kind declares about itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Namespace:
    """A kind of id (department, matter, …) with its names for messages."""

    name: str
    zh: str
    en: str


@dataclass(frozen=True)
class IdSpec:
    """Items at `path` declare ids in `namespace` (their `key` field).

    `path` is a tuple of keys with "*" for every item of a list (or every
    value of a map). Ids in a namespace are unique across the whole pack.
    """

    path: tuple[str, ...]
    namespace: Namespace
    key: str = "id"
    # ids that are only unique within the enclosing item (rule ids in a table)
    scoped: bool = False


@dataclass(frozen=True)
class RefSpec:
    """Values at `path` must be ids in one of `namespaces`."""

    path: tuple[str, ...]
    namespaces: tuple[str, ...]


@dataclass(frozen=True)
class Kind:
    name: str
    title: dict[str, str]
    description: dict[str, str]
    schema: dict[str, Any]
    ids: tuple[IdSpec, ...] = ()
    refs: tuple[RefSpec, ...] = ()
    # keys documented elsewhere are still documented: see docs test
    examples: tuple[str, ...] = field(default_factory=tuple)
