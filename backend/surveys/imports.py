"""Reading responses exported by another survey tool (CSV or XLSX), and checking them.

`read_table` turns an upload into a header and rows of text, or refuses the whole
file with one message (too large, not CSV or XLSX, not UTF-8, damaged, empty).
`check_rows` maps the columns to question codes and checks every row against the
survey: a missing column, an unknown code, a formula in a cell (= + - @, which a
spreadsheet would run when the data is opened again), an unknown sector or an answer
outside the question's scale are each named by row. The service writes nothing
unless every row passes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO

from core.errors import ValidationFailed
from core.filetypes import check_archive, format_bytes, sniff

from .models import SurveyQuestion
from .scales import SCALES, TEXT_MAX, RoleLevel, Scale, Sector, parse_choice

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000
FORMULA_START = ("=", "+", "-", "@")
SECTOR = "sector"
ROLE_LEVEL = "role_level"
IGNORE = "ignore"
# The most row errors listed (the file is refused as a whole anyway).
ERRORS_SHOWN = 200


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, field_errors={"file": [message]})


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]


def read_table(name: str, fileobj: IO[bytes], size: int) -> Table:
    """The file's first sheet (or the CSV) as text: a header row and data rows."""
    if size > MAX_BYTES:
        raise _refuse(f"The selected file must be smaller than {format_bytes(MAX_BYTES)}")
    if size == 0:
        raise _refuse("The selected file is empty")
    lower = name.lower()
    if lower.endswith(".csv"):
        table = _read_csv(fileobj.read())
    elif lower.endswith(".xlsx"):
        table = _read_xlsx(fileobj)
    else:
        raise _refuse("The selected file must be a CSV or XLSX")
    if not table.header or not any(table.header):
        raise _refuse("The selected file has no header row: the first row must name the columns")
    if len(table.rows) > MAX_ROWS:
        raise _refuse(f"The selected file must have {MAX_ROWS:,} rows or fewer")
    if not table.rows:
        raise _refuse("The selected file has no responses under its header row")
    return table


def _read_csv(content: bytes) -> Table:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(
            "The selected file must be saved as UTF-8 (in Excel, save as ‘CSV UTF-8’)"
        ) from None
    if "\x00" in text:
        raise _refuse("The selected file must be a CSV or XLSX")
    try:
        lines = [row for row in csv.reader(io.StringIO(text, newline="")) if any(row)]
    except csv.Error:
        raise _refuse("The selected file is not a readable CSV") from None
    if not lines:
        return Table([], [])
    return Table([cell.strip() for cell in lines[0]], lines[1:])


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(fileobj: IO[bytes]) -> Table:
    from openpyxl import load_workbook

    if sniff(fileobj).key != "xlsx":
        raise _refuse("The selected file is not an XLSX workbook")
    check_archive(fileobj)  # the archive limits evidence uploads pass (zip bombs)
    fileobj.seek(0)
    try:
        # data_only=False: a formula comes back as its text ("=SUM(...)"), so it is
        # refused below rather than silently replaced by a cached value.
        workbook = load_workbook(fileobj, read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - any failure to open is "damaged"
        raise _refuse("The selected file is damaged and cannot be opened") from None
    try:
        sheet = workbook.worksheets[0]
        lines = [
            [_cell(value) for value in row]
            for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)
        ]
    finally:
        workbook.close()
    lines = [row for row in lines if any(row)]
    if not lines:
        return Table([], [])
    return Table([cell.strip() for cell in lines[0]], lines[1:])


@dataclass(frozen=True)
class ImportRow:
    sector: str
    role_level: str
    # (question id, choice code, free text)
    answers: list[tuple[int, str, str]]


def default_mapping(header: Sequence[str], questions: Sequence[SurveyQuestion]) -> dict[str, str]:
    """Columns named as a question code, `sector` or `role_level` map to it; others
    are left for the user to choose."""
    known = {q.code for q in questions if q.code} | {SECTOR, ROLE_LEVEL}
    return {column: column for column in header if column in known}


