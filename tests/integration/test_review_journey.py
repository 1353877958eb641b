"""The whole exchange journey through the services: propose, accept, agree scope,
build the team (with a flagged conflict and its mitigation), reschedule, advance
through every phase, close."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from core.errors import Conflict, PermissionDenied, ValidationFailed
from handbooks.models import HandbookVersion
from reviews import services
from reviews.models import Exchange, PhaseChange, Review, TeamMember
from tenancy.access import actor_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference_version() -> HandbookVersion:
    return HandbookVersion.objects.get(handbook__visibility="everyone", number=1)


def propose(world, version, **overrides):
    start = timezone.localdate() + timedelta(days=30)
    values = {
        "actor": actor_for(world.bolton_lead),
        "partnership_slug": "bolton",
        "partner_slugs": ["salford"],
        "handbook_version_id": version.pk,
        "fieldwork_starts_on": start,
        "fieldwork_ends_on": start + timedelta(days=45),
        "message": "Shall we?",
    }
    values.update(overrides)
    return services.exchange_propose(**values)


def test_full_journey(world, reference_version, django_capture_on_commit_callbacks):
    world.bolton_member.employer = world.police
    world.bolton_member.save()
    with django_capture_on_commit_callbacks(execute=True):
        exchange = propose(world, reference_version)
    assert [m.to for m in mail.outbox] == [["lead@salford.test"]]

    with django_capture_on_commit_callbacks(execute=True):
        services.exchange_answer(
            actor=actor_for(world.salford_lead),
            exchange_id=exchange.pk,
            partnership_slug="salford",
            accept=True,
        )
    exchange.refresh_from_db()
    assert exchange.status == Exchange.Status.AGREED
    review = Review.objects.get(reviewed_partnership=world.salford)
    assert (
        Review.objects.get(reviewed_partnership=world.bolton).reviewing_partnership == world.salford
    )
    assert review.areas.count() == 10
    assert [p.kind for p in review.phases.all()] == [
        "mobilisation",
        "fieldwork",
        "moderation",
        "report_back",
    ]

    bolton, salford = actor_for(world.bolton_lead), actor_for(world.salford_lead)
    services.review_transition(actor=bolton, review_id=review.pk, to_status="mobilisation")
    first_three = list(review.handbook_version.areas.values_list("pk", flat=True)[:3])
    services.scope_set(
        actor=salford,
        review_id=review.pk,
        handbook_area_ids=first_three,
        local_areas=[("Neglect", "How well does the partnership respond to neglect?")],
    )
    with pytest.raises(Conflict, match="Both partnerships must confirm"):
        services.review_transition(actor=bolton, review_id=review.pk, to_status="fieldwork")
    services.scope_confirm(actor=salford, review_id=review.pk)
    services.scope_confirm(actor=bolton, review_id=review.pk)

    with pytest.raises(Conflict, match="Add a lead reviewer"):
        services.review_transition(actor=bolton, review_id=review.pk, to_status="fieldwork")
    lead_reviewer = services.team_member_add(
        actor=bolton,
        review_id=review.pk,
        user_id=world.bolton_manager.pk,
        team_role="lead_reviewer",
    )
    officer = services.team_member_add(
        actor=bolton, review_id=review.pk, user_id=world.bolton_member.pk, team_role="reviewer"
    )
    adviser = services.team_member_add(
        actor=bolton, review_id=review.pk, user_id=world.adviser.pk, team_role="independent_adviser"
    )
    assert officer.conflicting_organisation == world.police
    assert lead_reviewer.conflicting_organisation is None
    for member, user in (
        (lead_reviewer, world.bolton_manager),
        (officer, world.bolton_member),
        (adviser, world.adviser),
    ):
        services.team_member_declare(
            actor=actor_for(user), review_id=review.pk, member_id=member.pk, has_interest=False
        )
    with pytest.raises(Conflict, match="Record a mitigation"):
        services.review_transition(actor=bolton, review_id=review.pk, to_status="fieldwork")
    services.team_member_mitigate(
        actor=bolton,
        review_id=review.pk,
        member_id=officer.pk,
        mitigation="Does not review police evidence about cases they worked on.",
    )

    fieldwork = review.phases.get(kind="fieldwork")
    services.phases_reschedule(
        actor=salford,
        review_id=review.pk,
        new_dates={
            "fieldwork": (fieldwork.starts_on, fieldwork.ends_on + timedelta(days=7)),
            "moderation": (
                fieldwork.ends_on + timedelta(days=8),
                fieldwork.ends_on + timedelta(days=20),
            ),
            "report_back": (
                fieldwork.ends_on + timedelta(days=21),
                fieldwork.ends_on + timedelta(days=40),
            ),
        },
        reason="Covid-19 pandemic",
    )
    assert PhaseChange.objects.filter(phase__review=review).count() == 3
    fieldwork.refresh_from_db()
    assert fieldwork.rescheduled and fieldwork.original_ends_on == fieldwork.ends_on - timedelta(
        days=7
    )

    for status in ("fieldwork", "moderation", "reporting", "published"):
        services.review_transition(actor=bolton, review_id=review.pk, to_status=status)
    assert TeamMember.objects.filter(review=review, access_window__isnull=False).count() == 3
    with pytest.raises(PermissionDenied, match="reviewed partnership's lead"):
        services.review_transition(actor=bolton, review_id=review.pk, to_status="closed")
    services.review_transition(actor=salford, review_id=review.pk, to_status="closed")
    assert TeamMember.objects.filter(review=review, access_window__isnull=False).count() == 0
    assert not review.team_group.user_set.exists()


def test_cannot_propose_to_own_partnership(world, reference_version):
    with pytest.raises(ValidationFailed) as error:
        propose(world, reference_version, partner_slugs=["bolton"])
    assert error.value.field_errors == {
        "partners": ["You cannot propose an exchange with your own partnership"]
    }
    assert not Exchange.objects.exists()


def test_cannot_accept_for_another_partnership(world, reference_version):
    exchange = propose(world, reference_version)
    with pytest.raises(PermissionDenied, match="Only a lead of Salford SCP can answer"):
        services.exchange_answer(
            actor=actor_for(world.bolton_lead),
            exchange_id=exchange.pk,
            partnership_slug="salford",
            accept=True,
        )
    assert not Review.objects.exists()


def test_fieldwork_dates_out_of_order(world, reference_version):
    start = timezone.localdate() + timedelta(days=30)
    with pytest.raises(ValidationFailed) as error:
        propose(world, reference_version, fieldwork_starts_on=start, fieldwork_ends_on=start)
    assert error.value.field_errors["fieldwork_ends_on"] == [
        "The date fieldwork ends must be after the date it starts"
    ]
