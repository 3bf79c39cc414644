"""GeoReport's core fields onto a matter's form: the pack's `open311:` mapping.

A front end written from the GeoReport v2 spec (FixMyStreet and the like)
sends `description`, `lat`/`long` or `address_string` and the reporter's
`email`, names and `phone`, and few or no attributes. The matter catalog's
`open311.core` says which form field each of them fills, `defaults` answers
what such a request leaves out and `when_sent` what a sent core field
implies; reads give `description` and `address` back from the same fields,
whatever door the case came in by.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from onegrid import messages
from onegrid.errors import Problem
from onegrid.forms.compiled import CompiledForm

CONTACT = ("email", "first_name", "last_name", "phone")


@dataclass(frozen=True)
class Mapping:
    # form field name → the core fields it takes, in the pack's order
    core: dict[str, tuple[str, ...]] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    when_sent: dict[str, dict[str, Any]] = field(default_factory=dict)

    def fields_of(self, core_field: str) -> list[str]:
        """The form fields `core_field` fills, in the pack's order."""
        return [name for name, sources in self.core.items() if core_field in sources]

    @property
    def contact_fields(self) -> set[str]:
        """Form fields that hold the reporter's contact (never shown to others)."""
        return {n for n, sources in self.core.items() if set(sources) & set(CONTACT)}

    @property
    def filled(self) -> set[str]:
        """Form fields a core-only request may leave to the mapping."""
        return set(self.core) | set(self.defaults)


def mapping(policy) -> Mapping:
    """The pack's mapping (an empty one when it declares none)."""
    settings = policy.section("matters").get("open311") if policy is not None else None
    if not isinstance(settings, dict):
        return Mapping()
    core = settings.get("core") or {}
    return Mapping(
        core={
            str(k): tuple(str(s) for s in v) for k, v in core.items() if isinstance(v, list) and v
        },
        defaults=dict(settings.get("defaults") or {}),
        when_sent={
            str(k): dict(v)
            for k, v in (settings.get("when_sent") or {}).items()
            if isinstance(v, dict)
        },
    )


def fill(
    rules: Mapping, form: CompiledForm, core: dict[str, Any], submission: dict[str, Any]
) -> dict[str, Any]:
    """`submission` with the form's unanswered fields filled from the core
    fields sent (`core`: name → value, None or absent when not sent)."""
    fields = {f.name: f for f in form.spec.fields}
    out = dict(submission)
    sent = {k for k, v in core.items() if v not in (None, "")}

    def put(name: str, value: Any) -> None:
        if name in fields and name not in out and value not in (None, "", {}):
            out[name] = value

    for name, sources in rules.core.items():
        f = fields.get(name)
        if f is None or name in out:
            continue
        if f.type == "address":
            put(name, _address(core, sources))
            continue
        parts = [str(core[s]).strip() for s in sources if s in sent and s not in ("lat", "long")]
        text = _joined(parts)
        limit = f.get("max_length")
        if isinstance(limit, int) and len(text) > limit:
            text = text[:limit]
        put(name, text)
    for core_field in sorted(sent):
        for name, value in rules.when_sent.get(core_field, {}).items():
            put(name, value)
    for name, value in rules.defaults.items():
        put(name, value)
    return out


def _joined(parts: list[str]) -> str:
    """Names joined as they are written: 张 + 三 → 张三; Ada + Lovelace → Ada Lovelace."""
    parts = [p for p in parts if p]
    if all(p.isascii() for p in parts):
        return " ".join(parts)
    return "".join(parts)


def _address(core: dict[str, Any], sources: tuple[str, ...]) -> dict[str, Any] | None:
    text = core.get("address_string") if "address_string" in sources else None
    lat = core.get("lat") if "lat" in sources else None
    lng = core.get("long") if "long" in sources else None
    out: dict[str, Any] = {}
    if lat is not None and lng is not None:
        out["lat"], out["lng"] = lat, lng
        # an address field needs words: the coordinates stand in for them
        text = text or f"{lat}, {lng}"
    if text:
        out["text"] = str(text).strip()
    return out or None


def read(rules: Mapping, submission: dict[str, Any]) -> dict[str, Any]:
    """`description`, `address`, `lat` and `long` as the mapped fields hold them."""
    out: dict[str, Any] = {}
    for name in rules.fields_of("description"):
        value = submission.get(name)
        if isinstance(value, str) and value:
            out["description"] = value
            break
    for name in rules.fields_of("address_string") + rules.fields_of("lat"):
        value = submission.get(name)
        if isinstance(value, dict):
            if value.get("text") and "address" not in out:
                out["address"] = value["text"]
            if isinstance(value.get("lat"), int | float) and "lat" not in out:
                out["lat"], out["long"] = value["lat"], value.get("lng")
        elif isinstance(value, str) and value and "address" not in out:
            out["address"] = value
    return out


def contact(core: dict[str, Any]) -> dict[str, str]:
    """The reporter's contact as sent (kept with the case)."""
    return {k: str(core[k]).strip() for k in CONTACT if core.get(k) not in (None, "")}


# --- check ---------------------------------------------------------------------

messages.register(
    {
        "open311-core-field": {
            "zh": "open311 映射的表单字段 '{name}' 不在任何事项的上报表单中",
            "en": "the open311 mapping's form field '{name}' is in no matter's report form",
        },
        "open311-core-value": {
            "zh": "open311 的 {key} 给字段 '{name}' 的值 {value!r} 不合该字段的要求（表单 {form}）：{reason}",
            "en": "open311 {key} gives field '{name}' the value {value!r}, which its field refuses (form {form}): {reason}",
        },
    }
)


def problems(policy, specs) -> list[Problem]:
    """Mapped fields a matter's form has, and answers their fields take."""
    from onegrid.forms.fieldtypes import TYPES

    settings = policy.section("matters").get("open311")
    if not isinstance(settings, dict):
        return []
    used = {m.get("form") for m in policy.items("matter") if m.get("form")}
    by_name: dict[str, list] = {}
    for form_id in sorted(used):
        spec = specs.get(form_id)
        for f in spec.fields if spec is not None else ():
            by_name.setdefault(f.name, []).append((form_id, f))
    found: list[Problem] = []
    answers = [("defaults", settings.get("defaults") or {})]
    answers += [
        (f"when_sent.{k}", v)
        for k, v in (settings.get("when_sent") or {}).items()
        if isinstance(v, dict)
    ]
    for _key, table in [("core", settings.get("core") or {}), *answers]:
        if not isinstance(table, dict):
            continue
        for name in table:
            if name not in by_name:
                found.append(Problem("open311-core-field", {"name": name}, _key_loc(table, name)))
    for key, table in answers:
        for name, value in table.items():
            for form_id, f in by_name.get(name, ()):
                _clean, error = TYPES[f.type].check(f)(value)
                if error is not None:
                    reason = {
                        lang: messages.text(error[0], error[1], lang) for lang in messages.LANGS
                    }
                    found.append(
                        Problem(
                            "open311-core-value",
                            {
                                "key": key,
                                "name": name,
                                "value": value,
                                "form": form_id,
                                "reason": reason,
                            },
                            _key_loc(table, name),
                        )
                    )
                    break
    return found


def _key_loc(table, key):
    finder = getattr(table, "key_loc", None)
    return finder(key) if finder is not None else None
