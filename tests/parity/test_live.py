"""What a pack's tests prove is what runs: every bundled pack's policy tests
filed live through the JSON API (and Open311 where it enters by the same
channel) on a real app and database, then swept past each deadline."""

from __future__ import annotations

import pytest

from onegrid import paths
from onegrid.cli.live import replay


@pytest.mark.parametrize("name", paths.bundled_packs())
def test_every_policy_test_holds_live_and_every_rule_fires(name):
    result = replay(paths.CATALOGS / name)
    problems = {o.id: [d.as_json() for d in o.diffs] or o.skipped for o in result.outcomes}
    assert result.passed, problems
    assert result.replayed == len(result.outcomes) > 0, problems  # none left out
    assert result.fired == result.rules, [r for r in result.rules if r not in result.fired]
    print(
        f"{name}: {result.replayed} tests replayed live, "
        f"{sum('open311' in o.doors for o in result.outcomes)} through Open311 too, "
        f"{sum(o.climbed for o in result.outcomes)} steps up the ladder, "
        f"rules firing live {len(result.fired)}/{len(result.rules)}"
    )


def test_the_command_line_reports_counts(onegrid):
    r = onegrid("test", "--live", paths.CATALOGS / "luohu", "--lang", "en")
    assert r.code == 0, r.out
    assert "11/11 test(s) replayed live" in r.err
    assert "rules firing live 14/14" in r.err


def test_a_route_that_differs_live_fails(onegrid, make_pack):
    # the test says the hotline rule supervises, but the API files through the
    # pack's API channel (patrol) when the test names none: the test must say so
    root = make_pack(
        {
            "pack.yaml": "kind: pack\nid: drift\nname: 偏差\nincludes: [closed-loop, calendar-cn]\n",
            "org.yaml": """\
                kind: org
                levels: [{id: district, name: 区, rank: 1}]
                units: [{id: d, name: 区, level: district}]
                departments: [{id: dept.a, name: 甲局, level: district}]
                roles: [{id: staff, name: 工作人员, level: district, bound_to: department}]
                """,
            "matters.yaml": """\
                kind: matters
                matters: [{id: m.x, name: 事, unit: dept.a, level: district}]
                """,
            "routing.yaml": """\
                kind: routing
                channels:
                  - {id: patrol, name: 巡查, doors: [api]}
                  - {id: hotline, name: 热线}
                tables:
                  - id: t
                    hit: collect
                    rules:
                      - {id: hotline, when: {channel: {ne: patrol}}, then: {supervise: true}}
                """,
            "tests/routing.yaml": """\
                kind: tests
                tests:
                  - {id: t1, facts: {matter: m.x}, expect: {supervise: true}}
                """,
        },
        name="drift",
    )
    assert onegrid("test", root).code == 0  # the router alone agrees
    r = onegrid("test", "--live", root, "--format", "json")
    assert r.code == 1
    assert '"key": "api:supervise"' in r.out
