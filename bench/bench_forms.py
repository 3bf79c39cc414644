"""Forms: validating a 20-field submission and rendering a 20-field form.

Against, in the same run: plain jsonschema validating the same submission
against a fixed, hand-written equivalent schema, and plain Jinja2 rendering
a fixed template of 20 equivalent inputs. Targets (issue 5): validation
under 100 µs median, rendering under 2 ms median.
"""

from __future__ import annotations

import statistics
import tempfile
import textwrap
import time
from pathlib import Path

from jinja2 import Environment
from jsonschema import Draft202012Validator

from onegrid.forms import forms_of, render_form
from onegrid.forms.formats import FORMATS
from onegrid.policy.pack import load_policy

RUNS = 2_000
RENDER_RUNS = 300
VALIDATE_TARGET_US = 100
RENDER_TARGET_MS = 2.0

ORG = """\
kind: org
levels:
  - {id: district, name: 区, rank: 1}
  - {id: grid, name: 网格, rank: 2}
units:
  - {id: d, name: 区, level: district}
""" + "".join(f"  - {{id: g{i}, name: 第{i}网格, level: grid, parent: d}}\n" for i in range(30))

# 20 fields, every type at least once, two conditions
FIELDS = """\
- {name: title, type: text, label: {zh: 标题, en: Title}, required: true, max_length: 60}
- {name: code, type: text, label: 编号, pattern: "[A-Z]{2}[0-9]{6}", example: AB123456}
- {name: description, type: textarea, label: 描述, required: true, min_length: 5, max_length: 2000}
- {name: people, type: integer, label: 人数, minimum: 0, maximum: 10000}
- {name: area, type: number, label: 面积, minimum: 0, maximum: 100000}
- {name: day, type: date, label: 日期, required: true}
- {name: at, type: datetime, label: 时间}
- {name: kind, type: choice, label: 类型, required: true, choices: [{value: fire, label: 消防}, {value: gas, label: 燃气}, {value: other, label: 其他}]}
- {name: tags, type: multichoice, label: 标签, max_items: 3, choices: [{value: a, label: 甲}, {value: b, label: 乙}, {value: c, label: 丙}, {value: d, label: 丁}]}
- {name: urgent, type: yesno, label: 紧急, required: true}
- {name: phone, type: phone, label: 电话, required: true}
- {name: landline, type: phone, label: 座机, phone: [landline]}
- {name: place, type: address, label: 地点, required: true, bounds: {lat: [40, 41], lng: [109, 110]}}
- {name: grid, type: org_unit, label: 网格, levels: [grid]}
- {name: photos, type: photo, label: 照片, max_items: 3}
- {name: on_spot, type: yesno, label: 当场处置}
- {name: result, type: textarea, label: 处置情况, show_when: {field: on_spot, equals: true}, required: true}
- {name: other_text, type: text, label: 其他说明, require_when: {field: kind, equals: other}}
- {name: reporter, type: text, label: 反映人, max_length: 30}
- {name: note, type: textarea, label: 备注, max_length: 500}
"""

SUBMISSION = {
    "title": "楼道堆放杂物",
    "code": "AB123456",
    "description": "三单元一楼楼道堆放纸箱和旧家具，堵塞消防通道。",
    "people": 40,
    "area": 12.5,
    "day": "2026-05-01",
    "at": "2026-05-01T08:30:00+08:00",
    "kind": "fire",
    "tags": ["a", "c"],
    "urgent": False,
    "phone": "13800138000",
    "landline": "0472-1234567",
    "place": {"text": "钢铁大街 1 号", "lat": 40.6, "lng": 109.8},
    "grid": "g7",
    "photos": ["0123456789abcdef0123456789abcdef.jpg"],
    "on_spot": True,
    "result": "已通知物业清理",
    "other_text": "无",
    "reporter": "张三",
    "note": "复查时间另定",
}

_S = {"type": "string"}
FIXED_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["title", "description", "day", "kind", "urgent", "phone", "place"],
    "properties": {
        "title": {**_S, "maxLength": 60},
        "code": {**_S, "pattern": "^[A-Z]{2}[0-9]{6}$"},
        "description": {**_S, "minLength": 5, "maxLength": 2000},
        "people": {"type": "integer", "minimum": 0, "maximum": 10000},
        "area": {"type": "number", "minimum": 0, "maximum": 100000},
        "day": {**_S, "format": "date"},
        "at": {**_S, "format": "date-time"},
        "kind": {"enum": ["fire", "gas", "other"]},
        "tags": {
            "type": "array",
            "items": {"enum": ["a", "b", "c", "d"]},
            "uniqueItems": True,
            "maxItems": 3,
        },
        "urgent": {"type": "boolean"},
        "phone": {**_S, "pattern": "^(?:1[3-9][0-9]{9}|0[1-9][0-9]{1,2}-?[1-9][0-9]{6,7})$"},
        "landline": {**_S, "pattern": "^0[1-9][0-9]{1,2}-?[1-9][0-9]{6,7}$"},
        "place": {
            "type": "object",
            "additionalProperties": False,
            "required": ["text"],
            "properties": {
                "text": {**_S, "minLength": 1, "maxLength": 300},
                "lat": {"type": "number", "minimum": 40, "maximum": 41},
                "lng": {"type": "number", "minimum": 109, "maximum": 110},
            },
        },
        "grid": {"enum": [f"g{i}" for i in range(30)]},
        "photos": {
            "type": "array",
            "items": {**_S, "pattern": "^[0-9a-f]{32}\\.(jpg|png|webp)$"},
            "maxItems": 3,
        },
        "on_spot": {"type": "boolean"},
        "result": {**_S, "maxLength": 20000},
        "other_text": {**_S, "maxLength": 500},
        "reporter": {**_S, "maxLength": 30},
        "note": {**_S, "maxLength": 500},
    },
    "allOf": [
        {
            "if": {"properties": {"on_spot": {"const": True}}, "required": ["on_spot"]},
            "then": {"required": ["result"]},
        },
        {
            "if": {"properties": {"kind": {"const": "other"}}, "required": ["kind"]},
            "then": {"required": ["other_text"]},
        },
    ],
}

