"""A matter's form as an Open311 GeoReport v2 service definition.

Matters are Open311 services and a matter's form fields are its
attributes. Photos are left out: Open311 carries a photo as `media_url`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from onegrid.errors import Problem, UsageError
from onegrid.forms import corefields
from onegrid.forms.compiled import CompiledForm, forms_of
from onegrid.forms.fieldtypes import TYPES
from onegrid.messages import localized
from onegrid.policy.suggest import did_you_mean

# a choice list longer than this is looked up, not listed (Kunqu's 791 grids)
INLINE_CHOICES = 100


def attributes(
    form: CompiledForm,
    lang: str = "zh",
    lookup: Callable[[str], str] | None = None,
    optional: Collection[str] = (),
) -> list[dict[str, Any]]:
    """The form's fields as attributes; `lookup(name)`: the address of a long
    choice list's values (else listed inline); `optional`: fields a request
    may leave out (the pack's core-field mapping fills them)."""
    out = []
    for f in form.spec.fields:
        if f.type == "photo":
            continue
        ftype = TYPES[f.type]
        looked_up = lookup is not None and len(f.choices or ()) > INLINE_CHOICES
        label = localized(f.get("label"), lang) or f.name
        help_text = localized(f.get("help"), lang)
        attr: dict[str, Any] = {
            "variable": True,
            "code": f.name,
            "datatype": "string" if looked_up else ftype.open311,
            "required": bool(f.get("required"))
            and not f.get("show_when")
            and f.name not in optional,
            "datatype_description": (
                lookup_words(lookup(f.name), len(f.choices), lang)
                if looked_up
                else ftype.describe(f, lang) or None
            ),
            "order": len(out) + 1,
            "description": f"{label}：{help_text}"
            if help_text and lang == "zh"
            else (f"{label}: {help_text}" if help_text else label),
        }
        if f.choices and not looked_up:
            attr["values"] = [{"key": value, "name": label[lang]} for value, label in f.choices]
        out.append(attr)
    return out


def lookup_words(address: str, count: int, lang: str) -> str:
    if lang == "zh":
        return f"共 {count} 项，填其编号；按名称查找：{address}?q=名称"
    return f"{count} values: send the key; find one by name at {address}?q=name"


def service_definition(
    policy,
    matter_id: str,
    lang: str = "zh",
    service_code: str | None = None,
    lookup: Callable[[str], str] | None = None,
    core: bool = False,
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
    optional = corefields.mapping(policy).filled if core else ()
    attrs = attributes(forms_of(policy).form(form_id), lang, lookup, optional) if form_id else []
    return {"service_code": service_code or matter_id, "attributes": attrs}
