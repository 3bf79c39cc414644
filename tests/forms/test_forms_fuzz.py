"""Whatever arrives, validation answers with values and messages, never an
exception, and only accepts what the field checks allow."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)

NAMES = st.sampled_from(
    [
        "t_req",
        "t_len",
        "t_pat",
        "long",
        "int",
        "num",
        "day",
        "at",
        "one",
        "many",
        "yn",
        "tel",
        "addr",
        "grid",
        "pics",
        "zz",
    ]
)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(submission=st.dictionaries(NAMES, JSON, max_size=8), lang=st.sampled_from(["zh", "en"]))
def test_any_submission_gets_an_answer(fields_form, submission, lang):
    clean, errors = fields_form.validate(submission, lang)
    assert set(clean).isdisjoint(errors)
    assert all(isinstance(m, str) and m for msgs in errors.values() for m in msgs)
    json.dumps(clean)  # clean values are plain JSON
    if not errors:
        # what we accept, normalised, the published schema accepts too
        assert fields_form.schema_validator.is_valid(clean), (submission, clean)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=st.dictionaries(NAMES, JSON, max_size=8))
def test_any_values_render(fields_form, values):
    from onegrid.forms.html import ENV, current, view

    _clean, errors = fields_form.validate(values, "en")
    html = ENV.get_template("form.html").render(
        form=view(fields_form, "en"), values=current(values, fields_form), errors=errors,
        action="", csrf=None, prefix="f-", submit=None,
    )  # fmt: skip
    assert html.count("<form ") == 1 and "<script" not in html
