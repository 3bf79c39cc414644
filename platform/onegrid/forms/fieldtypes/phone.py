"""Mainland phone numbers: mobile and landline."""

from __future__ import annotations

import re

from onegrid.forms.definition import texts
from onegrid.forms.fieldtypes.base import LANDLINE, MOBILE, FieldType
from onegrid.forms.patterns import safe_pattern


def phone_regex(kinds) -> str:
    parts = [MOBILE if k == "mobile" else LANDLINE for k in kinds]
    return "^(?:" + "|".join(parts) + ")$"


class Phone(FieldType):
    """`pattern` (with `pattern_doc`) takes the place of the mainland numbers:
    Hong Kong's eight digits, a hotline's short numbers, an extension."""

    def check(self, f):
        if f.get("pattern"):
            return self._pattern_check(f)
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

    def _pattern_check(self, f):
        pattern = safe_pattern(f["pattern"])
        doc = texts(f.get("pattern_doc"))

        def check(value):
            if not isinstance(value, str) or not pattern.fullmatch(value.strip()):
                return None, (("form-pattern-doc", {"doc": doc}) if doc else ("form-pattern", {}))
            return value.strip(), None

        return check

    def schema(self, f):
        if f.get("pattern"):
            return {"type": "string", "pattern": f"^(?:{f['pattern']})$"}
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
        if f.get("example") is not None:
            return f["example"]
        return "13800138000" if "mobile" in (f.get("phone") or ("mobile",)) else "0472-1234567"

    def describe(self, f, lang):
        doc = texts(f.get("pattern_doc"))
        if f.get("pattern"):
            return (doc or {}).get(lang) or ("电话号码" if lang == "zh" else "a phone number")
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
