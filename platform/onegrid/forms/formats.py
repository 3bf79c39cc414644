"""Format checks for the published form schemas, without extra packages.

jsonschema checks `date-time` only when `rfc3339-validator` is installed;
we check it (and `date`) ourselves, the same way the field types do.
"""

from __future__ import annotations

import datetime as dt

from jsonschema import FormatChecker

from onegrid.forms.fieldtypes import DATE_RE, DATETIME_RE

FORMATS = FormatChecker(())


@FORMATS.checks("date")
def is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True  # formats apply to strings only
    if not DATE_RE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


@FORMATS.checks("date-time")
def is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not DATETIME_RE.match(value):
        return False
    try:
        dt.datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return False
    return True
