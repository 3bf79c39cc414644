"""`check` on what the doors rely on: channels, the severities form answers
stand for, and someone to act on every matter's default route."""

from __future__ import annotations

BASE = {
    "org.yaml": """\
        kind: org
        levels: [{id: district, name: 区, rank: 1}, {id: street, name: 街道, rank: 2}]
        units:
          - {id: d, name: 区, level: district}
          - {id: s, name: 街道, level: street, parent: d}
        departments: [{id: dept.a, name: 甲局, level: district}]
        roles: [{id: staff, name: 工作人员, level: district, bound_to: department}]
        """,
    "matters.yaml": """\
        kind: matters
        matters:
          - {id: m.x, name: 事, unit: dept.a, level: district, form: f.r}
          - {id: m.y, name: 街道的事, unit: s, level: street}
        """,
    "forms.yaml": """\
        kind: forms
        forms:
          - id: f.r
            name: 上报
            fields:
              - name: urgency
                type: choice
                label: 紧急程度
                fact: severity
                choices:
                  - {value: normal, label: 一般, means: minor}
                  - {value: urgent, label: 紧急, means: majr}
        """,
    "routing.yaml": """\
        kind: routing
        severities: [{id: minor, name: 一般}, {id: major, name: 较大}]
        channels: [{id: hotline, name: 热线, doors: [api]}, {id: patrol, name: 巡查}]
        intake_unit: dept.a
        tables:
          - id: t
            hit: collect
            rules:
              - {id: r, when: {channel: hotlin}, then: {supervise: true}}
        """,
    "tests/t.yaml": """\
        kind: tests
        tests:
          - {id: t1, facts: {matter: m.x, channel: patrl}, expect: {lead: dept.a}}
        """,
}


def lines_of(onegrid, root):
    r = onegrid("check", root, "--lang", "en")
    assert r.code == 1
    lines = r.out.splitlines()

    def line(code: str, fragment: str) -> str:
        found = [x for x in lines if f"error[{code}]" in x and fragment in x]
        assert found, (code, fragment, r.out)
        return found[0]

    return line


def test_a_rule_or_a_test_naming_an_unknown_channel(onegrid, make_pack):
    root = make_pack(BASE, name="p")
    line = lines_of(onegrid, root)
    assert line("unknown-ref", "hotlin").startswith(f"{root / 'routing.yaml'}:9:")
    assert "hotline" in line("unknown-ref", "hotlin")  # did you mean
    assert line("unknown-ref", "patrl").startswith(f"{root / 'tests/t.yaml'}:3:")
    assert "patrol" in line("unknown-ref", "patrl")


def test_an_answer_meaning_an_unknown_severity_and_a_matter_nobody_handles(onegrid, make_pack):
    files = dict(BASE)
    files["routing.yaml"] = files["routing.yaml"].replace("hotlin}", "hotline}")
    files["tests/t.yaml"] = files["tests/t.yaml"].replace("patrl", "patrol")
    root = make_pack(files, name="q")
    line = lines_of(onegrid, root)
    sev = line("decide-unknown-severity", "majr")
    assert sev.startswith(f"{root / 'forms.yaml'}:12:") and "major" in sev
    # the street has no role: m.y's own route reaches no one
    assert line("decide-no-staff", "'s'").startswith(f"{root / 'matters.yaml'}:4:")
