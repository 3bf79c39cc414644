"""Form-encoded input (an HTML form, an Open311 POST) → typed values.

Browsers and Open311 clients send strings: `name`, repeated keys or
`name[]` for several values, `name[text]` / `name[lat]` for the parts of an
address, and Open311 wraps attributes as `attribute[name]` and
`attribute[name][]`. `form_values` turns them into the dict `validate`
expects; strings that do not convert are passed on for `validate` to
report with a per-field message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from onegrid.forms.compiled import forms_of
from onegrid.forms.fieldtypes import TYPES

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


def split_key(key: str) -> tuple[str, list[str]] | None:
    """`a[b][]` → ("a", ["b", ""]); None if not of that shape."""
    m = _KEY.match(key)
    if m is None:
        return None
    return m.group(1), re.findall(r"\[([^\[\]]*)\]", m.group(2))


def pairs(data: Any) -> Iterable[tuple[str, list[str]]]:
    """(key, values) from a werkzeug MultiDict or a plain mapping."""
    if hasattr(data, "lists"):
        yield from data.lists()
        return
    if isinstance(data, Mapping):
        for key, value in data.items():
            yield key, list(value) if isinstance(value, list | tuple) else [value]
        return
    for key, value in data:  # a list of (key, value) pairs, as parse_qsl gives
        yield key, [value]


def form_values(
    policy,
    form_id: str,
    data: Any,
    *,
    prefix: str | None = None,
    ignore: Iterable[str] = ("csrf_token",),
) -> dict[str, Any]:
    """Typed values for `validate` from form-encoded `data`.

    With `prefix="attribute"` only `attribute[...]` keys are read (Open311);
    other keys are left to the caller. Without it, keys in `ignore` are
    skipped and any other unknown key is passed on (and rejected)."""
    form = forms_of(policy).form(form_id)
    ignored = set(ignore)
    fields = {f.name: f for f in form.spec.fields}
    values: dict[str, list[str]] = {}
    parts: dict[str, dict[str, list[str]]] = {}
    unknown: dict[str, Any] = {}
    for key, raw in pairs(data):
        strings = [v if isinstance(v, str) else str(v) for v in raw]
        split = split_key(key)
        if prefix is not None:
            if split is None or split[0] != prefix or not split[1]:
                continue
            split = (split[1][0], split[1][1:])
        elif key in ignored:
            continue
        if split is None or split[0] not in fields:
            unknown[split[0] if split else key] = strings[-1] if strings else ""
            continue
        name, subs = split
        if not subs or subs == [""]:
            values.setdefault(name, []).extend(strings)
        else:
            parts.setdefault(name, {}).setdefault(subs[0], []).extend(strings)
    out: dict[str, Any] = {}
    for name, f in fields.items():
        if name not in values and name not in parts:
            continue
        value = TYPES[f.type].coerce(f, values.get(name, []), parts.get(name, {}))
        if value is not None:
            out[name] = value
    out.update({k: v for k, v in unknown.items() if v != ""})
    return out
