"""Demo reviews: the Bolton and Salford exchange of 2020 as the reference report
tells it (planned March to May, rescheduled for the Covid-19 pandemic to August to
November), and one Greater Manchester pair at mobilisation now.

History cannot be proposed through the services (they refuse past dates), so the
2020 exchange is built directly; every later step of it reuses the services' own
review construction and team sync. Idempotent: found by its natural key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.dates import LONDON
from handbooks.models import HandbookVersion
from reviews.models import Exchange, ExchangeParty, Phase, PhaseChange, Review, TeamMember
from reviews.services.exchanges import _create_reviews
from reviews.services.team import team_access_sync
from tenancy.models import Partnership

COVID = "Covid-19 pandemic"

# (kind, original start, original end, new start, new end); None: not moved.
TIMELINE_2020: list[tuple[str, date, date, date | None, date | None]] = [
    (Phase.Kind.MOBILISATION, date(2020, 3, 2), date(2020, 3, 13), None, None),
    (
        Phase.Kind.FIELDWORK,
        date(2020, 3, 16),
        date(2020, 4, 24),
        date(2020, 8, 3),
        date(2020, 10, 23),
    ),
    (
        Phase.Kind.MODERATION,
        date(2020, 4, 27),
        date(2020, 4, 30),
        date(2020, 10, 26),
        date(2020, 10, 30),
    ),
    (
        Phase.Kind.REPORT_BACK,
        date(2020, 5, 4),
        date(2020, 5, 29),
        date(2020, 11, 2),
        date(2020, 11, 30),
    ),
]

# Team of the review of Salford by Bolton, in the reference report's roles.
SALFORD_REVIEW_TEAM = [
    ("adviser@independent.demo", TeamMember.TeamRole.INDEPENDENT_ADVISER),
    ("manager@bolton.demo", TeamMember.TeamRole.LEAD_REVIEWER),
    ("member@bolton.demo", TeamMember.TeamRole.REVIEWER),  # detective inspector, GMP
    ("nurse@bolton.demo", TeamMember.TeamRole.REVIEWER),  # named nurse, NHS GM
]
BOLTON_REVIEW_TEAM = [
    ("manager@salford.demo", TeamMember.TeamRole.LEAD_REVIEWER),
    ("member@salford.demo", TeamMember.TeamRole.REVIEWER),
]
MITIGATION = (
    "Will not review evidence about cases their own organisation handled; "
    "findings on their agency are moderated by the other reviewers."
)


@dataclass(frozen=True)
class ReviewsSummary:
    exchanges: int
    reviews: int


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=LONDON)


def _exchange(
    proposer: Partnership,
    partner: Partnership,
    version: HandbookVersion,
    starts_on: date,
    ends_on: date,
    message: str,
    created: datetime,
) -> Exchange | None:
    """The agreed exchange between two partnerships, created once."""
    if Exchange.objects.filter(partnership=proposer, fieldwork_starts_on=starts_on).exists():
        return None
    lead = proposer.memberships.filter(role="lead").select_related("user").first()
    partner_lead = partner.memberships.filter(role="lead").select_related("user").first()
    proposed_by = lead.user if lead else User.objects.filter(is_staff=True).order_by("pk").first()
    assert proposed_by is not None, "seed the demo users first"
    exchange = Exchange.objects.create(
        partnership=proposer,
        proposed_by=proposed_by,
        handbook_version=version,
        fieldwork_starts_on=starts_on,
        fieldwork_ends_on=ends_on,
        message=message,
        status=Exchange.Status.AGREED,
        created_at=created,
    )
    ExchangeParty.objects.create(
        exchange=exchange,
        partnership=proposer,
        reviews=partner,
        position=0,
        answer=ExchangeParty.Answer.PROPOSER,
        answered_by=proposed_by,
        answered_at=created,
    )
    ExchangeParty.objects.create(
        exchange=exchange,
        partnership=partner,
        reviews=proposer,
        position=1,
        answer=ExchangeParty.Answer.ACCEPTED,
        answered_by=partner_lead.user if partner_lead else None,
        answered_at=created + timedelta(days=3),
    )
    _create_reviews(exchange)
    return exchange


def _team(
    review: Review, members: list[tuple[str, TeamMember.TeamRole]], *, when: datetime
) -> None:
    added_by = review.reviewing_partnership.memberships.filter(role="lead").first()
    for email, role in members:
        user = User.objects.filter(email=email).first()
        if user is None:
            continue
        partners = review.reviewed_partnership.statutory_partners
        conflict = partners.filter(pk=user.employer_id).first() if user.employer_id else None
        TeamMember.objects.create(
            review=review,
            user=user,
            team_role=role,
            added_at=when,
            added_by=added_by.user if added_by else None,
            declared_at=when + timedelta(days=2),
            conflicting_organisation=conflict,
            mitigation=MITIGATION if conflict else "",
            mitigated_by=added_by.user if (added_by and conflict) else None,
            mitigated_at=when + timedelta(days=3) if conflict else None,
        )


def _reschedule_2020(review: Review) -> None:
    phases = {p.kind: p for p in review.phases.all()}
    for kind, start, end, new_start, new_end in TIMELINE_2020:
        phase = phases[kind]
        phase.original_starts_on, phase.original_ends_on = start, end
        phase.starts_on, phase.ends_on = new_start or start, new_end or end
        phase.save()
        if new_start and new_end:
            PhaseChange.objects.create(
                phase=phase,
                previous_starts_on=start,
                previous_ends_on=end,
                new_starts_on=new_start,
                new_ends_on=new_end,
                reason=COVID,
                changed_at=_at(date(2020, 3, 20)),
            )


@transaction.atomic
def demo_seed_reviews() -> ReviewsSummary:
    version = HandbookVersion.objects.get(
        handbook__visibility="everyone", number=1, handbook__partnership__isnull=True
    )
    places = {p.slug: p for p in Partnership.objects.all()}
    exchanges = 0
    bolton, salford = places.get("bolton"), places.get("salford")
    if bolton and salford:
        exchange = _exchange(
            bolton,
            salford,
            version,
            date(2020, 3, 16),
            date(2020, 4, 24),
            "A reciprocal peer review of our new safeguarding arrangements under Working "
            "Together 2018.",
            _at(date(2020, 2, 3)),
        )
        if exchange is not None:
            exchanges += 1
            for review in exchange.reviews.select_related(
                "reviewed_partnership", "reviewing_partnership"
            ):
                _reschedule_2020(review)
                if review.reviewed_partnership_id == salford.pk:
                    _team(review, SALFORD_REVIEW_TEAM, when=_at(date(2020, 3, 2)))
                    status = Review.Status.PUBLISHED
                else:
                    _team(review, BOLTON_REVIEW_TEAM, when=_at(date(2020, 3, 2)))
                    status = Review.Status.MODERATION
                now = timezone.now()
                review.scope_confirmed_by_reviewed_at = review.scope_confirmed_by_reviewing_at = (
                    _at(date(2020, 3, 10))
                )
                review.status, review.status_changed_at = status, now
                review.save()
                team_access_sync(review=review)
    wigan, stockport = places.get("wigan"), places.get("stockport")
    if wigan and stockport:
        start = timezone.localdate() + timedelta(days=45)
        first_monday = start + timedelta(days=(7 - start.weekday()) % 7)
        if not Exchange.objects.filter(partnership=wigan).exists():
            exchange = _exchange(
                wigan,
                stockport,
                version,
                first_monday,
                first_monday + timedelta(days=41),
                "Following the Bolton and Salford model.",
                timezone.now() - timedelta(days=10),
            )
            if exchange is not None:
                exchanges += 1
                exchange.reviews.update(status=Review.Status.MOBILISATION)
    return ReviewsSummary(exchanges=Exchange.objects.count(), reviews=Review.objects.count())
