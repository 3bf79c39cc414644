"""Every field type and constraint: (input, expected message) in both languages.

Each case is also put to the form's published JSON Schema (jsonschema with
our format checks): whatever our validator refuses, the schema refuses too.
"""

from __future__ import annotations

import math

import pytest


@pytest.fixture
def form(fields_form):
    return fields_form


# (field, submitted value, zh message, en message)
INVALID = [
    ("t_req", None, "此项必填", "this field is required"),
    ("t_req", "   ", "此项必填", "this field is required"),
    ("t_len", 5, "应为文字", "must be text"),
    ("t_len", "ab", "至少 3 个字（现有 2 个）", "at least 3 characters (now 2)"),
    ("t_len", "abcdef", "最多 5 个字（现有 6 个）", "at most 5 characters (now 6)"),
    (
        "t_pat",
        "ab1234",
        "格式不对（应为两个大写字母加四位数字）",
        "not well formed (expected two capitals and four digits)",
    ),
    (
        "t_pat",
        "AB12345",
        "格式不对（应为两个大写字母加四位数字）",
        "not well formed (expected two capitals and four digits)",
    ),
    ("t_bare", "x1", "格式不对", "not well formed"),
    ("long", "长" * 11, "最多 10 个字（现有 11 个）", "at most 10 characters (now 11)"),
    ("long", ["a"], "应为文字", "must be text"),
    ("int", "3", "应为整数", "must be a whole number"),
    ("int", 2.5, "应为整数", "must be a whole number"),
    ("int", True, "应为整数", "must be a whole number"),
    ("int", 0, "不能小于 1", "must be at least 1"),
    ("int", 11, "不能大于 10", "must be at most 10"),
    ("num", "1.5", "应为数字", "must be a number"),
    ("num", math.nan, "应为数字", "must be a number"),
    ("num", math.inf, "应为数字", "must be a number"),
    ("num", -0.5, "不能小于 0", "must be at least 0"),
    ("num", 99.6, "不能大于 99.5", "must be at most 99.5"),
    ("day", "2026-02-30", "应为日期，如 2026-05-01", "must be a date such as 2026-05-01"),
    ("day", "2026/01/01", "应为日期，如 2026-05-01", "must be a date such as 2026-05-01"),
    ("day", 20260101, "应为日期，如 2026-05-01", "must be a date such as 2026-05-01"),
    (
        "at",
        "2026-01-01T10:00",
        "应为日期和时间，如 2026-05-01 08:30",
        "must be a date and time such as 2026-05-01 08:30",
    ),
    (
        "at",
        "2026-13-01T00:00:00Z",
        "应为日期和时间，如 2026-05-01 08:30",
        "must be a date and time such as 2026-05-01 08:30",
    ),
    ("one", "c", "不是可选的选项", "is not one of the choices"),
    ("one", ["a"], "不是可选的选项", "is not one of the choices"),
    ("many", ["a", "z"], "不是可选的选项", "is not one of the choices"),
    ("many", "a", "不是可选的选项", "is not one of the choices"),
    ("many", ["a", "a"], "有重复的项", "has duplicate items"),
    ("many", ["a"], "至少选择 2 项", "choose at least 2"),
    ("many", ["a", "b", "c"], "最多选择 2 项", "choose at most 2"),
    ("yn", "yes", "请选择“是”或“否”", "must be yes or no"),
    ("yn", 1, "请选择“是”或“否”", "must be yes or no"),
    (
        "tel",
        "12345",
        "应为手机号码或固定电话，如 13800138000 或 0472-1234567",
        "must be a mobile or landline number, such as 13800138000 or 0472-1234567",
    ),
    (
        "tel",
        "23800138000",
        "应为手机号码或固定电话，如 13800138000 或 0472-1234567",
        "must be a mobile or landline number, such as 13800138000 or 0472-1234567",
    ),
    (
        "mobile",
        "0472-1234567",
        "应为 11 位手机号码，如 13800138000",
        "must be an 11-digit mobile number such as 13800138000",
    ),
    (
        "mobile",
        "1380013800",
        "应为 11 位手机号码，如 13800138000",
        "must be an 11-digit mobile number such as 13800138000",
    ),
    (
        "landline",
        "13800138000",
        "应为带区号的固定电话，如 0472-1234567",
        "must be a landline number with its area code, such as 0472-1234567",
    ),
    ("addr", 5, "请填写地址", "must be an address"),
    ("addr", {"text": ""}, "请填写地址", "must be an address"),
    ("addr", {"text": "x", "city": "y"}, "请填写地址", "must be an address"),
    (
        "addr",
        {"text": "x", "lat": 40.5},
        "纬度和经度须同时提供",
        "give both latitude and longitude, or neither",
    ),
    (
        "addr",
        {"text": "x", "lat": "40", "lng": 110},
        "纬度和经度应为数字",
        "latitude and longitude must be numbers",
    ),
    (
        "addr",
        {"text": "x", "lat": 39.0, "lng": 110},
        "纬度应在 40 到 41 之间",
        "latitude must be between 40 and 41",
    ),
    (
        "addr",
        {"text": "x", "lat": 40.5, "lng": 111},
        "经度应在 109 到 110 之间",
        "longitude must be between 109 and 110",
    ),
    ("addr", {"text": "长" * 31}, "最多 30 个字（现有 31 个）", "at most 30 characters (now 31)"),
    (
        "addr_req",
        {"text": "x"},
        "请同时提供坐标（纬度和经度）",
        "coordinates (latitude and longitude) are required",
    ),
    (
        "addr_none",
        {"text": "x", "lat": 1, "lng": 1},
        "此项不接受坐标",
        "coordinates are not accepted here",
    ),
    ("grid", "c1", "不是这里可选的单位", "is not a unit you can pick here"),
    ("grid", "g2", "不是这里可选的单位", "is not a unit you can pick here"),
    ("pics", ["../../etc/passwd"], "照片无效，请重新上传", "invalid photo; upload it again"),
    ("pics", ["0" * 32 + ".gif"], "照片无效，请重新上传", "invalid photo; upload it again"),
    (
        "pics",
        ["a" * 32 + ".jpg", "b" * 32 + ".png", "c" * 32 + ".webp"],
        "最多上传 2 张照片",
        "upload at most 2 photos",
    ),
    ("pics", ["a" * 32 + ".jpg", "a" * 32 + ".jpg"], "有重复的项", "has duplicate items"),
    ("nope", "x", "表单中没有这一项", "this form has no such field"),
]

