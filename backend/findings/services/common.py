"""What the findings services share: locking a finding with the actor's standing,
refusing with a policy's answer, cleaning text, and the audit entry."""

from __future__ import annotations

from typing import Any

from audit import services as audit
from core.errors import DomainError, NotAuthenticated, ValidationFailed
from reviews.models import Review
from tenancy import access
from tenancy.access import Actor

from .. import selectors
from ..models import Finding
from ..policies import Standing

TEXT_MAX = 5000
SHORT_MAX = 300


def user_id_of(actor: Actor) -> int:
    if actor.user_id is None:
        raise NotAuthenticated()
    return actor.user_id


def refuse(refusal: DomainError | None) -> None:
    """Raise a policy's refusal, if it gave one."""
    if refusal is not None:
        raise refusal


def locked_review(actor: Actor, review_id: object) -> tuple[Review, Standing]:
    """A review the actor can see, locked for the change, with their standing on it."""
    review = access.get_visible(actor, Review, review_id)
    review = (
        Review.objects.select_for_update(of=("self",))
        .select_related("handbook_version", "reviewing_partnership", "reviewed_partnership")
        .get(pk=review.pk)
    )
    return review, selectors.standing(actor, review)


def locked_finding(actor: Actor, finding_id: object) -> tuple[Finding, Standing]:
    """A finding the actor can see (NotFound otherwise: "not yours" is "missing"),
    locked with its review, and the actor's standing on it."""
    finding = access.get_visible(actor, Finding, finding_id)
    review = (
        Review.objects.select_for_update(of=("self",))
        .select_related("handbook_version")
        .get(pk=finding.review_id)
    )
    finding = (
        Finding.objects.select_for_update(of=("self",))
        .select_related("area", "superseded_by")
        .get(pk=finding.pk)
    )
    finding.review = review
    return finding, selectors.standing(actor, review, [finding.pk])


def clean_text(
    value: str | None,
    *,
    field: str,
    subject: str,
    errors: dict[str, list[str]],
    required: bool = True,
    limit: int = TEXT_MAX,
) -> str:
    text = (value or "").strip()
    if "\x00" in text:
        errors[field] = [f"{subject} must not contain a null character"]
    elif required and not text:
        errors[field] = [f"Enter {subject[0].lower()}{subject[1:]}"]
    elif len(text) > limit:
        errors[field] = [f"{subject} must be {limit:,} characters or fewer"]
    return text


def fail(message: str, errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationFailed(message, field_errors=errors)


def record(actor: Actor, action: str, finding: Finding, **detail: Any) -> None:
    """One audit event on a finding, in the reviewing partnership's log (the team's
    work). Ids and codes only: never the finding's words."""
    audit.record(
        actor=actor,
        action=action,
        obj=finding,
        owning_partnership_id=finding.review.reviewing_partnership_id,
        detail={"review": finding.review_id, "status": finding.status, **detail},
    )
