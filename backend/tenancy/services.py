"""Writes for tenancy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction

from audit import services as audit

from .models import AccessWindow


@dataclass(frozen=True)
class SweepResult:
    windows_deleted: int
    memberships_removed: int

    def as_dict(self) -> dict[str, int]:
        return {
            "windows_deleted": self.windows_deleted,
            "memberships_removed": self.memberships_removed,
        }


def access_windows_sweep(*, now: datetime) -> SweepResult:
    """Delete access windows that closed at or before `now`, and take each user out
    of the window's group unless another of their windows on that group has not
    closed yet (one still open, or one that opens later).

    The chokepoint already ignores a closed window on the next request; this removes
    the stale rows and group memberships so they cannot be honoured by mistake later.
    Idempotent: a second run at the same `now` finds nothing to do. Each deleted
    window writes one `revoke` audit event (system actor, ids only)."""
    user_groups = get_user_model().groups.through
    with transaction.atomic():
        # Locks the closed rows, so two overlapping sweeps cannot both audit one window.
        # No index on closes_at alone: the table holds about one row per team member
        # per review, and a sweep every 15 minutes finds a handful.
        closed = list(
            AccessWindow.objects.select_for_update()
            .filter(closes_at__lte=now)
            .order_by("pk")
            .values_list("pk", "user_id", "group_id", "closes_at")
        )
        if not closed:
            return SweepResult(windows_deleted=0, memberships_removed=0)
        AccessWindow.objects.filter(pk__in=[pk for pk, *_ in closed]).delete()

        pairs = {(user_id, group_id) for _, user_id, group_id, _ in closed}
        still_granted = set(
            AccessWindow.objects.filter(
                closes_at__gt=now,
                user_id__in={user_id for user_id, _ in pairs},
                group_id__in={group_id for _, group_id in pairs},
            ).values_list("user_id", "group_id")
        )
        removed: set[tuple[int, int]] = set()
        for user_id, group_id in sorted(pairs - still_granted):
            deleted, _ = user_groups.objects.filter(user_id=user_id, group_id=group_id).delete()
            if deleted:
                removed.add((user_id, group_id))

        for pk, user_id, group_id, closes_at in closed:
            audit.record(
                actor=None,
                action="revoke",
                object_type=AccessWindow._meta.label,
                object_id=pk,
                detail={
                    "reason": "access window closed",
                    "user": user_id,
                    "group": group_id,
                    "closed_at": closes_at.isoformat(),
                    "group_membership_removed": (user_id, group_id) in removed,
                },
            )
    return SweepResult(windows_deleted=len(closed), memberships_removed=len(removed))
