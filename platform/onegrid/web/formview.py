"""The policy's forms (`onegrid.forms`) inside the web app's pages and APIs."""

from __future__ import annotations

from typing import Any

from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from onegrid import forms
from onegrid.web import policyview


def fragment(
    form_id: str,
    values: dict[str, Any] | None,
    errors: dict[str, list[str]] | None,
    lang: str,
    *,
    action: str,
    id_prefix: str = "f-",
    submit: str | None = None,
) -> Markup:
    """The form as a `<form>` posting to `action`, with this app's CSRF token."""
    return forms.render_form(
        policyview.policy(),
        form_id,
        values,
        errors,
        lang,
        action=action,
        csrf=("csrf_token", generate_csrf()),
        id_prefix=id_prefix,
        submit=submit,
    )


def coerce(form_id: str, data) -> dict[str, Any]:
    """Typed values from a browser's form-encoded body."""
    return forms.form_values(policyview.policy(), form_id, data)


def coerce_attributes(form_id: str | None, data) -> dict[str, Any]:
    """Typed values from Open311's `attribute[X]` / `attribute[X][]` keys."""
    if not form_id:
        return {}
    return forms.form_values(policyview.policy(), form_id, data, prefix="attribute")


def errors(form_id: str, values: dict[str, Any], lang: str) -> dict[str, list[str]]:
    """Per-field messages in the reader's language (empty when valid)."""
    return forms.validate(policyview.policy(), form_id, values, lang)[1]


def attributes(matter_id: str, lang: str) -> list[dict[str, Any]]:
    return forms.service_definition(policyview.policy(), matter_id, lang)["attributes"]
