"""Each formula recomputed by hand on a small record made through the engine.

A small pack: street s1 with one department (dept.a) and two grids; the
closed loop with a sign-for step added; no ladders, so an overdue step at
dept.a climbs to the district unit d. Four cases in November 2026:

- C1 (gw1): accepted, dispatched, signed within the hour, handled, closed: on time.
- C2 (gw1): dispatched, never signed; the sweep finds the handling day
  passed and hands it to d, which handles it; the reporter sends it back
  once (rework), d handles again, closed.
- C3 (gw2): accepted two hours late (no sweep ran), dispatched, never
  handled: open and overdue at the end of the month.
- C4 (gw2): reported on 30 November, accepted and dispatched in time, still
  within its handling day when the month ends.
"""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from onegrid.policy.pack import load_policy
from onegrid.scoring import record
from onegrid.scoring.formulas import IMPLEMENTATIONS
from onegrid.scoring.subjects import Subject
from onegrid.workflow import Actor, Binding, publish
from onegrid.workflow.case import act, get_case, open_case
from onegrid.workflow.sweep import sweep

PACK = {
    "pack.yaml": "kind: pack\nid: small\nname: 小包\nversion: '1'\nincludes: [closed-loop, calendar-cn]\n",
    "org.yaml": """\
        kind: org
        levels:
          - {id: district, name: 区, rank: 1}
          - {id: street, name: 街道, rank: 2}
          - {id: community, name: 社区, rank: 3}
          - {id: grid, name: 网格, rank: 4}
        units:
          - {id: d, name: 区, level: district}
          - {id: s1, name: 一街道, level: street, parent: d}
          - {id: c1, name: 一社区, level: community, parent: s1}
          - {id: g1, name: 一网格, level: grid, parent: c1}
          - {id: g2, name: 二网格, level: grid, parent: c1}
        departments:
          - {id: dept.a, name: 甲科, type: department, level: street, unit: s1}
          - {id: dept.centre, name: 区中心, type: centre, level: district, unit: d}
        roles:
          - {id: grid_worker, name: 网格员, level: grid}
          - {id: officer, name: 工作人员, level: street}
        """,
    "matters.yaml": """\
        kind: matters
        matters:
          - id: m.a
            name: 甲事项
            unit: dept.a
            level: street
            limits: {accept: 1h, dispatch: 1h, handle: 1d, feedback: 1d}
            form: f.r
        """,
    "forms.yaml": """\
        kind: forms
        forms:
          - id: f.r
            name: 上报
            fields:
              - {name: description, type: textarea, label: 描述, required: true}
              - {name: note, type: text, label: 备注}
              - {name: count, type: integer, label: 数量}
        """,
    "routing.yaml": """\
        kind: routing
        channels: [{id: grid, name: 网格巡查}]
        """,
    "workflow.yaml": """\
        kind: workflow
        transitions:
          - {id: sign, name: 签收, from: [dispatched], stay: true, by: [{party: lead}]}
        """,
}

GW1 = Actor("gw1", (Binding("grid_worker", "g1"),))
GW2 = Actor("gw2", (Binding("grid_worker", "g2"),))
STREET = Actor("desk", (Binding("officer", "s1"),))
DEPT = Actor("handler", (Binding("officer", "dept.a"),))
DISTRICT = Actor("district", (Binding("officer", "d"),))
DISTRICT_DESK = Actor("centre", (Binding("officer", "dept.centre"),))
T0 = dt.datetime(2026, 11, 2, 1, tzinfo=dt.UTC)  # Monday 9:00 in Beijing time
START = dt.datetime(2026, 10, 31, 16, tzinfo=dt.UTC)
END = dt.datetime(2026, 11, 30, 16, tzinfo=dt.UTC)
H, M = dt.timedelta(hours=1), dt.timedelta(minutes=1)


@pytest.fixture
def small(db, tmp_path):
    for name, text in PACK.items():
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    with db() as s:
        version = publish(s, load_policy(tmp_path), by="admin")

    def go(cid, transition, actor, at, data=None):
        with db() as s:
            case = get_case(s, cid)
            act(s, cid, transition, actor, data or {}, case.version, now=at)

    def new(reporter, place, at, data):
        with db() as s:
            return open_case(
                s, version, {"matter": "m.a", "place": place}, data, reporter, "grid", now=at
            ).id

    handled, fed = {"result": "已处置"}, {"message": "已反馈"}
    c1 = new(GW1, "g1", T0, {"description": "一", "note": "备注", "count": 2})
    go(c1, "accept", STREET, T0 + 10 * M)
    go(c1, "dispatch", STREET, T0 + 20 * M)
    go(c1, "sign", DEPT, T0 + 30 * M)
    go(c1, "handle", DEPT, T0 + 2 * H, handled)
    go(c1, "feed_back", STREET, T0 + 3 * H, fed)
    # 回访: the reporter, called back, is not satisfied (she approves all the same)
    go(c1, "revisit", STREET, T0 + 3 * H + 30 * M, {"reached": True, "satisfaction": "unsatisfied"})
    go(c1, "approve", GW1, T0 + 4 * H)

    c2 = new(GW1, "g1", T0 + H, {"description": "二"})
    go(c2, "accept", STREET, T0 + H + 10 * M)
    go(c2, "dispatch", STREET, T0 + H + 20 * M)
    sweep(db, now=T0 + 2 * 24 * H)  # the handling day has passed: up to d
    at = T0 + 2 * 24 * H
    go(c2, "handle", DISTRICT, at + H, handled)
    go(c2, "feed_back", DISTRICT_DESK, at + 2 * H, fed)
    go(c2, "reopen", GW1, at + 3 * H, {"reason": "没修好"})
    go(c2, "handle", DISTRICT, at + 4 * H, handled)
    go(c2, "feed_back", DISTRICT_DESK, at + 5 * H, fed)
    go(c2, "approve", GW1, at + 6 * H)

    day3 = T0 + 3 * 24 * H
    c3 = new(GW2, "g2", day3, {"description": "三", "note": "备注"})
    go(c3, "accept", STREET, day3 + 3 * H)  # two hours past its hour
    go(c3, "dispatch", STREET, day3 + 3 * H + 10 * M)

    last = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)  # 20:00 on 30 November
    c4 = new(GW2, "g2", last, {"description": "四"})
    go(c4, "accept", STREET, last + 10 * M)
    go(c4, "dispatch", STREET, last + 20 * M)
    with db() as s:
        return record.load(s, "small", START, END), (c1, c2, c3, c4)


