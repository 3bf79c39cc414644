"""Exports stream any list of cases in constant memory, without a cap
(issue 22 item 4): CSV and Excel, through the pages, in the user's scope."""

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from onegrid.store import Case
from onegrid.web import db, export, scope
from web.webapp import PASSWORD


def login(app, user):
    client = app.test_client()
    r = client.post("/auth/login", data={"username": user, "password": PASSWORD})
    assert r.status_code == 302
    return client


def ids_of_csv(body: str) -> list[str]:
    return [row[0] for row in csv.reader(io.StringIO(body.lstrip("\ufeff")))][1:]


def test_csv_streams_every_case_of_the_scope(app):
    r = login(app, "admin").get("/cases/export.csv")
    assert r.status_code == 200 and r.is_streamed
    body = r.get_data(as_text=True)
    assert body.startswith("\ufeffid,title,matter")
    with app.app_context():
        total = db.session().scalar(select(func.count(Case.id)))
    ids = ids_of_csv(body)
    assert len(ids) == total and ids == sorted(ids, key=int, reverse=True)
    # a grid worker's export holds only her cases
    assert ids_of_csv(login(app, "gw_a").get("/cases/export.csv").get_data(as_text=True)) == ["1"]


def test_any_select_exports_in_chunks_of_any_size(app):
    with app.test_request_context():
        stmt = scope.visible(None).where(Case.id > 0)  # nobody: nothing
        assert list(export.rows(stmt, "zh")) == []
        everything = select(Case)
        one_by_one = [r[0] for r in export.rows(everything, "zh", chunk=1)]
        at_once = [r[0] for r in export.rows(everything, "zh", chunk=1000)]
        assert one_by_one == at_once and len(at_once) >= 2


def test_excel_holds_the_same_rows_as_csv(app):
    client = login(app, "urban")
    r = client.get("/cases/export.xlsx")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(r.get_data()), read_only=True)["cases"]
    rows = [[c or "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:2] == ["id", "title"]
    csv_ids = ids_of_csv(client.get("/cases/export.csv").get_data(as_text=True))
    assert [str(r[0]) for r in rows[1:]] == csv_ids and csv_ids


def test_excel_is_sent_as_its_rows_are_written():
    """The workbook's first bytes go out before its last row is read, and
    every cell comes back as written, the characters XML cannot hold
    dropped (a control character in a description)."""
    read = []

    def table():
        yield ["id", "title"]
        for n in range(1, 1201):
            read.append(n)
            yield [str(n), f"<第 {n} 件> & \x01\"'"]

    chunks = export.xlsx_chunks(table(), sheet="案件")
    first = next(chunks)
    assert first and len(read) < 1200  # sent while rows are still to come
    body = first + b"".join(chunks)
    book = load_workbook(io.BytesIO(body))  # the whole parse, not read-only
    assert book.sheetnames == ["案件"]
    rows = [list(r) for r in book["案件"].iter_rows(values_only=True)]
    assert rows[0] == ["id", "title"] and len(rows) == 1201
    assert rows[7] == ["7", "<第 7 件> & \"'"]
