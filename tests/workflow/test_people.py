"""Person records on Jinshui's pack: a registration makes (or finds) the
person's record apart from any account and files their claim of a post in
one transaction; a person holds one post; the grids report's people side
counts real people per role and post; every change is on the audit chain."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select, update

from conftest import CATALOGS
from onegrid import messages
from onegrid.store import Item, Person
from onegrid.store.accounts import create_user
from onegrid.workflow import InvalidSubmission, people, publish, verify
from onegrid.workflow.actor import Actor, Binding
from onegrid.workflow.claims import coverage
from onegrid.workflow.item import act_item
from onegrid.workflow.rulebook import rulebook

from .conftest import runnable


@pytest.fixture
def jinshui(db):
    with db() as session:
        return publish(session, runnable(CATALOGS / "jinshui"), by="admin")


def grids(version, n=2) -> list[str]:
    book = rulebook(version)
    return sorted(u for u, s in book.units.items() if s.get("level") == "grid")[:n]


ZHANG = {"name": "张建国", "phone": "138-0000-0001", "party_member": True, "post": "dl.six.law"}
PUBLIC = Actor("public:join", ())


def opened_rounds(db, unit) -> list[Item]:
    with db() as session:
        return list(
            session.scalars(select(Item).where(Item.unit == unit, Item.kind == "duty_round"))
        )


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_a_registration_is_a_person_record_and_a_claim_tied_to_it(db, jinshui):
    grid, _ = grids(jinshui)
    with db() as session:
        person, claim = people.register(
            session, jinshui, {**ZHANG, "home_grid": grid}, PUBLIC, idempotency_key="join:k1"
        )
        again, same = people.register(
            session, jinshui, {**ZHANG, "home_grid": grid}, PUBLIC, idempotency_key="join:k1"
        )
        assert (again.id, same.id) == (person.id, claim.id)  # a double submit files once
        assert (count(session, Person), count(session, Item)) == (1, 1)
    assert (person.name, person.phone, person.party_member, person.home_grid) == (
        "张建国",
        "13800000001",
        True,
        grid,
    )
    assert person.user_id is None  # apart from login accounts
    assert claim.result["person"] == person.id
    with db() as session:
        actions = [e.action for e in people.history(session, person.id)]
        assert verify(session).ok
    assert actions == ["person.create", "person.claim"]


def test_a_person_holds_one_post_and_a_phone_names_one_person(db, jinshui):
    grid, other = grids(jinshui)
    with db() as session:
        people.register(session, jinshui, {**ZHANG, "home_grid": grid}, PUBLIC)
    cases = [
        ({"post": "dl.six.safety"}, "post", "您已认领“法治建设宣传员”（待网格党支部确认）"),
        ({"name": "李四"}, "phone", "这个手机号码已由另一人登记"),
        ({"home_grid": other}, "home_grid", "这个手机号码已在另一个网格登记"),
        ({"phone": "1380000abcd"}, "phone", "手机号码只能包含数字"),
    ]
    for change, where, text in cases:
        with db() as session, pytest.raises(InvalidSubmission) as bad:
            people.register(session, jinshui, {**ZHANG, "home_grid": grid, **change}, PUBLIC)
        assert list(bad.value.errors) == [where]
        assert bad.value.errors[where][0].startswith(text)
    with db() as session:  # nothing stored by the refusals
        assert (count(session, Person), count(session, Item)) == (1, 1)


def test_a_declined_person_may_claim_again_and_counts_once(db, jinshui):
    grid, _ = grids(jinshui)
    secretary = Actor("sec", (Binding("grid_branch_secretary", grid),))
    with db() as session:
        _, first = people.register(session, jinshui, {**ZHANG, "home_grid": grid}, PUBLIC)
        act_item(
            session, first.id, "claim.decline", secretary, {"reason": "重复登记"}, first.version
        )
        person, second = people.register(
            session, jinshui, {**ZHANG, "home_grid": grid, "post": "dl.six.safety"}, PUBLIC
        )
        act_item(session, second.id, "claim.confirm", secretary, {}, second.version)
        figures = coverage(session, jinshui)
    assert second.result["person"] == first.result["person"] == person.id
    assert (figures[grid].people, figures[grid].posts_held()) == (1, 1)


def test_the_people_side_of_the_grids_report_counts_accounts_and_claimants(db, jinshui):
    grid, other = grids(jinshui)
    book = rulebook(jinshui)
    rules = book.policy.section("standards")["staffing"]
    with db() as session:
        before = people.staffing(session, jinshui, rules)
        create_user(
            session,
            "sec",
            "x" * 12,
            bindings=[("grid_branch_secretary", grid)],
            method="pbkdf2:sha256:1",
        )
        worker = create_user(
            session, "gw", "x" * 12, bindings=[("grid_worker", grid)], method="pbkdf2:sha256:1"
        )
        session.commit()
        person, claim = people.register(session, jinshui, {**ZHANG, "home_grid": grid}, PUBLIC)
        secretary = Actor("sec", (Binding("grid_branch_secretary", grid),))
        act_item(session, claim.id, "claim.confirm", secretary, {}, claim.version)
        # the worker's account is the same person as a record: counted once
        people.link(session, person.id, "gw", by="admin")
        session.commit()
        after = people.staffing(session, jinshui, rules)
        linked = session.get(Person, person.id).user_id
        assert verify(session).ok
    assert linked == worker.id
    rule = {r["rule"]: r for r in after["staffing"]}
    was = {r["rule"]: r for r in before["staffing"]}
    grids_n = len([u for u, s in book.units.items() if s.get("level") == "grid"])
    assert rule["std.branch"]["checked"] == grids_n
    # the secretary's account has no person record: listed apart, not a person
    assert (was["std.branch"]["met"], rule["std.branch"]["met"]) == (0, 0)
    assert after["accounts"]["grid_branch_secretary"] == 1
    assert after["roles"]["grid_branch_secretary"] == 0
    with db() as session:
        with pytest.raises(InvalidSubmission) as refused:
            people.record(
                session, jinshui, {"name": "王芳", "phone": "12", "home_grid": grid}, "admin"
            )
        assert refused.value.errors == {"phone": [messages.text("person-bad-phone", {})]}
        with pytest.raises(InvalidSubmission) as refused:
            people.record(
                session,
                jinshui,
                {"name": "王芳", "phone": "13700000003", "home_grid": "x"},
                "admin",
            )
        assert "没有叫“x”的网格" in refused.value.errors["home_grid"][0]
        name = book.name(book.units[grid], "zh", "")
        wang = {"name": "王芳", "phone": "13700000003", "home_grid": name, "username": "sec"}
        recorded = people.record(session, jinshui, wang, "admin")
        session.commit()
        assert recorded.home_grid == grid  # named by the grid's name
        now = people.staffing(session, jinshui, rules)
        assert verify(session).ok
    rule = {r["rule"]: r for r in now["staffing"]}
    assert rule["std.branch"]["met"] == 1
    assert (now["roles"]["grid_branch_secretary"], now["accounts"]["grid_branch_secretary"]) == (
        1,
        0,
    )
    assert (was["std.grid_worker"]["people"], rule["std.grid_worker"]["people"]) == (0, 1)
    posts = {p["post"]: p for p in after["posts"]}
    assert len(posts) == 6
    assert (posts["dl.six.law"]["people"], posts["dl.six.law"]["grids_held"]) == (1, 1)
    assert after["registered"]["people"] == after["registered"]["party_members"] == 1
    assert after["registered"]["grids_with_party_members"] == 1
    assert other in {g["subject"] for g in rule["std.branch"]["gaps"]}


def test_grids_report_people_from_the_command_line(onegrid, db, db_url, jinshui):
    grid, _ = grids(jinshui)
    with db() as session:
        _, claim = people.register(session, jinshui, {**ZHANG, "home_grid": grid}, PUBLIC)
        secretary = Actor("sec", (Binding("grid_branch_secretary", grid),))
        act_item(session, claim.id, "claim.confirm", secretary, {}, claim.version)
    pack = str(CATALOGS / "jinshui")
    text = onegrid("grids", "report", pack, "--people", "--url", db_url)
    assert "在册人员（人员记录与已确认的认岗登记，每人计一次；" in text.out, text.err
    assert "已确认登记 1 人，其中党员 1 人；有党员报到的网格 1/500" in text.out
    out = onegrid("grids", "report", pack, "--people", "--url", db_url, "--format", "json")
    found = json.loads(out.out)["people"]
    assert {p["post"]: p["people"] for p in found["posts"]}["dl.six.law"] == 1
    assert found["roles"]["six.law"] == 1
    plain = onegrid("grids", "report", pack, "--format", "json")
    assert "people" not in json.loads(plain.out)  # without --people: the registry alone


def test_a_confirmed_claimant_gets_rounds_of_their_post_and_alone_ticks_them(db, jinshui):
    from onegrid.workflow import Forbidden
    from onegrid.workflow.duty_plan import period_of
    from onegrid.workflow.rounds import completion, open_rounds, tick

    grid, _ = grids(jinshui)
    secretary = Actor("sec", (Binding("grid_branch_secretary", grid),))
    with db() as session:
        person, claim = people.register(session, jinshui, {**ZHANG, "home_grid": grid}, PUBLIC)
        li = {**ZHANG, "name": "李红", "phone": "13900000002", "post": "dl.six.opinion"}
        other, pending = people.register(session, jinshui, {**li, "home_grid": grid}, PUBLIC)
        act_item(session, claim.id, "claim.confirm", secretary, {}, claim.version)
    now = dt.datetime(2026, 12, 2, 2, tzinfo=dt.UTC)
    opened = open_rounds(db, now)
    again = open_rounds(db, now)
    with db() as session:
        mine = [session.get(Item, i) for i in opened]
        mine = [r for r in mine if r.data.get("person") is not None]
    # the law publicist's quarterly items (d.law.1) and on-event ones (the month's)
    assert sorted(r.data["period"] for r in mine) == ["2026-12", "2026-Q4"]
    assert {(r.unit, r.data["person"], r.data["claimant"]) for r in mine} == {
        (grid, person.id, "张建国")
    }
    assert not [i for i in again if i in opened]  # the second sweep opens nothing new
    quarter = next(r for r in mine if r.data["period"] == "2026-Q4")
    assert quarter.result["decision"]["items"] == ["d.law.1"]
    zhang = Actor("zhang", (), person=person.id)
    worker = Actor("gw", (Binding("six.law", grid),))  # the role, but not the claimant
    with db() as session:
        with pytest.raises(Forbidden) as refused:
            tick(session, quarter.id, "d.law.1", worker, {}, quarter.version, now)
        problem = refused.value.problems[0]
        assert messages.text(problem.code, problem.params, "zh") == (
            "这项职责属于“张建国”，您不能为它销号"
        )
        photo_form = {"note": "楼院法治宣传"}
        with pytest.raises(InvalidSubmission):  # a photo is the evidence asked
            tick(session, quarter.id, "d.law.1", zhang, photo_form, quarter.version, now)
    monthly = next(r for r in mine if r.data["period"] == "2026-12")
    with db() as session:
        done = tick(
            session, monthly.id, "d.law.2", zhang, {"record": "指引 2 户"}, monthly.version, now
        )
    assert done.result["ticks"]["d.law.2"][0]["by"] == "zhang"
    with db() as session:
        figures = completion(session, "jinshui", period_of("quarter", now.date()), now=now)
    key = f"person:{person.id}"
    assert figures[key].holder and figures[key].grid == grid
    # d.law.1 is due this quarter; d.law.2 counts once ticked (on-event)
    assert (figures[key].rounds, figures[key].expected, figures[key].complete) == (2, 2, 1)
    # the grid's own rounds (its worker's, its branch's) and the claimant's two
    assert (
        figures[grid].rounds
        == sum(1 for r in opened_rounds(db, grid) if r.data.get("person") is None) + 2
    )
    assert f"person:{other.id}" not in figures  # not confirmed yet: no rounds
    assert pending.outcome is None


def test_jinshui_ranks_grids_on_their_records_with_people_counted_by_hand(
    onegrid, db, db_url, jinshui
):
    grid, other = grids(jinshui)
    with db() as session:
        people.register(session, jinshui, {**ZHANG, "home_grid": grid}, PUBLIC)
    out = onegrid("scores", str(CATALOGS / "jinshui"), "--period", "2026-12", "--scheme",
                  "sc.grid", "--format", "json", "--url", db_url)  # fmt: skip
    [scheme] = json.loads(out.out)
    rows = {r["subject"]: r for r in scheme["rows"]}
    assert len(rows) == 500  # every grid ranked
    # her grid: its registry row (name, households: 2/2) and her record (no account: 4/5)
    mine = rows[grid]["values"]["data"]["value"]
    assert mine == pytest.approx((1 + 4 / 5) / 2, abs=1e-4)
    assert rows[other]["values"]["data"]["value"] == 1.0  # its row alone
    assert rows[grid]["values"]["patrol"]["value"] == 0.0  # nobody patrolled
    assert rows[grid]["score"] == pytest.approx(50 * 0.9, abs=0.01)


def test_a_claimants_round_warns_her_account_and_only_a_lapse_tells_the_grid(db, jinshui):
    from onegrid.store.outbox import Notification, NotificationRecipient
    from onegrid.workflow.rounds import open_rounds
    from onegrid.workflow.sweep import sweep

    grid, _ = grids(jinshui)
    with db() as session:
        create_user(session, "zhang", "x" * 12, bindings=[], method="pbkdf2:sha256:1")
        create_user(
            session, "gw", "x" * 12, bindings=[("grid_worker", grid)], method="pbkdf2:sha256:1"
        )
        session.commit()
        person, claim = people.register(session, jinshui, {**ZHANG, "home_grid": grid}, PUBLIC)
        secretary = Actor("sec", (Binding("grid_branch_secretary", grid),))
        act_item(session, claim.id, "claim.confirm", secretary, {}, claim.version)
        people.link(session, person.id, "zhang", by="admin")
        session.commit()
    opened = open_rounds(db, dt.datetime(2026, 12, 2, 2, tzinfo=dt.UTC))
    with db() as session:
        quarter = next(
            r
            for r in (session.get(Item, i) for i in opened)
            if r.data.get("person") == person.id and r.data["period"] == "2026-Q4"
        )
        # the sweeps look at her round alone: the ~2,000 others Jinshui opens
        # would each take a warning and a lapse (16 of the test's 22 s)
        session.execute(update(Item).where(Item.id != quarter.id).values(sweep_at=None))
        session.commit()

    def told(event):
        with db() as session:
            rows = session.execute(
                select(NotificationRecipient.username)
                .join(Notification, Notification.id == NotificationRecipient.notification_id)
                .where(Notification.event == event)
                .where(Notification.payload["item"].as_integer() == quarter.id)
            )
            return sorted(u for (u,) in rows)

    assert sweep(db, now=quarter.warn_at + dt.timedelta(minutes=1)).items.warned
    assert told("duty_round.warn") == ["zhang"]  # hers alone, not the grid worker's
    lapsed = sweep(db, now=quarter.due_at + dt.timedelta(minutes=1)).items
    assert quarter.id in lapsed.supervised + lapsed.escalated
    event = "duty_round.supervise" if quarter.id in lapsed.supervised else "duty_round.escalate"
    assert told(event) == ["gw", "zhang"]  # a lapse: the grid hears too


def test_kunqu_records_staff_in_a_registry_grid_below_which_it_lists_no_units(db):
    """Kunqu declares buildings and entrances under its grids but lists none:
    a home grid is one of its registry's 791 grids, named as the registry does."""
    with db() as session:
        kunqu = publish(session, runnable(CATALOGS / "kunqu"), by="admin")
        wang = {"name": "王芳", "phone": "13700000003", "home_grid": "和平社区第1网格"}
        person = people.record(session, kunqu, wang, "admin")
        session.commit()
        assert person.home_grid == "g.heping.01"
