"""The field type protocol and the values every type shares."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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
