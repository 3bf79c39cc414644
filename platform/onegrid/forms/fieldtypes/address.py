"""Addresses, with coordinates within bounds."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from onegrid.forms.fieldtypes.base import FieldType


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
            if not isinstance(value, dict) or set(value) - {"text", "lat", "lng", "at"}:
                return None, ("form-address", {})
            text = value.get("text")
            if not isinstance(text, str) or not text.strip():
                return None, ("form-address", {})
            text = text.strip()
            if len(text) > hi:
                return None, ("form-too-long", {"max": hi, "length": len(text)})
            lat, lng = value.get("lat"), value.get("lng")
            at = value.get("at")
            if lat is None and lng is None and at is not None:
                return None, ("form-coords-at", {})
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
            out = {"text": text, "lat": lat, "lng": lng}
            if at is not None:
                when = located_at(at)
                if when is None:
                    return None, ("form-coords-at", {})
                out["at"] = when
            return out, None

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
            props["at"] = {"type": "string", "format": "date-time"}
        return {
            "type": "object",
            "properties": props,
            "required": ["text", "lat", "lng"] if coords == "required" else ["text"],
            "dependentRequired": {"lat": ["lng"], "lng": ["lat"], "at": ["lat", "lng"]},
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
        at = (parts.get("at") or [""])[-1].strip()
        if at:
            out["at"] = at
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


def located_at(value: Any) -> str | None:
    """When the coordinates were taken ("use my location": the position's own
    time), as an ISO 8601 time with its zone, normalised to UTC; None if it
    is no such time."""
    if not isinstance(value, str):
        return None
    try:
        when = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if when.tzinfo is None:
        return None  # a time without a zone is not one moment
    return when.astimezone(dt.UTC).isoformat(timespec="seconds")
