"""An iCalendar (RFC 5545) file of a review's phases, for people's own calendars."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from .models import Review


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, start = [], 0
    while start < len(encoded):
        size = 75 if start == 0 else 74
        chunk = encoded[start : start + size]
        while True:  # never split a UTF-8 character
            try:
                parts.append(chunk.decode())
                break
            except UnicodeDecodeError:
                chunk = chunk[:-1]
        start += len(chunk)
    return "\r\n ".join(parts)


def review_ics(review: Review, *, host: str = "peer-review.invalid") -> str:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    title = f"Peer review of {review.reviewed_partnership} by {review.reviewing_partnership}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Partnership peer review exchange//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(title)}",
    ]
    for phase in review.phases.all():
        lines += [
            "BEGIN:VEVENT",
            f"UID:review-{review.pk}-{phase.kind}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{phase.starts_on:%Y%m%d}",
            # All-day events end the day after their last day (exclusive).
            f"DTEND;VALUE=DATE:{phase.ends_on + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_escape(f'{phase.get_kind_display()}: {title}')}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
