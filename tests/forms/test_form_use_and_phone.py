"""A form that `use:`s another changes single fields; a `phone` field takes a
pattern (Luohu also takes Hong Kong numbers)."""

from __future__ import annotations

import pytest

from onegrid import forms, paths
from onegrid.forms.definition import resolve_forms
from onegrid.policy.pack import load_policy

LUOHU = paths.CATALOGS / "luohu"


@pytest.fixture(scope="module")
def luohu():
    return load_policy(LUOHU)


def _submission(phone: str) -> dict:
    return {
        "title": "占道经营",
        "description": "东门中路有流动摊贩占道",
        "location": "东门中路 1 号旁",
        "urgency": "normal",
        "anonymous": False,
        "reporter_name": "张三",
        "reporter_phone": phone,
    }


@pytest.mark.parametrize(
    ("phone", "ok"),
    [
        ("13800138000", True),
        ("0755-12345678", True),
        ("+85291234567", True),
        ("91234567", True),
        ("12345", False),
        ("+8529123456", False),
    ],
)
def test_luohu_takes_mainland_and_hong_kong_numbers(luohu, phone, ok):
    _clean, errors = forms.validate(luohu, "form.report.general", _submission(phone), "en")
    assert ("reporter_phone" not in errors) is ok, errors
    if not ok:
        assert "Hong Kong number (8 digits)" in str(errors["reporter_phone"])


def test_the_pattern_is_in_the_submission_schema(luohu):
    schema = forms.forms_of(luohu).form("form.report.general").schema
    assert "852" in schema["properties"]["reporter_phone"]["pattern"]


def _pack(make_pack, forms_yaml: str):
    return make_pack(
        {
            "pack.yaml": "kind: pack\nid: p\nname: p\nincludes: [library]\n",
            "forms.yaml": forms_yaml,
        }
    )


def test_a_remove_naming_no_field_is_an_error_with_did_you_mean(make_pack, onegrid):
    root = _pack(
        make_pack,
        """\
        kind: forms
        forms:
          - id: form.a
            name: 甲
            fields: [{use: field.title}, {use: field.reporter_phone}]
          - id: form.b
            use: form.a
            fields:
              - {name: reporter_phon, remove: true}
        """,
    )
    checked = onegrid("check", root, "--lang", "en")
    assert checked.code == 1
    assert checked.out.splitlines()[0].endswith(
        "forms.yaml:9:16: error[form-use-nothing-to-remove]: the used form 'form.a' has no field"
        " 'reporter_phon', so there is nothing to remove; did you mean 'reporter_phone'?"
    )


def test_a_form_that_uses_itself_is_refused(make_pack, onegrid):
    root = _pack(
        make_pack,
        """\
        kind: forms
        forms:
          - {id: form.a, name: 甲, use: form.b}
          - {id: form.b, name: 乙, use: form.a}
        """,
    )
    checked = onegrid("check", root, "--lang", "en")
    assert checked.code == 1
    assert "error[form-use-cycle]" in checked.out


def test_a_changed_key_is_checked_at_the_line_that_changed_it(make_pack, onegrid):
    root = _pack(
        make_pack,
        """\
        kind: forms
        forms:
          - id: form.a
            name: 甲
            fields: [{use: field.title}]
          - id: form.b
            use: form.a
            fields:
              - {name: title, minimum: 3}
        """,
    )
    checked = onegrid("check", root, "--lang", "en")
    assert checked.code == 1
    first = checked.out.splitlines()[0]
    assert "forms.yaml:9:23: error[form-key-not-for-type]" in first, checked.out


def test_a_used_form_keeps_its_fields_in_order_and_appends_new_ones(make_pack):
    root = _pack(
        make_pack,
        """\
        kind: forms
        forms:
          - id: form.a
            name: 甲
            fields: [{use: field.title}, {use: field.description}, {use: field.photos}]
          - id: form.b
            use: form.a
            fields:
              - {name: description, required: true}
              - {name: title, remove: true}
              - {name: count, type: integer, label: 数量}
        """,
    )
    found, problems = resolve_forms(load_policy(root))
    assert problems == []
    assert [f.name for f in found["form.b"].fields] == ["description", "photos", "count"]
    assert found["form.b"].field("description").get("required") is True
    assert found["form.a"].field("description").get("required") is None
    assert found["form.b"].name == found["form.a"].name


def test_removing_a_field_a_base_condition_tests_points_at_the_removal(onegrid, tmp_path):
    root = tmp_path / "ours"
    assert onegrid("adopt", "luohu", root).code == 0
    forms_yaml = root / "forms.yaml"
    forms_yaml.write_text(
        forms_yaml.read_text(encoding="utf-8")
        + "forms:\n  - id: form.mine\n    use: form.report.general\n    fields:\n"
        "      - {name: anonymous, remove: true}\n",
        encoding="utf-8",
    )
    line = forms_yaml.read_text(encoding="utf-8").count("\n")
    checked = onegrid("check", root, "--lang", "en")
    assert checked.code == 1
    first = checked.out.splitlines()[0]
    assert first.startswith(f"{forms_yaml}:{line}:27: error[form-condition-removed]"), first
    assert "the condition of 'reporter_name' still tests it (catalogs/luohu/forms.yaml:" in first
