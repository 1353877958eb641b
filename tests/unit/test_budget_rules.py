"""The pure parts of budgets: parsing money, years and counts; rounding of totals and
shares; escaping cells for spreadsheets; the chart's geometry; the money filters."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from budgets.chart import BAR_AREA, LABEL_WIDTH, contribution_chart
from budgets.figures import per_thousand, share
from budgets.models import year_label
from budgets.services.files import escape, unescape
from budgets.services.rules import (
    financial_year_of,
    parse_children,
    parse_money,
    parse_year,
)
from budgets.templatetags.money import percent, pounds

TODAY = date(2026, 12, 3)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1500", Decimal("1500.00")),
        ("1500.5", Decimal("1500.50")),
        ("£1,500.50", Decimal("1500.50")),
        (" 12,345,678.90 ", Decimal("12345678.90")),
        ("", Decimal("0.00")),
        (None, Decimal("0.00")),
        (7, Decimal("7.00")),
        (Decimal("2.5"), Decimal("2.50")),
        (0.1, Decimal("0.10")),
        ("9999999999.99", Decimal("9999999999.99")),
    ],
)
def test_money_is_read_pence_exact(raw, expected):
    amount, message = parse_money(raw, "Amount")
    assert message is None and amount == expected
    assert amount is not None and amount.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("-1", "Amount must be 0 or more"),
        ("-£1,000", "Amount must be 0 or more"),
        ("1e5", "Amount must be an amount of money, like 1500 or 1500.50"),
        ("1,50", "Amount must be an amount of money, like 1500 or 1500.50"),
        ("NaN", "Amount must be an amount of money, like 1500 or 1500.50"),
        ("Infinity", "Amount must be an amount of money, like 1500 or 1500.50"),
        (True, "Amount must be an amount of money, like 1500 or 1500.50"),
        ("0.001", "Amount must not have more than 2 decimal places"),
        ("10000000000", "Amount must be £9,999,999,999.99 or less"),
    ],
)
def test_bad_money_says_what_is_wrong(raw, message):
    assert parse_money(raw, "Amount") == (None, message)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2022/23", 2022), ("2022-23", 2022), ("2022/2023", 2022), (" 2015/16 ", 2015), (2027, 2027)],
)
def test_years_are_read_in_the_usual_ways(raw, expected):
    assert parse_year(raw, TODAY) == (expected, None)


def test_the_financial_year_turns_in_april():
    assert financial_year_of(date(2027, 3, 31)) == 2026
    assert financial_year_of(date(2027, 4, 1)) == 2027
    assert year_label(2022) == "2022/23" and year_label(1999) == "1999/00"


def test_children_are_a_whole_positive_number():
    assert parse_children("59,000") == (59000, None)
    assert parse_children(59000.0) == (59000, None)
    assert parse_children("-3")[1] == "Number of children aged 0 to 17 must be more than 0"
    assert (
        parse_children("3000001")[1] == "Number of children aged 0 to 17 must be 3,000,000 or fewer"
    )


def test_per_thousand_and_shares_round_half_up_once():
    assert per_thousand(Decimal("1"), 3) == Decimal("333.33")
    assert per_thousand(Decimal("0.005"), 1000) == Decimal("0.01")  # half up, not to even
    assert share(Decimal("1"), Decimal("8")) == Decimal("12.5")
    assert share(Decimal("1"), Decimal("0")) is None


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+44 161", "'+44 161"),
        ("-x", "'-x"),
        ("@cmd", "'@cmd"),
        ("\tTab", "'\tTab"),
        ("Grant", "Grant"),
        ("'quoted", "'quoted"),
    ],
)
def test_export_escapes_what_a_spreadsheet_would_run(raw, escaped):
    assert escape(raw) == escaped
    assert unescape(escaped) == raw


def test_numbers_are_never_escaped():
    assert escape(Decimal("-1.00")) == Decimal("-1.00")
    assert escape(59000) == 59000


class _Partner:
    def __init__(self, name: str, total: str) -> None:
        self.organisation = name
        self.total = Decimal(total)


class _Figures:
    def __init__(self, *partners: _Partner) -> None:
        self.partners = partners


def test_bars_scale_to_the_largest_and_carry_their_labels():
    chart = contribution_chart(
        _Figures(_Partner("Council", "100"), _Partner("Police", "25"))  # type: ignore[arg-type]
    )
    assert chart is not None
    council, police = chart.bars
    assert (council.width, police.width) == (BAR_AREA, BAR_AREA // 4)
    assert (council.label, police.amount) == ("Council", Decimal("25"))
    assert police.value_x == LABEL_WIDTH + BAR_AREA // 4 + 8
    assert police.y > council.y
    assert contribution_chart(_Figures()) is None  # type: ignore[arg-type]


def test_money_filters():
    assert pounds(Decimal("13500")) == "£13,500.00"
    assert pounds(Decimal("-1200.5")) == "−£1,200.50"
    assert pounds(None) == ""
    assert percent(Decimal("12.5")) == "12.5%" and percent(None) == "Not applicable"
