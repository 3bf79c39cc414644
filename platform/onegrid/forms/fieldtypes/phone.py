"""Mainland phone numbers: mobile and landline."""

from __future__ import annotations

import re

from onegrid.forms.fieldtypes.base import LANDLINE, MOBILE, FieldType


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
