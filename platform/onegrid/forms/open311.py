"""A matter's form as an Open311 GeoReport v2 service definition.

Matters are Open311 services and a matter's form fields are its
attributes. Photos are left out: Open311 carries a photo as `media_url`.
"""

from __future__ import annotations

from typing import Any

from onegrid.errors import Problem, UsageError
from onegrid.forms.compiled import CompiledForm, forms_of
from onegrid.forms.fieldtypes import TYPES
from onegrid.messages import localized
from onegrid.policy.suggest import did_you_mean


def attributes(form: CompiledForm, lang: str = "zh") -> list[dict[str, Any]]:
    out = []
    for f in form.spec.fields:
        if f.type == "photo":
            continue
        ftype = TYPES[f.type]
        label = localized(f.get("label"), lang) or f.name
        help_text = localized(f.get("help"), lang)
        attr: dict[str, Any] = {
            "variable": True,
            "code": f.name,
            "datatype": ftype.open311,
            "required": bool(f.get("required")) and not f.get("show_when"),
            "datatype_description": ftype.describe(f, lang) or None,
            "order": len(out) + 1,
            "description": f"{label}：{help_text}"
            if help_text and lang == "zh"
            else (f"{label}: {help_text}" if help_text else label),
        }
        if f.choices:
            attr["values"] = [{"key": value, "name": label[lang]} for value, label in f.choices]
        out.append(attr)
    return out


def service_definition(
    policy, matter_id: str, lang: str = "zh", service_code: str | None = None
) -> dict[str, Any]:
    """`{service_code, attributes}` for one matter (service_code: the matter id)."""
    matter = policy.get("matter", matter_id)
    if matter is None:
        raise UsageError(
            Problem(
                "unknown-ref",
                {"namespace": "matter", "id": matter_id},
                None,
                did_you_mean(matter_id, policy.ids("matter")),
            )
        )
    form_id = matter.get("form")
    attrs = attributes(forms_of(policy).form(form_id), lang) if form_id else []
    return {"service_code": service_code or matter_id, "attributes": attrs}
