"""Separation of duties (`distinct:` in the workflow) on the bundled packs:
one officer cannot take a case from reported to closed alone, and a lead
department cannot feed back or evaluate its own handling."""

from __future__ import annotations

import pytest

from onegrid import messages, paths
from onegrid.forms import forms_of
from onegrid.forms.example import valid_example
from onegrid.workflow import Actor, Binding, Forbidden, act, actions_for, open_case, publish
from onegrid.workflow import rulebook as rulebook_of

from .conftest import runnable

KUNQU = paths.CATALOGS / "kunqu"


@pytest.fixture
def kunqu(db):
    policy = runnable(KUNQU)
    with db() as session:
        version = publish(session, policy, by="admin")
    return policy, version


def step(db, case, transition, actor, body=None):
    with db() as session:
        return act(session, case.id, transition, actor, body or {}, case.version)


def refusal(db, case, transition, actor, body=None) -> Forbidden:
    with pytest.raises(Forbidden) as err:
        step(db, case, transition, actor, body)
    assert transition not in {a.id for a in actions_for(case, actor)}
    return err.value


def report(policy, matter):
    return valid_example(forms_of(policy).form(matter["form"]))


def test_one_community_officer_cannot_close_a_case_alone(db, kunqu):
    policy, version = kunqu
    book = rulebook_of(version)
    matter = book.matters["m.service.property"]
    officer = Actor("officer", (Binding("community_officer", "comm.heping"),))
    with db() as session:
        case = open_case(
            session, version, {"matter": matter["id"], "place": "comm.heping"},
            report(policy, matter), officer, "patrol",
        )  # fmt: skip
    assert (case.level, case.unit) == ("community", "comm.heping")
    err = refusal(db, case, "accept", officer)
    assert err.code == "separation-person" and err.status == 403
    zh = messages.text(err.code, err.problems[0].params, "zh")
    assert zh == "不能“受理”：上报人不能受理本人上报的案件（您已在本案中办理“上报”）"
    with db() as session, pytest.raises(Forbidden) as en:  # in English, asked in English
        act(session, case.id, "accept", officer, {}, case.version, lang="en")
    assert messages.text(en.value.code, en.value.problems[0].params, "en") == (
        "you may not take 'Accept': The reporter may not accept or reject their own report"
        " (you took 'Report' on this case)"
    )

    # a colleague accepts, dispatches and handles (the community leads its own case) ...
    colleague = Actor("colleague", (Binding("community_officer", "comm.heping"),))
    case = step(db, case, "accept", colleague)
    case = step(db, case, "dispatch", colleague)
    case = step(db, case, "handle", colleague, {"result": "已联系物业修复"})
    # ... but nobody of the community feeds back on what the community did
    for who in (colleague, officer):
        err = refusal(db, case, "feed_back", who, {"message": "已处理"})
        assert err.code in ("separation-unit", "separation-person")
    err = refusal(db, case, "feed_back", officer, {"message": "已处理"})
    assert "和平社区已在本案中办理“处置完毕”" in messages.text(
        err.code, err.problems[0].params, "zh"
    )
    street = Actor("street", (Binding("street_officer", "st.linyin"),))
    case = step(db, case, "feed_back", street, {"message": "物业已修复"})
    # the handler may not evaluate; the reporter (as themselves) may
    err = refusal(db, case, "approve", colleague)
    assert err.code == "separation-person"
    case = step(db, case, "approve", officer, {"comment": "满意"})
    assert case.state == "closed"
    assert [h[:2] for h in case.hands] == [
        ["accept", "colleague"], ["dispatch", "colleague"], ["handle", "colleague"],
        ["feed_back", "street"], ["approve", "officer"],
    ]  # fmt: skip
    assert case.hands[-1][2] is None and case.hands[3][2] == "st.linyin"


