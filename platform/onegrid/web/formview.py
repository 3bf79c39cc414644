"""The policy's forms (`onegrid.forms`) inside the web app's pages and APIs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import abort, current_app, request
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from onegrid import forms, messages
from onegrid.forms import corefields
from onegrid.forms.fieldtypes import DEFAULT_PHOTO_SIZE
from onegrid.web import policyview
from onegrid.web.i18n import text_of


def fragment(
    form_id: str,
    values: dict[str, Any] | None,
    errors: dict[str, list[str]] | None,
    lang: str,
    *,
    action: str,
    id_prefix: str = "f-",
    submit: str | None = None,
    narrow: dict[str, Any] | None = None,
    omit: set[str] | frozenset[str] = frozenset(),
) -> Markup:
    """The form as a `<form>` posting to `action`, with this app's CSRF token
    (`narrow`: field name → the only values its choices offer on this page;
    `omit`: fields not offered on it)."""
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
        narrow=narrow,
        omit=omit,
    )


# the policy version a report form was filled under (static/offline.js adds it);
# a field id cannot start with "_", so no pack's field is ever mistaken for it
VERSION_FIELD = "_policy_version"


def coerce(form_id: str, data, policy=None) -> dict[str, Any]:
    """Typed values from a browser's form-encoded body (`policy`: the
    version's, for a report filled under an older one; else the served pack)."""
    return forms.form_values(
        policy or policyview.policy(), form_id, data, ignore=("csrf_token", VERSION_FIELD)
    )


def coerce_attributes(form_id: str | None, data) -> dict[str, Any]:
    """Typed values from Open311's `attribute[X]` / `attribute[X][]` keys."""
    if not form_id:
        return {}
    return forms.form_values(policyview.policy(), form_id, data, prefix="attribute")


def errors(form_id: str, values: dict[str, Any], lang: str, policy=None) -> dict[str, list[str]]:
    """Per-field messages in the reader's language (empty when valid)."""
    return forms.validate(policy or policyview.policy(), form_id, values, lang)[1]


def attributes(matter_id: str, lang: str, lookup=None) -> list[dict[str, Any]]:
    """The matter's fields as Open311 attributes; with `lookup` (Open311's
    own service definitions) long choice lists are looked up at
    `lookup(name)` and the fields the core-field mapping fills are optional."""
    return forms.service_definition(
        policyview.policy(), matter_id, lang, lookup=lookup, core=lookup is not None
    )["attributes"]


def choices_of(form_id: str, name: str, lang: str) -> list[tuple[str, str]] | None:
    """(value, label) of one choice field of a form; None when it has none."""
    form = forms.forms_of(policyview.policy()).form(form_id)
    f = next((f for f in form.spec.fields if f.name == name), None)
    if f is None or not f.choices:
        return None
    return [(value, label.get(lang) or label.get("zh") or value) for value, label in f.choices]


def field_names(form_id: str) -> set[str]:
    return {f.name for f in forms.forms_of(policyview.policy()).form(form_id).spec.fields}


def fill_core(form_id: str, core: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The form's unanswered fields filled from GeoReport's core fields (the pack's mapping)."""
    policy = policyview.policy()
    return corefields.fill(
        corefields.mapping(policy), forms.forms_of(policy).form(form_id), core, values
    )


def read_core(submission: dict[str, Any] | None) -> dict[str, Any]:
    """`description`, `address`, `lat`, `long` from a submission (the pack's mapping)."""
    return corefields.read(corefields.mapping(policyview.policy()), submission or {})


def core_sources() -> dict[str, tuple[str, ...]]:
    """form field → the GeoReport core fields that fill it (the pack's mapping)."""
    return corefields.mapping(policyview.policy()).core


def contact_fields() -> set[str]:
    return corefields.mapping(policyview.policy()).contact_fields


def photo_fields(form_id: str) -> list[str]:
    form = forms.forms_of(policyview.policy()).form(form_id)
    return [f.name for f in form.spec.fields if f.type == "photo"]


def photo_field(form_id: str) -> str | None:
    """The form's first photo field, which an Open311 upload fills."""
    return next(iter(photo_fields(form_id)), None)


def photo_store() -> forms.PhotoStore:
    return forms.PhotoStore(Path(current_app.instance_path) / "photos")


def save_photos(
    form_id: str, files, values: dict[str, Any], lang: str, policy=None
) -> dict[str, list[str]]:
    """Store the uploaded photos of the form's photo fields; their generated
    names go into `values`. Returns per-field messages for refused files."""
    errors: dict[str, list[str]] = {}
    form = forms.forms_of(policy or policyview.policy()).form(form_id)
    for field in form.spec.fields:
        if field.type != "photo":
            continue
        uploads = [f for f in files.getlist(field.name) if f and f.filename]
        if not uploads:
            continue
        names = []
        for upload in uploads:
            try:
                names.append(
                    photo_store().save(upload.stream, field.get("max_size", DEFAULT_PHOTO_SIZE))
                )
            except forms.PhotoRejected as exc:
                errors.setdefault(field.name, []).append(messages.text(exc.code, exc.params, lang))
        values[field.name] = names
    return errors


def photo_names(data: Any) -> set[str]:
    """Every stored photo name inside a submission (or any nested data)."""
    found: set[str] = set()
    if isinstance(data, dict):
        for value in data.values():
            found |= photo_names(value)
    elif isinstance(data, list):
        for value in data:
            found |= photo_names(value)
    elif isinstance(data, str):
        try:
            photo_store().path(data)
        except ValueError:
            return found
        found.add(data)
    return found


def action_form(action, values, errors, lang: str, *, target: str, id_prefix: str) -> Markup | None:
    """The form of one offered transition (`workflow.transition.Action`) posting
    to `target`, with the answers and errors of a refused try; None without one."""
    if not action.form:
        return None
    return fragment(
        action.form, values, errors, lang, action=target, id_prefix=id_prefix,
        submit=text_of(action.name, lang),
    )  # fmt: skip


def posted_action(item, action_id: str, actor, lang: str):
    """The action an item's page posted (403 if `actor` may not take it),
    with the form's values and their errors: (action, values, errors)."""
    from onegrid.workflow import item as wf_item

    offered = wf_item.actions_for_item(item, actor, lang)
    action = next((a for a in offered if a.id == action_id), None)
    if action is None:
        abort(403)
    values = coerce(action.form, request.form) if action.form else {}
    found = errors(action.form, values, lang) if action.form else {}
    return action, values, found
