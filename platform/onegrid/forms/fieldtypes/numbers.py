"""Whole numbers and numbers."""

from __future__ import annotations

import math
from typing import Any

from onegrid.forms.fieldtypes.base import Error, FieldType


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
