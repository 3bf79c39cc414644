"""Exports of any list of cases, CSV or Excel, in constant memory and
without a cap (issue 22: the old export held every row and stopped
silently at 100,000).

`csv_response(stmt, lang)` and `xlsx_response(stmt, lang)` take any
`select(Case)` (the user's scope with whatever filters a page adds: build
it from `scope.visible(user)`), and read it in keyset chunks newest first
(`id < last`), each chunk in a short session of its own whose objects are
dropped before the next. Both stream to the client as they are written, so
the browser's download shows the progress: CSV, and Excel as a zip
written forward (`xlsx_chunks`: one sheet of text cells), with no
temporary file. Before, the workbook was written whole (openpyxl's
write-only mode, to a temporary file) before its first byte was sent:
a dispatcher exporting 100,000 cases saw nothing until it was done.
"""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
from collections.abc import Callable, Iterable, Iterator
from xml.sax.saxutils import escape

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


# a workbook of one sheet of text cells: the few parts SpreadsheetML needs
# (ECMA-376), written as the rows come so the download runs as CSV's does
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_PARTS = {
    "[Content_Types].xml": f'<Types xmlns="{_PKG}/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}.sheet.main+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_TYPE}.styles+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_TYPE}.worksheet+xml"/>'
    "</Types>",
    "_rels/.rels": f'<Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>",
    "xl/workbook.xml": f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOC}"><sheets>'
    '<sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_DOC}/styles" Target="styles.xml"/>'
    "</Relationships>",
    "xl/styles.xml": f'<styleSheet xmlns="{_MAIN}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>",
}
# characters XML 1.0 cannot hold at all (a control character in a description)
_UNWRITABLE = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


class _Pipe(io.RawIOBase):
    """Where the zip is written: its bytes, taken as they come."""

    def __init__(self):
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        self.parts.append(bytes(b))
        return len(b)

    def take(self) -> bytes:
        out, self.parts = b"".join(self.parts), []
        return out


def _cell(value) -> str:
    if value is None:
        return "<c/>"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"<c><v>{value}</v></c>"  # a number stays a number
    text = escape(str(value).translate(_UNWRITABLE))
    return f'<c t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _row(cells) -> str:
    return f"<row>{''.join(_cell(c) for c in cells)}</row>"


def xlsx_chunks(table: Iterable[list[str]], sheet: str = "cases") -> Iterator[bytes]:
    """A workbook's bytes as the rows of `table` (a header, then each row's
    cells: text, numbers, None for an empty cell) are written: a zip written forward, each part's sizes after its
    data, so in constant memory, with no temporary file, and the browser's
    download shows the progress, as the CSV's does."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", zipfile.ZIP_DEFLATED) as book:
        for name, part in _PARTS.items():
            book.writestr(name, _HEAD + part.replace("{sheet}", escape(sheet)))
        with book.open("xl/worksheets/sheet1.xml", "w") as out:
            out.write(f'{_HEAD}<worksheet xmlns="{_MAIN}"><sheetData>'.encode())
            for n, row in enumerate(table, start=1):
                out.write(_row(row).encode())
                if n % 500 == 0:
                    yield pipe.take()
            out.write(b"</sheetData></worksheet>")
    yield pipe.take()


def xlsx_response(
    stmt: Select, lang: str, filename: str = "cases.xlsx", keep: Keep = None
) -> Response:
    return Response(
        stream_with_context(xlsx_chunks(itertools.chain([COLUMNS], rows(stmt, lang, keep=keep)))),
        mimetype=f"{_TYPE}.sheet",
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
    # Excel's limit on a sheet's name is 31 characters
    return Response(
        b"".join(xlsx_chunks([header, *rows], sheet[:31])),
        mimetype=f"{_TYPE}.sheet",
        headers={"Content-Disposition": f"attachment; filename={name}.xlsx"},
    )
