"""How a results page writes its figures: whole percentages, p-values."""

from __future__ import annotations

from django import template

from ..stats import p_value_text

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}%"


@register.filter
def p_value(value: float) -> str:
    return p_value_text(value)
