"""Document requests: a review team asks the reviewed partnership for something
("your threshold document"). The request stays open until the partnership
answers it by sharing items (evidence_share with request_id), or the team
withdraws it. Requests can be made from the review's draft to its reporting stage.
"""

from __future__ import annotations

from django.db import transaction

from audit import services as audit
from core.errors import ValidationFailed, refuse
from reviews.models import Review
from tenancy import access
from tenancy.access import Actor

from .. import policies
from ..models import DocumentRequest
from .common import user_id_of

TITLE_MAX = 200
DETAIL_MAX = 2000


def _clean(title: str, detail: str) -> tuple[str, str]:
    title, detail = (title or "").strip(), (detail or "").strip()
    errors: dict[str, list[str]] = {}
    if "\x00" in title:
        errors["title"] = ["What you are asking for must not contain a null character"]
    elif not title:
        errors["title"] = ["Enter what you are asking for"]
    elif len(title) > TITLE_MAX:
        errors["title"] = [f"What you are asking for must be {TITLE_MAX} characters or fewer"]
    if "\x00" in detail:
        errors["detail"] = ["Details must not contain a null character"]
    elif len(detail) > DETAIL_MAX:
        errors["detail"] = [f"Details must be {DETAIL_MAX:,} characters or fewer"]
    if errors:
        raise ValidationFailed("The request could not be sent.", field_errors=errors)
    return title, detail


def document_request_create(
    *, actor: Actor, review_id: object, title: str, detail: str = ""
) -> DocumentRequest:
    """A team member whose access window is open, or a lead of the reviewing
    partnership, asks the reviewed partnership for a document."""
    with transaction.atomic():
        review = access.get_visible(actor, Review, review_id)
        review = Review.objects.select_related("reviewing_partnership").get(pk=review.pk)
        refuse(policies.ask_for_documents(actor, review))
        title, detail = _clean(title, detail)
        request = DocumentRequest.objects.create(
            review=review, title=title, detail=detail, requested_by_id=user_id_of(actor)
        )
        audit.record(
            actor=actor,
            action="create",
            obj=request,
            owning_partnership_id=review.reviewed_partnership_id,
            detail={"review": review.pk},
        )
    return request


def document_request_withdraw(*, actor: Actor, request_id: object) -> DocumentRequest:
    """The team (window open) or the reviewing partnership's lead withdraws an open
    request. Items already shared for it stay shared."""
    with transaction.atomic():
        request = access.get_visible(actor, DocumentRequest, request_id)
        request = (
            DocumentRequest.objects.select_for_update(of=("self",))
            .select_related("review__reviewing_partnership")
            .get(pk=request.pk)
        )
        refuse(policies.withdraw_request(actor, request))
        request.status = DocumentRequest.Status.WITHDRAWN
        request.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="update",
            obj=request,
            owning_partnership_id=request.review.reviewed_partnership_id,
            detail={"review": request.review_id, "status": request.status},
        )
    return request
