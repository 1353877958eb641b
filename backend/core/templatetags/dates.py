"""Template filters over core.dates, the one date formatter: `{% load dates %}`."""

from __future__ import annotations

from datetime import date, datetime

from django import template

from core import dates

register = template.Library()


def _day(value: date | datetime) -> date:
    """A datetime is shown as its day in London, whatever the server's zone."""
    if isinstance(value, datetime):
        return dates.local_today(value)
    return value


@register.filter
def long_date(value: date | datetime | None) -> str:
    """'12 March 2027'."""
    return dates.long_date(_day(value)) if value else ""


@register.filter
def weekday_date(value: date | datetime | None) -> str:
    """'Friday 12 March 2027'."""
    return dates.weekday_date(_day(value)) if value else ""


@register.filter
def deadline(value: date | None) -> str:
    """'by 11:59pm on Friday 12 March 2027'."""
    return dates.deadline(_day(value)) if value else ""


@register.filter
def date_time(value: datetime | None) -> str:
    """'9:30am on Monday 1 March 2027' (UK time)."""
    return dates.date_time(value) if value else ""
