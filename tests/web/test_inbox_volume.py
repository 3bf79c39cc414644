"""The inbox at volume (issue 14): with 5,000 cases the dispatcher's inbox
shows a count on each tab, pages through them with a cursor, most urgent
first, and the JSON API pages the same way; filters and exports follow."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert, inspect, select

from onegrid.store import Case, utcnow
from onegrid.web import db
from onegrid.workflow import visibility
from web.test_loop import login

MANY = 5000


@pytest.fixture
def crowded(app):
    """5,000 more reported cases like case 1, each with its own deadline."""
    now = utcnow()
    with app.app_context():
        session = db.session()
        model = session.get(Case, 1)
        columns = [c.key for c in inspect(Case).mapper.column_attrs if c.key != "id"]
        base = {k: getattr(model, k) for k in columns}
        rows = []
        for n in range(MANY):
            due = now + dt.timedelta(minutes=(n * 7919) % 50_000 - 600)
            rows.append(
                {
                    **base,
                    "state": "reported",
                    "step": "accept",
                    "due_at": due,
                    "warn_at": due - dt.timedelta(minutes=30),
                    "idempotency_key": None,
                    "version": 1,
                    "submission": {"description": f"第 {n} 件", "title": f"标题{n}"},
                }
            )
        session.execute(insert(Case), rows)
        # who may see each: the engine's own visible-to set, as every step keeps it
        for case in session.scalars(select(Case).where(Case.id > model.id + 1)):
            visibility.refresh(session, case)
        session.commit()
        return session.scalar(select(Case.id).order_by(Case.due_at.asc()).limit(1))


def ids_and_dues(page: str):
    rows = re.findall(r'<tr data-id="(\d+)">.*?data-due="([^"]*)"', page, re.S)
    return [int(i) for i, _ in rows], [d for _, d in rows]


def test_the_dispatchers_inbox_at_volume(client, crowded):
    login(client, "dispatcher")
    page = client.get("/").get_data(as_text=True)
    counts = dict(re.findall(r'data-tab="(\w+)">[^<]*<span class="count" data-count="(\d+)"', page))
    # 待我处理 above MINE_EXACT candidates is estimated, and says so; the SQL tabs are exact
    mine = counts["mine"]
    assert f'<span class="count" data-count="{mine}" data-estimated="true"' in page
    assert f"约 {mine} 件（估算" in page
    assert int(counts["mine"]) >= MANY * 0.95 and int(counts["all"]) >= MANY + 2
    assert int(counts["overdue"]) > 0
    seen, dues = ids_and_dues(page)
    assert len(seen) == 50 and seen[0] == crowded  # the most urgent first
    assert dues == sorted(dues)
    # the next pages continue where the last stopped, never repeating
    for _ in range(3):
        nxt = re.search(r'href="([^"]*cursor=[^"]+)" id="next-page"', page).group(1)
        page = client.get(nxt.replace("&amp;", "&")).get_data(as_text=True)
        more, more_dues = ids_and_dues(page)
        assert len(more) == 50 and not set(more) & set(seen)
        assert more_dues[0] >= dues[-1] and more_dues == sorted(more_dues)
        seen, dues = seen + more, dues + more_dues
    # one crowded database for the rest too (making it is the slow part)
    search_filters_and_exports_follow_the_view(client)
    exact = mine_and_areas_at_volume(client, int(counts["mine"]))
    the_api_pages_with_the_same_cursor(client, crowded, exact)


def search_filters_and_exports_follow_the_view(client):
    page = client.get("/?tab=all&q=标题4999").get_data(as_text=True)
    ids, _ = ids_and_dues(page)
    assert len(ids) == 1 and "标题4999" in page and "共 1 件" in page
    page = client.get("/?tab=all&overdue=1").get_data(as_text=True)
    assert 'class="overdue"' in page
    csv = client.get("/cases/export.csv?tab=all&q=标题4999").get_data(as_text=True)
    lines = csv.strip().splitlines()
    assert len(lines) == 2 and "标题4999" in lines[1]
    data = client.get("/cases/export.xlsx?tab=all&q=第 12 件").get_data()
    sheet = load_workbook(io.BytesIO(data)).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["标题12"]


def counts_of(page: str) -> dict[str, int]:
    found = re.findall(r'data-tab="(\w+)">[^<]*<span class="count" data-count="(\d+)"', page)
    return {tab: int(n) for tab, n in found}


def mine_and_areas_at_volume(client, mine: int):
    # the place filter is the area as scope has it (the stored visible-to set)
    in_a = counts_of(client.get("/?tab=all&place=st.a").get_data(as_text=True))["all"]
    in_b = counts_of(client.get("/?tab=all&place=st.b").get_data(as_text=True))["all"]
    assert in_a >= MANY and 1 <= in_b < 10
    # the export of 待我处理 is every case the engine says is mine; the tab's estimate is close
    csv = client.get("/cases/export.csv?tab=mine").get_data(as_text=True)
    exact = len(csv.strip().splitlines()) - 1
    assert exact >= MANY and abs(mine - exact) <= exact * 0.02
    return exact


def the_api_pages_with_the_same_cursor(client, crowded, exact):
    r = client.get("/api/v1/cases?tab=mine&limit=100")
    assert r.status_code == 200 and len(r.get_json()) == 100
    # above the exact bound the API's total is the tab's estimate, and says so
    assert abs(int(r.headers["X-Total-Count"]) - exact) <= exact * 0.02
    assert r.headers["X-Total-Count-Estimated"] == "true"
    small = client.get("/api/v1/cases?tab=all&place=st.b")
    assert "X-Total-Count-Estimated" not in small.headers
    first = [c["id"] for c in r.get_json()]
    assert first[0] == crowded
    r2 = client.get(f"/api/v1/cases?tab=mine&limit=100&cursor={r.headers['X-Next-Cursor']}")
    assert not {c["id"] for c in r2.get_json()} & set(first)
    assert client.get("/api/v1/cases?cursor=nonsense").status_code == 400
    assert client.get("/api/v1/cases?limit=100000").status_code == 400


def test_bulk_accept(client):
    login(client, "gw_a")
    body = {"matter": "m.litter", "place": "grid.a1", "submission": {"description": "批量"}}
    made = [client.post("/api/v1/cases", json=body).get_json()["id"] for _ in range(2)]
    login(client, "dispatcher")
    page = client.get("/").get_data(as_text=True)
    assert 'id="bulk-accept"' in page
    values = [re.search(rf'value="({i}:\d+)"', page).group(1) for i in made]
    r = client.post("/cases/bulk", data={"action": "accept", "case": [*values, values[0]]})
    assert r.status_code == 303
    page = client.get("/").get_data(as_text=True)
    assert f"已受理 2 件：#{made[0]}、#{made[1]}" in page
    assert "1 件未办理" in page  # the same case twice: the second is stale
    for i in made:
        assert client.get(f"/api/v1/cases/{i}").get_json()["state"] == "accepted"
