"""Admission requests as workflow items on Kunqu's pack: filed, decided by
the gate, reviewed one matter at a time, escalated when a review lapses;
all on the same engine, audit chain and sweep as cases."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from conftest import CATALOGS
from onegrid.store import Item
from onegrid.workflow import Forbidden, InvalidSubmission, publish, sweep, verify
from onegrid.workflow.item import act_item, actions_for_item, file_item, item_trail

from .conftest import runnable, staff

CENSUS = {
    "task": "task.census",
    "department": "dept.statistics",
    "reach": "st.linyin",
    "period_from": "2026-01-01",
    "period_to": "2026-12-31",
    "funds_yuan": 30000,
    "funds_per": "year",
    "training": "普查业务培训",
    "data": "普查区划图\n普查底册",
}
UNLISTED = {
    "name": "小区充电桩安装意愿摸底",
    "department": "dept.housing",
    "reach": "comm.heping",
    "period_from": "2026-03-01",
    "period_to": "2026-06-30",
    "basis": "《电动汽车充电基础设施建设实施方案》",
    "attachments": ["att.request", "att.basis", "att.support"],
    "funds_yuan": 5000,
    "funds_per": "once",
    "staff_headcount": 1,
}
FILER = staff("dept.statistics", "dept_handler")
# a Monday morning in Beijing, outside any holiday
MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def kunqu(db):
    with db() as session:
        return publish(session, runnable(CATALOGS / "kunqu"), by="admin")


def file(db, version, data, who=FILER, **kw):
    with db() as session:
        return file_item(session, version, "admission", data, who, now=MONDAY, **kw)


def count(db) -> int:
    with db() as session:
        return session.scalar(select(func.count()).select_from(Item))


def test_a_listed_task_with_its_resources_is_admitted_at_once(db, kunqu):
    item = file(db, kunqu, CENSUS)
    assert (item.state, item.outcome, item.closed_at is not None) == (
        "adm.admitted",
        "admitted",
        True,
    )
    decision = item.result["decision"]
    assert decision["task"] == "task.census"
    assert decision["resources"]["funds"] == {"yuan": 30000, "per": "year"}
    with db() as session:
        steps = item_trail(session, item.id)
        assert [s.action for s in steps] == ["file", "adm.gate_admit"]
        assert steps[1].actor == "system:decision"
        assert verify(session).ok


def test_a_listed_task_without_its_funds_is_refused_naming_them(db, kunqu):
    item = file(db, kunqu, {**CENSUS, "funds_yuan": None})
    assert (item.state, item.outcome) == ("adm.refused", "refused")
    codes = [r["code"] for r in item.result["decision"]["reasons"]]
    assert codes == ["admission-missing-resource"]
    assert item.result["decision"]["reasons"][0]["params"]["resource"]["zh"] == "经费"


def test_too_little_money_is_refused_with_both_amounts(db, kunqu):
    item = file(db, kunqu, {**CENSUS, "funds_yuan": 2000, "funds_per": "month"})
    (reason,) = item.result["decision"]["reasons"]
    assert reason["code"] == "admission-resource-short"
    assert reason["params"]["need"]["zh"] == "30000元/年"
    assert reason["params"]["have"]["zh"] == "2000元/月"
    # 3000 a month is 36000 a year: enough
    assert (
        file(db, kunqu, {**CENSUS, "funds_yuan": 3000, "funds_per": "month"}).outcome == "admitted"
    )


def test_an_unlisted_task_is_reviewed_and_approved_with_conditions(db, kunqu):
    item = file(db, kunqu, UNLISTED, who=staff("dept.housing", "dept_handler"))
    assert (item.state, item.unit, item.level) == ("adm.in_review", "dept.party_gov", "district")
    assert item.limits == {"adm.review": "15wd"}
    # 15 working days from Monday 2 March 2026: Monday 23 March, same time
    assert item.due_at.astimezone(MONDAY.tzinfo) == MONDAY + dt.timedelta(days=21)
    reviewer = staff("dept.party_gov", "dept_handler")
    assert [a.id for a in actions_for_item(item, reviewer)] == [
        "adm.approve",
        "adm.approve_conditions",
        "adm.reject",
    ]
    assert [a.id for a in actions_for_item(item, FILER)] == []
    with db() as session, pytest.raises(Forbidden):
        act_item(session, item.id, "adm.approve", FILER, {"reasons": "x"}, item.version)
    with db() as session, pytest.raises(InvalidSubmission):
        act_item(
            session, item.id, "adm.approve_conditions", reviewer, {"reasons": "可"}, item.version
        )
    with db() as session:
        done = act_item(
            session,
            item.id,
            "adm.approve_conditions",
            reviewer,
            {"reasons": "确有必要", "conditions": "经费于 4 月底前拨付"},
            item.version,
        )
    assert (done.state, done.outcome) == ("adm.approved_conditions", "admitted")
    assert done.result["outcome"]["submission"]["conditions"] == "经费于 4 月底前拨付"
    with db() as session:
        assert [s.action for s in item_trail(session, item.id)] == [
            "file",
            "adm.to_review",
            "adm.approve_conditions",
        ]


def test_a_lapsed_review_escalates_on_the_ladder(db, kunqu):
    item = file(db, kunqu, UNLISTED)
    report = sweep(db, now=item.due_at + dt.timedelta(minutes=1))
    assert report.items.escalated == [item.id]
    with db() as session:
        item = session.get(Item, item.id)
        assert (item.escalations, item.supervised, item.limits["adm.review"]) == (1, True, "5wd")
        assert [s.action for s in item_trail(session, item.id)][-1] == "escalate"
    # the top of the ladder: supervised and marked overdue, once
    later = item.due_at + dt.timedelta(minutes=1)
    assert sweep(db, now=later).items.supervised == [item.id]
    assert sweep(db, now=later).total == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"department": "dept.nowhere"}, "department"),
        ({"funds_yuan": -5}, "funds_yuan"),
        ({"task": "task.censsus"}, "task"),
        ({"period_to": "2025-01-01"}, "period_to"),
    ],
)
def test_bad_requests_are_refused_field_by_field_and_nothing_is_stored(db, kunqu, change, field):
    with pytest.raises(InvalidSubmission) as caught:
        file(db, kunqu, {**CENSUS, **change})
    assert field in caught.value.errors
    assert count(db) == 0


def test_a_request_is_judged_under_the_version_it_was_filed_in(db, kunqu, tmp_path):
    import shutil

    changed = tmp_path / "kunqu"
    shutil.copytree(CATALOGS / "kunqu", changed)
    text = (changed / "admission.yaml").read_text(encoding="utf-8")
    (changed / "admission.yaml").write_text(
        text.replace("yuan: 30000, per: year", "yuan: 90000, per: year"), encoding="utf-8"
    )
    old = file(db, kunqu, CENSUS)
    with db() as session:
        newer = publish(session, runnable(changed), by="admin")
    assert newer.id != kunqu.id
    assert file(db, newer, CENSUS).outcome == "refused"
    assert old.outcome == "admitted" and old.policy_version_id == kunqu.id


def test_onegrid_admission_file_stores_decides_and_exits_by_outcome(onegrid, db_url, tmp_path):
    import json

    request = tmp_path / "request.json"
    request.write_text(json.dumps(CENSUS, ensure_ascii=False), encoding="utf-8")
    args = ("admission", "file", "kunqu", "--request", request, "--url", db_url)
    r = onegrid(*args, "--format", "json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["state"] == "adm.admitted"
    request.write_text(json.dumps({**CENSUS, "funds_yuan": 10}, ensure_ascii=False), "utf-8")
    r = onegrid(*args)
    assert r.code == 1 and "30000元/年" in r.out
    request.write_text(json.dumps(UNLISTED, ensure_ascii=False), encoding="utf-8")
    assert onegrid(*args, "--by", "someone@dept.housing").code == 3
    # a bad request: a field-level error, nothing stored
    request.write_text(json.dumps({**CENSUS, "funds_yuan": -1}), encoding="utf-8")
    r = onegrid(*args)
    assert r.code == 1 and "funds_yuan" in r.err
    from onegrid.store import make_engine, sessions

    engine = make_engine(db_url)
    with sessions(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Item)) == 3
    engine.dispose()


def test_tasks_admitted_under_a_listing_a_later_version_removed_are_reported(db, kunqu, tmp_path):
    import shutil

    from onegrid.workflow import register

    admitted = file(db, kunqu, CENSUS)
    changed = tmp_path / "kunqu"
    shutil.copytree(CATALOGS / "kunqu", changed)
    text = (changed / "admission.yaml").read_text(encoding="utf-8")
    start = text.index("  - id: task.census")
    end = text.index("  - id: task.pension")
    (changed / "admission.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    with db() as session:
        assert register.removed(session, kunqu) == []
        newer = publish(session, runnable(changed), by="admin")
        (entry,) = register.removed(session, newer)
        assert (entry.item, entry.task, entry.title) == (
            admitted.id,
            "task.census",
            "人口普查入户登记协助",
        )


def test_the_declared_decisions_are_the_implemented_ones():
    from onegrid.policy.kinds.workflow import DECISIONS as DECLARED
    from onegrid.workflow.decisions import DECISIONS as IMPLEMENTED

    assert set(IMPLEMENTED) == set(DECLARED)


def test_every_bundled_pack_runs_the_admission_item_kind():
    for pack in ("kunqu", "baohe", "cuntan", "luohu", "jinshui"):
        from onegrid.workflow.rulebook import Rulebook

        policy = runnable(CATALOGS / pack)
        book = Rulebook(policy.resolved(), policy.content_hash).for_item("admission")
        assert book.initial == "adm.filed", pack
        assert book.kind["ladder"] == "admission", pack
        review = policy.section("admission")["review"]
        assert policy.get("matter", review["report_matter"]) is not None, pack


def test_check_refuses_an_item_only_key_on_a_case_transition(tmp_path):
    import shutil

    from onegrid.checks import check_pack

    pack = tmp_path / "kunqu"
    shutil.copytree(CATALOGS / "kunqu", pack)
    (pack / "more-workflow.yaml").write_text(
        "kind: workflow\n"
        "transitions:\n"
        "  - {id: x.auto, name: X, from: [reported], to: closed, by: [{party: anyone}], auto: admitted}\n",
        encoding="utf-8",
    )
    _, problems = check_pack(pack)
    assert [p.code for p in problems if p.severity == "error"] == ["workflow-item-only"]


def test_the_reviewer_and_the_filer_hear_through_the_outbox(db, kunqu):
    from onegrid.store import Notification

    filer = staff("dept.housing", "dept_handler")
    item = file(db, kunqu, UNLISTED, who=filer)
    reviewer = staff("dept.party_gov", "dept_handler")
    with db() as session:
        act_item(session, item.id, "adm.reject", reviewer, {"reasons": "无必要"}, item.version)
    sweep(db, now=MONDAY + dt.timedelta(days=60))  # nothing due: it is closed
    with db() as session:
        notes = session.scalars(select(Notification).order_by(Notification.id)).all()
        told = [(n.event, n.units, n.users) for n in notes]
    assert told == [
        ("admission.file", ["dept.party_gov"], []),
        ("admission.adm.reject", [], [filer.id]),
    ]
    assert notes[1].subject["zh"] == f"准入申请 {item.id}：审核不同意"
