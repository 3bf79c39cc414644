"""The policy file kinds: one module each, collected here.

Every module in this package that defines `KIND` (a `Kind`) is a file kind.
Its schema feeds the loader, the editor schemas (`onegrid schema`) and the
reference docs; its `ids` and `refs` feed the cross-reference check.
"""

from __future__ import annotations

import importlib
import pkgutil

from onegrid.policy.kinds.base import Kind, Namespace

__all__ = ["KINDS", "NAMESPACES", "Kind", "Namespace"]


def _collect() -> dict[str, Kind]:
    kinds: dict[str, Kind] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name in ("base", "defs"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        kind = getattr(module, "KIND", None)
        if isinstance(kind, Kind):
            if kind.name in kinds:
                raise RuntimeError(f"file kind {kind.name!r} declared twice")
            kinds[kind.name] = kind
    return kinds


KINDS: dict[str, Kind] = _collect()

NAMESPACES: dict[str, Namespace] = {}
for _kind in KINDS.values():
    for _spec in _kind.ids:
        NAMESPACES.setdefault(_spec.namespace.name, _spec.namespace)
