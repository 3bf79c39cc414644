"""Duty completion per holder through its page and its exports, on Cuntan's
pack: the week of 2026-11-09 is opened and one duty ticked; on the page the
grid's row names its grid worker and flags the three duties left overdue;
the CSV and Excel downloads hold the same figures, counted here by hand."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil

import pytest
from openpyxl import load_workbook

from onegrid.store import Item, make_engine, sessions
from onegrid.web import create_app, db
from onegrid.workflow.actor import Actor, Binding
from onegrid.workflow.rounds import open_rounds, tick
from web.test_admission_web import make
from web.webapp import PASSWORD, PROJECT, config

GRID = "g.lanxi.01"
USERS = {"ct_gw": ("grid_worker", GRID), "ct_sec": ("community_secretary", "comm.lanxi")}
OPENED = dt.datetime(2026, 11, 10, 2, tzinfo=dt.UTC)
OVERDUE = ["基础信息采集", "安全隐患排查", "入户走访收集民情"]


@pytest.fixture(scope="module")
def cuntan_db(tmp_path_factory):
    path = make(tmp_path_factory, "cuntan", USERS)
    made = sessions(make_engine(f"sqlite:///{path}"))
    open_rounds(made, OPENED)
    with made() as session:
        weekly = next(
            r for r in session.query(Item).filter(Item.unit == GRID) if "-W" in r.data["period"]
        )
        worker = Actor("ct_gw", (Binding("grid_worker", GRID),))
        tick(session, weekly.id, "d.gw.4", worker, {"record": "宣传 3 次"}, weekly.version,
             now=OPENED + dt.timedelta(days=1))  # fmt: skip
    made.kw["bind"].dispose()
    return path


@pytest.fixture
def client(cuntan_db, tmp_path):
    shutil.copy(cuntan_db, tmp_path / "onegrid.sqlite")
    app = create_app(config(PROJECT / "catalogs" / "cuntan", tmp_path))
    client = app.test_client()
    client.post("/auth/login", data={"username": "ct_sec", "password": PASSWORD})
    yield client
    db.engine(app).dispose()


def test_the_page_flags_each_holders_overdue_duties(client):
    page = client.get("/duties/completion?month=2026-11").text
    row = page.split(f'data-unit="{GRID}"')[1].split("</tr>")[0]
    assert 'class="holder"' in row and "ct_gw" in row  # the person behind the grid
    assert "逾期未销 3 项</summary>" + "；".join(OVERDUE) in row
    assert '<td class="num done">1/4</td>' in row
    assert 'data-unit="g.cuntan.01"' not in page  # another community: not her area
    weekly = client.get("/duties/completion?month=2026-W46").text
    assert "2026年第46周" in weekly and f'data-unit="{GRID}"' in weekly


def test_csv_and_excel_hold_the_page_figures(client):
    r = client.get("/duties/completion.csv?month=2026-11")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    header, grid = rows[0], next(x for x in rows if x[0] == GRID)
    got = dict(zip(header, grid, strict=True))
    # one weekly round (2 daily + 2 weekly duties) and the month's on-event one
    assert (got["轮次"], got["应销"], got["已完成"], got["逾期未销"]) == ("2", "4", "1", "3")
    assert got["完成率"] == "0.25" and got["人员"] == "ct_gw"
    assert got["逾期事项"] == "、".join(OVERDUE)
    community = next(x for x in rows if x[0] == "comm.lanxi")
    assert int(dict(zip(header, community, strict=True))["应销"]) >= 4
    x = client.get("/duties/completion.xlsx?month=2026-11")
    assert x.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(x.data)).active
    cells = [list(c) for c in sheet.iter_rows(values_only=True)]
    xl = next(c for c in cells if c[0] == GRID)
    assert xl[5:9] == [2, 4, 1, 0.25] and xl[11] == 3
    assert client.get("/duties/completion.pdf").status_code == 404
