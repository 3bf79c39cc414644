"""Routing and escalation through the public interface, on kunqu and small packs."""

import pytest

from conftest import CATALOGS
from onegrid.decide import FactsError, decide, enrich, escalate, explain, ladder_path
from onegrid.errors import PolicyError
from onegrid.messages import format_line
from onegrid.policy.pack import load_policy

ORG = """\
kind: org
levels:
  - {id: district, name: 区, rank: 1}
  - {id: street, name: 街道, rank: 2}
  - {id: community, name: 社区, rank: 3}
units:
  - {id: d, name: 区, level: district}
  - {id: s1, name: 街道一, level: street, parent: d, attributes: {rural: true}}
  - {id: c1, name: 社区一, level: community, parent: s1, attributes: {households: 900, estate: old}}
  - {id: c2, name: 社区二, level: community, parent: s1, attributes: {households: 300, estate: new}}
departments:
  - {id: dept.a, name: 甲局, level: district}
  - {id: dept.b, name: 乙局, level: district}
roles:
  - {id: officer, name: 工作人员, level: community}
  - {id: street_officer, name: 街道工作人员, level: street}
  - {id: handler, name: 处置人员, level: district, bound_to: department}
"""
MATTERS = """\
kind: matters
categories:
  - {id: cat.x, name: 类别}
matters:
  - {id: m.one, name: 事项一, unit: dept.a, level: district, category: cat.x, limits: {handle: 5wd}}
  - {id: m.two, name: 事项二, unit: dept.b, level: district, on_the_spot: true}
"""


@pytest.fixture(scope="module")
def kunqu():
    return load_policy(CATALOGS / "kunqu")


def test_kunqu_gas_leak_goes_to_emergency_with_the_gas_company(kunqu):
    d = decide(kunqu, {"matter": "m.emergency.gas", "grid": "g.heping.01", "channel": "hotline"})
    assert d.lead == "dept.emergency"
    assert d.enterprise == "ent.gas"
    assert d.level == "district"
    assert d.supervise is True
    assert set(d.assist) == {"dept.housing", "dept.police"}
    assert d.limits["handle"] == "2h" and d.limits["feedback"] == "1wd"
    assert d.rule_ids == ("lead/gas", "extras/hotline")
    assert d.rules == ["lead/gas", "extras/hotline"] and d.assistants == list(d.assist)


def test_kunqu_minor_matter_stays_in_its_grid_and_climbs_the_ladder(kunqu):
    facts = {"matter": "m.party.activity", "grid": "g.heping.01", "severity": "minor"}
    d = decide(kunqu, facts)
    assert (d.lead, d.level, d.ladder, d.rung) == ("g.heping.01", "grid", "standard", "grid")
    path = ladder_path(kunqu, facts)
    assert [(s.level, s.unit, s.limit, s.final) for s in path] == [
        ("community", "comm.heping", "3d", False),
        ("street", "st.linyin", "5wd", False),
        ("district", "dept.command", "5wd", True),
    ]
    assert escalate(kunqu, facts, "district", "dept.command") is None


def test_department_ladder_does_not_move_on_beyond_level(kunqu):
    facts = {"matter": "m.gov.fraud"}
    d = decide(kunqu, facts)
    assert escalate(kunqu, facts, d.level, d.lead, "beyond_level") is None
    step = escalate(kunqu, facts, d.level, d.lead, "overdue")
    assert (step.unit, step.supervise, step.final) == ("dept.command", True, True)


def test_enrichment_fills_the_org_tree_and_the_catalog(kunqu):
    facts = enrich(kunqu, {"matter": "m.city.garbage", "grid": "g.heping.01"})
    assert facts["community"] == "comm.heping"
    assert facts["street"] == "st.linyin"
    assert facts["district"] == "kunqu"
    assert facts["category"] == "cat.city"
    assert facts["on_the_spot"] is True
    assert isinstance(facts["grid.households"], int)


def test_a_case_raised_by_a_department_happened_where_it_sits():
    baohe = load_policy(CATALOGS / "baohe")
    facts = enrich(baohe, {"matter": "m.litter", "unit": "cq.urban"})
    assert (facts["unit"], facts["street"], facts["district"]) == (
        "st.changqing",
        "st.changqing",
        "baohe",
    )


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (
            {"matter": "m.emergency.gass"},
            "the fact 'matter' is 'm.emergency.gass', which is not a known matter; did you mean 'm.emergency.gas'?",
        ),
        (
            {"matter": "m.emergency.gas", "grid": "g.hepin.01"},
            "the fact 'unit' is 'g.hepin.01', which is not a known org unit; did you mean 'g.heping.01'?",
        ),
        (
            {"matter": "m.emergency.gas", "severity": "huge"},
            "the fact 'severity' is 'huge', which is not a known severity",
        ),
        ({"grid": "g.heping.01"}, "the facts lack 'matter'"),
        ({"matter": "m.emergency.gas", "tags": "elderly"}, "the fact 'tags' should be a list"),
    ],
)
def test_bad_facts_are_facts_errors(kunqu, facts, expected):
    with pytest.raises(FactsError) as info:
        decide(kunqu, facts)
    assert info.value.exit_code == 2
    assert format_line(info.value.problems[0], "en").startswith("error[facts-")
    assert expected in format_line(info.value.problems[0], "en")


