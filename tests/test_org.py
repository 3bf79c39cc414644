"""Org: levels, units, departments (blocks and posts), enterprises, roles, and the tree checks."""

import pytest

from conftest import CATALOGS

LEVELS = """\
kind: org
levels:
  - {id: district, name: 区, rank: 1}
  - {id: street, name: 街道, rank: 2}
  - {id: community, name: 社区, rank: 3}
"""

GOOD = (
    LEVELS
    + """\
units:
  - {id: d, name: 区, level: district}
  - {id: s, name: 街道, level: street, parent: d}
  - {id: c, name: 社区, level: community, parent: s, description: 一个社区}
departments:
  - {id: centre, name: 街道治理指挥中心, type: centre, level: street, unit: s}
  - {id: block.safety, name: 平安法治板块, type: block, level: street, unit: s, parent: centre}
  - {id: post.enforce, name: 综合执法岗, type: post, level: street, unit: s, parent: block.safety}
enterprises:
  - {id: ent.gas, name: 燃气公司, type: gas}
roles:
  - {id: chief, name: 网格长, level: community}
  - {id: worker, name: 网格员, level: community, reports_to: chief}
"""
)


def check(onegrid, make_pack, org):
    root = make_pack({"org.yaml": org})
    r = onegrid("check", root, "--lang", "en")
    return r.code, [
        line.replace(str(root) + "/", "") for line in r.out.strip().splitlines() if line
    ]


def test_kunqu_org_is_clean(onegrid):
    assert onegrid("check", CATALOGS / "kunqu").code == 0


def test_blocks_and_posts_are_departments(onegrid, make_pack):
    assert check(onegrid, make_pack, GOOD) == (0, [])


@pytest.mark.parametrize(
    ("units", "expected"),
    [
        (
            "  - {id: d, name: 区, level: district}\n  - {id: d2, name: 二区, level: district}\n",
            "org.yaml:8:10: error[org-many-roots]: org unit 'd2' has no parent, but 'd' is already the top; the tree has one top",
        ),
        (
            "  - {id: d, name: 区, level: district, parent: c}\n  - {id: c, name: 社区, level: community, parent: d}\n",
            [
                "org.yaml:7:5: error[org-no-root]: the org units have no top: one unit must have no parent",
                "org.yaml:7:47: error[org-cycle]: the org unit chain loops: d → c → d",
                "org.yaml:7:47: error[org-parent-level]: 'd' (district, rank 1) has parent 'c' at community (rank 3); a parent must be at a higher level",
            ],
        ),
        (
            "  - {id: d, name: 区, level: district}\n  - {id: c, name: 社区, level: community, parent: d}\n"
            "  - {id: s, name: 街道, level: street, parent: c}\n",
            "org.yaml:9:46: error[org-parent-level]: 's' (street, rank 2) has parent 'c' at community (rank 3); a parent must be at a higher level",
        ),
        (
            "  - {id: d, name: 区, level: district}\n  - {id: s, name: 街道, level: street, parent: s}\n",
            [
                "org.yaml:8:46: error[org-cycle]: the org unit chain loops: s → s",
                "org.yaml:8:46: error[org-parent-level]: 's' (street, rank 2) has parent 's' at street (rank 2); a parent must be at a higher level",
            ],
        ),
    ],
)
def test_unit_tree_errors(onegrid, make_pack, units, expected):
    code, lines = check(onegrid, make_pack, LEVELS + "units:\n" + units)
    assert (code, lines) == (1, expected if isinstance(expected, list) else [expected])


def test_no_root(onegrid, make_pack):
    org = LEVELS + (
        "units:\n  - {id: a, name: 甲, level: street, parent: b}\n  - {id: b, name: 乙, level: street, parent: a}\n"
    )
    code, lines = check(onegrid, make_pack, org)
    assert code == 1
    assert lines == [
        "org.yaml:7:5: error[org-no-root]: the org units have no top: one unit must have no parent",
        "org.yaml:7:45: error[org-cycle]: the org unit chain loops: a → b → a",
        "org.yaml:7:45: error[org-parent-level]: 'a' (street, rank 2) has parent 'b' at street (rank 2); a parent must be at a higher level",
        "org.yaml:8:45: error[org-parent-level]: 'b' (street, rank 2) has parent 'a' at street (rank 2); a parent must be at a higher level",
    ]


def test_duplicate_rank(onegrid, make_pack):
    org = "kind: org\nlevels:\n  - {id: a, name: 甲, rank: 1}\n  - {id: b, name: 乙, rank: 1}\n"
    assert check(onegrid, make_pack, org) == (
        1,
        [
            "org.yaml:4:28: error[org-rank-duplicate]: level 'b' has rank 1, already used by 'a'; every level needs its own rank"
        ],
    )


def test_department_chain_loops_and_levels(onegrid, make_pack):
    org = GOOD.replace(
        "{id: centre, name: 街道治理指挥中心, type: centre, level: street, unit: s}",
        "{id: centre, name: 街道治理指挥中心, type: centre, level: district, unit: s, parent: post.enforce}",
    )
    code, lines = check(onegrid, make_pack, org)
    assert code == 1
    assert lines == [
        "org.yaml:11:71: error[org-department-level]: department 'centre' is at level district, but its unit 's' is at level street",
        "org.yaml:11:82: error[org-cycle]: the department chain loops: centre → post.enforce → block.safety → centre",
    ]


def test_role_reports_to_a_lower_level(onegrid, make_pack):
    org = GOOD.replace(
        "{id: chief, name: 网格长, level: community}", "{id: chief, name: 网格长, level: street}"
    )
    org = org.replace(
        "{id: worker, name: 网格员, level: community, reports_to: chief}",
        "{id: worker, name: 网格员, level: street, reports_to: boss}\n  - {id: boss, name: 上级, level: community}",
    )
    code, lines = check(onegrid, make_pack, org)
    assert (code, lines) == (
        1,
        [
            "org.yaml:18:56: error[org-role-chain]: role 'worker' (street) reports to 'boss' (community), which is at a lower level"
        ],
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "type: block, level: street",
            "type: section, level: street",
            'org.yaml:12:44: error[schema-enum]: \'departments[1].type\' is "section", which is not one of: "department", "office", "block", "post", "station", "committee", "centre"; did you mean \'station\'?',
        ),
        (
            "{id: ent.gas, name: 燃气公司, type: gas}",
            "{id: ent.gas, name: 燃气公司, type: gas, regulator: dept.housing}",
            "org.yaml:15:53: error[unknown-ref]: unknown department 'dept.housing'",
        ),
        (
            "level: community, reports_to: chief",
            "level: comunity, reports_to: chief",
            "org.yaml:18:36: error[unknown-ref]: unknown level 'comunity'; did you mean 'community'?",
        ),
    ],
)
def test_org_schema_and_reference_errors(onegrid, make_pack, old, new, expected):
    assert old in GOOD
    code, lines = check(onegrid, make_pack, GOOD.replace(old, new))
    assert (code, lines) == (1, [expected])
