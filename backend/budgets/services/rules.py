"""The rules a budget's figures must meet, shared by the form, REST, GraphQL and the
import: one parser per kind of value, one message per field, GOV.UK wording.

Field names in errors: "year", "child_population", "source_note",
"contributions.<organisation id>.cash" / ".in_kind", "other_income.<n>.description" /
".amount" (n from 1) and "spending.<category>". The form's fields carry the same names,
so a refusal lands on the box that caused it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from tenancy.models import Organisation, Partnership

from ..models import FIRST_YEAR, PartnerType, SpendingCategory, year_label

MAX_AMOUNT = Decimal("9999999999.99")  # what DecimalField(max_digits=12, places=2) holds
MAX_CHILDREN = 3_000_000  # more than any area in England has
MAX_NOTE = 500
MAX_DESCRIPTION = 200
NUL_MESSAGE = "Text must not contain NUL characters"

_YEAR = re.compile(r"^(\d{4})\s*[/-]\s*(\d{2}|\d{4})$")
_PLAIN = re.compile(r"^\d+(?:\.\d+)?$")
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_COUNT = re.compile(r"^\d{1,3}(?:,\d{3})+$|^\d+$")


def financial_year_of(day: date) -> int:
    """The year the financial year holding `day` starts in (April to March)."""
    return day.year if day.month >= 4 else day.year - 1


def last_year(today: date) -> int:
    """Budgets are entered up to next financial year (a budget is set before it starts)."""
    return financial_year_of(today) + 1


def year_choices(today: date) -> list[int]:
    return list(range(last_year(today), FIRST_YEAR - 1, -1))


def parse_year(raw: object, today: date) -> tuple[int | None, str | None]:
    """A financial year written "2022/23" (or "2022-23", or the number 2022 through
    the APIs), within 2015/16 to next year."""
    if isinstance(raw, bool):
        raw = ""
    if isinstance(raw, int):
        start: int | None = raw
    else:
        text = str(raw or "").strip()
        if not text:
            return None, "Enter the financial year, for example 2022/23"
        match = _YEAR.match(text)
        start = int(match[1]) if match else None
        if match is not None and int(match[2]) not in (
            (int(match[1]) + 1) % 100,
            int(match[1]) + 1,
        ):
            start = None
    if start is None:
        return None, "Enter the financial year in the format 2022/23"
    last = last_year(today)
    if not FIRST_YEAR <= start <= last:
        return None, (
            f"The financial year must be between {year_label(FIRST_YEAR)} and {year_label(last)}"
        )
    return start, None


def _number_text(raw: object) -> str | None:
    """The text of a number as typed: '£1,500.50' -> '1500.50'; None if it is not one."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | Decimal):
        return str(raw)
    if isinstance(raw, float):
        # A spreadsheet's number: its shortest decimal form (0.1, not 0.1000000000000000055).
        return repr(raw)
    text = str(raw).strip().removeprefix("£").strip()
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    return text


