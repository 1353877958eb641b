"""Budgets as files: reading an uploaded CSV or XLSX into rows, and writing a
partnership's budgets out in the same layout, one line of a budget per row:

    year     line          code                       amount     in_kind   description
    2022/23  children                                 59000
    2022/23  contribution  greater-manchester-police  13500.00   0.00
    2022/23  other_income                             5000.00              DfE grant
    2022/23  spending      staff                      98000.00
    2022/23  note          illustrative                                    Where from

Spreadsheets run a cell that begins with =, +, - or @ as a formula (CSV injection),
so the import refuses such cells and the export escapes them with a leading
apostrophe (which the import takes off again, so an export reads back unchanged).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from typing import IO

from core.errors import ValidationFailed
from core.filetypes import FileTooLarge, UnsupportedFileType, check_archive

from ..models import Budget

COLUMNS = ("year", "line", "code", "amount", "in_kind", "description")
MAX_BYTES = 1024 * 1024
MAX_ROWS = 2000
FORMULA_STARTS = ("=", "+", "-", "@")
# Tab and carriage return also start formulas in some spreadsheets (OWASP).
ESCAPE_STARTS = (*FORMULA_STARTS, "\t", "\r")
ESCAPE = "'"

Cell = str | int | float
Row = tuple[int, list[Cell]]  # (row number in the file, cells)

TOO_LARGE = "The selected file must be smaller than 1MB"
NOT_UTF8 = "The selected file must be a CSV saved as UTF-8 (in Excel: Save as, CSV UTF-8)"
WRONG_TYPE = "The selected file must be a CSV or XLSX"
EMPTY = "The selected file is empty"
DAMAGED = "The selected file is damaged and cannot be opened"
HEADER = "The first row must name the columns: " + ", ".join(COLUMNS)


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, field_errors={"file": [message]})


def _cell(value: object) -> Cell:
    """A spreadsheet value as text or a number (what the session can keep)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    return str(value)


def _read_csv(data: bytes) -> list[list[Cell]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(NOT_UTF8) from None
    if "\x00" in text:
        raise _refuse(NOT_UTF8)
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]


def _read_xlsx(data: bytes) -> list[list[Cell]]:
    from openpyxl import load_workbook

    if not data.startswith(b"PK\x03\x04"):
        raise UnsupportedFileType(WRONG_TYPE)
    buffer = io.BytesIO(data)
    try:
        check_archive(buffer)
    except zipfile.BadZipFile:
        raise _refuse(DAMAGED) from None
    try:
        # Not data_only: a formula comes back as its text ("=SUM(...)"), so it is refused.
        workbook = load_workbook(buffer, read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - any failure to open is a damaged file
        raise _refuse(DAMAGED) from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(max_col=len(COLUMNS) + 1, values_only=True):
            rows.append([_cell(value) for value in values])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def read_rows(name: str, fileobj: IO[bytes], size: int) -> list[Row]:
    """The data rows of an uploaded budget file (after the header), numbered as a
    spreadsheet numbers them; blank rows left out. ValidationFailed on the field
    "file" for a file that is too large, empty, not CSV or XLSX, not UTF-8, or whose
    first row is not the column names."""
    if size > MAX_BYTES:
        raise FileTooLarge(TOO_LARGE)
    data = fileobj.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise FileTooLarge(TOO_LARGE)
    if not data:
        raise _refuse(EMPTY)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension == "csv":
        table = _read_csv(data)
    elif extension == "xlsx":
        table = _read_xlsx(data)
    else:
        raise UnsupportedFileType(WRONG_TYPE)
    if not table or [str(c).strip().lower() for c in table[0][: len(COLUMNS)]] != list(COLUMNS):
        raise _refuse(HEADER)
    rows = [
        (number, cells)
        for number, cells in enumerate(table[1:], start=2)
        if any(str(c).strip() for c in cells)
    ]
    if len(rows) > MAX_ROWS:
        raise _refuse(f"The selected file must have {MAX_ROWS:,} rows or fewer")
    if not rows:
        raise _refuse("The selected file has no budget rows under the column names")
    return rows


def unescape(value: Cell) -> Cell:
    """Take off the apostrophe the export put before a formula character."""
    if isinstance(value, str) and value.startswith(ESCAPE) and value[1:2] in ESCAPE_STARTS:
        return value[1:]
    return value


def escape(value: object) -> object:
    """A cell safe to open in a spreadsheet: text that would run as a formula gets a
    leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(ESCAPE_STARTS):
        return ESCAPE + value
    return value


def export_rows(budgets: Iterable[Budget]) -> list[list[object]]:
    """The budgets (lines prefetched) as rows of the import layout, header first."""
    rows: list[list[object]] = [list(COLUMNS)]
    for budget in budgets:
        year = budget.year_label
        rows.append([year, "children", "", budget.child_population, "", ""])
        for c in budget.contributions.all():
            rows.append([year, "contribution", c.organisation.slug, c.cash, c.in_kind, ""])
        for line in budget.other_income.all():
            rows.append([year, "other_income", "", line.amount, "", line.description])
        for spent in budget.spending.all():
            rows.append([year, "spending", spent.category, spent.amount, "", ""])
        if budget.source_note or budget.illustrative:
            code = "illustrative" if budget.illustrative else ""
            rows.append([year, "note", code, "", "", budget.source_note])
    return [[escape(value) for value in row] for row in rows]


def to_csv(rows: Sequence[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([[str(value) for value in row] for row in rows])
    # With a byte order mark, Excel opens the file as UTF-8.
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(rows: Sequence[Sequence[object]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Budgets")
    for row in rows:
        # Money goes in as Decimal (openpyxl writes it as a number); text is escaped
        # already (export_rows), so no cell starts with "=" and none is a formula.
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
