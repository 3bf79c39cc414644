"""`kind: standards`: households per grid, staffing by role, coverage, published figures."""

import pytest

from conftest import CATALOGS
from onegrid.policy.pack import load_policy

ORG = """\
kind: org
levels: [{id: grid, name: 网格, rank: 1}]
roles: [{id: grid_worker, name: 网格员, level: grid}]
"""


def check(onegrid, make_pack, body):
    root = make_pack({"org.yaml": ORG, "standards.yaml": "kind: standards\n" + body + "\n"})
    r = onegrid("check", root, "--lang", "en")
    return r.code, [
        line.replace(str(root) + "/", "") for line in r.out.strip().splitlines() if line
    ]


def test_kunqu_standards_are_113():
    section = load_policy(CATALOGS / "kunqu").section("standards")
    assert {k: section["households"][k] for k in ("target", "min", "max")} == {
        "target": 450,
        "min": 300,
        "max": 600,
    }
    per_community = {
        r["id"]: (r["roles"], r["min"]) for r in section["staffing"] if r["per"] == "community"
    }
    assert per_community["std.first_secretary"] == (["first_secretary"], 1)
    assert per_community["std.grid_chief"] == (["grid_chief"], 1)
    kinds = [per_community[k][0] for k in ("std.full_time", "std.part_time", "std.department")]
    assert kinds == [
        ["grid_worker"],
        ["grid_worker_part", "building_chief", "unit_chief"],
        ["grid_worker_dept"],
    ]
    assert section["published"]["grids"] == 791


def test_a_full_standard_is_clean(onegrid, make_pack):
    body = """\
households: {target: 450, min: 300, max: 600, note: 示意}
staffing:
  - {id: s1, name: {zh: 每格一名, en: One per grid}, per: grid, roles: [grid_worker], min: 1, max: 3}
coverage:
  - {id: c1, name: 党支部, column: party_branch, min_share: 1}
published: {grids: 10, households: 4500, staff: {grid_worker: 10}, party_branch: 10, source: 区政府}
"""
    assert check(onegrid, make_pack, body) == (0, [])


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "households: {target: 450, min: 500, max: 600}",
            "standards.yaml:2:13: error[grids-bad-range]: the household standard must have min ≤ target ≤ max, got 500 / 450 / 600",
        ),
        (
            "households: {target: 450, min: 300}",
            "standards.yaml:2:13: error[schema-required]: 'max' is required",
        ),
        (
            "staffing: [{id: s1, per: grid, roles: [grid_workr], min: 1}]",
            "standards.yaml:2:40: error[unknown-ref]: unknown role 'grid_workr'; did you mean 'grid_worker'?",
        ),
        (
            "staffing: [{id: s1, per: street, roles: [grid_worker], min: 1}]",
            "standards.yaml:2:26: error[unknown-ref]: unknown level 'street'",
        ),
        (
            "staffing: [{id: s1, per: grid, roles: [grid_worker], min: 2, max: 1}]",
            "standards.yaml:2:67: error[grids-bad-staffing]: staffing rule 's1' has min 2 above max 1",
        ),
        (
            "staffing: [{id: s1, per: grid, roles: [], min: 1}]",
            "standards.yaml:2:39: error[schema-length]: 'staffing[0].roles' has the wrong length: >= 1",
        ),
        (
            "coverage: [{id: c1, column: party_branch, min_share: 1.5}]",
            "standards.yaml:2:54: error[schema-range]: 'coverage[0].min_share' is 1.5, out of range: <= 1",
        ),
        (
            "coverage: [{id: c1, column: branches, min_share: 0.5}]",
            "standards.yaml:2:29: error[schema-enum]: 'coverage[0].column' is \"branches\", which is not one of: "
            '"party_branch", "party_groups", "volunteer_teams"; did you mean \'party_branch\'?',
        ),
        (
            "published: {grids: -1}",
            "standards.yaml:2:20: error[schema-range]: 'published.grids' is -1, out of range: >= 0",
        ),
        (
            "published: {staff: {grid_workers: 3}}",
            "standards.yaml:2:21: error[unknown-ref]: unknown role 'grid_workers'; did you mean 'grid_worker'?",
        ),
        (
            "household: {target: 450}",
            "standards.yaml:2:1: error[schema-unknown-key]: unknown key 'household'; did you mean 'households'?",
        ),
    ],
)
def test_standards_errors(onegrid, make_pack, body, expected):
    assert check(onegrid, make_pack, body) == (1, [expected])
