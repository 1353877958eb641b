"""Builders for reviews in a given state, shared by the review tests."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from handbooks.models import HandbookVersion
from reviews import services
from reviews.models import Exchange, Review, TeamMember
from tenancy.access import actor_for


def reference_version() -> HandbookVersion:
    return HandbookVersion.objects.get(handbook__visibility="everyone", number=1)


def agreed_exchange(world, *, starts_on: date | None = None, days: int = 45) -> Exchange:
    """Bolton and Salford agree to review each other: two reviews in draft."""
    start = starts_on or timezone.localdate() + timedelta(days=30)
    exchange = services.exchange_propose(
        actor=actor_for(world.bolton_lead),
        partnership_slug="bolton",
        partner_slugs=["salford"],
        handbook_version_id=reference_version().pk,
        fieldwork_starts_on=start,
        fieldwork_ends_on=start + timedelta(days=days),
    )
    services.exchange_answer(
        actor=actor_for(world.salford_lead),
        exchange_id=exchange.pk,
        partnership_slug="salford",
        accept=True,
    )
    return exchange


def review_of_salford(world, **kwargs) -> Review:
    agreed_exchange(world, **kwargs)
    return Review.objects.get(reviewed_partnership=world.salford)


def add_member(
    world, review: Review, user, role: str = "reviewer", *, declare: bool = True
) -> TeamMember:
    member = services.team_member_add(
        actor=actor_for(world.bolton_lead), review_id=review.pk, user_id=user.pk, team_role=role
    )
    if declare:
        services.team_member_declare(
            actor=actor_for(user), review_id=review.pk, member_id=member.pk, has_interest=False
        )
    return member


def review_in_fieldwork(world, **kwargs) -> Review:
    """Salford's review, scope agreed, a declared lead reviewer, in fieldwork."""
    review = review_of_salford(world, **kwargs)
    bolton, salford = actor_for(world.bolton_lead), actor_for(world.salford_lead)
    services.review_transition(actor=bolton, review_id=review.pk, to_status="mobilisation")
    services.scope_confirm(actor=salford, review_id=review.pk)
    services.scope_confirm(actor=bolton, review_id=review.pk)
    add_member(world, review, world.bolton_manager, "lead_reviewer")
    services.review_transition(actor=bolton, review_id=review.pk, to_status="fieldwork")
    review.refresh_from_db()
    return review
