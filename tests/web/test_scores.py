"""The scoring pages on Cuntan and Jinshui, with a generated month frozen by the monthly run."""

from __future__ import annotations

import datetime as dt
import io
import re
import threading

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, event, select
from werkzeug.serving import make_server

from onegrid.scoring import record, schemes_of
from onegrid.workflow.rulebook import rulebook
from onegrid.workflow.version import newest_version
from scoring.month import generate, jinshui_month
from scoring.test_indicators import END, START
from web.scoresapp import build, dispose
from web.webapp import PASSWORD, AuthActions

GRID_WORKERS = "/scores/sc.grid_worker/2026-11"


@pytest.fixture(scope="module")
def cuntan(tmp_path_factory):
    app, made = build(
        tmp_path_factory.mktemp("cuntan"),
        "cuntan",
        generate,
        {"street_officer": ("community_worker", "cuntan"), "centre": ("dispatcher", "ct.command")},
    )
    yield app, made
    dispose(app)


def client_as(app, username):
    client = app.test_client()
    assert AuthActions(client).login(username, PASSWORD).status_code == 302
    return client


def test_every_grid_worker_is_ranked_in_one_of_four_tiers(cuntan):
    app, made = cuntan
    page = client_as(app, "admin").get(GRID_WORKERS).get_data(as_text=True)
    rows = re.findall(r'<tr data-subject="([^"]+)">(.*?)</tr>', page, re.S)
    assert {s for s, _ in rows} == set(made)
    tiers = ("第一档", "第二档", "第三档", "第四档（不合格）")
    assert all(sum(t in body for t in tiers) == 1 for _, body in rows)
    assert "已冻结" in page and "第1 版" in page


def test_exports_hold_the_same_standings(cuntan):
    app, made = cuntan
    client = client_as(app, "admin")
    text = client.get(GRID_WORKERS + "/export.csv").get_data(as_text=True)
    assert text.startswith("\ufeff名次,对象,编号,得分,档次,平台信息完整度")
    assert len(text.strip().splitlines()) == len(made) + 1
    data = client.get(GRID_WORKERS + "/export.xlsx?lang=en").get_data()
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("Rank", "Subject", "Id", "Score", "Tier")
    assert {r[2] for r in rows[1:]} == set(made)
    assert all(isinstance(r[3], int | float) for r in rows[1:])


def test_a_grid_worker_sees_her_own_standing_and_the_street_sees_all(cuntan):
    app, made = cuntan
    own = client_as(app, "gw02").get(GRID_WORKERS).get_data(as_text=True)
    assert re.findall(r'data-subject="([^"]+)"', own) == ["gw02"]
    assert client_as(app, "gw02").get(GRID_WORKERS + "/gw03").status_code == 404
    street = client_as(app, "street_officer").get(GRID_WORKERS).get_data(as_text=True)
    assert set(re.findall(r'data-subject="([^"]+)"', street)) == set(made)


def test_a_breakdown_names_every_case_behind_its_numbers(cuntan):
    app, made = cuntan
    client = client_as(app, "admin")
    page = client.get(GRID_WORKERS + "/gw03").get_data(as_text=True)
    linked = {int(i) for i in re.findall(r'href="/cases/(\d+)"', page)}
    assert set(made["gw03"]) <= linked
    assert client.get(f"/cases/{made['gw03'][0]}").status_code == 200
    assert "平台活跃度" in page and "<svg" in page
    post = client.get("/scores/sc.post/2026-11/post.worksafety").get_data(as_text=True)
    assert "超期于安全生产岗" in post and "受理" in post  # why, in words, with names
    assert "late at" not in post and "post.worksafety</td>" not in post


def test_blocks_are_ranked_on_their_duty_lists_with_each_item_named(cuntan):
    app, _ = cuntan
    client = client_as(app, "admin")
    page = client.get("/scores/sc.block/2026-11").get_data(as_text=True)
    assert "经济发展板块" in page and "党的建设板块" in page and "职责清单销号率" in page
    economy = client.get("/scores/sc.block/2026-11/blk.economy").get_data(as_text=True)
    assert "职责轮次 #" in economy and "重点企业走访" in economy  # the item by its name
    assert "到期未完成" in economy  # the items not ticked by the month's end, in words
    english = client.get("/scores/sc.block/2026-11/blk.economy?lang=en").get_data(as_text=True)
    assert "Visit key firms" in english and "not done by its due moment" in english


