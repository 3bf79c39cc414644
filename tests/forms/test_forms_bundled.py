"""Every form of every bundled pack renders, accepts a valid example made
from its definition, rejects invalid ones, and describes its matters as
Open311 service definitions that match the GeoReport v2 schema."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
from jsonschema import Draft7Validator

from onegrid import paths
from onegrid.forms import forms_of, render_form, render_page, service_definition
from onegrid.forms.example import invalid_examples, valid_example
from onegrid.policy.pack import load_policy

from .test_forms_html import Page

PACKS = sorted(
    p for base in (paths.CATALOGS, paths.FORMS, paths.RULES) if base.is_dir() for p in base.iterdir()
    if (p / "pack.yaml").is_file()
)  # fmt: skip
OPEN311 = Path(__file__).resolve().parents[2] / ".." / "shared" / "open311-schemas"


@cache
def _policy(root: Path):
    return load_policy(root)


def _forms():
    out = []
    for root in PACKS:
        policy = _policy(root)
        out += [
            pytest.param(policy, form_id, id=f"{root.name}:{form_id}")
            for form_id in forms_of(policy)
        ]
    return out


FORMS = _forms()


def test_the_bundled_packs_have_forms():
    ids = {p.id for p in FORMS}
    assert "kunqu:form.report.city" in ids and "library:form.step.evaluate" in ids
    assert len(FORMS) >= 25


@pytest.mark.parametrize(("policy", "form_id"), FORMS)
def test_a_bundled_form_renders_and_validates(policy, form_id):
    form = forms_of(policy).form(form_id)
    for lang in ("zh", "en"):
        page = render_page(policy, form_id, lang)
        assert page.startswith("<!doctype html>") and "</form>" in page
        tags = Page(page)
        labelled = {a["for"] for t, a in tags.tags if t == "label"}
        assert labelled <= tags.ids()
        for tag, attrs in tags.tags:
            if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
                assert attrs.get("id") in labelled, (tag, attrs)
    example = valid_example(form)
    required = [r.name for r in form.rules if r.required and r.show is None]
    unreachable = [n for n in required if n not in example]
    if unreachable:
        # a shared pack alone (the field library, the closed loop, admission-review) has no org units to pick from
        shared = policy.root.resolve().parent in (paths.FORMS.resolve(), paths.RULES.resolve())
        assert shared and not policy.ids("unit"), unreachable
        return
    clean, errors = form.validate(example, "zh")
    assert errors == {}
    assert form.schema_validator.is_valid(json.loads(json.dumps(clean)))
    assert str(render_form(policy, form_id, clean, {}, "en"))
    for what, submission, field in invalid_examples(form):
        _clean, errors = form.validate(submission, "en")
        assert field in errors, what
        assert not form.schema_validator.is_valid(submission), what


MATTERS = [pytest.param(root, id=root.name) for root in PACKS if _policy(root).ids("matter")]


@pytest.mark.parametrize("root", MATTERS)
def test_every_matter_is_an_open311_service_definition(root):
    if not OPEN311.is_dir():
        pytest.skip("../shared/open311-schemas is absent (it sits beside the project in CI)")
    schema = json.loads((OPEN311 / "service-definition.json").read_text(encoding="utf-8"))
    validator = Draft7Validator(schema)
    policy = _policy(root)
    seen = set()
    for matter_id in policy.ids("matter"):
        form_id = policy.get("matter", matter_id).get("form")
        for lang in ("zh", "en"):
            definition = service_definition(policy, matter_id, lang)
            assert definition["service_code"] == matter_id
            if form_id:
                assert definition["attributes"], matter_id
            if (form_id, lang) in seen:
                continue  # matters sharing a form share its attributes
            seen.add((form_id, lang))
            errors = [e.message for e in validator.iter_errors(definition)]
            assert errors == [], (matter_id, errors)


def test_open311_attributes_of_a_form(one_form):
    policy, _form = one_form(
        """\
        - {name: title, type: text, label: {zh: 标题, en: Title}, required: true, help: {zh: 一句话, en: One line}}
        - {name: kind, type: choice, label: 类型, choices: [{value: a, label: {zh: 甲, en: A}}]}
        - {name: tags, type: multichoice, label: 标签, choices: [{value: x, label: X}]}
        - {name: n, type: number, label: 数}
        - {name: at, type: datetime, label: 时间}
        - {name: note, type: textarea, label: 备注, show_when: {field: kind, equals: a}, required: true}
        - {name: ok, type: yesno, label: 是否}
        - {name: pics, type: photo, label: 照片}
        """
    )
    from onegrid.forms.open311 import attributes

    attrs = attributes(forms_of(policy).form("f"), "en")
    assert [(a["code"], a["datatype"], a["required"], a["order"]) for a in attrs] == [
        ("title", "string", True, 1),
        ("kind", "singlevaluelist", False, 2),
        ("tags", "multivaluelist", False, 3),
        ("n", "number", False, 4),
        ("at", "datetime", False, 5),
        ("note", "text", False, 6),
        ("ok", "singlevaluelist", False, 7),
    ]
    assert attrs[0]["description"] == "Title: One line"
    assert attrs[1]["values"] == [{"key": "a", "name": "A"}]
    assert attrs[6]["values"] == [{"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"}]
