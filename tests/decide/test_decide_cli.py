"""`onegrid explain`, `onegrid test` and the routing checks of `onegrid check`."""

import json
import shutil

from conftest import CATALOGS

BROKEN_ROUTING = """\
kind: routing
severities: [{id: low, name: 低}, {id: high, name: 高}]
tables:
  - id: lead
    hit: first
    rules:
      - id: any-one
        when: {matter: m.one}
        then: {lead: dept.a}
      - id: one-high
        when: {matter: m.one, severity: high}
        then: {lead: dept.b}
  - id: only
    hit: unique
    rules:
      - id: high
        when: {severity: {gte: high}, matter: m.one}
        then: {supervise: true}
      - id: cat
        when: {category: cat.x}
        then: {supervise: true}
"""
ORG = """\
kind: org
levels: [{id: district, name: 区, rank: 1}]
units: [{id: d, name: 区, level: district}]
departments:
  - {id: dept.a, name: 甲局, level: district}
  - {id: dept.b, name: 乙局, level: district}
roles: [{id: handler, name: 处置人员, level: district, bound_to: department}]
"""
MATTERS = """\
kind: matters
categories: [{id: cat.x, name: 类别}]
matters:
  - {id: m.one, name: 事项一, unit: dept.a, level: district, category: cat.x}
  - {id: m.two, name: 事项二, unit: dept.b, level: district}
"""


def test_check_reports_shadowed_overlapping_and_unrouted_with_lines(onegrid, make_pack):
    root = make_pack({"org.yaml": ORG, "matters.yaml": MATTERS, "routing.yaml": BROKEN_ROUTING})
    result = onegrid("check", root, "--lang", "en")
    assert result.code == 1
    lines = result.out.strip().splitlines()
    routing = f"{root}/routing.yaml"
    assert any(
        line.endswith(
            "error[decide-shadowed]: the rule 'lead/one-high' can never apply: the earlier rule 'lead/any-one' (line 7) covers every case it matches"
        )
        and ":10:" in line
        for line in lines
    ), lines
    assert any(
        "error[decide-overlap]: the table 'only' is unique, but the rules 'only/cat' and 'only/high' (line 16) can match the same case"
        in line
        and ":19:" in line
        for line in lines
    ), lines
    assert any(
        line.endswith("error[decide-unrouted]: no routing rule routes the matter 'm.two'")
        and ":5:" in line
        for line in lines
    ), lines
    assert all(line.startswith(routing) or "matters.yaml" in line for line in lines)


def test_check_reports_unknown_facts_and_staffless_targets(onegrid, make_pack):
    root = make_pack(
        {
            "org.yaml": ORG.replace("bound_to: department", "bound_to: unit"),
            "matters.yaml": MATTERS,
            "routing.yaml": """\
            kind: routing
            tables:
              - id: t
                hit: first
                rules:
                  - {id: a, when: {mater: m.one}, then: {lead: dept.a}}
                  - {id: c, when: {district: dd}, then: {lead: dept.a}}
                  - {id: b, then: {}}
            """,
        }
    )
    result = onegrid("check", root, "--lang", "en")
    assert result.code == 1
    assert (
        "error[decide-unknown-fact]: unknown fact 'mater': no case carries it; did you mean 'matter'?"
        in result.out
    )
    assert "error[decide-no-staff]: 'dept.a' has no role at the district level" in result.out
    assert (
        "error[decide-unknown-unit]: unknown org unit or department 'dd'; did you mean 'd'?"
        in result.out
    )


def test_bundled_packs_check_and_test_clean(onegrid):
    packs = sorted(p for p in CATALOGS.iterdir() if (p / "pack.yaml").is_file())
    result = onegrid("check", *packs)
    assert result.code == 0, result.out
    result = onegrid("test", *packs, "--format", "json")
    assert result.code == 0, result.out
    report = json.loads(result.out)
    assert report["ok"] and report["failed"] == 0


def test_every_bundled_rule_and_rung_is_tested(onegrid):
    packs = sorted(p for p in CATALOGS.iterdir() if (p / "routing.yaml").is_file())
    assert packs
    report = json.loads(onegrid("test", *packs, "--format", "json").out)
    for pack in report["packs"]:
        assert pack["tests"], pack["pack"]
        assert pack["untested"] == {"rules": [], "rungs": []}, pack["pack"]


def test_wrong_expectation_fails_with_a_readable_diff(onegrid, tmp_path):
    pack = tmp_path / "kunqu"
    shutil.copytree(CATALOGS / "kunqu", pack)
    tests = pack / "tests" / "routing.yaml"
    text = tests.read_text(encoding="utf-8")
    tests.write_text(text.replace("lead: dept.emergency", "lead: dept.urban", 1), encoding="utf-8")
    result = onegrid("test", pack, "--lang", "en")
    assert result.code == 1
    out = result.out
    assert "✗ " in out and "gas-leak" in out
    assert '    lead:\n      - expected: "dept.urban"\n      + got: "dept.emergency"\n' in out
    # the explain trace follows the diff
    assert "✓ lead/gas" in out and "matter eq m.emergency.gas (actual m.emergency.gas)" in out
    assert "8 test(s) passed, 1 failed" in result.err


def test_explain_text_json_and_stdin(onegrid, tmp_path, monkeypatch):
    facts = tmp_path / "case.yaml"
    facts.write_text("matter: m.city.stall\ngrid: g.heping.01\nseverity: major\n", encoding="utf-8")
    result = onegrid("explain", "kunqu", "--facts", facts)
    assert result.code == 0
    assert "牵头: st.linyin（林荫路街道）" in result.out
    assert (
        "✓ lead/whistle  catalogs/kunqu/routing.yaml:" in result.out
        or "✓ lead/whistle  " in result.out
    )
    assert "✗ matter eq m.emergency.gas（实际 m.city.stall）" in result.out

    import io

    monkeypatch.setattr("sys.stdin", io.StringIO('{"matter": "m.gov.fraud", "channel": "police"}'))
    result = onegrid("explain", "kunqu", "--facts", "-", "--format", "json")
    assert result.code == 0
    data = json.loads(result.out)
    assert data["decision"]["lead"] == "dept.police"
    assert data["decision"]["rule_ids"] == ["lead/departments"]
    trial = data["trials"][0]
    assert trial["id"] == "lead/gas" and trial["failed"]["fact"] == "matter"
    assert trial["file"].endswith("routing.yaml") and isinstance(trial["line"], int)


def test_explain_bad_facts_is_a_usage_error(onegrid, tmp_path):
    facts = tmp_path / "case.json"
    facts.write_text('{"matter": "m.nope"}', encoding="utf-8")
    result = onegrid("explain", "kunqu", "--facts", facts, "--lang", "en")
    assert result.code == 2
    assert (
        "error[facts-unknown]: the fact 'matter' is 'm.nope', which is not a known matter"
        in result.err
    )
