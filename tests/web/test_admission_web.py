"""Task admission through its doors on Kunqu's and Baohe's packs: the API,
the pages in a real browser, the register and the counts per community."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from sqlalchemy import func, select

from onegrid.cli.serve import prepare
from onegrid.store import Case, Item, accounts
from onegrid.web import create_app, db
from onegrid.workflow import sweep
from web.webapp import FAST_HASH, PASSWORD, PROJECT, config
from workflow.test_items_admission import CENSUS as KUNQU_CENSUS
from workflow.test_items_admission import UNLISTED as KUNQU_UNLISTED

USERS = {
    "kq_stats": ("dept_handler", "dept.statistics"),
    "kq_housing": ("dept_handler", "dept.housing"),
    "kq_review": ("dept_handler", "dept.party_gov"),
    "kq_heping": ("community_officer", "comm.heping"),
}
# the same requests the engine's tests file
CENSUS = {**KUNQU_CENSUS, "data": "普查区划图"}
UNLISTED = KUNQU_UNLISTED


def make(tmp_path_factory, pack: str, users: dict):
    folder = tmp_path_factory.mktemp(pack)
    app = create_app(config(PROJECT / "catalogs" / pack, folder))
    prepare(app, seed_demo=False)
    with app.app_context():
        session = db.session()
        for name, (role, unit) in users.items():
            accounts.create_user(session, name, PASSWORD, bindings=[(role, unit)], method=FAST_HASH)
        session.commit()
    db.engine(app).dispose()
    return folder / "onegrid.sqlite"


@pytest.fixture(scope="module")
def kunqu_db(tmp_path_factory):
    return make(tmp_path_factory, "kunqu", USERS)


@pytest.fixture
def app(kunqu_db, tmp_path):
    shutil.copy(kunqu_db, tmp_path / "onegrid.sqlite")
    app = create_app(config(PROJECT / "catalogs" / "kunqu", tmp_path))
    yield app
    db.engine(app).dispose()


def token(client, who):
    r = client.post("/api/v1/tokens", json={"username": who, "password": PASSWORD})
    return {"Authorization": f"Bearer {r.get_json()['token']}"}


def file(client, who, submission):
    return client.post(
        "/api/v1/admission", json={"submission": submission}, headers=token(client, who)
    )


def stored(app) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(Item))


def test_api_listed_task_with_its_resources_is_admitted(app):
    client = app.test_client()
    r = file(client, "kq_stats", CENSUS)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert (body["state"], body["outcome"]) == ("adm.admitted", "admitted")
    assert "所需资源齐全" in body["decision"]["reasons"][0]


def test_api_listed_task_without_funds_is_refused_naming_them(app):
    client = app.test_client()
    body = file(client, "kq_stats", {**CENSUS, "funds_yuan": None}).get_json()
    assert body["outcome"] == "refused"
    assert body["decision"]["reasons"] == [
        "'人口普查入户登记协助' 必须随之下沉经费（权随责走、费随事转）"
    ]


def test_api_review_approve_with_conditions_register_and_escalation(app):
    client = app.test_client()
    body = file(client, "kq_housing", UNLISTED).get_json()
    assert (body["state"], body["reviewer"]) == ("adm.in_review", "dept.party_gov")
    reviewer = token(client, "kq_review")
    seen = client.get(f"/api/v1/admission/{body['id']}", headers=reviewer).get_json()
    assert [a["id"] for a in seen["actions"]] == [
        "adm.approve",
        "adm.approve_conditions",
        "adm.reject",
    ]
    # the filer may not decide its own request
    r = client.post(
        f"/api/v1/admission/{body['id']}/actions/adm.approve",
        json={"version": body["version"], "submission": {"reasons": "x"}},
        headers=token(client, "kq_housing"),
    )
    assert r.status_code == 403
    r = client.post(
        f"/api/v1/admission/{body['id']}/actions/adm.approve_conditions",
        json={
            "version": body["version"],
            "submission": {"reasons": "确有必要", "conditions": "经费 4 月底前拨付"},
        },
        headers=reviewer,
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["outcome"] == "admitted"
    # the community sees it in its register
    reg = client.get(
        "/api/v1/admission/register?unit=comm.heping&year=2026", headers=token(client, "kq_heping")
    ).get_json()
    assert [e["title"] for e in reg["entries"]] == ["小区充电桩安装意愿摸底"]
    assert reg["entries"][0]["conditions"] == "经费 4 月底前拨付"
    assert reg["counts"][0]["by_year"]["2026"] == 1
    for bad in ("false", "26x", "0"):  # not a year: said so, not this year's figures instead
        r = client.get(f"/api/v1/admission/register?year={bad}", headers=token(client, "kq_heping"))
        assert (r.status_code, r.get_json()["error"]) == (400, "bad-year"), bad
    # another request lapses: the sweep escalates it (supervised, new limit)
    lapsing = file(client, "kq_housing", {**UNLISTED, "name": "另一项清单外事务"}).get_json()
    with app.app_context():
        item = db.session().get(Item, lapsing["id"])
        due = item.due_at
    from onegrid.store import make_engine, sessions

    engine = make_engine(app.config["ONEGRID_DATABASE_URL"])
    report = sweep(sessions(engine), now=due + dt.timedelta(minutes=1))
    engine.dispose()
    assert report.items.escalated == [lapsing["id"]]
    after = client.get(f"/api/v1/admission/{lapsing['id']}", headers=reviewer).get_json()
    assert (after["escalations"], after["supervised"]) == (1, True)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"department": "dept.nowhere"}, "department"),
        ({"funds_yuan": -5}, "funds_yuan"),
        ({"task": "task.not_in_this_version"}, "task"),
    ],
)
def test_api_bad_requests_get_field_errors_and_nothing_is_stored(app, change, field):
    client = app.test_client()
    r = file(client, "kq_stats", {**CENSUS, **change})
    assert r.status_code == 422
    assert field in r.get_json()["errors"]
    assert stored(app) == 0


def test_a_department_files_only_for_itself(app):
    client = app.test_client()
    r = file(client, "kq_housing", CENSUS)  # the statistics bureau's task, filed by housing
    assert r.status_code == 422
    assert "区统计局" in r.get_json()["errors"]["department"][0]
    assert stored(app) == 0


def test_a_community_reports_an_unadmitted_task_and_it_reaches_the_reviewer(app):
    client = app.test_client()
    r = client.post(
        "/api/v1/cases",
        json={
            "matter": "m.admission.unlisted",
            "place": "comm.heping",
            "submission": {
                "title": "未经准入下派的报表任务",
                "description": "区某局要求社区每周报送表格，未经准入",
                "location": "和平社区居委会",
                "urgency": "normal",
            },
        },
        headers=token(client, "kq_heping"),
    )
    assert r.status_code == 201, r.get_json()
    with app.app_context():
        case = db.session().get(Case, r.get_json()["id"])
        assert case.unit == "dept.party_gov"
    reg = client.get(
        "/api/v1/admission/register?unit=comm.heping", headers=token(client, "kq_heping")
    ).get_json()
    assert reg["counts"][0]["unadmitted"] == 1


BAOHE_USERS = {"bh_civil": ("dept_handler", "dept.civil")}


def test_baohe_register_shows_before_and_after_counts_from_records(tmp_path_factory):
    path = make(tmp_path_factory, "baohe", {})
    folder = path.parent
    app = create_app(config(PROJECT / "catalogs" / "baohe", folder))
    with app.app_context():
        session = db.session()
        from onegrid.web import casework
        from onegrid.workflow.rulebook import rulebook

        version = casework.current_version(session)
        book = rulebook(version)
        community = next(u for u, x in book.units.items() if x.get("level") == "community")
        user = accounts.create_user(
            session,
            "bh_civil",
            PASSWORD,
            bindings=[("dept_handler", "dept.civil")],
            method=FAST_HASH,
        )
        session.commit()
    client = app.test_client()
    headers = token(client, "bh_civil")
    request = {
        "task": "t.assistance_intake",
        "department": "dept.civil",
        "reach": community,
        "funds_yuan": 10000,
        "funds_per": "year",
        "staff_headcount": 1,
    }
    # ten tasks in 2025, four in 2026: cut by 60%
    for year, n in ((2025, 10), (2026, 4)):
        for i in range(n):
            body = {
                **request,
                "period_from": f"{year}-0{1 + i % 9}-01",
                "period_to": f"{year}-12-31",
            }
            r = client.post("/api/v1/admission", json={"submission": body}, headers=headers)
            assert r.get_json()["outcome"] == "admitted", r.get_json()
    reg = client.get(f"/api/v1/admission/register?unit={community}&year=2026", headers=headers)
    (row,) = reg.get_json()["counts"]
    assert (row["by_year"], row["change"]) == ({"2025": 10, "2026": 4}, -0.6)
    assert user is not None
    db.engine(app).dispose()
