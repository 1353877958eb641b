"""`{% load money %}`: amounts of money and percentages as the budget pages show them."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def pounds(value: Decimal | int | None) -> str:
    """'£13,500.00'; a negative balance as '−£1,200.00'; blank when there is no value."""
    if value is None:
        return ""
    amount = Decimal(value)
    sign = "−" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


@register.filter
def percent(value: Decimal | None) -> str:
    """'12.5%'; 'Not applicable' when there is nothing to take a share of."""
    return "Not applicable" if value is None else f"{value}%"


@register.filter
def count(value: int | None) -> str:
    return "" if value is None else f"{value:,}"
