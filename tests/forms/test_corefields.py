"""The pack's Open311 core-field mapping: checked by `onegrid check`, and
what it fills and reads back on a bundled pack's form."""

from __future__ import annotations

import shutil

from conftest import PROJECT
from onegrid.forms import corefields, forms_of
from onegrid.policy.pack import read_pack


def test_check_names_a_mapped_field_no_form_has_and_a_default_its_field_refuses(onegrid, tmp_path):
    pack = tmp_path / "kunqu"
    shutil.copytree(PROJECT / "catalogs" / "kunqu", pack)
    matters = pack / "matters.yaml"
    text = matters.read_text(encoding="utf-8")
    text = text.replace("    reporter_phone: [phone]\n", "    reporter_mail: [email]\n")
    text = text.replace("defaults: {urgency: normal}", "defaults: {urgency: hurry}")
    matters.write_text(text, encoding="utf-8")
    result = onegrid("check", pack)
    assert result.code == 1
    lines = [line for line in result.out.splitlines() if "open311" in line]
    assert any("matters.yaml:" in line and "reporter_mail" in line for line in lines), result.out
    assert any("matters.yaml:" in line and "hurry" in line for line in lines), result.out
    english = onegrid("check", pack, "--lang", "en")
    assert "is in no matter's report form" in english.out


def test_core_fields_fill_a_bundled_form_and_read_back():
    policy, _problems = read_pack(PROJECT / "catalogs" / "luohu")
    rules = corefields.mapping(policy)
    form = forms_of(policy).form("form.report.general")
    core = {
        "description": "路灯坏了" * 30,
        "address_string": None,
        "lat": 22.55,
        "long": 114.12,
        "first_name": "Ada",
        "last_name": "Lovelace",
        "phone": "13800138000",
    }
    filled = corefields.fill(rules, form, core, {"urgency": "urgent"})
    assert filled["urgency"] == "urgent"  # an attribute sent wins over the default
    assert filled["description"] == core["description"]
    assert len(filled["title"]) == 60 and filled["title"] == core["description"][:60]
    assert filled["location"] == {"text": "22.55, 114.12", "lat": 22.55, "lng": 114.12}
    assert filled["reporter_name"] == "Lovelace Ada"
    assert filled["anonymous"] is False  # when_sent: phone
    assert corefields.read(rules, filled) == {
        "description": core["description"],
        "address": "22.55, 114.12",
        "lat": 22.55,
        "long": 114.12,
    }
    assert rules.contact_fields == {"reporter_name", "reporter_phone"}
    quiet = corefields.fill(rules, form, {"description": "井盖丢失了"}, {})
    assert "anonymous" not in quiet and quiet["urgency"] == "normal"
