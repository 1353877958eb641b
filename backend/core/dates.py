"""The one place dates are turned into words, in GOV.UK style and UK time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def end_of_day(day: date) -> datetime:
    """11:59pm on `day` in London, as an aware datetime (deadlines are end of day)."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=LONDON)


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=LONDON)


def long_date(day: date) -> str:
    """'12 March 2027'."""
    return f"{day.day} {day:%B %Y}"


def weekday_date(day: date) -> str:
    """'Friday 12 March 2027'."""
    return f"{day:%A} {long_date(day)}"


def deadline(day: date) -> str:
    """'by 11:59pm on Friday 12 March 2027'."""
    return f"by 11:59pm on {weekday_date(day)}"


def local_today(now: datetime) -> date:
    return now.astimezone(LONDON).date()


def due_tag(day: date, today: date) -> tuple[str, str]:
    """(text, GOV.UK tag colour) for a deadline: 'Overdue', 'Due today', 'Due in N days'."""
    remaining = (day - today).days
    if remaining < 0:
        return "Overdue", "red"
    if remaining == 0:
        return "Due today", "orange"
    if remaining == 1:
        return "Due tomorrow", "orange"
    colour = "yellow" if remaining <= 7 else "blue"
    return f"Due in {remaining} days", colour


def days(n: int) -> timedelta:
    return timedelta(days=n)


def clock(moment: datetime) -> str:
    """'9:30am', '11:59pm', 'midday', 'midnight', in London (GOV.UK style)."""
    local = moment.astimezone(LONDON)
    if (local.hour, local.minute) == (0, 0):
        return "midnight"
    if (local.hour, local.minute) == (12, 0):
        return "midday"
    suffix = "am" if local.hour < 12 else "pm"
    return f"{local.hour % 12 or 12}:{local.minute:02d}{suffix}"


def date_time(moment: datetime) -> str:
    """'9:30am on Monday 1 March 2027'. Midnight says which side of the day it is on:
    'midnight at the start of Monday 1 March 2027'."""
    local = moment.astimezone(LONDON)
    when = clock(local)
    if when == "midnight":
        return f"midnight at the start of {weekday_date(local.date())}"
    return f"{when} on {weekday_date(local.date())}"


def date_range(first: date, last: date) -> str:
    """'1 March 2027 to 21 March 2027'."""
    return f"{long_date(first)} to {long_date(last)}"
