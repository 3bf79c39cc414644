"""Form submissions, validated by the forms stage."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from onegrid.errors import Problem
from onegrid.forms import validate as forms_validate
from onegrid.workflow.errors import InvalidSubmission


def jsonable(value: Any) -> Any:
    """Plain JSON data (dates become ISO strings) for the store."""

    def default(obj):
        if isinstance(obj, dt.date | dt.datetime | dt.time):
            return obj.isoformat()
        if isinstance(obj, set | frozenset | tuple):
            return list(obj)
        return str(obj)

    return json.loads(json.dumps(value, ensure_ascii=False, default=default))


def _as_problems(errors) -> list[Problem]:
    if isinstance(errors, dict):
        return [
            Problem(
                "field-invalid",
                {
                    "field": name,
                    "message": "; ".join(map(str, msg)) if isinstance(msg, list) else str(msg),
                },
            )
            for name, msg in errors.items()
        ]
    out = []
    for error in errors:
        if isinstance(error, Problem):
            out.append(error)
        else:
            out.append(Problem("field-invalid", {"field": "?", "message": str(error)}))
    return out


def validate(book, form_id: str | None, submission: dict[str, Any], lang: str = "zh") -> dict:
    """The clean submission, or `InvalidSubmission`."""
    submission = dict(submission or {})
    if not form_id:
        return jsonable(submission)
    clean, errors = forms_validate(book.policy, form_id, submission, lang)
    if errors:
        raise InvalidSubmission(_as_problems(errors), errors)
    return jsonable(clean)
