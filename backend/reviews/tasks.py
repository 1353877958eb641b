"""Periodic work for reviews. Each task calls one service and is safe to rerun."""

from __future__ import annotations

from core.tasks import project_task

from . import services
from .models import Review


@project_task()
def send_phase_reminders() -> int:
    """Reminders 7 days and 1 day before a phase ends; each is queued once (the
    outbox sends it, retrying while mail is down)."""
    return services.reminders_send()


@project_task()
def sync_review_team_access() -> int:
    """Bring every review's group memberships and windows in line with its team and
    status (members removed, reviews closed). Idempotent: a rerun changes nothing."""
    reviews = Review.objects.select_related("team_group").prefetch_related("phases")
    count = 0
    for review in reviews.iterator(chunk_size=200):
        services.team_access_sync(review=review)
        count += 1
    return count
