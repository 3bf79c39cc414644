"""Forms as HTML, through Jinja2 templates in `templates/`.

Autoescaping is on for every template and nothing an administrator or a
submitter wrote is ever marked safe; every attribute is quoted in the
templates. `render_form` gives a `<form>` the web app embeds in its own
page (with its own CSRF field); `render_page` a standalone preview page.
Fields with conditions carry them as JSON in `data-` attributes for the
small script `conditions.js` (no inline handlers, so a strict CSP works);
without JavaScript every field shows, with a note saying when it applies.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from onegrid.forms.compiled import CompiledForm, forms_of
from onegrid.forms.conditions import operator
from onegrid.forms.definition import texts as _texts
from onegrid.forms.fieldtypes import DEFAULT_PHOTO_SIZE, size_bytes

TEMPLATES = Path(__file__).parent / "templates"
GROUP_OVER = 12  # a longer list of org units is grouped by the unit above

ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)

WORDS = {
    "zh": {
        "submit": "提交",
        "required": "必填",
        "optional": "选填",
        "choose": "请选择",
        "address": "地址",
        "lat": "纬度",
        "lng": "经度",
        "errors": "请修改以下 {n} 处后再提交：",
        "photo_note": "JPEG、PNG 或 WebP，每张不超过 {size}",
        "kept": "已保留上次选好的 {n} 张照片，无需重新选择；可再添加",
        "when_equals": "仅当“{field}”为“{value}”时",
        "when_in": "仅当“{field}”为“{value}”之一时",
        "when_filled": "仅当已填写“{field}”时",
        "when_empty": "仅当未填写“{field}”时",
        "show_suffix": "填写",
        "require_suffix": "必填",
        "or": "、",
    },
    "en": {
        "submit": "Submit",
        "required": "required",
        "optional": "optional",
        "choose": "Choose…",
        "address": "Address",
        "lat": "Latitude",
        "lng": "Longitude",
        "errors": "Please correct these {n} fields and submit again:",
        "photo_note": "JPEG, PNG or WebP, at most {size} each",
        "kept": "{n} photo(s) chosen before are kept: no need to choose them again; you may add more",
        "when_equals": "only when “{field}” is “{value}”",
        "when_in": "only when “{field}” is one of “{value}”",
        "when_filled": "only when “{field}” is filled",
        "when_empty": "only when “{field}” is empty",
        "show_suffix": "",
        "require_suffix": ": required",
        "or": ", ",
    },
}


def _t(text: dict[str, str] | None, lang: str) -> str:
    return "" if text is None else text.get(lang) or text.get("zh", "")


def _condition_note(condition: dict, form: CompiledForm, lang: str, kind: str) -> str:
    words = WORDS[lang]
    target = next((f for f in form.spec.fields if f.name == condition["field"]), None)
    field_label = (
        _t(target.keys.get("label") and _texts(target.keys["label"]), lang) if target else ""
    )
    field_label = field_label or condition["field"]
    op, operand = operator(condition)
    labels = dict(target.choices) if target else {}

    def show(v):
        key = ("yes" if v else "no") if isinstance(v, bool) else str(v)
        return _t(labels.get(key), lang) or key

    if op == "filled":
        note = words["when_filled" if operand else "when_empty"].format(field=field_label)
    elif op == "in":
        value = words["or"].join(show(v) for v in operand)
        note = words["when_in"].format(field=field_label, value=value)
    else:
        note = words["when_equals"].format(field=field_label, value=show(operand))
    return note + words["show_suffix" if kind == "show" else "require_suffix"]


def view(form: CompiledForm, lang: str, prefix: str = "f-") -> SimpleNamespace:
    """What the templates need of one form in one language (cached)."""
    cache = form.__dict__.setdefault("_views", {})
    if (lang, prefix) in cache:
        return cache[lang, prefix]
    fields = []
    for f in form.spec.fields:
        choices = [(value, _t(label, lang)) for value, label in f.choices]
        notes = []
        if f.get("show_when"):
            notes.append(_condition_note(f["show_when"], form, lang, "show"))
        if f.get("require_when"):
            notes.append(_condition_note(f["require_when"], form, lang, "require"))
        help_text = _t(_texts(f.get("help")), lang)
        if f.type == "photo":
            note = WORDS[lang]["photo_note"].format(size=f.get("max_size", DEFAULT_PHOTO_SIZE))
            help_text = (
                f"{help_text}（{note}）"
                if help_text and lang == "zh"
                else (f"{help_text} ({note})" if help_text else note)
            )
        parts = [part for part, text in (("help", help_text), ("note", notes)) if text]
        optgroups: dict[str, list] = {}
        if f.groups and len(choices) > GROUP_OVER:
            for value, label in choices:
                optgroups.setdefault(_t(f.groups.get(value), lang), []).append((value, label))
        fields.append(
            SimpleNamespace(
                described=" ".join(f"{prefix}{f.name}-{part}" for part in parts),
                name=f.name,
                type=f.type,
                label=_t(_texts(f.get("label")), lang) or f.name,
                help=help_text,
                placeholder=_t(_texts(f.get("placeholder")), lang),
                # the `required` attribute only when always required: a
                # browser without JavaScript shows conditional fields too
                required=bool(f.get("required")) and not f.get("show_when"),
                marked=bool(f.get("required")),
                show_when=json.dumps(f["show_when"], ensure_ascii=False)
                if f.get("show_when")
                else "",
                require_when=json.dumps(f["require_when"], ensure_ascii=False)
                if f.get("require_when")
                else "",
                note="；".join(notes) if lang == "zh" else "; ".join(notes),
                choices=choices,
                optgroups=list(optgroups.items()) if len(optgroups) > 1 else [],
                radios=f.type == "yesno" or (f.type == "choice" and len(choices) <= 5),
                min=f.get("minimum", ""),
                max=f.get("maximum", ""),
                maxlength=f.get("max_length", ""),
                minlength=f.get("min_length", ""),
                coordinates=f.get("coordinates", "optional"),
                lat=(f.get("bounds") or {}).get("lat", (-90, 90)),
                lng=(f.get("bounds") or {}).get("lng", (-180, 180)),
                multiple=(f.get("max_items") or 2) > 1,
                max_items=f.get("max_items", 9) if f.type == "photo" else "",
                max_size=f.get("max_size", DEFAULT_PHOTO_SIZE) if f.type == "photo" else "",
                # the phone shrinks a bigger picture to this before it is sent (offline.js)
                max_bytes=size_bytes(f.get("max_size", DEFAULT_PHOTO_SIZE))
                if f.type == "photo"
                else "",
            )
        )
    # attributes, not dict keys: Jinja2 tries getattr first on every lookup
    cache[lang, prefix] = SimpleNamespace(
        id=form.spec.id,
        title=_t(form.spec.name, lang),
        description=_t(form.spec.description, lang),
        fields=fields,
        words=SimpleNamespace(**WORDS[lang]),
        lang=lang,
    )
    return cache[lang, prefix]


def current(values: Any, form: CompiledForm) -> dict[str, Any]:
    """Submitted or stored values as the strings inputs show: a list of
    strings per field, a mapping of strings for an address. Values of the
    wrong shape show as empty rather than fail: the errors say why."""
    out: dict[str, Any] = {}
    if not isinstance(values, dict):
        return out
    for f in form.spec.fields:
        value = values.get(f.name)
        if value is None:
            continue
        if f.type == "address":
            if isinstance(value, dict):
                out[f.name] = {str(k): "" if v is None else str(v) for k, v in value.items()}
            elif isinstance(value, str):
                out[f.name] = {"text": value}
        elif isinstance(value, dict):
            continue
        elif isinstance(value, bool):
            out[f.name] = ["yes" if value else "no"]
        elif isinstance(value, list | tuple):
            out[f.name] = [str(v) for v in value if not isinstance(v, dict | list)]
        else:
            text = str(value)
            if len(text) == 25 and text.endswith("+08:00") and text[10] == "T":
                text = text[:16]  # a China Standard Time datetime, as datetime-local shows it
            out[f.name] = [text]
    return out


def render_form(
    policy,
    form_id: str,
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    lang: str = "zh",
    *,
    action: str = "",
    csrf: tuple[str, str] | None = None,
    id_prefix: str = "f-",
    submit: str | None = None,
    narrow: dict[str, Any] | None = None,
    omit: set[str] | frozenset[str] = frozenset(),
) -> Markup:
    """The `<form>` element: the web app's page embeds it. `csrf` is the
    (field name, token) of the app's CSRF protection. `narrow`: field name →
    the only values its choices may offer here (the engine still checks);
    `omit`: fields not offered here at all (已当场处置 on a matter without it)."""
    form = forms_of(policy).form(form_id)
    shown = narrowed(view(form, lang, id_prefix), narrow)
    if omit:
        shown = SimpleNamespace(
            **{**vars(shown), "fields": [f for f in shown.fields if f.name not in omit]}
        )
    return Markup(
        ENV.get_template("form.html").render(
            form=shown,
            values=current(values, form),
            errors=errors or {},
            action=action,
            csrf=csrf,
            prefix=id_prefix,
            submit=submit,
        )
    )


def narrowed(shown: SimpleNamespace, narrow: dict[str, Any] | None) -> SimpleNamespace:
    """A form's view with some fields' choices cut down to the values given
    (a copy: the cached view stays whole)."""
    if not narrow:
        return shown
    fields = []
    for f in shown.fields:
        if f.name in narrow:
            keep = set(narrow[f.name])
            groups = [(g, [c for c in cs if c[0] in keep]) for g, cs in f.optgroups]
            f = SimpleNamespace(
                **{
                    **vars(f),
                    "choices": [c for c in f.choices if c[0] in keep],
                    "optgroups": [(g, cs) for g, cs in groups if cs],
                }
            )
        fields.append(f)
    return SimpleNamespace(**{**vars(shown), "fields": fields})


def render_page(
    policy, form_id: str, lang: str = "zh", *, values=None, errors=None, nonce: str | None = None
) -> str:
    """A standalone HTML page with the form, its style and its script (preview)."""
    form = forms_of(policy).form(form_id)
    fragment = render_form(policy, form_id, values, errors, lang)
    return ENV.get_template("page.html").render(
        form=view(form, lang), fragment=fragment, nonce=nonce
    )


def stylesheet() -> str:
    return (TEMPLATES / "forms.css").read_text(encoding="utf-8")


def script() -> str:
    """The conditions script, for the web app to serve as a static file."""
    return (TEMPLATES / "conditions.js").read_text(encoding="utf-8")
