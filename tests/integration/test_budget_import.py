"""Importing budgets from CSV and XLSX: the report row by row, nothing written when any
row is refused (a bad row, a formula cell, a year already entered, a partner that is
not Salford's), the file checks (size, encoding, type, header), and the export with
formula cells escaped, which reads back unchanged."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from audit.models import AuditEvent
from budgets import services
from budgets.models import Budget, Contribution, OtherIncome, Spending
from budgets.services.files import COLUMNS, MAX_BYTES, read_rows
from core.errors import NotFound, PermissionDenied, ValidationFailed
from tenancy.access import actor_for
from tests.budget_factories import add_partners, salford_budget

pytestmark = pytest.mark.django_db

GOOD = [
    ["2021/22", "children", "", "58000", "", ""],
    ["2021/22", "contribution", "salford-city-council", "90000", "10000", ""],
    ["2021/22", "contribution", "test-police", "13000.50", "0", ""],
    ["2021/22", "other_income", "", "5000", "", "Home Office grant"],
    ["2021/22", "spending", "staff", "80000", "", ""],
    ["2021/22", "note", "illustrative", "", "", "Made up for the test"],
    ["2022/23", "children", "", "59000", "", ""],
    ["2022/23", "contribution", "test-icb", "60000", "", ""],
    ["2022/23", "spending", "case_reviews", "12000", "", ""],
]


def csv_bytes(rows, header=COLUMNS, encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, header=COLUMNS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rows_of(data: bytes, name: str = "budgets.csv"):
    return read_rows(name, io.BytesIO(data), len(data))


@pytest.fixture
def partners(world):
    return add_partners(world)


def _check(world, rows):
    return services.budget_import_check(
        actor=actor_for(world.salford_manager), partnership_id=world.salford.pk, rows=rows
    )


def _import(world, rows):
    return services.budget_import(
        actor=actor_for(world.salford_manager), partnership_id=world.salford.pk, rows=rows
    )


def _counts():
    return tuple(m.objects.count() for m in (Budget, Contribution, OtherIncome, Spending))


def test_a_good_csv_imports_every_year(world, partners):
    rows = rows_of(csv_bytes(GOOD))

    report = _check(world, rows)
    assert report.ok and report.years == ["2021/22", "2022/23"]
    assert [r.number for r in report.rows] == list(range(2, 11))
    budgets = _import(world, rows)

    assert [b.year_label for b in budgets] == ["2021/22", "2022/23"]
    first = Budget.objects.get(partnership=world.salford, year=2021)
    assert first.child_population == 58000 and first.illustrative
    assert first.source_note == "Made up for the test"
    police = Contribution.objects.get(budget=first, partner_type="police")
    assert police.cash == Decimal("13000.50")
    assert OtherIncome.objects.get(budget=first).description == "Home Office grant"
    assert AuditEvent.objects.filter(action="create", object_type="budgets.Budget").count() == 2


def test_a_good_xlsx_imports_with_numbers_as_numbers(world, partners):
    rows = [[c if i != 3 or not c else float(c) for i, c in enumerate(r)] for r in GOOD]
    data = rows_of(xlsx_bytes(rows), "budgets.xlsx")

    _import(world, data)

    police = Contribution.objects.get(budget__year=2021, partner_type="police")
    assert police.cash == Decimal("13000.50")


def test_a_bad_row_refuses_the_whole_file(world, partners):
    bad = [*GOOD, ["2022/23", "spending", "training", "-50", "", ""]]
    rows = rows_of(csv_bytes(bad))

    report = _check(world, rows)
    assert not report.ok
    assert [(r.number, r.problems) for r in report.refused] == [(11, ["amount must be 0 or more"])]
    with pytest.raises(ValidationFailed) as caught:
        _import(world, rows)

    assert caught.value.field_errors == {"file": ["Row 11: amount must be 0 or more"]}
    assert _counts() == (0, 0, 0, 0)
    assert not AuditEvent.objects.filter(action="create").exists()


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"])
def test_a_formula_cell_is_refused(world, partners, cell):
    bad = [*GOOD[:3], ["2021/22", "other_income", "", "5", "", cell]]
    report = _check(world, rows_of(csv_bytes(bad)))

    (refused,) = report.refused
    assert refused.number == 5
    assert refused.problems == [
        f"description begins with {cell[0]}: cells cannot begin with =, +, - or @"
    ]
    with pytest.raises(ValidationFailed):
        _import(world, rows_of(csv_bytes(bad)))
    assert _counts() == (0, 0, 0, 0)


def test_a_formula_in_a_spreadsheet_is_refused(world, partners):
    rows = [*GOOD[:2], ["2021/22", "spending", "staff", "=1000*2", "", ""]]
    report = _check(world, rows_of(xlsx_bytes(rows), "budgets.xlsx"))
    assert [r.problems for r in report.refused] == [
        ["amount begins with =: cells cannot begin with =, +, - or @"]
    ]


def test_each_kind_of_bad_row_says_what_is_wrong(world, partners):
    salford_budget(world, partners, year="2020/21")
    rows = rows_of(
        csv_bytes(
            [
                ["2020/21", "children", "", "1000", "", ""],
                ["1990/91", "children", "", "1000", "", ""],
                ["2021/22", "budget", "", "1", "", ""],
                ["2021/22", "children", "", "1000", "", ""],
                ["2021/22", "contribution", "bolton-council", "5", "", ""],
                ["2021/22", "contribution", "test-police", "lots", "", ""],
                ["2021/22", "spending", "parties", "5", "", ""],
                ["2021/22", "other_income", "", "5", "", ""],
                ["2021/22", "children", "", "2000", "", ""],
                ["2022/23", "spending", "staff", "5", "", ""],
            ]
        )
    )
    problems = {r.number: r.problems for r in _check(world, rows).rows}
    assert problems[2] == [
        "year: Salford SCP already has a budget for 2020/21. Change it on its page, or take "
        "its rows out of the file"
    ]
    assert problems[3][0].startswith("year: The financial year must be between 2015/16 and")
    assert problems[4] == [
        "line must be one of: children, contribution, other_income, spending, note"
    ]
    assert problems[6] == ["code: bolton-council is not one of Salford SCP's statutory partners"]
    assert problems[7] == ["amount must be an amount of money, like 1500 or 1500.50"]
    assert problems[8][0].startswith("code must be a spending category: staff")
    assert problems[9] == ["description: enter what the income is, for example a grant"]
    assert problems[10] == ["2021/22 has more than one children row"]
    assert problems[11] == ["2022/23 needs a children row"]


def test_only_salfords_managers_may_import(world, partners):
    rows = rows_of(csv_bytes(GOOD))
    with pytest.raises(PermissionDenied):
        services.budget_import(
            actor=actor_for(world.salford_member), partnership_id=world.salford.pk, rows=rows
        )
    for outsider in (world.bolton_lead, world.analyst, world.staff):
        with pytest.raises(NotFound):
            services.budget_import_check(
                actor=actor_for(outsider), partnership_id=world.salford.pk, rows=rows
            )
    assert _counts() == (0, 0, 0, 0)


# --- the file checks ----------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused():
    data = b"x" * (MAX_BYTES + 1)
    with pytest.raises(ValidationFailed) as caught:
        rows_of(data)
    assert caught.value.status_code == 413
    assert caught.value.field_errors == {"file": ["The selected file must be smaller than 1MB"]}


def test_a_csv_that_is_not_utf8_is_refused_with_a_clear_message():
    data = csv_bytes([["2021/22", "other_income", "", "5", "", "Café grant"]], encoding="cp1252")
    with pytest.raises(ValidationFailed) as caught:
        rows_of(data)
    assert caught.value.field_errors == {
        "file": ["The selected file must be a CSV saved as UTF-8 (in Excel: Save as, CSV UTF-8)"]
    }


def test_a_utf8_csv_with_a_byte_order_mark_is_read():
    data = b"\xef\xbb\xbf" + csv_bytes([["2021/22", "other_income", "", "5", "", "Café"]])
    assert rows_of(data) == [(2, ["2021/22", "other_income", "", "5", "", "Café"])]


@pytest.mark.parametrize(
    ("name", "data", "status", "message"),
    [
        ("budgets.pdf", b"%PDF-1.4", 415, "The selected file must be a CSV or XLSX"),
        ("budgets.xlsx", b"year,line\n", 415, "The selected file must be a CSV or XLSX"),
        ("budgets.csv", b"", 400, "The selected file is empty"),
        (
            "budgets.csv",
            b"a,b,c\n1,2,3\n",
            400,
            "The first row must name the columns: year, line, code, amount, in_kind, description",
        ),
        ("budgets.xlsx", b"PK\x03\x04not really a zip", 400, None),
    ],
)
def test_files_that_cannot_be_read_are_refused(name, data, status, message):
    with pytest.raises(ValidationFailed) as caught:
        rows_of(data, name)
    assert caught.value.status_code == status
    if message:
        assert caught.value.field_errors == {"file": [message]}


# --- export ---------------------------------------------------------------------------


def test_the_export_escapes_formula_cells_and_reads_back_unchanged(world, partners):
    salford_budget(world, partners, other_income=[('=HYPERLINK("http://evil")', "10")])
    salford_budget(world, partners, year="2021/22", source_note="@risk note")
    member = actor_for(world.salford_member)

    export = services.budget_export(actor=member, partnership_slug="salford", file_format="csv")

    assert export.filename == "salford-budgets.csv"
    text = export.content.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert '\'=HYPERLINK("http://evil")' in cells and "'@risk note" in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
    assert AuditEvent.objects.filter(action="export", owning_partnership_id=world.salford.pk)

    # Back in as a new partnership's file, the apostrophes come off again.
    Budget.objects.all().delete()
    report = _check(world, rows_of(export.content))
    assert report.ok, [r.problems for r in report.refused]
    _import(world, rows_of(export.content))
    assert OtherIncome.objects.filter(description='=HYPERLINK("http://evil")').exists()
    assert Budget.objects.get(year=2021).source_note == "@risk note"


def test_the_xlsx_export_holds_no_formula(world, partners):
    salford_budget(world, partners, other_income=[("=1+1", "10")])

    export = services.budget_export(
        actor=actor_for(world.salford_member), partnership_slug="salford", file_format="xlsx"
    )

    sheet = load_workbook(io.BytesIO(export.content)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "'=1+1" in values
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert Decimal(str(next(v for v in values if v == 59000))) == 59000


def test_another_partnership_cannot_export_salfords_budgets(world, partners):
    salford_budget(world, partners)
    for outsider in (world.bolton_lead, world.analyst, world.staff):
        with pytest.raises(NotFound):
            services.budget_export(
                actor=actor_for(outsider), partnership_slug="salford", file_format="csv"
            )
    with pytest.raises(NotFound):
        services.budget_export(
            actor=actor_for(world.salford_member), partnership_slug="salford", file_format="pdf"
        )
