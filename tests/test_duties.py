"""`kind: duties`: duty checklists per role or post."""

import pytest

from conftest import CATALOGS
from onegrid.policy.pack import load_policy

ORG = """\
kind: org
levels: [{id: street, name: 街道, rank: 1}, {id: grid, name: 网格, rank: 2}]
departments:
  - {id: block.safety, name: 平安法治板块, type: block, level: street}
  - {id: post.enforce, name: 执法岗, type: post, level: street, parent: block.safety}
roles: [{id: grid_worker, name: 网格员, level: street}]
"""

HEAD = "kind: duties\ncategories: [{id: dc.a, name: 类}]\nlists:\n"


def check(onegrid, make_pack, lists):
    root = make_pack({"org.yaml": ORG, "duties.yaml": HEAD + lists})
    r = onegrid("check", root, "--lang", "en")
    return r.code, [
        line.replace(str(root) + "/", "") for line in r.out.strip().splitlines() if line
    ]


def test_kunqu_duty_chain():
    policy = load_policy(CATALOGS / "kunqu")
    holders = [lst["holder"] for lst in policy.items("duty_list")]
    assert holders == [
        "first_secretary",
        "grid_chief",
        "grid_worker",
        "building_chief",
        "unit_chief",
    ]
    worker = policy.get("duty_list", "dl.grid_worker")
    # the five published duties of a full-time grid worker, plus visits
    assert [i["id"] for i in worker["items"]] == [
        "d.gw.collect",
        "d.gw.hazards",
        "d.gw.environment",
        "d.gw.disputes",
        "d.gw.errands",
        "d.gw.visits",
    ]
    assert policy.get("duty", "d.gw.visits")["times"] == 2


def test_role_list_and_post_list(onegrid, make_pack):
    lists = """\
  - id: l1
    name: 网格员“6+1”
    holder: grid_worker
    scope: grid
    items:
      - {id: d1, name: 巡查, category: dc.a, frequency: daily, evidence: {type: photo, text: 照片}}
      - {id: d2, name: 跨板块, scope: cross_block, frequency: on_event, evidence: {type: platform}, lead: block.safety, with: [post.enforce]}
  - {id: l2, name: 岗位, holder: post.enforce, claimable: true, items: [{id: d3, name: 巡查, frequency: daily, times: 2, evidence: {type: record}}]}
"""
    assert check(onegrid, make_pack, lists) == (0, [])


ITEM = "  - {id: l1, name: 清单, holder: grid_worker, items: [{id: d1, name: 巡查, frequency: daily, %s}]}\n"


@pytest.mark.parametrize(
    ("lists", "expected"),
    [
        (
            "  - {id: l1, name: 清单, holder: grid_workr, items: []}\n",
            "duties.yaml:4:32: error[unknown-ref]: unknown role 'grid_workr'; did you mean 'grid_worker'?",
        ),
        (
            ITEM.replace("daily", "hourly") % "evidence: {type: photo}",
            "duties.yaml:4:83: error[schema-enum]: 'lists[0].items[0].frequency' is \"hourly\", which is not one of:"
            ' "daily", "weekly", "monthly", "quarterly", "half_yearly", "yearly", "on_event", "ongoing"',
        ),
        (
            "  - {id: l1, name: 清单, holder: grid_worker, items: [{id: d1, name: 巡查, frequency: daily}]}\n",
            "duties.yaml:4:53: error[schema-required]: 'evidence' is required",
        ),
        (
            ITEM % "evidence: {type: selfie}",
            "duties.yaml:4:107: error[schema-enum]: 'lists[0].items[0].evidence.type' is \"selfie\", which is not one of:"
            ' "photo", "record", "form", "report", "meeting", "visit", "platform", "signature"',
        ),
        (
            ITEM % "evidence: {type: form, form: form.x}",
            "duties.yaml:4:119: error[unknown-ref]: unknown form 'form.x'",
        ),
        (
            ITEM % "times: 0, evidence: {type: photo}",
            "duties.yaml:4:97: error[schema-range]: 'lists[0].items[0].times' is 0, out of range: >= 1",
        ),
        (
            ITEM % "evidence: {type: photo}" + ITEM.replace("l1", "l2") % "evidence: {type: photo}",
            "duties.yaml:5:58: error[duplicate-id]: duty 'd1' is defined twice: first at duties.yaml:4",
        ),
    ],
)
def test_duty_errors(onegrid, make_pack, monkeypatch, lists, expected):
    root = make_pack({"org.yaml": ORG, "duties.yaml": HEAD + lists})
    monkeypatch.chdir(root)  # so paths print relative to the pack
    r = onegrid("check", ".", "--lang", "en")
    assert (r.code, r.out.strip()) == (1, expected)
