"""Photos, as the generated names of stored uploads."""

from __future__ import annotations

import re
from typing import Any

from onegrid.forms.fieldtypes.base import DEFAULT_PHOTO_SIZE, PHOTO_NAME, FieldType


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
