"""Conditions re-checked on the server, library fields used and overridden,
and form-encoded input turned into typed values."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from onegrid.forms import form_values, validate

CONDITIONS = """\
- name: kind
  type: choice
  label: 类型
  choices: [{value: fire, label: 火}, {value: gas, label: 气}, {value: other, label: 其他}]
- {name: tags, type: multichoice, label: 标签, choices: [{value: x, label: X}, {value: y, label: Y}]}
- {name: on_spot, type: yesno, label: 当场处置}
- {name: result, type: textarea, label: 处置情况, show_when: {field: on_spot, equals: true}, required: true}
- {name: other_text, type: text, label: 其他说明, require_when: {field: kind, equals: other}}
- {name: danger, type: integer, label: 危险人数, require_when: {field: kind, in: [fire, gas]}}
- {name: phone, type: phone, label: 电话, require_when: {field: other_text, filled: true}}
- {name: why_none, type: text, label: 为何无标签, show_when: {field: tags, filled: false}}
- {name: about_x, type: text, label: 关于 X, show_when: {field: tags, equals: x}, required: true}
"""


@pytest.fixture
def form(one_form):
    _policy, compiled = one_form(CONDITIONS)
    return compiled


@pytest.mark.parametrize(
    ("submission", "missing"),
    [
        ({}, []),
        ({"on_spot": True}, ["result"]),
        ({"on_spot": False}, []),
        ({"kind": "other"}, ["other_text", "danger"][:1]),
        ({"kind": "fire"}, ["danger"]),
        ({"kind": "gas", "danger": 3}, []),
        ({"other_text": "说明"}, ["phone"]),
        ({"tags": ["x"]}, ["about_x"]),
        ({"tags": ["y"]}, []),
    ],
)
def test_conditional_requirements(form, submission, missing):
    _clean, errors = form.validate(submission, "zh")
    assert sorted(errors) == sorted(missing)
    assert all(errors[name] == ["此项必填"] for name in missing)


def test_a_hidden_field_is_dropped_not_rejected(form):
    # without JavaScript the browser shows and sends every field
    clean, errors = form.validate(
        {"on_spot": False, "result": "做了", "tags": ["y"], "why_none": "x"}
    )
    assert errors == {}
    assert clean == {"on_spot": False, "tags": ["y"]}


def test_a_shown_field_is_kept(form):
    clean, errors = form.validate({"on_spot": True, "result": "已清理", "why_none": "未分类"})
    assert errors == {}
    assert clean == {"on_spot": True, "result": "已清理", "why_none": "未分类"}


def test_conditions_agree_with_the_json_schema(form):
    v = form.schema_validator
    assert not v.is_valid({"on_spot": True})
    assert v.is_valid({"on_spot": True, "result": "x"})
    assert not v.is_valid({"kind": "fire"})
    assert not v.is_valid({"tags": ["x"]})
    assert v.is_valid({"tags": ["y"]})
    assert not v.is_valid({"other_text": "a"})


LIBRARY = """\
- id: field.phone
  type: phone
  label: {zh: 电话, en: Phone}
  help: 库里的说明
  phone: [mobile]
- id: field.place
  type: address
  label: 地点
  bounds: {lat: [30, 31], lng: [100, 101]}
"""


def test_a_form_uses_a_library_field_and_overrides_keys(one_form):
    _policy, form = one_form(
        """\
        - {use: field.phone, required: true}
        - {use: field.phone, name: landline, phone: [landline], label: 座机}
        - {use: field.place, bounds: {lat: [40, 41], lng: [109, 110]}}
        """,
        library=LIBRARY,
    )
    assert [f.name for f in form.spec.fields] == ["phone", "landline", "place"]
    _clean, errors = form.validate(
        {"landline": "13800138000", "place": {"text": "x", "lat": 30.5, "lng": 100.5}}, "en"
    )
    assert errors == {
        "phone": ["this field is required"],
        "landline": ["must be a landline number with its area code, such as 0472-1234567"],
        "place": ["latitude must be between 40 and 41"],
    }
    assert form.spec.fields[1].get("help") == "库里的说明"


def test_a_null_override_drops_a_library_condition(one_form):
    _policy, form = one_form(
        """\
        - {name: anonymous, type: yesno, label: 匿名}
        - {use: field.tel, show_when: null, required: true}
        """,
        library="- {id: field.tel, type: phone, label: 电话, show_when: {field: anonymous, equals: false}}\n",
    )
    assert form.validate({"anonymous": True}, "en")[1] == {"tel": ["this field is required"]}


def test_form_values_from_a_browser_post(one_form):
    policy, _form = one_form(
        """\
        - {name: n, type: integer, label: 数}
        - {name: x, type: number, label: 数}
        - {name: ok, type: yesno, label: 是否}
        - {name: tags, type: multichoice, label: 标签, choices: [{value: a, label: A}, {value: b, label: B}]}
        - {name: where, type: address, label: 地点}
        - {name: at, type: datetime, label: 时间}
        - {name: tel, type: phone, label: 电话}
        - {name: note, type: textarea, label: 备注}
        - {name: pics, type: photo, label: 照片}
        """
    )
    data = MultiDict(
        [
            ("csrf_token", "t"),
            ("n", "12"),
            ("x", "1.5"),
            ("ok", "no"),
            ("tags", "a"),
            ("tags", "b"),
            ("where[text]", " 钢铁大街 "),
            ("where[lat]", "40.6"),
            ("where[lng]", "109.8"),
            ("at", "2026-05-01T08:30"),
            ("tel", "+86 138 0013 8000"),
            ("note", "  "),
            ("pics", "a" * 32 + ".jpg"),
            ("evil", "<script>"),
        ]
    )
    values = form_values(policy, "f", data)
    assert values == {
        "n": 12,
        "x": 1.5,
        "ok": False,
        "tags": ["a", "b"],
        "where": {"text": "钢铁大街", "lat": 40.6, "lng": 109.8},
        "at": "2026-05-01T08:30:00+08:00",
        "tel": "13800138000",
        "pics": ["a" * 32 + ".jpg"],
        "evil": "<script>",
    }
    clean, errors = validate(policy, "f", values, "en")
    assert errors == {"evil": ["this form has no such field"]}
    assert clean["at"] == "2026-05-01T08:30:00+08:00"


def test_strings_that_do_not_convert_are_reported_per_field(one_form):
    policy, _form = one_form(
        "- {name: n, type: integer, label: 数}\n- {name: ok, type: yesno, label: 是否}\n"
    )
    values = form_values(policy, "f", {"n": "twelve", "ok": "perhaps"})
    assert validate(policy, "f", values, "zh")[1] == {"n": ["应为整数"], "ok": ["请选择“是”或“否”"]}


def test_open311_attribute_keys(one_form):
    policy, _form = one_form(
        "- {name: n, type: integer, label: 数}\n"
        "- {name: tags, type: multichoice, label: 标签, choices: [{value: a, label: A}, {value: b, label: B}]}\n"
    )
    data = [
        ("api_key", "k"),
        ("service_code", "m.x"),
        ("attribute[n]", "3"),
        ("attribute[tags][]", "a"),
        ("attribute[tags][]", "b"),
    ]
    assert form_values(policy, "f", data, prefix="attribute") == {"n": 3, "tags": ["a", "b"]}
