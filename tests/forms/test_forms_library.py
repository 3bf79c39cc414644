"""The shared library `forms/library`, included by a pack and overridden."""

from __future__ import annotations

from onegrid import paths
from onegrid.forms import forms_of, validate
from onegrid.policy.pack import load_policy

from .conftest import ORG


def test_a_pack_includes_the_library_and_overrides_a_field(make_pack, onegrid):
    root = make_pack(
        {
            "pack.yaml": "kind: pack\nid: inc\nname: includes the library\nincludes: [library]\n",
            "org.yaml": ORG,
            "forms.yaml": """\
                kind: forms
                fields:
                  - id: field.location
                    bounds: {lat: [40, 41], lng: [109, 110]}
                forms:
                  - id: form.mine
                    name: 我的表单
                    fields:
                      - {use: field.title, required: true}
                      - {use: field.location, required: true}
                      - use: field.grid
                      - use: field.anonymous
                      - use: field.reporter_phone
                """,
        }
    )
    checked = onegrid("check", root, "--lang", "en")
    # the library's dispatch form names a street level this org lacks: the
    # shared field offers the levels the pack has, and nothing is reported
    assert checked.code == 0
    assert "warning" not in checked.out, checked.out
    policy = load_policy(root)
    forms = forms_of(policy)
    assert {
        "form.step.accept",
        "form.step.dispatch",
        "form.step.handle",
        "form.step.feedback",
        "form.step.evaluate",
    } <= set(forms)
    _clean, errors = validate(
        policy,
        "form.mine",
        {
            "title": "楼道堆物",
            "location": {"text": "x", "lat": 39.5, "lng": 109.5},
            "grid": "g1",
            "anonymous": False,
        },
        "en",
    )
    assert errors == {
        "location": ["latitude must be between 40 and 41"],
        "reporter_phone": ["this field is required"],
    }
    # the step forms pick the pack's own units and departments
    lead = forms["form.step.dispatch"].spec.field("lead")
    assert {"c1", "g1"} <= set(lead.choice_values)
    _clean, errors = validate(
        policy, "form.step.evaluate", {"satisfaction": "unsatisfied", "resolved": False}, "zh"
    )
    assert errors == {"comment": ["此项必填"]}


def test_the_library_checks_clean_on_its_own(onegrid):
    result = onegrid("check", paths.FORMS / "library")
    assert result.code == 0 and result.out == ""
