"""Importing budgets from a file: every row checked and reported on, then all of the
file's years written in one go, or nothing at all if any row is refused.

A year already entered is refused (change it on its page instead), as is a
contribution from an organisation that is not one of the partnership's statutory
partners, a negative or non-numeric amount, and any cell that begins with =, +, - or @.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils import timezone

from core.errors import PermissionDenied, ValidationFailed
from tenancy import access
from tenancy.access import Actor
from tenancy.models import Partnership

from .. import policies
from ..models import Budget, SpendingCategory, year_label
from ..selectors import statutory_partners
from .files import COLUMNS, FORMULA_STARTS, Cell, Row, unescape
from .rules import (
    BudgetInput,
    CleanBudget,
    clean_budget,
    parse_children,
    parse_money,
    parse_year,
)
from .writes import budgets_create_many, taken_years

_NEGATIVE = re.compile(r"^-\s*£?[\d,]+(?:\.\d+)?$")
LINES = ("children", "contribution", "other_income", "spending", "note")


@dataclass
class RowReport:
    number: int
    year: str
    line: str
    code: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class ImportReport:
    partnership: Partnership
    rows: list[RowReport]
    budgets: list[CleanBudget]

    @property
    def ok(self) -> bool:
        return all(row.ok for row in self.rows)

    @property
    def refused(self) -> list[RowReport]:
        return [row for row in self.rows if not row.ok]

    @property
    def years(self) -> list[str]:
        return [year_label(b.year) for b in self.budgets]


@dataclass
class _Year:
    """One year's rows, gathered into what budget_create would be given."""

    first_row: RowReport
    rows: list[RowReport] = field(default_factory=list)
    children: object = None
    has_children: bool = False
    contributions: dict[str, tuple[object, object]] = field(default_factory=dict)
    other_income: list[tuple[object, object]] = field(default_factory=list)
    spending: dict[str, object] = field(default_factory=dict)
    note: str = ""
    illustrative: bool = False


