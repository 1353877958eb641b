"""The review lifecycle: draft -> mobilisation -> fieldwork -> moderation ->
reporting -> published -> closed. Each step names who may take it and what must
hold; a failed guard says which rule failed, and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit import services as audit
from core.errors import Conflict, ValidationFailed
from tenancy import access
from tenancy.access import Actor

from ..models import Review, TeamMember
from .team import team_access_sync

S = Review.Status


def _scope_agreed(review: Review) -> str | None:
    if not review.areas.exists():
        return "Agree at least one area of focus before fieldwork starts."
    if not review.scope_agreed:
        return "Both partnerships must confirm the areas of focus before fieldwork starts."
    return None


def _team_ready(review: Review) -> str | None:
    active = review.team.filter(status=TeamMember.Status.ACTIVE)
    if not active.filter(team_role=TeamMember.TeamRole.LEAD_REVIEWER).exists():
        return "Add a lead reviewer to the team before fieldwork starts."
    if active.filter(declared_at__isnull=True).exists():
        return "Every team member must declare their interests before fieldwork starts."
    needs_mitigation = Q(conflicting_organisation__isnull=False) | ~Q(declared_interest="")
    if active.filter(needs_mitigation, mitigated_at__isnull=True).exists():
        return "Record a mitigation for every flagged conflict of interest before fieldwork starts."
    return None


# What must hold before a review is published, registered by the apps that build on
# reviews (findings: no unmoderated finding), so that reviews imports none of them.
_PUBLICATION_GUARDS: list[Callable[[Review], str | None]] = []


def register_publication_guard(guard: Callable[[Review], str | None]) -> None:
    """Called from an app's ready(): `guard(review)` returns the refusal, or None."""
    if guard not in _PUBLICATION_GUARDS:
        _PUBLICATION_GUARDS.append(guard)


def _publication_guards(review: Review) -> str | None:
    for guard in _PUBLICATION_GUARDS:
        refusal = guard(review)
        if refusal:
            return refusal
    return None


@dataclass(frozen=True)
class Step:
    perm: str
    who: str  # for the refusal message
    guards: tuple[Callable[[Review], str | None], ...] = ()


# Who may move a review on, and what must hold first. "advance" is a lead of
# either partnership; "lead" the reviewing partnership's; "host" the reviewed one's.
STEPS: dict[tuple[str, str], Step] = {
    (S.DRAFT, S.MOBILISATION): Step("advance", "a lead of either partnership"),
    (S.MOBILISATION, S.FIELDWORK): Step(
        "advance", "a lead of either partnership", (_scope_agreed, _team_ready)
    ),
    (S.FIELDWORK, S.MODERATION): Step("lead", "the reviewing partnership's lead"),
    (S.MODERATION, S.REPORTING): Step("lead", "the reviewing partnership's lead"),
    (S.REPORTING, S.PUBLISHED): Step(
        "lead", "the reviewing partnership's lead", (_publication_guards,)
    ),
    (S.PUBLISHED, S.CLOSED): Step("host", "the reviewed partnership's lead"),
}


def next_statuses(review: Review) -> list[str]:
    return [to for (frm, to) in STEPS if frm == review.status]


def review_transition(*, actor: Actor, review_id: object, to_status: str) -> Review:
    with transaction.atomic():
        review = access.get_visible(actor, Review, review_id)
        review = (
            Review.objects.select_for_update()
            .select_related("reviewing_partnership", "reviewed_partnership", "team_group")
            .get(pk=review.pk)
        )
        if to_status not in S.values:
            raise ValidationFailed(
                "The review could not be moved on.",
                field_errors={"status": ["Select a stage the review can move to"]},
            )
        step = STEPS.get((review.status, to_status))
        if step is None:
            raise Conflict(
                f"A review in {review.get_status_display().lower()} cannot move to "
                f"{S(to_status).label.lower()}."
            )
        access.require(
            actor,
            step.perm,
            review,
            f"Only {step.who} can move the review to {S(to_status).label.lower()}.",
        )
        for guard in step.guards:
            failure = guard(review)
            if failure:
                raise Conflict(failure)
        previous = review.status
        review.status = to_status
        review.status_changed_at = timezone.now()
        review.save(update_fields=["status", "status_changed_at"])
        audit.record(
            actor=actor,
            action="transition",
            obj=review,
            owning_partnership_id=review.reviewed_partnership_id,
            detail={"from": previous, "to": to_status},
        )
        team_access_sync(review=review, actor=actor)
    return review
