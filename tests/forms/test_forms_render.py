"""`onegrid render PACK FORM [-o FILE]`."""

from __future__ import annotations

from conftest import CATALOGS


def test_render_writes_a_standalone_page_to_stdout(onegrid):
    result = onegrid("render", CATALOGS / "kunqu", "form.report.city")
    assert result.code == 0, result.err
    assert result.out.startswith("<!doctype html>")
    assert "<h1>城市管理问题上报</h1>" in result.out
    assert 'name="city_type"' in result.out and "<script>" in result.out


def test_render_to_a_file_in_english(onegrid, tmp_path):
    out = tmp_path / "preview.html"
    result = onegrid("render", "luohu", "form.report.rights", "-o", out, "--lang", "en")
    assert result.code == 0, result.err
    assert result.out == ""
    page = out.read_text(encoding="utf-8")
    assert "<h1>Women&#39;s and children&#39;s rights request</h1>" in page


def test_render_a_matter_renders_its_form(onegrid):
    result = onegrid("render", "kunqu", "m.service.errand", "--lang", "en")
    assert result.code == 0, result.err
    assert "<h1>General report</h1>" in result.out


def test_an_unknown_form_is_a_usage_error_with_a_suggestion(onegrid):
    result = onegrid("render", "kunqu", "form.report.cty", "--lang", "en")
    assert result.code == 2
    assert (
        result.err.strip()
        == "error[form-unknown]: unknown form 'form.report.cty'; did you mean 'form.report.city'?"
    )


def test_a_broken_pack_is_reported_not_rendered(onegrid, form_pack):
    root = form_pack('- {name: c, type: text, label: C, pattern: "(?=x)"}\n')
    result = onegrid("render", root, "f", "--lang", "en")
    assert result.code == 1
    assert "error[form-unsafe-pattern]" in result.err
    assert result.out == ""


def test_render_the_json_schema_and_the_open311_definition(onegrid):
    import json

    schema = json.loads(onegrid("render", "luohu", "form.report.rights", "--as", "schema").out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "in_danger" in schema["required"] and schema["additionalProperties"] is False
    definition = json.loads(
        onegrid("render", "luohu", "m.frontage", "--as", "open311", "--lang", "en").out
    )
    assert definition["service_code"] == "m.frontage"
    assert definition["attributes"][0] == {
        "variable": True,
        "code": "title",
        "datatype": "string",
        "required": True,
        "datatype_description": "text, at most 60 characters",
        "order": 1,
        "description": "Title: What happened, in one line",
    }