def targets(questions: Sequence[SurveyQuestion]) -> dict[str, SurveyQuestion | None]:
    """What a column can map to: each question by code (local questions by
    `local-<position>`), sector and role level."""
    found: dict[str, SurveyQuestion | None] = {SECTOR: None, ROLE_LEVEL: None}
    for question in questions:
        found[question.code or f"local-{question.position}"] = question
    return found


def check_rows(
    questions: Sequence[SurveyQuestion],
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    mapping: Mapping[str, str],
) -> tuple[list[ImportRow], dict[str, list[str]]]:
    """Every row checked; the errors keyed "columns" (the mapping) or "row N" (the
    spreadsheet's row number, the header being row 1)."""
    by_target = targets(questions)
    errors: dict[str, list[str]] = {}
    column_errors: list[str] = []
    chosen: dict[str, int] = {}
    for column, target in mapping.items():
        if target == IGNORE:
            continue
        if column not in header:
            column_errors.append(f"The file has no column ‘{column}’")
        elif target not in by_target:
            column_errors.append(
                f"‘{target}’ (column ‘{column}’) is not a question code of this survey"
            )
        elif target in chosen:
            column_errors.append(f"Two columns are mapped to ‘{target}’")
        else:
            chosen[target] = header.index(column)
    unmapped = [c for c in header if c and c not in mapping]
    column_errors += [
        f"Column ‘{c}’ is not a question code of this survey: map it or ignore it" for c in unmapped
    ]
    for needed in (SECTOR, ROLE_LEVEL):
        if needed not in chosen:
            column_errors.append(f"The file has no column for ‘{needed}’")
    for target, question in by_target.items():
        if question is not None and target not in chosen:
            column_errors.append(f"The file has no column for question ‘{target}’")
    if column_errors:
        return [], {"columns": column_errors}

    checked: list[ImportRow] = []
    for number, row in enumerate(rows, start=2):
        problems: list[str] = []

        def cell(target: str, row: Sequence[str] = row) -> str:
            index = chosen[target]
            return row[index].strip() if index < len(row) else ""

        for target in chosen:
            value = cell(target)
            if value.startswith(FORMULA_START):
                problems.append(
                    f"‘{target}’ starts with ‘{value[0]}’, which a spreadsheet would run as a "
                    "formula: remove it"
                )
        sector = parse_choice(Sector, cell(SECTOR))
        if sector is None:
            problems.append(f"‘{cell(SECTOR)}’ is not a sector: use one of {_labels(Sector)}")
        role = parse_choice(RoleLevel, cell(ROLE_LEVEL))
        if role is None:
            problems.append(
                f"‘{cell(ROLE_LEVEL)}’ is not a role level: use one of {_labels(RoleLevel)}"
            )
        answers: list[tuple[int, str, str]] = []
        for target, question in by_target.items():
            if question is None:
                continue
            value = cell(target)
            if not value or value.startswith(FORMULA_START):
                continue
            if question.scale == Scale.FREE_TEXT:
                if len(value) > TEXT_MAX:
                    problems.append(f"‘{target}’ is longer than {TEXT_MAX} characters")
                else:
                    answers.append((question.pk, "", value))
                continue
            spec = SCALES[question.scale]
            choice = spec.parse(value)
            if choice is None:
                problems.append(
                    f"‘{value}’ is not an answer to ‘{target}’: use one of "
                    + ", ".join(label for _, label in spec.options)
                )
            else:
                answers.append((question.pk, choice, ""))
        if problems:
            if len(errors) < ERRORS_SHOWN:
                errors[f"row {number}"] = problems
            else:
                errors.setdefault("more", [f"and more rows after row {number}"])
        elif sector is not None and role is not None:
            checked.append(ImportRow(sector, role, answers))
    return checked, errors


def _labels(choices: type[Sector] | type[RoleLevel]) -> str:
    return ", ".join(str(label) for _, label in choices.choices)