def _formula(value: Cell) -> str | None:
    """The formula character a text cell starts with, if any. A negative number is
    left to the amount's own check, which says "must be 0 or more"."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return None
    if _NEGATIVE.match(value):
        return None
    return value[0]


def _text(value: Cell) -> str:
    return str(value).strip()


class _Checker:
    def __init__(self, partnership: Partnership) -> None:
        self.partnership = partnership
        self.partners = statutory_partners(partnership=partnership)
        self.by_slug = {o.slug: o for o in self.partners}
        self.today = timezone.localdate()
        self.years: dict[int, _Year] = {}

    def row(self, number: int, raw: list[Cell]) -> RowReport:
        raw = [*raw, *[""] * len(COLUMNS)][: len(COLUMNS)]
        # Checked before the export's escaping apostrophe comes off: "'=1+1" is text.
        formulas = [
            f"{column} begins with {start}: cells cannot begin with =, +, - or @"
            for column, value in zip(COLUMNS, raw, strict=True)
            if (start := _formula(value)) is not None
        ]
        cells = [unescape(c) for c in raw]
        year_cell, line_cell, code_cell, amount, in_kind, description = cells
        report = RowReport(number, _text(year_cell), _text(line_cell).lower(), _text(code_cell))
        problems = report.problems
        if formulas:
            problems.extend(formulas)
            return report
        year, message = parse_year(year_cell, self.today)
        if message:
            problems.append(f"year: {message}")
        if report.line not in LINES:
            problems.append("line must be one of: " + ", ".join(LINES))
        if problems or year is None:
            return report
        gathered = self.years.setdefault(year, _Year(first_row=report))
        gathered.rows.append(report)
        getattr(self, f"_{report.line}")(report, gathered, amount, in_kind, description)
        return report

    def _children(self, report: RowReport, year: _Year, amount: Cell, *_: Cell) -> None:
        if year.has_children:
            report.problems.append(f"{report.year} has more than one children row")
        message = parse_children(amount)[1]
        if message:
            report.problems.append(f"amount: {message}")
        year.children, year.has_children = amount, True

    def _contribution(
        self, report: RowReport, year: _Year, amount: Cell, in_kind: Cell, _: Cell
    ) -> None:
        organisation = self.by_slug.get(report.code)
        if organisation is None:
            report.problems.append(
                f"code: {report.code or 'a blank code'} is not one of "
                f"{self.partnership.name}'s statutory partners"
            )
            return
        key = str(organisation.pk)
        if key in year.contributions:
            report.problems.append(f"{organisation.name} has more than one row for {report.year}")
        for column, value in (("amount", amount), ("in_kind", in_kind)):
            message = parse_money(value, column)[1]
            if message:
                report.problems.append(message)
        year.contributions[key] = (amount, in_kind)

    def _other_income(
        self, report: RowReport, year: _Year, amount: Cell, _: Cell, description: Cell
    ) -> None:
        if not _text(description):
            report.problems.append("description: enter what the income is, for example a grant")
        if not _text(amount):
            report.problems.append("amount: enter the amount of income")
        else:
            message = parse_money(amount, "amount")[1]
            if message:
                report.problems.append(message)
        year.other_income.append((_text(description), amount))

    def _spending(self, report: RowReport, year: _Year, amount: Cell, *_: Cell) -> None:
        if report.code not in SpendingCategory.values:
            report.problems.append(
                "code must be a spending category: " + ", ".join(SpendingCategory.values)
            )
            return
        if report.code in year.spending:
            report.problems.append(f"{report.code} has more than one row for {report.year}")
        message = parse_money(amount, "amount")[1]
        if message:
            report.problems.append(message)
        year.spending[report.code] = amount

    def _note(self, report: RowReport, year: _Year, _a: Cell, _i: Cell, text: Cell) -> None:
        if report.code not in ("", "illustrative"):
            report.problems.append("code must be blank or illustrative on a note row")
        year.note, year.illustrative = _text(text), report.code == "illustrative"

    def budgets(self) -> list[CleanBudget]:
        """Each year whose rows all passed, checked as a whole (the rules budget_create
        applies); a year's own problems are reported on its first row."""
        taken = taken_years(self.partnership)
        clean_years = []
        for year, gathered in sorted(self.years.items()):
            report = gathered.first_row
            if year in taken:
                report.problems.append(
                    f"year: {self.partnership.name} already has a budget for {year_label(year)}. "
                    "Change it on its page, or take its rows out of the file"
                )
                continue
            if not all(row.ok for row in gathered.rows):
                continue  # refused row by row already; the year is not written
            if not gathered.has_children:
                report.problems.append(f"{year_label(year)} needs a children row")
                continue
            clean, errors = clean_budget(
                partnership=self.partnership,
                partners=self.partners,
                data=BudgetInput(
                    year=year,
                    child_population=gathered.children,
                    contributions=gathered.contributions,
                    other_income=gathered.other_income,
                    spending=gathered.spending,
                    source_note=gathered.note,
                    illustrative=gathered.illustrative,
                ),
                taken_years=taken,
                today=self.today,
            )
            for messages in errors.values():
                report.problems.extend(messages)
            if clean is not None:
                clean_years.append(clean)
        return clean_years


def _partnership(actor: Actor, partnership_id: object) -> Partnership:
    partnership = access.get_visible(actor, Partnership, partnership_id)
    if not policies.may_add(actor, partnership):
        raise PermissionDenied(policies.ADD_REFUSED)
    return partnership


def budget_import_check(
    *, actor: Actor, partnership_id: object, rows: Sequence[Row]
) -> ImportReport:
    """Every row of a file checked, with what is wrong with each. Writes nothing."""
    partnership = _partnership(actor, partnership_id)
    checker = _Checker(partnership)
    reports = [checker.row(number, list(cells)) for number, cells in rows]
    budgets = checker.budgets()
    return ImportReport(partnership, reports, budgets)


def budget_import(*, actor: Actor, partnership_id: object, rows: Sequence[Row]) -> list[Budget]:
    """Write every year in the file, checked again as it is written; nothing at all if
    any row is refused (ValidationFailed naming the rows)."""
    report = budget_import_check(actor=actor, partnership_id=partnership_id, rows=rows)
    if not report.ok:
        raise ValidationFailed(
            "The file has errors. Nothing was imported.",
            field_errors={
                "file": [f"Row {row.number}: {'; '.join(row.problems)}" for row in report.refused]
            },
        )
    return budgets_create_many(actor=actor, partnership=report.partnership, budgets=report.budgets)
