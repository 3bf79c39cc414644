"""Field types: how each type checks, coerces, describes and renders a value.

`TYPES` is the registry; its keys are exactly the types the `forms` file
kind accepts (`onegrid.policy.kinds.forms.FIELD_TYPES`). Each type turns
one field into a value check (a closure built once per policy version), a
JSON Schema fragment, a form-input coercion, an Open311 datatype and an
example value.

A check returns `(clean_value, None)` or `(None, (code, params))`; codes are
registered in `onegrid.forms.wording`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from onegrid.forms.patterns import safe_pattern
from onegrid.policy.kinds.forms import FIELD_TYPES

Error = tuple[str, dict[str, Any]]
Check = Callable[[Any], tuple[Any, Error | None]]

MOBILE = r"1[3-9][0-9]{9}"
LANDLINE = r"0[1-9][0-9]{1,2}-?[1-9][0-9]{6,7}"
PHOTO_NAME = r"^[0-9a-f]{32}\.(jpg|png|webp)$"
DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
DATETIME_RE = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
# What a datetime-local input sends: no seconds or zone; we read it as
# China Standard Time, the zone every bundled district lives in.
LOCAL_DATETIME_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?$")
CST = "+08:00"
DEFAULT_PHOTO_SIZE = "8MB"


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def size_bytes(text: str) -> int:
    return int(text[:-2]) * (1024 if text.endswith("KB") else 1024 * 1024)


@dataclass
class FieldType:
    name: str
    open311: str  # string, number, datetime, text, singlevaluelist, multivaluelist
    input: str  # the template macro that renders it

    def check(self, f) -> Check:
        raise NotImplementedError

    def schema(self, f) -> dict:
        raise NotImplementedError

    def coerce(self, f, values: list[str], parts: dict[str, list[str]]) -> Any:
        """A value from form strings: the last value given, empty as absent."""
        value = values[-1].strip() if values else ""
        return value or None

    def example(self, f) -> Any:
        raise NotImplementedError

    def describe(self, f, lang: str) -> str:
        """Open311 `datatype_description`."""
        return ""


def _text_check(f, multiline: bool) -> Check:
    lo, hi = f.get("min_length"), f.get("max_length", 20000 if multiline else 500)
    pattern = safe_pattern(f["pattern"]) if f.get("pattern") else None
    doc = f.get("pattern_doc")

    def check(value):
        if not isinstance(value, str):
            return None, ("form-type-text", {})
        value = value.replace("\r\n", "\n").strip() if multiline else value.strip()
        n = len(value)
        if lo is not None and n < lo:
            return None, ("form-too-short", {"min": lo, "length": n})
        if n > hi:
            return None, ("form-too-long", {"max": hi, "length": n})
        if pattern is not None and not pattern.fullmatch(value):
            if doc:
                return None, ("form-pattern-doc", {"doc": doc})
            return None, ("form-pattern", {})
        return value, None

    return check


def _text_schema(f, multiline: bool) -> dict:
    out: dict[str, Any] = {
        "type": "string",
        "maxLength": f.get("max_length", 20000 if multiline else 500),
    }
    if f.get("min_length") is not None:
        out["minLength"] = f["min_length"]
    if f.get("pattern"):
        out["pattern"] = f"^(?:{f['pattern']})$"
    return out


class Text(FieldType):
    def check(self, f):
        return _text_check(f, False)

    def schema(self, f):
        return _text_schema(f, False)

    def example(self, f):
        if f.get("example") is not None:
            return f["example"]
        lo = f.get("min_length") or 1
        hi = f.get("max_length", 500)
        return ("示例" * (lo // 2 + 1))[: max(lo, min(hi, 2))]


class Textarea(Text):
    def check(self, f):
        return _text_check(f, True)

    def schema(self, f):
        return _text_schema(f, True)

    def coerce(self, f, values, parts):
        value = values[-1] if values else ""
        return value if value.strip() else None


def _range_error(value, lo, hi) -> Error | None:
    if lo is not None and value < lo:
        return ("form-too-small", {"min": lo})
    if hi is not None and value > hi:
        return ("form-too-large", {"max": hi})
    return None


class Integer(FieldType):
    def check(self, f):
        lo, hi = f.get("minimum"), f.get("maximum")

        def check(value):
            if isinstance(value, bool) or not isinstance(value, int):
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                else:
                    return None, ("form-type-integer", {})
            err = _range_error(value, lo, hi)
            return (None, err) if err else (value, None)

        return check

    def schema(self, f):
        out: dict[str, Any] = {"type": "integer"}
        if f.get("minimum") is not None:
            out["minimum"] = f["minimum"]
        if f.get("maximum") is not None:
            out["maximum"] = f["maximum"]
        return out

    def coerce(self, f, values, parts):
        value = super().coerce(f, values, parts)
        if value is None:
            return None
        try:
            return int(value, 10)
        except ValueError:
            return value  # the check reports it

    def example(self, f):
        lo, hi = f.get("minimum"), f.get("maximum")
        if lo is not None:
            return math.ceil(lo)
        return min(1, math.floor(hi)) if hi is not None else 1

    def describe(self, f, lang):
        return _range_text(f, lang, "整数" if lang == "zh" else "whole number")


def _range_text(f, lang, noun) -> str:
    lo, hi = f.get("minimum"), f.get("maximum")
    if lo is not None and hi is not None:
        return f"{noun}，{lo}–{hi}" if lang == "zh" else f"{noun} from {lo} to {hi}"
    return noun


class Number(FieldType):
    def check(self, f):
        lo, hi = f.get("minimum"), f.get("maximum")

        def check(value):
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
            ):
                return None, ("form-type-number", {})
            err = _range_error(value, lo, hi)
            return (None, err) if err else (value, None)

        return check

    def schema(self, f):
        return {**Integer.schema(self, f), "type": "number"}

    def coerce(self, f, values, parts):
        value = super().coerce(f, values, parts)
        if value is None:
            return None
        try:
            number = float(value)
        except ValueError:
            return value
        if not math.isfinite(number):
            return value
        return (
            int(number)
            if number.is_integer() and "." not in value and "e" not in value.lower()
            else number
        )

    def example(self, f):
        lo, hi = f.get("minimum"), f.get("maximum")
        if lo is not None:
            return lo
        return min(1, hi) if hi is not None else 1

    def describe(self, f, lang):
        return _range_text(f, lang, "数字" if lang == "zh" else "number")


class Date(FieldType):
    def check(self, f):
        def check(value):
            if not isinstance(value, str) or not DATE_RE.match(value):
                return None, ("form-date", {})
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                return None, ("form-date", {})
            return value, None

        return check

    def schema(self, f):
        return {"type": "string", "format": "date"}

    def example(self, f):
        return "2026-05-01"

    def describe(self, f, lang):
        return "日期，如 2026-05-01" if lang == "zh" else "a date such as 2026-05-01"


class DateTime(FieldType):
    def check(self, f):
        def check(value):
            if not isinstance(value, str) or not DATETIME_RE.match(value):
                return None, ("form-datetime", {})
            try:
                dt.datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
            except ValueError:
                return None, ("form-datetime", {})
            return value, None

        return check

    def schema(self, f):
        return {"type": "string", "format": "date-time"}

    def coerce(self, f, values, parts):
        value = super().coerce(f, values, parts)
        if value and LOCAL_DATETIME_RE.match(value):
            return value + (":00" if len(value) == 16 else "") + CST
        return value

    def example(self, f):
        return "2026-05-01T08:30:00+08:00"

    def describe(self, f, lang):
        return (
            "日期和时间（RFC 3339），如 2026-05-01T08:30:00+08:00"
            if lang == "zh"
            else "a date and time (RFC 3339) such as 2026-05-01T08:30:00+08:00"
        )


class Choice(FieldType):
    def check(self, f):
        allowed = frozenset(f.choice_values)

        def check(value):
            if not isinstance(value, str) or value not in allowed:
                return None, ("form-choice", {})
            return value, None

        return check

    def schema(self, f):
        return {"enum": list(f.choice_values)}

    def example(self, f):
        return f.choice_values[0] if f.choice_values else None


class MultiChoice(FieldType):
    def check(self, f):
        allowed = frozenset(f.choice_values)
        lo, hi = f.get("min_items"), f.get("max_items")

        def check(value):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                return None, ("form-choice", {})
            if any(v not in allowed for v in value):
                return None, ("form-choice", {})
            if len(set(value)) != len(value):
                return None, ("form-duplicate", {})
            if lo is not None and len(value) < lo:
                return None, ("form-few-choices", {"min": lo})
            if hi is not None and len(value) > hi:
                return None, ("form-many-choices", {"max": hi})
            return value, None

        return check

    def schema(self, f):
        out: dict[str, Any] = {
            "type": "array",
            "items": {"enum": list(f.choice_values)},
            "uniqueItems": True,
        }
        if f.get("min_items") is not None:
            out["minItems"] = f["min_items"]
        if f.get("max_items") is not None:
            out["maxItems"] = f["max_items"]
        return out

    def coerce(self, f, values, parts):
        out = [v.strip() for v in values if v.strip()]
        return out or None

    def example(self, f):
        return f.choice_values[: max(1, f.get("min_items") or 1)]


YES = {"yes": True, "true": True, "1": True, "on": True, "是": True,
       "no": False, "false": False, "0": False, "off": False, "否": False}  # fmt: skip


class YesNo(FieldType):
    def check(self, f):
        def check(value):
            if not isinstance(value, bool):
                return None, ("form-yesno", {})
            return value, None

        return check

    def schema(self, f):
        return {"type": "boolean"}

    def coerce(self, f, values, parts):
        value = super().coerce(f, values, parts)
        if value is None:
            return None
        return YES.get(value.lower(), value)

    def example(self, f):
        return True

    def describe(self, f, lang):
        return "yes 或 no" if lang == "zh" else "yes or no"


def phone_regex(kinds) -> str:
    parts = [MOBILE if k == "mobile" else LANDLINE for k in kinds]
    return "^(?:" + "|".join(parts) + ")$"


class Phone(FieldType):
    def check(self, f):
        kinds = tuple(f.get("phone") or ("mobile", "landline"))
        regex = re.compile(phone_regex(kinds))
        code = "form-phone" if len(kinds) == 2 else f"form-phone-{kinds[0]}"

        def check(value):
            if not isinstance(value, str):
                return None, (code, {})
            value = value.strip()
            if not regex.match(value):
                return None, (code, {})
            return value, None

        return check

    def schema(self, f):
        return {"type": "string", "pattern": phone_regex(f.get("phone") or ("mobile", "landline"))}

    def coerce(self, f, values, parts):
        value = super().coerce(f, values, parts)
        if value:
            # people type spaces, and +86 before a mobile number
            value = value.replace(" ", "")
            if value.startswith("+86"):
                value = value[3:]
        return value

    def example(self, f):
        return "13800138000" if "mobile" in (f.get("phone") or ("mobile",)) else "0472-1234567"

    def describe(self, f, lang):
        kinds = f.get("phone") or ("mobile", "landline")
        if lang == "zh":
            return (
                "手机号码（11 位）或固定电话（区号-号码）"
                if len(kinds) == 2
                else ("手机号码（11 位）" if kinds[0] == "mobile" else "固定电话（区号-号码）")
            )
        return (
            "a mainland mobile (11 digits) or landline (area code-number)"
            if len(kinds) == 2
            else (
                "a mainland mobile number (11 digits)"
                if kinds[0] == "mobile"
                else "a landline (area code-number)"
            )
        )


class Address(FieldType):
    def check(self, f):
        hi = f.get("max_length", 300)
        coords = f.get("coordinates", "optional")
        bounds = f.get("bounds") or {}
        lat_lo, lat_hi = bounds.get("lat", (-90, 90))
        lng_lo, lng_hi = bounds.get("lng", (-180, 180))

        def check(value):
            if isinstance(value, str):
                value = {"text": value}
            if not isinstance(value, dict) or set(value) - {"text", "lat", "lng"}:
                return None, ("form-address", {})
            text = value.get("text")
            if not isinstance(text, str) or not text.strip():
                return None, ("form-address", {})
            text = text.strip()
            if len(text) > hi:
                return None, ("form-too-long", {"max": hi, "length": len(text)})
            lat, lng = value.get("lat"), value.get("lng")
            if lat is None and lng is None:
                if coords == "required":
                    return None, ("form-coords-required", {})
                return {"text": text}, None
            if coords == "none":
                return None, ("form-coords-none", {})
            if lat is None or lng is None:
                return None, ("form-coords-pair", {})
            for v in (lat, lng):
                if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                    return None, ("form-coords-number", {})
            if not lat_lo <= lat <= lat_hi:
                return None, ("form-lat-range", {"min": lat_lo, "max": lat_hi})
            if not lng_lo <= lng <= lng_hi:
                return None, ("form-lng-range", {"min": lng_lo, "max": lng_hi})
            return {"text": text, "lat": lat, "lng": lng}, None

        return check

    def schema(self, f):
        bounds = f.get("bounds") or {}
        lat_lo, lat_hi = bounds.get("lat", (-90, 90))
        lng_lo, lng_hi = bounds.get("lng", (-180, 180))
        coords = f.get("coordinates", "optional")
        props: dict[str, Any] = {
            "text": {"type": "string", "minLength": 1, "maxLength": f.get("max_length", 300)}
        }
        if coords != "none":
            props["lat"] = {"type": "number", "minimum": lat_lo, "maximum": lat_hi}
            props["lng"] = {"type": "number", "minimum": lng_lo, "maximum": lng_hi}
        return {
            "type": "object",
            "properties": props,
            "required": ["text", "lat", "lng"] if coords == "required" else ["text"],
            "dependentRequired": {"lat": ["lng"], "lng": ["lat"]},
            "additionalProperties": False,
        }

    def coerce(self, f, values, parts):
        text = (parts.get("text") or values or [""])[-1].strip()
        out: dict[str, Any] = {}
        if text:
            out["text"] = text
        for key in ("lat", "lng"):
            raw = (parts.get(key) or [""])[-1].strip()
            if raw:
                try:
                    number = float(raw)
                    out[key] = number if math.isfinite(number) else raw
                except ValueError:
                    out[key] = raw
        return out or None

    def example(self, f):
        out: dict[str, Any] = {"text": "钢铁大街 1 号"}
        if f.get("coordinates", "optional") == "required":
            bounds = f.get("bounds") or {}
            lat_lo, lat_hi = bounds.get("lat", (40, 41))
            lng_lo, lng_hi = bounds.get("lng", (109, 110))
            out["lat"], out["lng"] = (lat_lo + lat_hi) / 2, (lng_lo + lng_hi) / 2
        return out

    def describe(self, f, lang):
        return "地址文字" if lang == "zh" else "the address as text"


class OrgUnit(Choice):
    def check(self, f):
        allowed = frozenset(f.choice_values)

        def check(value):
            if not isinstance(value, str) or value not in allowed:
                return None, ("form-org-unit", {})
            return value, None

        return check


class Photo(FieldType):
    def check(self, f):
        lo, hi = f.get("min_items"), f.get("max_items", 9)
        regex = re.compile(PHOTO_NAME)

        def check(value):
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(
                isinstance(v, str) and regex.match(v) for v in value
            ):
                return None, ("form-photo", {})
            if len(set(value)) != len(value):
                return None, ("form-duplicate", {})
            if lo is not None and len(value) < lo:
                return None, ("form-few-photos", {"min": lo})
            if len(value) > hi:
                return None, ("form-many-photos", {"max": hi})
            return value, None

        return check

    def schema(self, f):
        out: dict[str, Any] = {
            "type": "array",
            "items": {"type": "string", "pattern": PHOTO_NAME},
            "uniqueItems": True,
            "maxItems": f.get("max_items", 9),
        }
        if f.get("min_items") is not None:
            out["minItems"] = f["min_items"]
        return out

    def coerce(self, f, values, parts):
        out = [v.strip() for v in values if v.strip()]
        return out or None

    def example(self, f):
        return ["0123456789abcdef0123456789abcdef.jpg"][: max(1, f.get("min_items") or 1)]

    def describe(self, f, lang):
        size = f.get("max_size", DEFAULT_PHOTO_SIZE)
        return (
            f"照片（JPEG、PNG 或 WebP，每张不超过 {size}），提交上传后的照片名"
            if lang == "zh"
            else f"photos (JPEG, PNG or WebP, at most {size} each), as uploaded photo names"
        )


TYPES: dict[str, FieldType] = {
    "text": Text("text", "string", "text"),
    "textarea": Textarea("textarea", "text", "textarea"),
    "integer": Integer("integer", "number", "number"),
    "number": Number("number", "number", "number"),
    "date": Date("date", "datetime", "date"),
    "datetime": DateTime("datetime", "datetime", "datetime"),
    "choice": Choice("choice", "singlevaluelist", "choice"),
    "multichoice": MultiChoice("multichoice", "multivaluelist", "multichoice"),
    "yesno": YesNo("yesno", "singlevaluelist", "yesno"),
    "phone": Phone("phone", "string", "phone"),
    "address": Address("address", "string", "address"),
    "org_unit": OrgUnit("org_unit", "singlevaluelist", "choice"),
    "photo": Photo("photo", "multivaluelist", "photo"),
}

if set(TYPES) != set(FIELD_TYPES):  # the kind declares the vocabulary; we implement it
    raise RuntimeError(f"field types differ: {sorted(set(TYPES) ^ set(FIELD_TYPES))}")
