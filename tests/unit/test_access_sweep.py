"""The access sweep (tenancy.services.access_windows_sweep and its periodic task)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from tenancy import access
from tenancy.models import AccessWindow
from tenancy.services import SweepResult, access_windows_sweep
from tenancy.tasks import sweep_expired_access

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
HOUR = timedelta(hours=1)


def window(user, group, *, opens, closes) -> AccessWindow:
    group.user_set.add(user)
    return AccessWindow.objects.create(
        user=user, group=group, opens_at=opens, closes_at=closes, reason="Review team"
    )


def closed(user, group) -> AccessWindow:
    return window(user, group, opens=NOW - 48 * HOUR, closes=NOW - HOUR)


def open_(user, group) -> AccessWindow:
    return window(user, group, opens=NOW - HOUR, closes=NOW + 48 * HOUR)


@pytest.fixture
def team() -> Group:
    return Group.objects.create(name="Review of Salford: team")


def test_closed_window_is_deleted_and_its_user_leaves_the_group(world, team):
    stale = closed(world.adviser, team)

    result = access_windows_sweep(now=NOW)

    assert result == SweepResult(windows_deleted=1, memberships_removed=1)
    assert not AccessWindow.objects.filter(pk=stale.pk).exists()
    assert not team.user_set.filter(pk=world.adviser.pk).exists()


def test_open_window_is_kept_with_its_membership(world, team):
    live = open_(world.bolton_member, team)

    assert access_windows_sweep(now=NOW) == SweepResult(0, 0)

    assert AccessWindow.objects.filter(pk=live.pk).exists()
    assert team.user_set.filter(pk=world.bolton_member.pk).exists()
    assert access.actor_for(world.bolton_member, now=NOW).open_group_ids == {team.pk}


def test_window_closing_exactly_now_is_swept(world, team):
    window(world.adviser, team, opens=NOW - HOUR, closes=NOW)

    assert access_windows_sweep(now=NOW).windows_deleted == 1


def test_membership_stays_while_another_window_on_the_group_is_open(world, team):
    closed(world.adviser, team)
    live = open_(world.adviser, team)

    result = access_windows_sweep(now=NOW)

    assert result == SweepResult(windows_deleted=1, memberships_removed=0)
    assert list(AccessWindow.objects.values_list("pk", flat=True)) == [live.pk]
    assert team.user_set.filter(pk=world.adviser.pk).exists()


def test_membership_stays_for_a_window_that_opens_later(world, team):
    closed(world.adviser, team)
    window(world.adviser, team, opens=NOW + 24 * HOUR, closes=NOW + 48 * HOUR)

    assert access_windows_sweep(now=NOW) == SweepResult(windows_deleted=1, memberships_removed=0)
    assert team.user_set.filter(pk=world.adviser.pk).exists()


def test_open_window_on_another_group_does_not_keep_this_membership(world, team):
    other = Group.objects.create(name="Review of Bolton: team")
    closed(world.adviser, team)
    open_(world.adviser, other)

    assert access_windows_sweep(now=NOW) == SweepResult(windows_deleted=1, memberships_removed=1)
    assert list(world.adviser.groups.all()) == [other]


def test_another_users_open_window_does_not_keep_this_membership(world, team):
    closed(world.adviser, team)
    open_(world.bolton_member, team)

    assert access_windows_sweep(now=NOW) == SweepResult(windows_deleted=1, memberships_removed=1)
    assert list(team.user_set.all()) == [world.bolton_member]


def test_second_run_changes_nothing(world, team):
    closed(world.adviser, team)
    closed(world.bolton_member, team)
    open_(world.bolton_manager, team)
    access_windows_sweep(now=NOW)
    windows = list(AccessWindow.objects.values_list("pk", "user_id", "group_id"))
    members = list(team.user_set.values_list("pk", flat=True))
    events = AuditEvent.objects.count()

    assert access_windows_sweep(now=NOW) == SweepResult(0, 0)

    assert list(AccessWindow.objects.values_list("pk", "user_id", "group_id")) == windows
    assert list(team.user_set.values_list("pk", flat=True)) == members
    assert AuditEvent.objects.count() == events


def test_each_deleted_window_is_audited_as_a_system_revoke(world, team):
    first = closed(world.adviser, team)
    second = closed(world.bolton_member, team)
    open_(world.bolton_member, team)

    access_windows_sweep(now=NOW)

    events = list(AuditEvent.objects.filter(action=AuditEvent.Action.REVOKE))
    assert [(e.object_type, e.object_id) for e in events] == [
        ("tenancy.AccessWindow", str(first.pk)),
        ("tenancy.AccessWindow", str(second.pk)),
    ]
    assert all(e.actor_id is None and e.actor_email == "" for e in events)
    assert events[0].detail == {
        "reason": "access window closed",
        "user": world.adviser.pk,
        "group": team.pk,
        "closed_at": first.closes_at.isoformat(),
        "group_membership_removed": True,
    }
    assert events[1].detail["group_membership_removed"] is False


def test_sweep_of_nothing_writes_no_audit_event(world):
    assert access_windows_sweep(now=NOW) == SweepResult(0, 0)
    assert not AuditEvent.objects.exists()


def test_task_runs_the_sweep_and_returns_its_counts(world, team):
    closed(world.adviser, team)

    result = sweep_expired_access.delay()

    assert result.get(timeout=5) == {"windows_deleted": 1, "memberships_removed": 1}
    assert not AccessWindow.objects.exists()


def test_task_queued_on_commit_runs_only_after_the_commit(
    world, team, django_capture_on_commit_callbacks
):
    closed(world.adviser, team)

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        sweep_expired_access.delay_on_commit()
        assert AccessWindow.objects.exists()

    assert len(callbacks) == 1
    assert not AccessWindow.objects.exists()


def test_sweep_is_scheduled_every_15_minutes():
    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["sweep-expired-access"]
    assert entry["task"] == sweep_expired_access.name == "tenancy.tasks.sweep_expired_access"
    assert entry["schedule"] == 15 * 60
    assert entry["task"] in app.tasks
