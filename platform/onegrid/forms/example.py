"""Example submissions generated from a form's definition (for previews,
tests and API docs)."""

from __future__ import annotations

from typing import Any

from onegrid.forms.compiled import CompiledForm
from onegrid.forms.fieldtypes import TYPES


def valid_example(form: CompiledForm) -> dict[str, Any]:
    """A submission every field of which is filled with a valid value;
    fields hidden by their conditions are left out."""
    out: dict[str, Any] = {}
    for f in form.spec.fields:
        value = f.get("example")
        if value is None:
            value = TYPES[f.type].example(f)
        if value is not None:
            out[f.name] = value
    clean, _errors = form.validate(out)
    return {k: v for k, v in out.items() if k in clean}


def invalid_examples(form: CompiledForm) -> list[tuple[str, dict[str, Any], str]]:
    """(what is wrong, submission, the field that must be reported)."""
    good = valid_example(form)
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("unknown field", {**good, "no_such_field": "1"}, "no_such_field")
    ]
    for rule, f in zip(form.rules, form.spec.fields, strict=True):
        if rule.name not in good:
            continue
        if rule.required and rule.show is None:
            cases.append(
                (
                    f"{rule.name} missing",
                    {k: v for k, v in good.items() if k != rule.name},
                    rule.name,
                )
            )
        wrong = {"yesno": "maybe", "integer": "one", "number": "one"}.get(f.type, 12345)
        if f.type in ("text", "textarea", "choice", "org_unit", "phone", "date", "datetime"):
            wrong = 12345 if f.type in ("text", "textarea") else "<script>alert(1)</script>"
        cases.append((f"{rule.name} of the wrong type", {**good, rule.name: wrong}, rule.name))
    return cases
