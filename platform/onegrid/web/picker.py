"""The report form's first step: which matter, where (issue 14 point 4).

Cuntan lists 125 matters, so the matter picker is a `<select>` grouped by
the pack's matter groups (a plain grouped select without JavaScript) whose
options carry the words a search finds them by: names in both languages,
the code, the description (月饼 finds 游商销售过期食品 through it), the
group's and the category's names. `onegrid.js` adds the search box.
"""

from __future__ import annotations

from dataclasses import dataclass

from onegrid.messages import localized
from onegrid.web import policyview


@dataclass(frozen=True)
class Option:
    id: str
    name: str
    search: str  # lower-case, every language: what typing may match


def _texts(value) -> list[str]:
    if isinstance(value, dict):
        return [str(v) for v in value.values() if v]
    return [str(value)] if value else []


def groups(policy, lang: str) -> list[tuple[str, list[Option]]]:
    """(group label, options) in catalog order: by `groups` (each named with
    its category, when the pack has both), else by `categories`; matters in
    neither last, under 其他. Only matters with a report form."""
    section = policy.section("matters")
    cats = {c["id"]: c for c in section.get("categories") or ()}
    heads = section.get("groups") or section.get("categories") or []
    key = "group" if section.get("groups") else "category"
    out: dict[str, list[Option]] = {}
    labels: dict[str, str] = {}
    for m in policy.items("matter"):
        if not m.get("form"):
            continue
        head = next((h for h in heads if h.get("id") == m.get(key)), None)
        cat = cats.get(m.get("category"))
        words = [*_texts(m.get("name")), *_texts(m.get("description")), m.get("code") or ""]
        for part in (head, cat):
            if part is not None:
                words += [*_texts(part.get("name")), part.get("code") or ""]
        words += [str(w) for w in m.get("keywords") or ()]
        slot = head["id"] if head else ""
        if slot not in labels:
            if head is None:
                labels[slot] = "其他" if lang == "zh" else "Other"
            elif cat is not None and key == "group" and cat is not head:
                labels[slot] = (
                    f"{localized(cat.get('name'), lang)} · {localized(head.get('name'), lang)}"
                )
            else:
                labels[slot] = localized(head.get("name"), lang)
        out.setdefault(slot, []).append(
            Option(m["id"], localized(m.get("name"), lang), " ".join(w for w in words if w).lower())
        )
    order = [h["id"] for h in heads if h.get("id") in out] + ([""] if "" in out else [])
    return [(labels[slot], out[slot]) for slot in order]


def home_place(user, places: list[dict]) -> str | None:
    """The place a report starts from: the user's own grid or unit (their
    first binding among the places they may report from), else the first."""
    ids = [u["id"] for u in places]
    for binding in user.bindings:
        if binding.unit in ids:
            return binding.unit
    return ids[0] if ids else None


def prefilled(policy, form_id: str, place: str | None) -> dict[str, str]:
    """A new report's answers known from its place: each org-unit field
    limited to levels (所在网格, 所在社区) gets the place's unit at that level."""
    from onegrid.forms import forms_of

    if not place:
        return {}
    loaded = policyview.load()
    line = [loaded.units[u] for u in loaded.ancestors(place) if u in loaded.units]
    out = {}
    for f in forms_of(policy).form(form_id).spec.fields:
        if f.type != "org_unit" or not f.get("levels"):
            continue
        unit = next((u for u in line if u.get("level") in f["levels"]), None)
        if unit is not None:
            out[f.name] = unit["id"]
    return out
