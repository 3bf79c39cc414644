"""Exports of any list of cases, CSV or Excel, in constant memory and
without a cap (issue 22: the old export held every row and stopped
silently at 100,000).

`csv_response(stmt, lang)` and `xlsx_response(stmt, lang)` take any
`select(Case)` (the user's scope with whatever filters a page adds: build
it from `scope.visible(user)`), and read it in keyset chunks newest first
(`id < last`), each chunk in a short session of its own whose objects are
dropped before the next. CSV streams to the client as it is written (the
browser's download shows the progress); Excel is written with openpyxl's
write-only mode to a temporary file, which is then streamed.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterator

from flask import Response, stream_with_context
from sqlalchemy import Select
from sqlalchemy.orm import Session

from onegrid.store import Case
from onegrid.web import caseview, db

CHUNK = 1000
COLUMNS = caseview.EXPORT_COLUMNS
# a test each row must also pass, beyond the select (the inbox's "mine": the engine's check)
Keep = Callable[[Case], bool] | None


def rows(stmt: Select, lang: str, chunk: int = CHUNK, keep: Keep = None) -> Iterator[list[str]]:
    """The export's cells, row by row, newest case first (those `keep` keeps)."""
    last = None
    while True:
        page = stmt.order_by(None).order_by(Case.id.desc()).limit(chunk)
        if last is not None:
            page = page.where(Case.id < last)
        with Session(db.engine(), expire_on_commit=False) as session:
            cases = session.scalars(page).all()
            for case in cases:
                if keep is not None and not keep(case):
                    continue
                data = caseview.case_json(case, lang)
                yield [caseview.cell(data[c]) for c in COLUMNS]
        if len(cases) < chunk:
            return
        last = cases[-1].id


def csv_chunks(stmt: Select, lang: str, chunk: int = CHUNK, keep: Keep = None) -> Iterator[bytes]:
    out = io.StringIO()
    out.write("\ufeff")  # UTF-8 with BOM, for spreadsheet programs
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for n, row in enumerate(rows(stmt, lang, chunk, keep), start=1):
        writer.writerow(row)
        if n % 500 == 0:
            yield out.getvalue().encode()
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode()


def csv_response(
    stmt: Select, lang: str, filename: str = "cases.csv", keep: Keep = None
) -> Response:
    return Response(
        stream_with_context(csv_chunks(stmt, lang, keep=keep)),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )


def xlsx_file(stmt: Select, lang: str, chunk: int = CHUNK, keep: Keep = None):
    """A temporary file holding the workbook (openpyxl write-only: rows go
    to disk as they are appended)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("cases")
    sheet.append(list(COLUMNS))
    for row in rows(stmt, lang, chunk, keep):
        sheet.append(row)
    out = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the response streaming it)
    book.save(out)
    out.seek(0)
    return out


def xlsx_response(
    stmt: Select, lang: str, filename: str = "cases.xlsx", keep: Keep = None
) -> Response:
    out = xlsx_file(stmt, lang, keep=keep)

    def chunks():
        with out:
            while block := out.read(64 * 1024):
                yield block

    return Response(
        chunks(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )


def table_response(fmt: str, header: list, rows: list[list], name: str, sheet: str) -> Response:
    """A small table of figures (a ranking, duty completion) as a CSV or an
    Excel download: `fmt` is "csv" or "xlsx"; numbers stay numbers in Excel."""
    if fmt == "csv":
        out = io.StringIO()
        out.write("\ufeff")  # spreadsheet programs read UTF-8 by its BOM
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
        return Response(
            out.getvalue(),
            mimetype="text/csv",
            headers={"Content-Disposition": f"attachment; filename={name}.csv"},
        )
    from openpyxl import Workbook

    workbook = Workbook()
    sheet_xl = workbook.active
    sheet_xl.title = sheet[:31]  # Excel's limit on a sheet's name
    sheet_xl.append(header)
    for row in rows:
        sheet_xl.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return Response(
        buffer.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename={name}.xlsx"},
    )