def test_a_lead_department_neither_feeds_back_nor_approves_its_own_case(db, kunqu):
    policy, version = kunqu
    book = rulebook_of(version)
    matter = book.matters["m.ideology.rumour"]
    finder = Actor("finder", (Binding("grid_worker", "comm.heping"),))
    with db() as session:
        case = open_case(
            session, version, {"matter": matter["id"], "place": "comm.heping"},
            report(policy, matter), finder, "patrol",
        )  # fmt: skip
    lead = case.unit
    assert book.level_of(lead) == case.level == "district"
    handler = Actor("handler", (Binding("dept_handler", lead),))
    chief = Actor("chief", (Binding("dept_handler", lead),))
    centre = Actor("centre", (Binding("dispatcher", "kunqu"),))
    # a department that handles cases is no dispatcher, even at the case's level ...
    assert refusal(db, case, "accept", handler).code == "transition-forbidden"
    case = step(db, case, "accept", centre)
    case = step(db, case, "dispatch", centre)
    case = step(db, case, "handle", handler, {"result": "已删除谣言并发布澄清"})
    # ... but not feed back or approve what it handled, by anyone of its staff
    for who in (handler, chief):
        err = refusal(db, case, "feed_back", who, {"message": "已处理"})
        assert err.code == "transition-forbidden"
        assert "可由本级指挥中心（调度员）、上级单位办理" in messages.text(
            err.code, err.problems[0].params, "zh"
        )
    # nor the handler through another role, at another unit that could feed back
    both = Actor("handler", (Binding("dept_handler", lead), Binding("dispatcher", "kunqu")))
    assert refusal(db, case, "feed_back", both, {"message": "已处理"}).code == "separation-person"
    case = step(db, case, "feed_back", centre, {"message": "已处理"})
    assert refusal(db, case, "approve", chief).code == "transition-forbidden"
    assert refusal(db, case, "reopen", both, {"reason": "没处理好"}).code == "separation-person"
    case = step(db, case, "approve", centre)
    assert case.state == "closed"


def test_a_district_may_drop_a_rule(db, make_pack):
    root = make_pack(
        {
            "pack.yaml": """\
                kind: pack
                id: lenient
                name: 宽松区
                includes: [closed-loop, calendar-cn]
                """,
            "workflow.yaml": """\
                kind: workflow
                distinct:
                  - {id: reporter_accepts, remove: true}
                """,
            "org.yaml": """\
                kind: org
                levels: [{id: district, name: 区, rank: 1}, {id: grid, name: 网格, rank: 2}]
                units:
                  - {id: d, name: 区, level: district}
                  - {id: g, name: 网格, level: grid, parent: d}
                roles: [{id: gw, name: 网格员, level: grid}]
                """,
            "matters.yaml": """\
                kind: matters
                matters: [{id: m.x, name: 事, unit: g, level: grid}]
                """,
            "routing.yaml": """\
                kind: routing
                channels: [{id: grid, name: 网格巡查}]
                """,
        }
    )
    with db() as session:
        version = publish(session, runnable(root))
    distinct = set(rulebook_of(version).distinct)
    assert (
        "reporter_accepts" not in distinct and {"handler_evaluates", "unit_feeds_back"} <= distinct
    )
    me = Actor("me", (Binding("gw", "g"),))
    with db() as session:
        case = open_case(session, version, {"matter": "m.x", "place": "g"}, {}, me, "grid")
    assert step(db, case, "accept", me).state == "accepted"


TYPO = """\
    kind: workflow
    distinct:
      - id: extra
        name: 受理人不能处置
        who: person
        took: [acept]
        may_not: [{may_not}]
      - {{id: loop, name: 自己, who: person, took: [handle], may_not: [handle]}}
    """


@pytest.mark.parametrize(
    ("may_not", "expected"),
    [
        ("handel", ["workflow.yaml:7:15: error[unknown-ref]", "'handle'"]),
        (
            "handle",
            [
                "workflow.yaml:6:12: error[distinct-unknown-step]",
                "'accept'",
                "workflow.yaml:8:46: error[distinct-self]",
            ],
        ),
    ],
)
def test_check_names_a_mistyped_step_with_did_you_mean(onegrid, make_pack, may_not, expected):
    root = make_pack(
        {
            "pack.yaml": """\
                kind: pack
                id: typo
                name: 笔误区
                includes: [closed-loop, calendar-cn]
                """,
            "workflow.yaml": TYPO.format(may_not=may_not),
        }
    )
    result = onegrid("check", root)
    assert result.code == 1
    for text in expected:
        assert text in result.out, result.out
