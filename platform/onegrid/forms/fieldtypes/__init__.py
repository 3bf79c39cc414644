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

from onegrid.forms.fieldtypes.address import Address
from onegrid.forms.fieldtypes.base import (
    CST,
    DATE_RE,
    DATETIME_RE,
    DEFAULT_PHOTO_SIZE,
    PHOTO_NAME,
    Check,
    Error,
    FieldType,
    is_empty,
    size_bytes,
)
from onegrid.forms.fieldtypes.choices import Choice, MultiChoice, OrgUnit, YesNo
from onegrid.forms.fieldtypes.dates import Date, DateTime
from onegrid.forms.fieldtypes.numbers import Integer, Number
from onegrid.forms.fieldtypes.phone import Phone
from onegrid.forms.fieldtypes.photo import Photo
from onegrid.forms.fieldtypes.text import Text, Textarea
from onegrid.policy.kinds.forms import FIELD_TYPES

__all__ = [
    "CST",
    "DATETIME_RE",
    "DATE_RE",
    "DEFAULT_PHOTO_SIZE",
    "PHOTO_NAME",
    "TYPES",
    "Check",
    "Error",
    "FieldType",
    "is_empty",
    "size_bytes",
]

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