def values(formula, rec, subjects, **params):
    """{subject: (value, sorted case ids)} through the same path as a scheme."""
    from onegrid.scoring import measure

    ind = {"id": "i", "formula": formula, **params}
    out = measure(ind, rec, subjects)
    return {k: (v, sorted(i["case"] for i in items)) for k, (v, items) in out.items()}


def unit(u):
    return Subject(u, u, (u,), frozenset({("unit", u)}))


def person(name, grid):
    return Subject(name, name, (grid,), frozenset({("person", name), ("unit", grid)}))


UNITS = [unit("dept.a"), unit("d"), unit("s1")]
PEOPLE = [person("gw1", "g1"), person("gw2", "g2")]


def test_each_formula_by_hand(small):
    rec, (c1, c2, c3, c4) = small
    # 结案率 by holder: C1, C2, C3 are due to close (C4 is not yet)
    assert values("closure_rate", rec, UNITS, attribution="holder") == {
        "dept.a": (pytest.approx(2 / 3, abs=1e-4), [c1, c2, c3]),
        "d": (1.0, [c2]),
        "s1": (None, []),
    }
    # 按期结案率: C2 is late for dept.a, on time for d that closed it
    assert values("on_time_closure_rate", rec, UNITS, attribution="holder") == {
        "dept.a": (pytest.approx(1 / 3, abs=1e-4), [c1, c2, c3]),
        "d": (1.0, [c2]),
        "s1": (None, []),
    }
    # … by area: dept.a sits in s1, so s1 answers for its lateness
    area = values("on_time_closure_rate", rec, UNITS, attribution="area")
    assert area["s1"] == (pytest.approx(1 / 3, abs=1e-4), [c1, c2, c3])
    # 返工率 by the lead at closing: C1 (dept.a) not reworked, C2 (d) reworked
    assert values("rework_rate", rec, UNITS, attribution="lead") == {
        "dept.a": (0.0, [c1]),
        "d": (1.0, [c2]),
        "s1": (None, []),
    }
    # 及时受理率: four acceptances by dept.a's deadlines, C3's late
    assert values("timely_step", rec, UNITS, attribution="holder", step="accept")["dept.a"] == (
        0.75,
        [c1, c2, c3, c4],
    )
    # 及时签收率: only C1 was signed for within the hour of its dispatch
    signed = values(
        "timely_action", rec, UNITS, attribution="holder", step="handle", action="sign", within="1h"
    )
    assert signed["dept.a"] == (0.25, [c1, c2, c3, c4])
    assert signed["d"] == (0.0, [c2, c2])  # its two handling episodes, neither signed
    # 满意率: approvals against send-backs, for the unit holding the case then
    satisfied = values(
        "satisfaction_rate",
        rec,
        UNITS,
        attribution="lead",
        satisfied=["approve"],
        dissatisfied=["reopen"],
    )
    assert satisfied["dept.a"] == (1.0, [c1]) and satisfied["d"] == (0.5, [c2, c2])
    # … and with the return call's answer: C1's 不满意 counts too
    answers = {"transition": "revisit", "field": "satisfaction",
               "satisfied": ["satisfied", "basically"], "dissatisfied": ["unsatisfied"]}  # fmt: skip
    called = values("satisfaction_rate", rec, UNITS, attribution="lead",
                    satisfied=["approve"], dissatisfied=["reopen"], answers=answers)  # fmt: skip
    assert called["dept.a"] == (0.5, [c1, c1]) and called["d"] == (0.5, [c2, c2])
    # 活跃度 and 信息完整度 for the reporters
    assert values("activity", rec, PEOPLE, attribution="reporter", target=4) == {
        "gw1": (0.5, [c1, c2]),
        "gw2": (0.5, [c3, c4]),
    }
    complete = values("completeness", rec, PEOPLE, attribution="reporter")
    assert complete["gw1"] == (pytest.approx((3 / 3 + 1 / 3) / 2, abs=1e-4), [c1, c2])
    assert complete["gw2"] == (pytest.approx((2 / 3 + 1 / 3) / 2, abs=1e-4), [c3, c4])
    # 结案率 by area for a grid worker: the cases of her grid
    assert values("closure_rate", rec, PEOPLE, attribution="area") == {
        "gw1": (1.0, [c1, c2]),
        "gw2": (0.0, [c3]),
    }
    assert set(IMPLEMENTATIONS) >= {
        "closure_rate",
        "on_time_closure_rate",
        "rework_rate",
        "timely_step",
        "timely_action",
        "satisfaction_rate",
        "activity",
        "completeness",
        "duty_completion",
        "duty_on_time",
    }
