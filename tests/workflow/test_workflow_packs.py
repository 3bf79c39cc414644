"""Every bundled pack's closed loop, escalation included, and the checks."""

from __future__ import annotations

import datetime as dt

import pytest

from onegrid import paths
from onegrid.forms import forms_of
from onegrid.forms.example import valid_example
from onegrid.policy.kinds.workflow import GUARDS, PARTIES
from onegrid.workflow import (
    Actor,
    Binding,
    Rulebook,
    act,
    actions_for,
    channel_for,
    get_case,
    open_case,
    publish,
    rulebook,
    sweep,
    trail,
    verify,
)
from onegrid.workflow.guard import GUARDS as GUARD_CODE

from .conftest import runnable

LOOP = ["accept", "dispatch", "handle", "feed_back", "approve"]


def body(policy, form_id):
    return valid_example(forms_of(policy).form(form_id)) if form_id else {}


def staff_at(book, unit):
    return Actor(f"staff@{unit}", (Binding("staff", unit),))


def dispatcher(book, case):
    unit = book.above(case.place, case.level)
    if unit is None:  # a level of departments or posts: any of them there
        units = {**book.units, **book.departments}
        unit = next((i for i, d in units.items() if d.get("level") == case.level), None)
        assert unit is not None, f"no unit at the case's level {case.level}"
    return staff_at(book, unit)


def superior(book, case):
    """Staff of the unit just above the case's level, over where it happened."""
    above = [
        u
        for u in book.ancestors(case.place)
        if 0 < book.rank(book.level_of(u)) < book.rank(case.level)
    ]
    return staff_at(book, above[0]) if above else None


def feeding_back(book, case):
    """The dispatcher, unless the dispatcher's unit handled the case itself
    (separation of duties): then the level above."""
    centre = dispatcher(book, case)
    return superior(book, case) if centre.bindings[0].unit == case.unit else centre


def deepest_place(book, matter):
    """The lowest unit (a registry grid, where there is one) that lies in a
    unit at the matter's level."""
    units = sorted(book.units.values(), key=lambda u: -book.rank(u.get("level")))
    for unit in units:
        if book.above(unit["id"], matter.get("level") or "") is not None:
            return unit["id"]
    return units[0]["id"]


@pytest.mark.parametrize("name", paths.bundled_packs())
def test_every_bundled_pack_walks_its_closed_loop(db, name):
    policy = runnable(paths.CATALOGS / name)
    if not Rulebook(policy.resolved(), policy.content_hash).matters:
        pytest.skip(f"{name}: no matter catalog yet")
    with db() as session:
        version = publish(session, policy, by="admin")
        assert publish(session, policy).id == version.id
    book = rulebook(version)  # with the registry's grids, where cases happen
    if policy.manifest.get("registry"):
        assert version.grids and all(g["level"] == "grid" for g in version.grids)
    # the lowest-level matter climbs the longest ladder
    matter = max(book.matters.values(), key=lambda m: book.rank(m.get("level")))
    place = deepest_place(book, matter)
    finder = Actor("finder", (Binding("grid_worker", place),))
    facts = {"matter": matter["id"], "place": place}
    report = body(policy, matter.get("form"))

    with db() as session:
        case = open_case(session, version, facts, report, finder, channel_for(book, "pages"))
    # the moves a pack may ask for first: the lead signs (签收), the centre calls back (回访)
    before = {"handle": "sign", "approve": "revisit"}
    for transition in LOOP:
        if transition == "handle":
            actor = Actor("handler", (Binding("staff", case.unit),))
        elif transition == "feed_back":
            actor = feeding_back(book, case)
        elif transition == "approve":
            actor = finder
        else:
            actor = dispatcher(book, case)
        offered = {a.id: a for a in actions_for(case, actor)}
        first = before.get(transition)
        if first and transition not in offered and first in book.transitions:
            helper = actor if transition == "handle" else dispatcher(book, case)
            with db() as session:
                form = book.transitions[first].get("form")
                case = act(session, case.id, first, helper, body(policy, form), case.version)
            offered = {a.id: a for a in actions_for(case, actor)}
        assert transition in offered, (transition, case.state, case.level, case.unit)
        with db() as session:
            case = act(
                session,
                case.id,
                transition,
                actor,
                body(policy, offered[transition].form),
                case.version,
            )
    assert case.state == "closed"

    t0 = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)
    with db() as session:
        overdue = open_case(session, version, facts, report, finder, "hotline", now=t0)
    ranks = [book.rank(overdue.level)]
    now = t0
    for _ in range(len(book.levels) + 1):
        now += dt.timedelta(days=40)
        if sweep(db, now).total == 0:
            break
        with db() as session:
            overdue = get_case(session, overdue.id)
        ranks.append(book.rank(overdue.level))
    assert overdue.supervised and overdue.overdue
    assert ranks == sorted(ranks, reverse=True)
    if ranks[0] > 1:  # not already at the top: it climbed
        assert overdue.escalations >= 1 and ranks[-1] < ranks[0]
    with db() as session:
        assert trail(session, overdue.id)[-1].action == "supervise"
        assert verify(session).ok


def test_guards_and_parties_match_their_declarations():
    assert set(GUARD_CODE) == set(GUARDS)
    assert set(PARTIES) >= {"reporter", "dispatcher", "lead", "assistant", "enterprise", "anyone"}


BAD_WORKFLOW = """\
kind: workflow
steps:
  - {id: handle, name: 处置}
states:
  - {id: a, name: A, initial: true, step: handle}
  - {id: b, name: B}
  - {id: c, name: C, final: true, step: handle}
  - {id: d, name: D}
transitions:
  - {id: go, name: 走, from: [a], to: b, by: [{party: anyone}]}
  - {id: end, name: 完, from: [d], to: c, by: [{party: anyone}]}
  - {id: hold, name: 等, from: [a], by: [{party: anyone}]}
"""

BAD_CALENDAR = """\
kind: calendar
timezone: Asia/Beijing
holidays:
  - {id: h1, name: 假, from: 2026-10-07, to: 2026-10-01}
  - {id: h2, name: 假, date: 2026-02-30}
  - {id: h3, name: 假, date: 2026-05-09}
workdays:
  - {id: w1, name: 班, date: 2026-05-09}
  - {id: w2, name: 班, date: 2026-05-11}
"""


def test_check_reports_broken_workflows_and_calendars(make_pack, onegrid):
    root = make_pack({"workflow.yaml": BAD_WORKFLOW, "calendar.yaml": BAD_CALENDAR})
    r = onegrid("check", root, "--lang", "en")
    assert r.code == 1
    found = sorted(line.split(": ", 1)[1].split("]")[0] for line in r.out.splitlines())
    assert found == [
        "error[calendar-both",
        "error[calendar-date",
        "error[calendar-range",
        "error[calendar-timezone",
        "error[workflow-dead-end",
        "error[workflow-final-step",
        "error[workflow-target",
        "warning[calendar-weekday-workday",
        "warning[workflow-unreachable",
        "warning[workflow-unreachable",
    ]
    assert "workflow.yaml:6:10: error[workflow-dead-end]: the state 'b' is not final" in r.out


def test_the_shared_packs_check_clean(onegrid):
    r = onegrid("check", paths.RULES / "closed-loop", paths.RULES / "calendar-cn")
    assert (r.code, r.out) == (0, "")
