"""Dates and date-times."""

from __future__ import annotations

import datetime as dt

from onegrid.forms.fieldtypes.base import CST, DATE_RE, DATETIME_RE, LOCAL_DATETIME_RE, FieldType


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
