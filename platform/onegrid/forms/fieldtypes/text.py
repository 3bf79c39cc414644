"""Short and long text."""

from __future__ import annotations

from typing import Any

from onegrid.forms.definition import texts
from onegrid.forms.fieldtypes.base import Check, FieldType
from onegrid.forms.patterns import safe_pattern


def _text_check(f, multiline: bool) -> Check:
    lo, hi = f.get("min_length"), f.get("max_length", 20000 if multiline else 500)
    pattern = safe_pattern(f["pattern"]) if f.get("pattern") else None
    doc = texts(f.get("pattern_doc"))  # {zh, en}, English falling back to Chinese

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

    def describe(self, f, lang):
        return _text_describe(f, lang, False)

    def example(self, f):
        if f.get("example") is not None:
            return f["example"]
        lo = f.get("min_length") or 1
        hi = f.get("max_length", 500)
        return ("示例" * (lo // 2 + 1))[: max(lo, min(hi, 2))]


def _text_describe(f, lang: str, multiline: bool) -> str:
    hi = f.get("max_length", 20000 if multiline else 500)
    doc = f.get("pattern_doc")
    doc = (doc.get(lang) or doc.get("zh")) if isinstance(doc, dict) else doc
    if lang == "zh":
        return f"文字，最多 {hi} 个字" + (f"，{doc}" if doc else "")
    return f"text, at most {hi} characters" + (f", {doc}" if doc else "")


class Textarea(Text):
    def check(self, f):
        return _text_check(f, True)

    def schema(self, f):
        return _text_schema(f, True)

    def describe(self, f, lang):
        return _text_describe(f, lang, True)

    def coerce(self, f, values, parts):
        value = values[-1] if values else ""
        return value if value.strip() else None