def test_facts_are_normalised_before_the_engine_sees_them(make_pack):
    root = make_pack(
        {
            "org.yaml": ORG,
            "matters.yaml": MATTERS,
            "routing.yaml": """\
            kind: routing
            tables:
              - id: t
                hit: first
                rules:
                  - {id: big, when: {community.households: {gte: 500}}, then: {lead: dept.b}}
                  - {id: count, when: {fields.people: {gte: 10}}, then: {lead: dept.b, supervise: true}}
                  - {id: four, when: {fields.code: "4"}, then: {lead: dept.a, level: district}}
                  - {id: rural, when: {street.rural: true}, then: {level: street}}
            """,
        }
    )
    policy = load_policy(root)
    assert decide(policy, {"matter": "m.one", "unit": "c1"}).rule_ids == ("t/big",)
    # a number written as text is a number; "4" the text is not 4 the number
    assert decide(policy, {"matter": "m.one", "fields": {"people": "12"}}).rule_ids == ("t/count",)
    assert decide(policy, {"matter": "m.one", "fields": {"code": 4}}).rule_ids == ()
    assert decide(policy, {"matter": "m.one", "fields": {"code": "4"}}).rule_ids == ("t/four",)
    # true is not 1, and a missing attribute matches nothing
    d = decide(policy, {"matter": "m.one", "unit": "c2"})
    assert (d.rule_ids, d.lead, d.level) == (("t/rural",), "s1", "street")
    d = decide(policy, {"matter": "m.one"})
    assert (d.rule_ids, d.lead, d.level, d.limits) == ((), "dept.a", "district", {"handle": "5wd"})


def test_hit_policies_first_and_collect(make_pack):
    root = make_pack(
        {
            "org.yaml": ORG,
            "matters.yaml": MATTERS,
            "routing.yaml": """\
            kind: routing
            channels: [{id: hotline, name: 热线}, {id: patrol, name: 巡查}]
            tables:
              - id: lead
                hit: first
                rules:
                  - {id: a, when: {matter: m.one}, then: {lead: dept.a}}
                  - {id: b, when: {category: cat.x, channel: hotline}, then: {lead: dept.b}}
              - id: more
                hit: collect
                rules:
                  - {id: x, when: {channel: {in: [hotline]}}, then: {assist: [dept.b], limits: {handle: 1d}}}
                  - {id: y, when: {channel: {not_in: [patrol]}}, then: {assist: [dept.a], supervise: true}}
                  - {id: z, when: {tags: {contains_any: [urgent, vip]}}, then: {limits: {handle: 2h}}}
            """,
        }
    )
    policy = load_policy(root)
    d = decide(policy, {"matter": "m.one", "channel": "hotline", "tags": ["vip"]})
    assert d.rule_ids == ("lead/a", "more/x", "more/y", "more/z")
    assert d.lead == "dept.a" and d.assist == ("dept.b",)  # the lead never assists itself
    assert d.limits == {"handle": "2h"} and d.supervise
    d = decide(policy, {"matter": "m.two"})  # not_in holds for a missing channel
    assert d.rule_ids == ("more/y",)


def test_explain_names_the_failed_condition_and_the_line(kunqu):
    e = explain(kunqu, {"matter": "m.city.stall", "grid": "g.heping.01", "severity": "major"})
    first = e.trials[0]
    assert first.id == "lead/gas" and not first.matched_rule
    assert first.failed == {
        "fact": "matter",
        "op": "eq",
        "expected": "m.emergency.gas",
        "actual": "m.city.stall",
    }
    assert first.file.endswith("routing.yaml") and first.line > 1
    applied = [t.id for t in e.trials if t.applied]
    assert applied == list(e.decision.rule_ids) == ["lead/whistle"]


def test_engine_limits_are_compile_errors_not_hangs(make_pack):
    # 600 distinct thresholds on one number under the same parent: the engine
    # would hang registering it; the compiler refuses with a located error
    rules = "\n".join(
        f"      - {{id: r{i}, when: {{fields.n: {{gte: {i}}}}}, then: {{lead: dept.a}}}}"
        for i in range(600)
    )
    root = make_pack(
        {
            "org.yaml": ORG,
            "matters.yaml": MATTERS,
            "routing.yaml": f"kind: routing\ntables:\n  - id: big\n    hit: first\n    rules:\n{rules}\n",
        }
    )
    policy = load_policy(root)
    with pytest.raises(PolicyError) as info:
        decide(policy, {"matter": "m.one"})
    line = format_line(info.value.problems[0], "en")
    assert "error[decide-too-many-branches]" in line
    assert "routing.yaml:" in line and "over the engine's limit of 480" in line


def test_many_values_on_one_fact_are_bucketed(make_pack):
    matters = "\n".join(
        f"  - {{id: m{i}, name: 事项{i}, unit: dept.a, level: district}}" for i in range(700)
    )
    rules = "\n".join(
        f"      - {{id: r{i}, when: {{matter: m{i}}}, then: {{lead: dept.b}}}}" for i in range(700)
    )
    root = make_pack(
        {
            "org.yaml": ORG,
            "matters.yaml": f"kind: matters\nmatters:\n{matters}\n",
            "routing.yaml": f"kind: routing\ntables:\n  - id: t\n    hit: first\n    rules:\n{rules}\n",
        }
    )
    policy = load_policy(root)
    for i in (0, 350, 699):
        assert decide(policy, {"matter": f"m{i}"}).rule_ids == (f"t/r{i}",)