def test_unknown_schemes_and_periods_are_404_not_500(cuntan):
    app, _ = cuntan
    client = client_as(app, "admin")
    for url in (
        "/scores/nope/2026-11",
        "/scores/sc.grid_worker/2026-13",
        "/scores/sc.grid_worker/2026-Q4",
        "/scores/sc.grid_worker/2026-11/nobody",
        "/scores/sc.grid_worker/2026-11/export.pdf",
    ):
        assert client.get(url).status_code == 404, url
    assert app.test_client().get(GRID_WORKERS).status_code == 302  # log in first


def test_the_dashboard_reads_the_frozen_month_by_area_on_the_same_formulas(cuntan):
    app, _ = cuntan
    client = client_as(app, "admin")
    page = client.get("/admin/dashboard?period=2026-11&area=cuntan").get_data(as_text=True)
    assert page.count("<svg") == 2 and "第 1 版" in page
    rows = {r["unit"]: r for r in client.get("/api/v1/dashboard?period=2026-11").get_json()}
    # the post let deadlines pass: late for it, not for the centre that closed them
    post, centre = rows["post.worksafety"], rows["ct.command"]
    assert post["on_time"] < post["closed"] and post["ontime_rate"] < 1
    assert centre["on_time"] == centre["closed"] > 0
    with app.app_context():
        from onegrid.scoring import run as scoring_run
        from onegrid.scoring.dashboard import SCHEME_ID
        from onegrid.web import db as web_db

        run = scoring_run.latest(web_db.session(), "cuntan", SCHEME_ID, "2026-11")
        frozen = {r.subject: r.values["on_time"]["hits"] for r in run.rows}
    assert frozen["post.worksafety"] == post["on_time"]  # read from the rollup
    elsewhere = client.get("/api/v1/dashboard?period=2026-11&area=comm.lanxi").get_json()
    assert "post.worksafety" not in {r["unit"] for r in elsewhere}


def test_the_running_month_is_read_from_the_sweeps_snapshot(cuntan):
    """The month still running: computed on each view until the scheduler's
    job snapshots it (issue 22), then read from the snapshot with its time,
    the same figures; a snapshot left stale (the scheduler stopped) is not shown."""
    app, _ = cuntan
    client = client_as(app, "admin")
    live = client.get("/api/v1/dashboard").get_json()
    assert "按当前记录计算" in client.get("/admin/dashboard").get_data(as_text=True)
    with app.app_context():
        from onegrid import store
        from onegrid.scoring import run as scoring_run
        from onegrid.scoring.dashboard import SCHEME_ID
        from onegrid.store.snapshots import ScoreSnapshot
        from onegrid.web import db as web_db

        sessions = store.sessions(web_db.engine())
        made = scoring_run.refresh_running(sessions)
        # every scheme's running period, the dashboard's month among them
        assert {s.pack for s in made} == {"cuntan"}
        with sessions() as session:
            book = rulebook(newest_version(session, "cuntan"))
        assert {s.scheme for s in made} == {x["id"] for x in schemes_of(book)} | {SCHEME_ID}
        assert len(made) == 5
        assert all(r["evidence"] == {} for s in made for r in s.rows)
        assert [s.rows for s in made if s.scheme == SCHEME_ID] != [[]]
        assert scoring_run.refresh_running(sessions) == []  # not due again yet
    try:
        assert client.get("/api/v1/dashboard").get_json() == live
        page = client.get("/admin/dashboard").get_data(as_text=True)
        assert "本月尚未结束：按截至 " in page and "每几分钟更新" in page
        english = client_as(app, "admin").get("/admin/dashboard?lang=en")
        assert "computed from the record as of " in english.get_data(as_text=True)
        with app.app_context(), sessions() as session:
            snap = session.scalars(
                select(ScoreSnapshot).where(ScoreSnapshot.scheme == SCHEME_ID)
            ).one()
            snap.as_of -= 4 * scoring_run.SNAPSHOT_EVERY
            session.commit()
        page = client.get("/admin/dashboard").get_data(as_text=True)
        assert "按当前记录计算" in page and "按截至" not in page
    finally:
        forget_snapshots(app)


def forget_snapshots(app) -> None:
    from onegrid import store
    from onegrid.store.snapshots import ScoreSnapshot, SnapshotEvidence
    from onegrid.web import db as web_db

    with app.app_context(), store.sessions(web_db.engine())() as session:
        session.execute(delete(SnapshotEvidence))
        session.execute(delete(ScoreSnapshot))
        session.commit()


