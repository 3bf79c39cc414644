"""`kind: forms`: form definitions (a first cut; the forms stage refines it)."""

from onegrid.policy.kinds.base import IdSpec, Kind
from onegrid.policy.kinds.defs import FORM, file_schema, item_list, obj

FORM_ITEM = obj(
    {
        "id": {"$ref": "#/$defs/id", "description": "The form's id."},
        "name": {"$ref": "#/$defs/text", "description": "Display name."},
        "fields": {"type": "array", "description": "The form's fields."},
    },
    required=["id", "name"],
)

KIND = Kind(
    name="forms",
    title={"zh": "表单", "en": "Forms"},
    description={"zh": "表单及其字段。", "en": "Forms and their fields."},
    schema=file_schema(
        "forms", "onegrid forms", "Form definitions.", {"forms": item_list(FORM_ITEM, "The forms.")}
    ),
    ids=(IdSpec(("forms", "*"), FORM),),
)
