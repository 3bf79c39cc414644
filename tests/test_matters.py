"""`kind: matters`: the matter catalog, its categories and nested groups."""

import pytest

from conftest import CATALOGS
from onegrid.policy.pack import load_policy

ORG = """\
kind: org
levels: [{id: district, name: 区, rank: 1}]
departments: [{id: dept.a, name: 甲局, level: district}, {id: dept.b, name: 乙局, level: district}]
enterprises: [{id: ent.gas, name: 燃气公司, type: gas}]
"""

HEAD = """\
kind: matters
categories: [{id: cat.x, name: 类}]
groups:
  - {id: g.core, name: 核心业务}
  - {id: g.sub, name: 子业务, parent: g.core}
matters:
"""


def check(onegrid, make_pack, matters, head=HEAD):
    root = make_pack({"org.yaml": ORG, "matters.yaml": head + matters + "\n"})
    r = onegrid("check", root, "--lang", "en")
    return r.code, [
        line.replace(str(root) + "/", "") for line in r.out.strip().splitlines() if line
    ]


def test_kunqu_catalog():
    policy = load_policy(CATALOGS / "kunqu")
    matters = policy.items("matter")
    assert 20 <= len(matters) <= 30
    used = {m["category"] for m in matters}
    assert used == set(
        policy.ids("category")
    )  # party building … social assistance, city management
    assert len(used) == 8
    assert all(m.get("form") and m.get("limits") and "on_the_spot" in m for m in matters)
    assert {m["form"] for m in matters} == {
        "form.report.general",
        "form.report.safety",
        "form.report.dispute",
        "form.report.city",  # illegal construction: a photo required as evidence
    }
    assert policy.get("group", "grp.grid.daily")["parent"] == "grp.grid"
    gas = policy.get("matter", "m.emergency.gas")
    assert (gas["limits"]["accept"], gas["obliged"], gas["on_the_spot"]) == (
        "10m",
        ["ent.gas"],
        False,
    )


def test_a_full_matter_is_clean(onegrid, make_pack):
    matter = (
        "  - {id: m1, code: A-1, name: {zh: 一, en: One}, category: cat.x, group: g.sub, unit: dept.a,"
        " level: district, limits: {accept: 2h, handle: 3wd}, on_the_spot: true, assist: [dept.b],"
        " obliged: [ent.gas], basis: 条例, description: 说明}"
    )
    assert check(onegrid, make_pack, matter) == (0, [])


@pytest.mark.parametrize(
    ("matter", "expected"),
    [
        (
            "  - {id: m1, name: 一, unit: dept.a, limits: {handle: 3 days}}",
            "matters.yaml:7:54: error[schema-pattern]: 'matters[0].limits.handle' is \"3 days\", which is not well formed"
            " (expected a duration such as 30m, 2h, 3d or 5wd (working days))",
        ),
        (
            "  - {id: m1, name: 一, unit: dept.a, on_the_spot: yes}",
            "matters.yaml:7:50: error[schema-type]: 'matters[0].on_the_spot' should be a boolean (true/false),"
            " got text \"yes\"; write true or false; 'yes' stays text as written",
        ),
        (
            "  - {id: m1, name: 一, unit: dept.a, assist: [dept.c]}",
            "matters.yaml:7:46: error[unknown-ref]: unknown department 'dept.c'; did you mean 'dept.b'?",
        ),
        (
            "  - {id: m1, name: 一, unit: dept.a, obliged: [dept.b]}",
            "matters.yaml:7:47: error[unknown-ref]: unknown enterprise 'dept.b'",
        ),
        ("  - {id: m1, name: 一}", "matters.yaml:7:5: error[schema-required]: 'unit' is required"),
        (
            "  - {id: m1, name: 一, unit: dept.a, group: g.core2}",
            "matters.yaml:7:44: error[unknown-ref]: unknown matter group 'g.core2'; did you mean 'g.core'?",
        ),
    ],
)
def test_matter_errors(onegrid, make_pack, matter, expected):
    assert check(onegrid, make_pack, matter) == (1, [expected])


def test_group_loop(onegrid, make_pack):
    head = HEAD.replace(
        "{id: g.core, name: 核心业务}", "{id: g.core, name: 核心业务, parent: g.sub}"
    )
    assert check(onegrid, make_pack, "  - {id: m1, name: 一, unit: dept.a}", head) == (
        1,
        [
            "matters.yaml:4:38: error[org-cycle]: the matter group chain loops: g.core → g.sub → g.core"
        ],
    )
