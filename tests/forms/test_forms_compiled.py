"""Forms are compiled once per policy version."""

from __future__ import annotations

from onegrid.forms import forms_of, validate
from onegrid.policy.pack import load_policy


def test_the_same_content_shares_one_compiled_set(form_pack):
    root = form_pack("- {name: a, type: text, label: A}\n")
    first, second = load_policy(root), load_policy(root)
    assert first is not second
    assert forms_of(first) is forms_of(second)
    assert forms_of(first).form("f").schema["$id"] == f"urn:onegrid:form:{first.content_hash}:f"


def test_a_new_version_gets_its_own(form_pack):
    old = load_policy(form_pack("- {name: a, type: text, label: A}\n", name="v1"))
    new = load_policy(form_pack("- {name: a, type: text, label: A, required: true}\n", name="v1b"))
    assert forms_of(old) is not forms_of(new)
    assert validate(old, "f", {}, "en") == ({}, {})
    assert validate(new, "f", {}, "en") == ({}, {"a": ["this field is required"]})


def test_the_schema_is_built_once(form_pack):
    form = forms_of(load_policy(form_pack("- {name: a, type: text, label: A}\n"))).form("f")
    assert form.schema is form.schema
    assert form.schema_validator is form.schema_validator