def test_a_running_ranking_reads_its_snapshot_and_no_case(cuntan):
    """Issue 22: a ranking of the month still running reads the sweep's
    snapshot (a row per subject), never the cases or their trail, and shows
    when it was taken; a subject's breakdown reads its own evidence only,
    and lists the case filed this month; a frozen month's ranking leaves
    every row's evidence unread."""
    from onegrid import store
    from onegrid.scoring import run as scoring_run
    from onegrid.store import utcnow
    from onegrid.web import db as web_db
    from onegrid.workflow.case import open_case
    from onegrid.workflow.channels import default_channel
    from scoring.month import MATTER, submission, worker

    app, _ = cuntan
    client = client_as(app, "admin")
    with app.app_context():
        engine = web_db.engine()
        sessions = store.sessions(engine)
        with sessions() as session:
            version = newest_version(session, "cuntan")
            book = rulebook(version)
            grid = sorted(u for u, spec in book.units.items() if spec.get("level") == "grid")[2]
            case = open_case(
                session,
                version,
                {"matter": MATTER, "place": grid},
                submission(book, grid, 0),
                worker(3, grid),
                default_channel(book, "pages"),
                now=utcnow() - dt.timedelta(minutes=1),
            )
            filed = case.id
        scoring_run.refresh_running(sessions)
    month = scoring_run.periods_mod.of("monthly", utcnow().astimezone(book.calendar.tz).date()).key
    said: list[str] = []

    def heard(conn, cursor, statement, *args):
        said.append(statement.lower())

    event.listen(engine, "before_cursor_execute", heard)
    try:
        page = client.get(f"/scores/sc.grid_worker/{month}").get_data(as_text=True)
        assert 'data-subject="gw03"' in page and "每几分钟更新" in page
        assert not [q for q in said if re.search(r"\b(cases|audit)\b", q)], said
        assert not [q for q in said if "score_snapshot_evidence" in q]
        said.clear()
        mine = client.get(f"/scores/sc.grid_worker/{month}/gw03").get_data(as_text=True)
        assert f'href="/cases/{filed}"' in mine and "未冻结，按截至" in mine
        assert not [q for q in said if re.search(r"\b(cases|audit)\b", q)], said
        said.clear()
        client.get(GRID_WORKERS)  # frozen: the rows without their evidence
        assert [q for q in said if "score_rows" in q]
        assert not [q for q in said if "score_rows" in q and "evidence" in q], said
    finally:
        event.remove(engine, "before_cursor_execute", heard)
        forget_snapshots(app)


# --- Jinshui in a real browser -------------------------------------------------


def with_holders(db, version):
    """The month, and the departments (of type department) that held a case in it."""
    jinshui_month(db, version)
    book = rulebook(version)
    with db() as session:
        rec = record.load(session, "jinshui", START, END)
    held = {u for case in rec.cases for u in case.holders()}
    return {u for u in held if (book.departments.get(u) or {}).get("type") == "department"}


@pytest.fixture(scope="module")
def jinshui(tmp_path_factory):
    app, made = build(tmp_path_factory.mktemp("jinshui"), "jinshui", with_holders, {})
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", made
    httpd.shutdown()
    thread.join()
    httpd.server_close()
    dispose(app)


@pytest.fixture
def jpage(browser, jinshui):
    context = browser.new_context(base_url=jinshui[0], locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/auth/login")
    page.fill("#username", "admin")
    page.fill("#password", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    yield page
    context.close()
    assert not errors, errors  # a CSP refusal (an inline style, say) fails too


def test_jinshui_ranks_every_street_and_department_with_the_cases_one_click_away(jpage, jinshui):
    page, held = jpage, jinshui[1]
    assert len(held) >= 7
    page.goto("/scores/sc.street/2026-11")
    streets = page.locator("#ranking tr[data-subject]")
    assert streets.count() == 14
    assert page.locator("#ranking tr[data-subject] .tier").count() == 14  # all in a tier
    page.goto("/scores/sc.department/2026-11")
    ranked = page.locator("#ranking tr[data-subject]:has(.tier)")
    # every department that held a case this month is ranked; the others say "no data"
    assert {ranked.nth(i).get_attribute("data-subject") for i in range(ranked.count())} == held
    assert page.locator("#ranking tr[data-subject]").count() == len(held)
    assert "本期无数据" in page.inner_text("#no-data")
    assert page.locator("#no-data a[data-subject]").count() > 0
    ranked.first.locator("a").click()
    page.wait_for_selector("#score")
    case_link = page.locator("section.card a[href^='/cases/']").first
    number = case_link.inner_text().lstrip("#")
    case_link.click()
    page.wait_for_url(re.compile(rf"/cases/{number}$"))
    assert number in page.content()
