"""`kind: scoring` and `onegrid.scoring.rank`: weighted measures, tiers, ranks."""

import pytest

from onegrid.errors import UsageError
from onegrid.policy.pack import load_policy
from onegrid.scoring import rank, score

ORG = "kind: org\nlevels: [{id: grid, name: 网格, rank: 1}]\nroles: [{id: grid_worker, name: 网格员, level: grid}]\n"

SCORING = """\
kind: scoring
indicators:
  - {id: i.data, name: 平台数据完整度, formula: completeness, subject: grid_worker, period: monthly, attribution: reporter}
  - {id: i.active, name: 活跃度, formula: activity, subject: grid_worker, period: monthly, attribution: reporter, target: 10}
  - {id: i.closed, name: 结案率, formula: closure_rate, subject: grid_worker, period: monthly, attribution: area}
schemes:
  - id: sc.gw
    name: 网格员月度赛马比拼
    subject: grid_worker
    period: monthly
    metrics:
      - {id: data, indicator: i.data, weight: 40}
      - {id: active, indicator: i.active, weight: 30}
      - {id: closed, indicator: i.closed, weight: 30}
    tiers:
      - {id: t1, name: 第一档, min: 90}
      - {id: t2, name: 第二档, min: 75}
      - {id: t3, name: 第三档, min: 60}
      - {id: t4, name: 第四档, min: 0, consequence: 约谈；连续不合格予以解聘}
"""


@pytest.fixture
def scheme(make_pack):
    policy = load_policy(make_pack({"org.yaml": ORG, "scoring.yaml": SCORING}))
    return policy.get("scoring_scheme", "sc.gw")


def test_rank_weighs_measures_and_sorts_into_tiers(scheme):
    ranked = rank(
        scheme,
        {
            "wang": {"data": 1, "active": 0.9, "closed": 1},
            "li": {"data": 0.8, "active": 0.7, "closed": 0.75},
            "zhao": {"data": 0.8, "active": 0.7, "closed": 0.75},
            "sun": {"data": 0.5},
        },
    )
    assert [(r.subject, r.score, r.rank, r.tier) for r in ranked] == [
        ("wang", 97.0, 1, "t1"),
        ("li", 75.5, 2, "t2"),
        ("zhao", 75.5, 2, "t2"),
        ("sun", 20.0, 4, "t4"),
    ]


@pytest.mark.parametrize(
    ("measures", "code"),
    [
        ({"data": 1.5}, "scoring-bad-value"),
        ({"data": "x"}, "scoring-bad-value"),
        ({"speed": 1}, "scoring-unknown-metric"),
    ],
)
def test_bad_measures(scheme, measures, code):
    with pytest.raises(UsageError) as info:
        score(scheme, measures, "wang")
    assert [p.code for p in info.value.problems] == [code]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "{id: t2, name: 第二档, min: 75}",
            "{id: t2, name: 第二档, min: 95}",
            "scoring.yaml:17:34: error[scoring-tier-order]: tier 't2' has min 95, not below the tier before it (90); list tiers best first",
        ),
        (
            "min: 0, consequence",
            "min: 10, consequence",
            "scoring.yaml:19:34: error[scoring-no-floor]: the last tier 't4' should have min 0, or a score below 10 falls in no tier",
        ),
        (
            "{id: active, indicator",
            "{id: data, indicator",
            "scoring.yaml:13:14: error[scoring-duplicate]: 'data' appears twice in the scheme",
        ),
        (
            "formula: activity",
            "formula: speed",
            "scoring.yaml:4:40: error[schema-enum]: 'indicators[1].formula' is \"speed\", which is not one of:"
            ' "closure_rate", "on_time_closure_rate", "rework_rate", "timely_step", "timely_action", "satisfaction_rate", "activity", "completeness", "duty_completion", "duty_on_time"',
        ),
        (
            "subject: grid_worker\n    period",
            "subject: grid_workr\n    period",
            "scoring.yaml:9:14: error[scoring-unknown-subject]: the subject 'grid_workr' of 'sc.gw' is neither a role nor a level of this pack, nor department or enterprise; did you mean 'grid_worker'?\n"
            "scoring.yaml:12:31: error[scoring-metric-mismatch]: scheme 'sc.gw' weighs 'i.data', which is taken for grid_worker monthly; the scheme is for grid_workr monthly\n"
            "scoring.yaml:13:33: error[scoring-metric-mismatch]: scheme 'sc.gw' weighs 'i.active', which is taken for grid_worker monthly; the scheme is for grid_workr monthly\n"
            "scoring.yaml:14:33: error[scoring-metric-mismatch]: scheme 'sc.gw' weighs 'i.closed', which is taken for grid_worker monthly; the scheme is for grid_workr monthly",
        ),
        (
            "attribution: reporter, target: 10",
            "attribution: holder, target: 10",
            "scoring.yaml:4:102: error[scoring-attribution]: indicator 'i.active': formula activity cannot be attributed by 'holder'; use one of reporter, area",
        ),
        (
            ", target: 10",
            "",
            "scoring.yaml:4:5: error[scoring-missing-param]: indicator 'i.active': formula activity needs 'target'",
        ),
        (
            "attribution: area}",
            "attribution: area, target: 3}",
            "scoring.yaml:5:112: error[scoring-stray-param]: indicator 'i.closed': formula closure_rate does not use 'target'",
        ),
    ],
)
def test_scoring_errors(onegrid, make_pack, monkeypatch, old, new, expected):
    assert old in SCORING
    root = make_pack({"org.yaml": ORG, "scoring.yaml": SCORING.replace(old, new)})
    monkeypatch.chdir(root)
    r = onegrid("check", ".", "--lang", "en")
    assert (r.code, r.out.strip()) == (1, expected)
