"""`on_report:` names fields that exist (onegrid check): the report's answers
it copies and the fields of the transition's own form."""

from __future__ import annotations

import shutil
from pathlib import Path

from onegrid.checks import check_pack

PROJECT = Path(__file__).resolve().parents[2]


def test_on_report_answers_must_name_real_fields(tmp_path):
    pack = tmp_path / "cuntan"
    shutil.copytree(PROJECT / "catalogs" / "cuntan", pack)
    workflow = pack / "workflow.yaml"
    text = workflow.read_text(encoding="utf-8")
    override = (
        "  - id: handle_on_the_spot\n"
        "    on_report: {when: {field: on_spot, equals: true}, answers: {result: spot_note, outcome: spot_result}}\n"
    )
    assert "\ntransitions:" not in text
    workflow.write_text(text + "transitions:\n" + override, encoding="utf-8")
    _policy, problems = check_pack(pack)
    found = {(p.code, p.params.get("field")) for p in problems if p.code.startswith("on-report")}
    assert found == {
        ("on-report-unknown-field", "spot_note"),
        ("on-report-unknown-answer", "outcome"),
    }
    assert all(p.severity == "error" for p in problems if p.code.startswith("on-report"))


def test_the_bundled_packs_check_clean_with_it():
    for name in ("kunqu", "baohe", "cuntan", "luohu", "jinshui"):
        _policy, problems = check_pack(PROJECT / "catalogs" / name)
        assert not [p for p in problems if p.code.startswith("on-report")], name
