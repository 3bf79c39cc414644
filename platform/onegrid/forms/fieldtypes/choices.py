"""Single and multiple choice, yes/no, and org units (choices from the org tree)."""

from __future__ import annotations

from typing import Any

from onegrid.forms.fieldtypes.base import FieldType


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


class OrgUnit(Choice):
    def check(self, f):
        allowed = frozenset(f.choice_values)

        def check(value):
            if not isinstance(value, str) or value not in allowed:
                return None, ("form-org-unit", {})
            return value, None

        return check