FIXED_TEMPLATE = """\
<form method="post" action="{{ action }}">
<input type="hidden" name="csrf_token" value="{{ token }}">
{% for f in fields %}
<div class="field">
  <label for="f-{{ f.name }}">{{ f.label }}</label>
  {% if f.choices %}
  <select id="f-{{ f.name }}" name="{{ f.name }}">
  {% for value, label in f.choices %}<option value="{{ value }}"{% if value == values.get(f.name) %} selected{% endif %}>{{ label }}</option>{% endfor %}
  </select>
  {% else %}
  <input type="text" id="f-{{ f.name }}" name="{{ f.name }}" value="{{ values.get(f.name, '') }}"{% if f.required %} required{% endif %}>
  {% endif %}
  {% if errors.get(f.name) %}<p class="error">{{ errors[f.name]|join("; ") }}</p>{% endif %}
</div>
{% endfor %}
<button type="submit">提交</button>
</form>
"""


def median_us(fn, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - start)
    return statistics.median(samples) / 1000


def build(directory: Path):
    (directory / "pack.yaml").write_text("kind: pack\nid: bench\nname: bench\n", encoding="utf-8")
    (directory / "org.yaml").write_text(ORG, encoding="utf-8")
    forms = "kind: forms\nforms:\n  - id: f\n    name: 基准表单\n    fields:\n" + textwrap.indent(
        FIELDS, "      "
    )
    (directory / "forms.yaml").write_text(forms, encoding="utf-8")
    return load_policy(directory)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        policy = build(Path(tmp))
    form = forms_of(policy).form("f")
    assert len(form.spec.fields) == 20
    _clean, errors = form.validate(SUBMISSION, "zh")
    assert errors == {}, errors
    fixed = Draft202012Validator(FIXED_SCHEMA, format_checker=FORMATS)
    assert fixed.is_valid(SUBMISSION)
    assert form.schema_validator.is_valid(SUBMISSION)

    ours = median_us(lambda: form.validate(SUBMISSION, "zh"), RUNS)
    plain = median_us(lambda: fixed.is_valid(SUBMISSION), RUNS)
    plain_errors = median_us(lambda: list(fixed.iter_errors(SUBMISSION)), RUNS)
    generated = median_us(lambda: form.schema_validator.is_valid(SUBMISSION), RUNS)

    env = Environment(autoescape=True)
    template = env.from_string(FIXED_TEMPLATE)
    fixed_fields = [
        {
            "name": f.name,
            "label": f.name,
            "required": bool(f.get("required")),
            "choices": [(v, v) for v in f.choice_values],
        }
        for f in form.spec.fields
    ]
    values = {k: str(v) for k, v in SUBMISSION.items()}
    render_form(policy, "f", SUBMISSION, {}, "zh")  # warm the view cache
    render_ours = median_us(
        lambda: render_form(
            policy, "f", SUBMISSION, {"title": ["此项必填"]}, "zh", csrf=("csrf_token", "t")
        ),
        RENDER_RUNS,
    )
    render_plain = median_us(
        lambda: template.render(
            fields=fixed_fields, values=values, errors={"title": ["此项必填"]}, action="", token="t"
        ),
        RENDER_RUNS,
    )

    print(
        f"validate 20 fields, onegrid (closures)     median {ours:8.1f} µs  (target < {VALIDATE_TARGET_US} µs)"
    )
    print(
        f"validate 20 fields, jsonschema is_valid    median {plain:8.1f} µs  (fixed equivalent schema)"
    )
    print(
        f"validate 20 fields, jsonschema iter_errors median {plain_errors:8.1f} µs  (fixed equivalent schema)"
    )
    print(
        f"validate 20 fields, jsonschema is_valid    median {generated:8.1f} µs  (the form's generated schema)"
    )
    print(
        f"render 20 fields, onegrid render_form      median {render_ours / 1000:8.3f} ms  (target < {RENDER_TARGET_MS} ms)"
    )
    print(
        f"render 20 fields, plain Jinja2             median {render_plain / 1000:8.3f} ms  (fixed equivalent template)"
    )
    ok = ours < VALIDATE_TARGET_US and render_ours / 1000 < RENDER_TARGET_MS
    print("targets met" if ok else "TARGETS MISSED")


if __name__ == "__main__":
    main()
