"""Excel (.xlsx) files of the catalog and the stock ledger exports, written with openpyxl's
write-only mode: rows go to a temporary file as they come (the memory does not grow with
the rows), then the workbook is zipped into another temporary file the response streams.

Text is always written as text: a product name starting with "=" stays a string, never a
formula (the CSV export prefixes such cells with "'" instead). Characters an XML part may
not hold (control characters) are dropped. A sheet holds at most 1,048,576 rows: longer
exports go on to a second sheet, and so on."""

from __future__ import annotations

import decimal
import tempfile

from django.http import FileResponse

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_ROWS = 1_048_576


def _cell(sheet, value):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=None)
        cell._value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"  # text, even when it starts with "=": never a formula
        return cell
    if isinstance(value, decimal.Decimal) and value == value.to_integral_value():
        value = int(value)
    return WriteOnlyCell(sheet, value=value)


def workbook_file(rows, *, title: str):
    """The rows (the first one the header) as an .xlsx workbook in a temporary file,
    rewound. Values: str (text), int, Decimal/float (numbers), None (empty)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet, part, count = book.create_sheet(title[:31]), 1, 0
    header = None
    for row in rows:
        if header is None:
            header = row
        if count >= SHEET_ROWS:  # the sheet is full: the next one, with the header again
            part += 1
            sheet, count = book.create_sheet(f"{title[:27]} {part}"), 0
            sheet.append([_cell(sheet, v) for v in header])
            count += 1
        sheet.append([_cell(sheet, v) for v in row])
        count += 1
    out = tempfile.TemporaryFile()
    book.save(out)
    out.seek(0)
    return out


def response(rows, *, title: str, filename: str) -> FileResponse:
    return FileResponse(
        workbook_file(rows, title=title),
        as_attachment=True,
        filename=filename,
        content_type=CONTENT_TYPE,
    )
