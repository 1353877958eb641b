"""Scoped, time-bound access of a review team (time frozen at the window's edges)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from audit.models import AuditEvent
from core.dates import LONDON
from core.errors import NotFound
from reviews import services
from reviews.models import Review, TeamMember
from reviews.tasks import sync_review_team_access
from tenancy import access
from tenancy.access import actor_for
from tests.factories import add_member, review_in_fieldwork

pytestmark = pytest.mark.django_db


def _window(review: Review):
    return review.team.get(team_role="lead_reviewer").access_window


@pytest.mark.parametrize(
    ("offset", "open_"),
    [(timedelta(seconds=-1), True), (timedelta(0), False), (timedelta(seconds=1), False)],
    ids=["end-minus-1s", "at-end", "end-plus-1s"],
)
def test_access_at_the_end_of_the_window(world, offset, open_):
    review = review_in_fieldwork(world)
    window = _window(review)
    with time_machine.travel(window.closes_at + offset, tick=False):
        actor = actor_for(world.bolton_manager)
    assert (review.team_group_id in actor.open_group_ids) is open_


def test_default_window_runs_from_fieldwork_to_14_days_after_report_back(world):
    review = review_in_fieldwork(world)
    window = _window(review)
    phases = {p.kind: p for p in review.phases.all()}
    opens, closes = window.opens_at.astimezone(LONDON), window.closes_at.astimezone(LONDON)
    assert (opens.date(), opens.hour, opens.minute) == (phases["fieldwork"].starts_on, 0, 0)
    assert closes.date() == phases["report_back"].ends_on + timedelta(days=14)
    assert (closes.hour, closes.minute) == (23, 59)


def test_access_does_not_open_before_fieldwork_starts(world):
    review = review_in_fieldwork(world)
    window = _window(review)
    with time_machine.travel(window.opens_at - timedelta(seconds=1), tick=False):
        assert review.team_group_id not in actor_for(world.bolton_manager).open_group_ids
    with time_machine.travel(window.opens_at, tick=False):
        assert review.team_group_id in actor_for(world.bolton_manager).open_group_ids


def test_removal_takes_effect_on_the_next_request(world):
    review = review_in_fieldwork(world)
    member = review.team.get(team_role="lead_reviewer")
    with time_machine.travel(_window(review).opens_at + timedelta(days=1), tick=False):
        before = actor_for(world.bolton_manager)
        services.team_member_remove(
            actor=actor_for(world.bolton_lead), review_id=review.pk, member_id=member.pk
        )
        after = actor_for(world.bolton_manager)
    assert review.team_group_id in before.open_group_ids
    assert review.team_group_id not in after.open_group_ids
    assert review.team_group_id not in after.group_ids
    assert AuditEvent.objects.filter(action="revoke", object_type="reviews.TeamMember").exists()


def test_independent_adviser_sees_the_review_only_while_on_the_team(world):
    review = review_in_fieldwork(world)
    member = add_member(world, review, world.adviser, "independent_adviser")
    adviser = actor_for(world.adviser)
    assert access.get_visible(adviser, Review, review.pk) == review
    services.team_member_remove(
        actor=actor_for(world.bolton_lead), review_id=review.pk, member_id=member.pk
    )
    with pytest.raises(NotFound):
        access.get_visible(actor_for(world.adviser), Review, review.pk)


def test_closing_the_review_ends_access(world):
    review = review_in_fieldwork(world)
    bolton, salford = actor_for(world.bolton_lead), actor_for(world.salford_lead)
    for status in ("moderation", "reporting", "published"):
        services.review_transition(actor=bolton, review_id=review.pk, to_status=status)
    services.review_transition(actor=salford, review_id=review.pk, to_status="closed")
    actor = actor_for(world.bolton_manager)
    assert review.team_group_id not in actor.open_group_ids
    assert not TeamMember.objects.filter(review=review, access_window__isnull=False).exists()


def test_grants_are_audited_for_the_reviewed_partnership(world):
    review_in_fieldwork(world)
    grants = AuditEvent.objects.filter(action="grant", owning_partnership_id=world.salford.pk)
    assert grants.count() == 1
    assert grants.get().detail["user"] == world.bolton_manager.pk


def test_sync_task_is_idempotent(world):
    review = review_in_fieldwork(world)
    # A stale membership left behind (say, by a failed request) is swept.
    member = review.team.get()
    TeamMember.objects.filter(pk=member.pk).update(status=TeamMember.Status.REMOVED)
    events_before = AuditEvent.objects.count()
    sync_review_team_access()
    assert not review.team_group.user_set.exists()
    after_first = AuditEvent.objects.count()
    assert after_first == events_before + 1  # one revocation
    sync_review_team_access()
    assert AuditEvent.objects.count() == after_first


def test_sync_and_sweep_agree_after_the_window_ends(world):
    """After the window ends the sweep deletes it; the team sync must not recreate
    it (or re-add the member to the group), so repeated runs settle."""
    from tenancy.services import access_windows_sweep

    review = review_in_fieldwork(world)
    closes_at = _window(review).closes_at
    with time_machine.travel(closes_at + timedelta(hours=1), tick=False):
        access_windows_sweep(now=closes_at + timedelta(hours=1))
        sync_review_team_access()
        events = AuditEvent.objects.count()
        sync_review_team_access()
        access_windows_sweep(now=closes_at + timedelta(hours=1))
        assert AuditEvent.objects.count() == events
        assert not review.team_group.user_set.exists()
        assert not TeamMember.objects.filter(review=review, access_window__isnull=False).exists()
