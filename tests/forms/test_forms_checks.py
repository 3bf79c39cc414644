"""`onegrid check` on forms: problems with their file, line and column."""

from __future__ import annotations

import pytest

from .conftest import forms_yaml


def check(onegrid, form_pack, fields, library="", lang="en"):
    root = form_pack(fields, library)
    result = onegrid("check", root, "--lang", lang)
    return result, [line.split(str(root) + "/", 1)[-1] for line in result.out.splitlines()]


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"(a+)\\1", "invalid escape sequence: \\1"),
        ("(?=x)y", "invalid perl operator: (?="),
        ("(?<!x)y", "invalid perl operator: (?<!"),
        ("a{2000}", "invalid repetition size: {2000}"),
    ],
)
def test_a_pattern_re2_cannot_run_is_refused_with_its_line(onegrid, form_pack, pattern, reason):
    result, lines = check(
        onegrid, form_pack, f'- {{name: code, type: text, label: 编号, pattern: "{pattern}"}}\n'
    )
    assert result.code == 1
    shown = pattern.replace("\\\\", "\\")
    assert lines == [
        f"forms.yaml:6:54: error[form-unsafe-pattern]: the pattern {shown} cannot run under RE2 "
        f"({reason}): backreferences and lookaround are not supported; rewrite it"
    ]


def test_a_catastrophic_pattern_runs_in_linear_time(one_form):
    import time

    _policy, form = one_form(
        '- {name: code, type: text, label: 编号, pattern: "(a+)+$", max_length: 5000}\n'
    )
    start = time.perf_counter()
    _clean, errors = form.validate({"code": "a" * 4000 + "!"})
    assert errors == {"code": ["格式不对"]}
    assert time.perf_counter() - start < 0.5


CASES = [
    (
        "- {name: n, type: integer, label: 数, choices: [{value: a, label: A}]}\n",
        "forms.yaml:6:44: error[form-key-not-for-type]: 'choices' does not apply to a field of type integer (it takes: maximum, minimum)",
    ),
    (
        "- {name: c, type: choice, label: 选}\n",
        "forms.yaml:6:9: error[form-no-choices]: field 'c' needs 'choices'",
    ),
    (
        "- {name: c, type: choice, label: 选, choices: [{value: a, label: A}, {value: a, label: B}]}\n",
        "forms.yaml:6:52: error[form-duplicate-choice]: the choice value 'a' appears twice",
    ),
    (
        "- {name: n, type: integer, label: 数, minimum: 5, maximum: 1}\n",
        "forms.yaml:6:53: error[form-bad-range]: the lower bound 5 is above the upper bound 1",
    ),
    (
        "- {name: a, type: text, label: A}\n- {name: a, type: text, label: B}\n",
        "forms.yaml:7:16: error[form-duplicate-field]: field 'a' appears twice in the form: first on line 6",
    ),
    (
        "- {name: a, type: text, label: A, show_when: {field: b, equals: x}}\n",
        "forms.yaml:6:52: error[form-condition-field]: the condition tests 'b', which is not a field of this form",
    ),
    (
        "- {name: a, type: text, label: A, require_when: {field: a, filled: true}}\n",
        "forms.yaml:6:55: error[form-condition-self]: field 'a' cannot depend on itself",
    ),
    (
        "- {name: k, type: choice, label: K, choices: [{value: a, label: A}]}\n"
        "- {name: b, type: text, label: B, show_when: {field: k, equals: z}}\n",
        "forms.yaml:7:52: error[form-condition-value]: the condition's value \"z\" can never be a value of field 'k'",
    ),
    (
        "- {name: t, type: text, label: T, pattern: '[0-9]{4}', example: abc}\n",
        'forms.yaml:6:71: error[form-bad-example]: the example "abc" is not valid: not well formed',
    ),
    (
        "- {type: text, label: T}\n",
        "forms.yaml:6:9: error[form-field-no-name]: the field has no 'name' (nor a library field to 'use')",
    ),
    (
        "- {name: t, label: T}\n",
        "forms.yaml:6:9: error[form-field-no-type]: field 't' has no 'type'",
    ),
    (
        "- {name: t, type: text}\n",
        "forms.yaml:6:9: error[form-field-no-label]: field 't' has no 'label'",
    ),
    (
        "- {name: t, type: txt, label: T}\n",
        "forms.yaml:6:25: error[schema-enum]: 'forms[0].fields[0].type' is \"txt\", which is not one of:",
    ),
    (
        "- {use: field.nope}\n",
        "forms.yaml:6:15: error[unknown-ref]: unknown field 'field.nope'",
    ),
    (
        "- {name: g, type: org_unit, label: G, levels: [gird]}\n",
        "forms.yaml:6:53: warning[unknown-ref]: unknown level 'gird'; did you mean 'grid'?",
    ),
]


@pytest.mark.parametrize(("fields", "expected"), CASES)
def test_form_problems(onegrid, form_pack, fields, expected):
    result, lines = check(onegrid, form_pack, fields)
    assert any(line.startswith(expected) for line in lines), lines
    assert result.code == (0 if "warning[" in expected else 1)


def test_problems_in_chinese(onegrid, form_pack):
    _result, lines = check(onegrid, form_pack, "- {name: c, type: choice, label: 选}\n", lang="zh")
    assert lines == ["forms.yaml:6:9: error[form-no-choices]: 字段 'c' 需要 'choices'"]


def test_a_library_field_problem_points_into_the_library(onegrid, form_pack):
    _result, lines = check(
        onegrid,
        form_pack,
        "- {use: field.code}\n",
        library='- {id: field.code, type: text, label: 编号, pattern: "(?=a)"}\n',
    )
    assert lines == [
        "forms.yaml:3:54: error[form-unsafe-pattern]: the pattern (?=a) cannot run under RE2 "
        "(invalid perl operator: (?=): backreferences and lookaround are not supported; rewrite it"
    ]


def test_forms_yaml_helper_is_well_formed():
    assert forms_yaml("- {name: a, type: text, label: A}\n").endswith(
        "      - {name: a, type: text, label: A}\n"
    )


def test_a_name_made_from_a_library_id_must_be_a_valid_name(onegrid, form_pack):
    _result, lines = check(
        onegrid,
        form_pack,
        "- {use: field.2nd}\n",
        library="- {id: field.2nd, type: text, label: 第二}\n",
    )
    message = (
        "error[form-field-bad-name]: the field name '2nd' is not valid: start with a lower-case "
        "letter and use only lower-case letters, digits and '_' (set it with name)"
    )
    assert lines == [f"forms.yaml:3:5: {message}", f"forms.yaml:8:9: {message}"]
