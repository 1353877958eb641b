"""Reads for exchanges and reviews. Every function starts from tenancy.access."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from core.dates import deadline, due_tag, end_of_day, local_today
from tenancy import access
from tenancy.access import Actor

from .models import (
    Exchange,
    ExchangeParty,
    Phase,
    PhaseChange,
    Review,
    TeamInvitation,
    TeamMember,
)
from .services.team import member_window


def exchange_list(*, actor: Actor) -> QuerySet[Exchange]:
    return (
        access.visible(actor, Exchange)
        .select_related("partnership", "handbook_version__handbook")
        .prefetch_related(
            Prefetch(
                "parties", queryset=ExchangeParty.objects.select_related("partnership", "reviews")
            )
        )
        .order_by("-created_at", "-id")
    )


def exchange_get(*, actor: Actor, exchange_id: object) -> Exchange:
    exchange = access.get_visible(actor, Exchange, exchange_id)
    return exchange_list(actor=actor).get(pk=exchange.pk)


def invitations_awaiting(*, actor: Actor) -> list[ExchangeParty]:
    """Invitations the actor, as a lead, can answer now."""
    lead_of = actor.partnership_ids(access.LEADS)
    if not lead_of:
        return []
    return list(
        access.visible(actor, ExchangeParty, "answer")
        .filter(answer=ExchangeParty.Answer.INVITED, exchange__status=Exchange.Status.PROPOSED)
        .select_related("exchange__partnership", "partnership", "reviews")
        .order_by("-exchange__created_at")
    )


def _team_queryset() -> QuerySet[TeamMember]:
    return TeamMember.objects.select_related(
        "user__employer", "conflicting_organisation", "access_window"
    ).order_by("status", "added_at", "id")


# Everything a review page or API shows, loaded in a fixed number of queries
# however many reviews are listed.
_REVIEW_PREFETCHES = (
    Prefetch(
        "phases",
        queryset=Phase.objects.order_by("position").prefetch_related(
            Prefetch("changes", queryset=PhaseChange.objects.order_by("changed_at", "id"))
        ),
    ),
    "areas",
    "objectives",
    Prefetch("team", queryset=_team_queryset()),
)


def review_list(*, actor: Actor, status: str | None = None) -> QuerySet[Review]:
    """Reviews the actor takes part in: of or by their partnerships, or on their team."""
    reviews = (
        access.visible(actor, Review)
        .select_related(
            "reviewing_partnership", "reviewed_partnership", "handbook_version__handbook"
        )
        .prefetch_related(*_REVIEW_PREFETCHES)
    )
    if status:
        reviews = reviews.filter(status=status)
    return reviews.order_by("-created_at", "-id")


def team_review_list(*, actor: Actor) -> QuerySet[Review]:
    """The reviews whose team the actor is on (access window open or not)."""
    return review_list(actor=actor).filter(team_group_id__in=actor.group_ids)


def review_get(*, actor: Actor, review_id: object) -> Review:
    return access.get_visible(
        actor,
        Review,
        review_id,
        shape=lambda rows: rows.select_related(
            "reviewing_partnership",
            "reviewed_partnership",
            "handbook_version__handbook",
            "exchange",
            "team_group",
        ).prefetch_related(*_REVIEW_PREFETCHES),
    )


def team_list(*, review: Review) -> QuerySet[TeamMember]:
    """The team of a review the caller has already obtained through review_get."""
    return _team_queryset().filter(review=review)


@dataclass(frozen=True)
class NextDeadline:
    phase: Phase
    wording: str  # "by 11:59pm on Friday 12 March 2027"
    tag: str
    tag_colour: str
    due_at: datetime


def next_deadline(review: Review, *, now: datetime | None = None) -> NextDeadline | None:
    """The end of the first phase not yet over, in GOV.UK wording, with a due tag."""
    if review.status in (Review.Status.PUBLISHED, Review.Status.CLOSED):
        return None
    today = local_today(now or timezone.now())
    phases = list(review.phases.all())
    upcoming = [p for p in phases if p.ends_on >= today]
    current = _phase_for_status(review, phases)
    phase = current if current is not None else (upcoming[0] if upcoming else None)
    if phase is None:
        return None
    text, colour = due_tag(phase.ends_on, today)
    return NextDeadline(
        phase=phase,
        wording=deadline(phase.ends_on),
        tag=text,
        tag_colour=colour,
        due_at=end_of_day(phase.ends_on),
    )


_STATUS_PHASE = {
    Review.Status.DRAFT: Phase.Kind.MOBILISATION,
    Review.Status.MOBILISATION: Phase.Kind.MOBILISATION,
    Review.Status.FIELDWORK: Phase.Kind.FIELDWORK,
    Review.Status.MODERATION: Phase.Kind.MODERATION,
    Review.Status.REPORTING: Phase.Kind.REPORT_BACK,
}


def _phase_for_status(review: Review, phases: list[Phase]) -> Phase | None:
    kind = _STATUS_PHASE.get(Review.Status(review.status))
    return next((p for p in phases if p.kind == kind), None)


@dataclass(frozen=True)
class MemberAccess:
    member: TeamMember
    opens_at: datetime | None
    closes_at: datetime | None
    state: str  # "Open", "Not yet open", "Closed", "No access"


def team_access(review: Review, *, now: datetime | None = None) -> list[MemberAccess]:
    """Each member's access window and whether it is open now, for the team page."""
    now = now or timezone.now()
    rows = []
    for member in team_list(review=review):
        window = member.access_window
        if window is None:
            opens_at, closes_at = member_window(member, review) or (None, None)
            rows.append(MemberAccess(member, opens_at, closes_at, "No access"))
            continue
        if window.opens_at > now:
            state = "Not yet open"
        elif window.closes_at <= now:
            state = "Closed"
        else:
            state = "Open"
        rows.append(MemberAccess(member, window.opens_at, window.closes_at, state))
    return rows


def team_candidates(*, actor: Actor, review: Review) -> list[tuple[int, str]]:
    """People the reviewing lead may add: the reviewing partnership's members and
    independent advisers, minus those already active on the team."""
    if not access.can(actor, "manage_team", review):
        return []
    taken = review.team.filter(status=TeamMember.Status.ACTIVE).values("user_id")
    users = (
        User.objects.filter(is_active=True)
        .filter(
            Q(memberships__partnership_id=review.reviewing_partnership_id)
            | Q(is_independent_adviser=True)
        )
        .exclude(pk__in=taken)
        .distinct()
        .order_by("full_name", "email")
    )
    return [
        (u.pk, f"{u.full_name} ({'independent adviser' if u.is_independent_adviser else u.email})")
        for u in users
    ]


def phase_dates_table(review: Review) -> list[tuple[Phase, tuple[date, date] | None]]:
    """The reference report's 'original dates / new dates' table: each phase with its
    original dates and, when moved, its current ones."""
    return [(p, (p.starts_on, p.ends_on) if p.rescheduled else None) for p in review.phases.all()]


def invitation_list(*, actor: Actor, review: Review) -> list[TeamInvitation]:
    """Invitations to the review's team still waiting for an answer (the reviewing
    leads' business: everyone else gets none)."""
    return list(
        access.visible(actor, TeamInvitation).filter(
            review=review, accepted_at__isnull=True, revoked_at__isnull=True
        )
    )
