"""One set of facts from every door: channels, form answers, tags and
severity reach the router through the JSON API and Open311 of a real app."""

from __future__ import annotations

import pytest

from onegrid import paths
from onegrid.cli.live import LiveApp, complete, request_of
from onegrid.decide.submission import answer_facts
from onegrid.policy.pack import load_policy


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    apps = {}

    def get(name: str) -> LiveApp:
        if name not in apps:
            folder = tmp_path_factory.mktemp(name)
            apps[name] = LiveApp(paths.CATALOGS / name, folder)
        return apps[name]

    yield get
    for app in apps.values():
        app.close()


def body(name: str, facts: dict) -> dict:
    request, why = request_of(load_policy(paths.CATALOGS / name), facts)
    assert request is not None, why
    return request


def test_a_kunqu_hotline_case_is_supervised_through_the_api(live):
    app = live("kunqu")
    status, case = app.file_api(
        body("kunqu", {"matter": "m.city.stall", "place": "g.heping.01", "channel": "hotline"})
    )
    assert status == 201, case
    assert (case["channel"], case["door"], case["supervised"]) == ("hotline", "api", True)
    assert case["limits"]["feedback"] == "1wd"
    assert "extras/hotline" in case["rules"]
    # the matter's own assistant, from the catalog (Kunqu m.city.stall)
    assert case["assistants"] == ["dept.market"]


def test_a_form_answer_sets_severity_and_tags(live):
    app = live("kunqu")
    request = body("kunqu", {"matter": "m.city.stall", "place": "g.heping.01"})
    request["submission"] |= {"urgency": "urgent", "involves": ["elderly"]}
    status, case = app.file_api(request)
    assert status == 201, case
    assert case["facts"]["severity"] == "major" and case["facts"]["tags"] == ["elderly"]
    assert case["rules"] == ["lead/whistle", "extras/elderly"]
    assert (case["unit"], case["level"]) == ("st.linyin", "street")
    assert sorted(case["assistants"]) == sorted(
        ["dept.urban", "dept.emergency", "dept.market", "dept.civil"]
    )


def test_a_cuntan_major_hazard_switches_to_the_emergency_route(live):
    app = live("cuntan")
    facts = {"matter": "m.gas_safety_hazards", "place": "g.lanxi.01"}
    ordinary = body("cuntan", facts)
    assert ordinary["submission"]["hazard_level"] == "general"
    status, case = app.file_api(ordinary)
    assert status == 201, case
    assert (case["unit"], case["rules"][0]) == ("post.worksafety", "loop/gas")
    major = body("cuntan", {**facts, "submission": {"hazard_level": "major"}})
    assert major["submission"]["evacuated"] is not None  # shown and required for a major one
    status, case = app.file_api(major)
    assert status == 201, case
    assert (case["unit"], case["supervised"]) == ("ct.command", True)
    assert case["rules"][0] == "loop/major-hazard"
    assert sorted(case["assistants"]) == ["blk.safety", "post.emergency"]


def test_a_luohu_women_channel_case_is_accepted(live):
    app = live("luohu")
    status, case = app.file_api(
        body("luohu", {"matter": "m.rubbish", "place": "g.caiwuwei.01", "channel": "women"})
    )
    assert status == 201, case
    assert case["channel"] == "women"
    assert "push/women" in case["rules"] and "dept.women" in case["assistants"]


@pytest.mark.parametrize(
    ("name", "channels"),
    [
        ("kunqu", ["patrol"]),
        ("baohe", ["citymgmt", "skynet"]),
        ("cuntan", ["patrol", "resident"]),
        ("luohu", ["women", "supervision"]),
        ("jinshui", ["terminal", "party_member"]),
    ],
)
def test_every_pack_channel_is_accepted_and_others_refused(live, name, channels):
    app = live(name)
    policy = load_policy(paths.CATALOGS / name)
    matter = next(m for m in policy.items("matter") if m.get("form"))
    declared = {c["id"]: c for c in policy.section("routing")["channels"]}
    for channel in channels:
        request = body(name, {"matter": matter["id"], "channel": channel})
        status, case = app.file_api(request)
        if declared[channel].get("doors") == ["open311"]:
            # the Open311 clients' own channel: a staff account is refused by name,
            # a client key issued for it files the case
            assert status == 403 and channel in case["message"], case
            request["place"] = request.get("place") or next(u["id"] for u in policy.items("unit"))
            status, answer = app.file_open311(request, channel)
            assert status == 200, answer
            case = app.case(int(answer[0]["service_request_id"]))
            assert case["channel"] == channel
        else:
            assert (status, case.get("channel")) == (201, channel), case
    status, answer = app.file_api(body(name, {"matter": matter["id"], "channel": "hotlnie"}))
    assert status == 422
    assert "hotlnie" in answer["message"] and "hotline" in answer["message"]


def test_each_door_enters_by_the_channel_the_pack_marks(live):
    app = live("kunqu")
    request = body("kunqu", {"matter": "m.city.stall", "place": "g.heping.01"})
    status, case = app.file_api(request)
    assert (status, case["channel"]) == (201, "patrol")
    status, answer = app.file_open311(request)
    assert status == 200, answer
    case = app.case(int(answer[0]["service_request_id"]))
    assert (case["channel"], case["door"]) == ("wechat", "open311")


def test_a_submission_is_a_facts_file_too():
    policy = load_policy(paths.CATALOGS / "kunqu")
    from onegrid.decide import decide

    answers = complete(
        policy,
        "form.report.general",
        {"urgency": "emergency"},
        answer_facts(policy)["form.report.general"],
    )
    decision = decide(
        policy,
        {
            "matter": "m.city.stall",
            "place": "g.heping.01",
            "submission": answers,
            "channel": "police",
        },
    )
    assert decision.rule_ids == ("lead/whistle", "extras/fraud-police")
    assert decision.origins["lead"] == "lead/whistle"