GOOD = {"t_req": "ok"}


@pytest.mark.parametrize(("name", "value", "zh", "en"), INVALID)
def test_invalid_value_message(form, name, value, zh, en):
    submission = dict(GOOD)
    if value is None:
        submission.pop(name, None)
    else:
        submission[name] = value
    for lang, expected in (("zh", zh), ("en", en)):
        clean, errors = form.validate(submission, lang)
        assert errors.get(name) == [expected], errors
        assert name not in clean


@pytest.mark.parametrize(("name", "value", "zh", "en"), INVALID)
def test_the_json_schema_refuses_it_too(form, name, value, zh, en):
    if isinstance(value, float) and not math.isfinite(value):
        pytest.skip("NaN and infinity cannot travel in JSON")
    submission = dict(GOOD)
    if value is None or (isinstance(value, str) and not value.strip()):
        submission.pop(name, None)  # JSON Schema has no notion of blank text
    else:
        submission[name] = value
    assert not form.schema_validator.is_valid(submission), (name, value)


# (field, submitted value, clean value)
VALID = [
    ("t_len", " abc ", "abc"),
    ("t_pat", "AB1234", "AB1234"),
    ("long", "第一行\r\n第二行", "第一行\n第二行"),
    ("int", 10, 10),
    ("int", 3.0, 3),
    ("num", 99.5, 99.5),
    ("num", 0, 0),
    ("day", "2024-02-29", "2024-02-29"),
    ("at", "2026-05-01T08:30:00+08:00", "2026-05-01T08:30:00+08:00"),
    ("at", "2026-05-01T00:30:00Z", "2026-05-01T00:30:00Z"),
    ("one", "b", "b"),
    ("many", ["b", "a"], ["b", "a"]),
    ("yn", False, False),
    ("tel", "13800138000", "13800138000"),
    ("tel", "0472-1234567", "0472-1234567"),
    ("tel", "01012345678", "01012345678"),
    ("landline", "0755-12345678", "0755-12345678"),
    ("addr", {"text": " 钢铁大街 "}, {"text": "钢铁大街"}),
    ("addr", {"text": "x", "lat": 40.5, "lng": 109.5}, {"text": "x", "lat": 40.5, "lng": 109.5}),
    ("addr_req", {"text": "x", "lat": 1, "lng": 2}, {"text": "x", "lat": 1, "lng": 2}),
    ("grid", "g1", "g1"),
    ("pics", ["a" * 32 + ".jpg"], ["a" * 32 + ".jpg"]),
]


@pytest.mark.parametrize(("name", "value", "clean"), VALID)
def test_valid_value(form, name, value, clean):
    got, errors = form.validate({**GOOD, name: value}, "en")
    assert errors == {}
    assert got[name] == clean
    assert form.schema_validator.is_valid({**GOOD, name: clean})


def test_a_submission_that_is_not_a_mapping(form):
    assert form.validate(["t_req"], "en") == (
        {},
        {"": ["the submission must be a mapping of field names to values"]},
    )


def test_every_field_type_is_covered(form):
    from onegrid.policy.kinds.forms import FIELD_TYPES

    assert {f.type for f in form.spec.fields} == set(FIELD_TYPES)


def test_the_registries_implement_exactly_the_declared_vocabulary():
    from onegrid.forms.conditions import OPS
    from onegrid.forms.fieldtypes import TYPES
    from onegrid.policy.kinds.forms import CONDITION_OPS, FIELD_TYPES, KIND

    assert set(TYPES) == set(FIELD_TYPES)
    assert set(OPS) == set(CONDITION_OPS)
    field_schema = KIND.schema["properties"]["forms"]["items"]["properties"]["fields"]["items"]
    assert field_schema["properties"]["type"]["enum"] == list(TYPES)


def test_re2_syntax_python_lacks_works_in_checks_and_schema(one_form):
    _policy, form = one_form(
        '- {name: who, type: text, label: 姓名, pattern: "\\\\p{Han}{2,4}", pattern_doc: 2 到 4 个汉字, example: 张三}\n'
    )
    assert form.validate({"who": "张三"}) == ({"who": "张三"}, {})
    assert form.validate({"who": "Zhang"}, "zh")[1] == {"who": ["格式不对（应为2 到 4 个汉字）"]}
    assert form.schema_validator.is_valid({"who": "张三"})
    assert not form.schema_validator.is_valid({"who": "Zhang"})
