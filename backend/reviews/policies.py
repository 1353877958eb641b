"""May this actor do this to this exchange or review now: one function per
decision, returning the refusal (PermissionDenied or Conflict, in the words every
face shows) or None. Services raise it (core.errors.refuse); review_permissions
turns the same answers into the flags the pages show. Built on tenancy.access,
answered in memory from the review's own foreign keys."""

from __future__ import annotations

from core.errors import Conflict, DomainError, PermissionDenied
from tenancy import access
from tenancy.access import Actor
from tenancy.models import Partnership

from .models import Exchange, ExchangeParty, Review, TeamMember

SCOPE_OPEN = frozenset({Review.Status.DRAFT, Review.Status.MOBILISATION})
TEAM_FROZEN = frozenset({Review.Status.PUBLISHED, Review.Status.CLOSED})


def _can(actor: Actor, perm: str, obj: Review | Exchange) -> bool:
    return access.permits(actor, [obj]).can(perm, obj)


# --- exchanges ----------------------------------------------------------------------


def lead_partnership_ids(actor: Actor) -> frozenset[int]:
    """The partnerships the actor may arrange exchanges for (their leads)."""
    return access.partnerships_holding(actor, Partnership, "arrange_exchange")


def propose_exchange(actor: Actor, partnership: Partnership | None = None) -> DomainError | None:
    """Arrange a reciprocal review: a lead of the proposing partnership (of any,
    when none is named yet)."""
    led = lead_partnership_ids(actor)
    if partnership is None:
        if led:
            return None
        return PermissionDenied("Only a partnership lead can arrange a reciprocal review.")
    if partnership.pk in led:
        return None
    return PermissionDenied(f"Only a lead of {partnership.name} can propose an exchange.")


def withdraw_exchange(actor: Actor, exchange: Exchange) -> DomainError | None:
    """Withdraw a proposal: the proposing partnership's lead, while it waits for answers."""
    if not _can(actor, "withdraw", exchange):
        return PermissionDenied("Only the proposing partnership's lead can withdraw an exchange.")
    if exchange.status != Exchange.Status.PROPOSED:
        return Conflict("Only an exchange that is waiting for answers can be withdrawn.")
    return None


def answer_exchange(actor: Actor, exchange: Exchange) -> DomainError:
    """Why the actor has nothing to answer in this exchange (the answer page asks
    this only when no invitation awaits them). `exchange` carries its parties."""
    if exchange.status != Exchange.Status.PROPOSED:
        return Conflict(
            f"This exchange is {exchange.get_status_display().lower()}: "
            "it can no longer be answered."
        )
    for party in exchange.parties.all():
        if party.answer == ExchangeParty.Answer.INVITED and actor.role_in(party.partnership_id):
            name = party.partnership.name
            return PermissionDenied(f"Only a lead of {name} can answer for {name}.")
    return PermissionDenied("Only the lead of an invited partnership can answer, and only once.")


# --- a review -----------------------------------------------------------------------


def change_scope(actor: Actor, review: Review) -> DomainError | None:
    """Set or confirm the areas of focus: a lead or business manager of either
    partnership, before fieldwork."""
    if not _can(actor, "agree_scope", review):
        return PermissionDenied(
            "Only a lead or business manager of either partnership can change the scope."
        )
    if review.status not in SCOPE_OPEN:
        return Conflict("The scope is fixed once fieldwork has started.")
    return None


def scope_sides(actor: Actor, review: Review) -> frozenset[int]:
    """The partnerships of the review whose scope the actor confirms (those they
    lead or manage: both, for someone in both), in memory."""
    sides = {review.reviewed_partnership_id, review.reviewing_partnership_id}
    return access.partnerships_holding(actor, Partnership, "agree_review_scope") & sides


def change_team(actor: Actor, review: Review) -> DomainError | None:
    """Add, mitigate or remove team members: the reviewing partnership's lead,
    until the review is published."""
    if not _can(actor, "manage_team", review):
        return PermissionDenied(
            f"Only a lead of {review.reviewing_partnership.name} can change its review team."
        )
    return team_open(review)


def team_open(review: Review) -> DomainError | None:
    """The team is fixed once the review is published."""
    if review.status in TEAM_FROZEN:
        return Conflict(
            f"The team cannot change once the review is {review.get_status_display().lower()}."
        )
    return None


def set_access(actor: Actor, review: Review) -> DomainError | None:
    """Set reviewers' access windows: the reviewed partnership's lead."""
    if _can(actor, "manage_access", review):
        return None
    return PermissionDenied(
        f"Only a lead of {review.reviewed_partnership.name} can change reviewers' access."
    )


def declare_interests(actor: Actor, member: TeamMember) -> DomainError | None:
    """A declaration of interests: only the member themself."""
    if member.user_id == actor.user_id:
        return None
    return PermissionDenied("Only the team member can make their own declaration.")


def reschedule(actor: Actor, review: Review) -> DomainError | None:
    """Move phases: a lead of either partnership, until the review is closed."""
    if not _can(actor, "reschedule", review):
        return PermissionDenied("Only a lead of either partnership can reschedule.")
    if review.status == Review.Status.CLOSED:
        return Conflict("A closed review cannot be rescheduled.")
    return None


def is_party(actor: Actor, review: Review) -> bool:
    """Whether the actor belongs to either partnership of the review."""
    return bool(
        actor.role_in(review.reviewed_partnership_id)
        or actor.role_in(review.reviewing_partnership_id)
    )
