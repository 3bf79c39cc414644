"""Publishing and rolling back policy versions from the admin pages
(issue 14 point 7): what would change against the live version, in words,
before anything is committed (`onegrid.policy.diff`, as `onegrid diff`)."""

from __future__ import annotations

import json
from typing import Any

from onegrid.policy import diff as policy_diff
from onegrid.policy.kinds import NAMESPACES
from onegrid.store import PolicyVersion
from onegrid.web.i18n import text_of
from onegrid.workflow.rulebook import policy_from_resolved

KINDS_OF_CHANGE = {
    "added": ("新增", "Added"),
    "removed": ("删除", "Removed"),
    "changed": ("修改", "Changed"),
    "reordered": ("调整顺序", "Reordered"),
}


def policy_of(version: PolicyVersion):
    """A stored version as a policy the diff reads (its own grids, nothing from disk)."""
    return policy_from_resolved(version.resolved, version.grids or [])


def _show(value: Any) -> str:
    if value is None:
        return ""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 200 else text[:197] + "…"


def _named(policies, path: str, lang: str) -> str:
    """The first id on the path that names an item, as its kind and name:
    事项“占道经营” (the administrator reads words; the path says exactly where)."""
    for step in path.split("/"):
        for policy in policies:
            for ns, items in policy.index.items():
                item = items.get(step) if isinstance(items, dict) else None
                if item is not None:
                    info = NAMESPACES.get(ns)
                    kind = (info.en.capitalize() if lang == "en" else info.zh) if info else ns
                    name = (
                        text_of(item.get("name") or item.get("label"), lang)
                        if hasattr(item, "get")
                        else ""
                    )
                    return (
                        f"{kind}“{name}”"
                        if lang == "zh" and name
                        else (f"{kind} “{name}”" if name else kind)
                    )
    head = path.split("/", 1)[0]
    return head


def changes(old, new, lang: str) -> list[dict[str, str]]:
    """Each change from policy `old` to `new`, for the page."""
    out = []
    for c in policy_diff.diff(old, new):
        zh, en = KINDS_OF_CHANGE.get(c.change, (c.change, c.change))
        out.append(
            {
                "change": c.change,
                "kind": en if lang == "en" else zh,
                "what": _named((new, old), c.path, lang),
                "path": c.path,
                "old": _show(c.old),
                "new": _show(c.new),
            }
        )
    return out


def counts(rows: list[dict[str, str]]) -> dict[str, int]:
    return {k: sum(1 for r in rows if r["change"] == k) for k in KINDS_OF_CHANGE}


def summary(rows: list[dict[str, str]], lang: str) -> str:
    """“3 处改动：新增 1、删除 0、修改 2”, or that nothing differs."""
    n = counts(rows)
    if not rows:
        return "与现行版本没有差异" if lang == "zh" else "no difference from the live version"
    if lang == "zh":
        return (
            f"{len(rows)} 处改动：新增 {n['added']}、删除 {n['removed']}、"
            f"修改 {n['changed']}、调整顺序 {n['reordered']}"
        )
    return (
        f"{len(rows)} change(s): {n['added']} added, {n['removed']} removed, "
        f"{n['changed']} changed, {n['reordered']} reordered"
    )