def parse_money(raw: object, label: str) -> tuple[Decimal | None, str | None]:
    """An amount in pounds, pence-exact: blank is 0; refused if negative, not a number,
    more than 2 decimal places or too large."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Decimal("0.00"), None
    text = _number_text(raw)
    if text is not None and text.startswith("-") and _PLAIN.match(_number_text(text[1:]) or ""):
        return None, f"{label} must be 0 or more"
    if text is None or not _PLAIN.match(text):
        return None, f"{label} must be an amount of money, like 1500 or 1500.50"
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None, f"{label} must be an amount of money, like 1500 or 1500.50"
    if amount != amount.quantize(Decimal("0.01")):
        return None, f"{label} must not have more than 2 decimal places"
    if amount > MAX_AMOUNT:
        return None, f"{label} must be £9,999,999,999.99 or less"
    return amount.quantize(Decimal("0.01")), None


def parse_children(raw: object) -> tuple[int | None, str | None]:
    label = "Number of children aged 0 to 17"
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, "Enter the number of children aged 0 to 17"
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = _number_text(raw)
    if text is not None and text.startswith("-"):
        return None, f"{label} must be more than 0"
    if text is None or not _COUNT.match(text):
        return None, f"{label} must be a whole number, like 59000"
    count = int(text.replace(",", ""))
    if count < 1:
        return None, f"{label} must be more than 0"
    if count > MAX_CHILDREN:
        return None, f"{label} must be {MAX_CHILDREN:,} or fewer"
    return count, None


@dataclass(frozen=True)
class BudgetInput:
    """A budget as typed or sent, not yet checked. `contributions` maps an
    organisation id to (cash, in kind); statutory partners left out contributed 0.
    `other_income` is (description, amount) pairs; blank pairs are ignored."""

    year: object
    child_population: object
    contributions: Mapping[Any, tuple[object, object]] = field(default_factory=dict)
    other_income: Sequence[tuple[object, object]] = ()
    spending: Mapping[Any, object] = field(default_factory=dict)
    source_note: object = ""
    illustrative: bool = False


@dataclass(frozen=True)
class CleanContribution:
    organisation: Organisation
    cash: Decimal
    in_kind: Decimal


@dataclass(frozen=True)
class CleanBudget:
    year: int
    child_population: int
    contributions: tuple[CleanContribution, ...]
    other_income: tuple[tuple[str, Decimal], ...]
    spending: tuple[tuple[str, Decimal], ...]
    source_note: str
    illustrative: bool

    def snapshot(self) -> dict[str, object]:
        return audit_figures(
            year=self.year,
            child_population=self.child_population,
            illustrative=self.illustrative,
            source_note=self.source_note,
            contributions=[(c.organisation.pk, c.cash, c.in_kind) for c in self.contributions],
            other_income=[amount for _, amount in self.other_income],
            spending=self.spending,
        )


def audit_figures(
    *,
    year: int,
    child_population: int,
    illustrative: bool,
    source_note: str,
    contributions: Iterable[tuple[int, Decimal, Decimal]],
    other_income: Iterable[Decimal],
    spending: Iterable[tuple[str, Decimal]],
) -> dict[str, object]:
    """A budget's figures as the audit log keeps them, before and after a change:
    amounts and codes as text. No descriptions, so the log never holds typed text
    (a changed note shows as a changed length)."""
    return {
        "year": year_label(year),
        "child_population": child_population,
        "illustrative": illustrative,
        "source_note_length": len(source_note),
        "contributions": {
            str(org): {"cash": str(cash), "in_kind": str(in_kind)}
            for org, cash, in_kind in contributions
        },
        "other_income": [str(amount) for amount in other_income],
        "spending": {category: str(amount) for category, amount in spending},
    }


def partner_type_of(organisation: Organisation) -> str:
    kind = organisation.kind
    return kind if kind in PartnerType.values else PartnerType.OTHER.value


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def clean_budget(
    *,
    partnership: Partnership,
    partners: Sequence[Organisation],
    data: BudgetInput,
    taken_years: set[int],
    today: date,
) -> tuple[CleanBudget | None, dict[str, list[str]]]:
    """The budget checked against every rule, or the errors by field. `partners` are
    the partnership's statutory partners; `taken_years` the years it already has a
    budget for (less the one being changed)."""
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    year, message = parse_year(data.year, today)
    if message:
        fail("year", message)
    elif year in taken_years:
        assert year is not None
        fail("year", f"{partnership.name} already has a budget for {year_label(year)}")
    children, message = parse_children(data.child_population)
    if message:
        fail("child_population", message)

    by_id = {str(o.pk): o for o in partners}
    given: dict[str, tuple[object, object]] = {}
    for raw_id, amounts in data.contributions.items():
        key = str(raw_id).strip()
        if key not in by_id:
            fail(
                f"contributions.{key}",
                f"Contributions can only come from {partnership.name}'s statutory partners",
            )
            continue
        given[key] = amounts
    contributions = []
    for key, organisation in by_id.items():
        raw_cash, raw_in_kind = given.get(key, (None, None))
        cash, message = parse_money(raw_cash, f"Cash from {organisation.name}")
        if message:
            fail(f"contributions.{key}.cash", message)
        in_kind, message = parse_money(
            raw_in_kind, f"In-kind contribution from {organisation.name}"
        )
        if message:
            fail(f"contributions.{key}.in_kind", message)
        if cash is not None and in_kind is not None:
            contributions.append(CleanContribution(organisation, cash, in_kind))

    other_income = []
    for number, (raw_description, raw_amount) in enumerate(data.other_income, start=1):
        if _blank(raw_description) and _blank(raw_amount):
            continue
        description = str(raw_description or "").strip()
        if not description:
            fail(f"other_income.{number}.description", f"Enter a description of income {number}")
        elif "\x00" in description:
            fail(f"other_income.{number}.description", NUL_MESSAGE)
        elif len(description) > MAX_DESCRIPTION:
            fail(
                f"other_income.{number}.description",
                f"Description of income {number} must be {MAX_DESCRIPTION} characters or fewer",
            )
        if _blank(raw_amount):
            fail(f"other_income.{number}.amount", f"Enter the amount of income {number}")
            continue
        amount, message = parse_money(raw_amount, f"Amount of income {number}")
        if message:
            fail(f"other_income.{number}.amount", message)
        elif description and amount is not None:
            other_income.append((description, amount))

    spending = []
    known = {category.value: category for category in SpendingCategory}
    for raw_category in data.spending:
        if str(raw_category) not in known:
            fail(f"spending.{raw_category}", "Select a spending category from the list")
    for value, category in known.items():
        amount, message = parse_money(
            data.spending.get(value), f"Spending on {category.label.lower()}"
        )
        if message:
            fail(f"spending.{value}", message)
        elif amount is not None:
            spending.append((value, amount))

    note = str(data.source_note or "").strip()
    if len(note) > MAX_NOTE:
        fail("source_note", f"Where the figures come from must be {MAX_NOTE} characters or fewer")
    elif "\x00" in note:
        fail("source_note", NUL_MESSAGE)

    if errors or year is None or children is None:
        return None, errors
    return (
        CleanBudget(
            year=year,
            child_population=children,
            contributions=tuple(contributions),
            other_income=tuple(other_income),
            spending=tuple(spending),
            source_note=note,
            illustrative=bool(data.illustrative),
        ),
        {},
    )
