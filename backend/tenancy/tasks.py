"""Background work for tenancy. Each task calls one service and is safe to rerun."""

from __future__ import annotations

from django.utils import timezone

from core.tasks import project_task

from . import services


@project_task(soft_time_limit=120, time_limit=180)
def sweep_expired_access() -> dict[str, int]:
    """Delete closed access windows and the group memberships they leave stale
    (scheduled every 15 minutes in CELERY_BEAT_SCHEDULE)."""
    return services.access_windows_sweep(now=timezone.now()).as_dict()
