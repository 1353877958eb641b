"""Sharing a partnership's evidence with the team reviewing it, and taking it back.

A share is two writes made together: an EvidenceShare row (what the pages list)
and a guardian `view_evidenceitem` grant to the review's team group, written to
the direct EvidenceItemGroupObjectPermission table. The chokepoint honours the
grant only while a team member's access window is open, so a closed window ends
access at once; unsharing deletes both rows, effective on the next request.

Sharing makes sense from the review's draft to its reporting stage: the team may
be sent papers before fieldwork (they can read them only once their window opens),
and nothing new is shared once the report is published or the review closed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from audit import services as audit
from core.errors import Conflict, NotFound, ValidationFailed, refuse
from core.ids import parse_ids
from reviews.models import Review
from tenancy import access, grants
from tenancy.access import Actor

from .. import policies
from ..models import DocumentRequest, EvidenceItem, EvidenceShare
from .common import ITEM_LABEL, record_item, user_id_of


def review_to_share_with(actor: Actor, review_id: object) -> Review:
    """The review the actor may share their partnership's evidence with, or the refusal
    `evidence_share` would give (the share pages ask first, so they refuse alike)."""
    review = access.get_visible(actor, Review, review_id)
    review = Review.objects.select_related(
        "reviewed_partnership", "reviewing_partnership", "team_group"
    ).get(pk=review.pk)
    refuse(policies.share_with_review(actor, review))
    return review


def evidence_share(
    *,
    actor: Actor,
    item_ids: Iterable[object],
    review_id: object,
    request_id: object | None = None,
) -> list[EvidenceShare]:
    """Share items of the reviewed partnership's library with the review's team.

    Every id must be an item the actor may share (a lead or business manager of the
    owning partnership; a restricted item only with their own grant): one that is
    missing, foreign or not theirs to share gives NotFound, and nothing is written.
    Files still being scanned, or that failed the scan, are refused by name. Items
    already shared are left as they are. Answering a document request marks it
    answered. One "share" audit event per newly shared item."""
    with transaction.atomic():
        review = review_to_share_with(actor, review_id)
        ids = parse_ids(item_ids or ())
        if ids is None:
            raise NotFound()
        if not ids:
            raise ValidationFailed(
                "The evidence could not be shared.",
                field_errors={"item_ids": ["Select the evidence to share"]},
            )
        shareable = access.visible(actor, EvidenceItem, "share").filter(
            pk__in=ids, partnership_id=review.reviewed_partnership_id
        )
        items = list(
            EvidenceItem.objects.select_for_update(of=("self",))
            .filter(pk__in=shareable.values("pk"))
            .order_by("pk")
        )
        if len(items) != len(ids):
            raise NotFound()
        request = None
        if request_id is not None:
            request = access.get_child(
                DocumentRequest.objects.select_for_update(of=("self",)).filter(review=review),
                request_id,
            )
            if request.status == DocumentRequest.Status.WITHDRAWN:
                raise Conflict("This request has been withdrawn: nothing can be shared for it.")
        problems = []
        for item in items:
            if item.scan_status == EvidenceItem.ScanStatus.SCANNING:
                problems.append(
                    f'"{item.title}" is still being checked for viruses. Share it when the '
                    "check has finished"
                )
            elif item.scan_status == EvidenceItem.ScanStatus.FAILED:
                problems.append(f'"{item.title}" failed the virus check and cannot be shared')
        if problems:
            raise ValidationFailed(
                "The evidence could not be shared.", field_errors={"item_ids": problems}
            )
        existing = {
            share.item_id: share
            for share in EvidenceShare.objects.filter(review=review, item__in=items)
        }
        new_items = [item for item in items if item.pk not in existing]
        now = timezone.now()
        if request is not None and request.status == DocumentRequest.Status.OPEN:
            request.status = DocumentRequest.Status.ANSWERED
            request.answered_by_id = user_id_of(actor)
            request.answered_at = now
            request.save(update_fields=["status", "answered_by", "answered_at"])
            audit.record(
                actor=actor,
                action="update",
                obj=request,
                owning_partnership_id=review.reviewed_partnership_id,
                detail={"review": review.pk, "status": request.status},
            )
        # After the request's own event, so the last events are the shares themselves.
        created = shares_write(
            actor=actor, review=review, items=new_items, request=request, shared_at=now
        )
        by_item = {**existing, **{share.item_id: share for share in created}}
        return [by_item[item.pk] for item in items]


def shares_write(
    *,
    actor: Actor,
    review: Review,
    items: Sequence[EvidenceItem],
    request: DocumentRequest | None,
    shared_at: datetime,
) -> list[EvidenceShare]:
    """What sharing writes, once its rules have passed: the share rows, the team
    group's `view_evidenceitem` grants and one "share" event per item. Only
    `evidence_share` (and the demo's 2020 backfill) call it."""
    if not items:
        return []
    created = EvidenceShare.objects.bulk_create(
        [
            EvidenceShare(
                item=item,
                review=review,
                request=request,
                shared_by_id=user_id_of(actor),
                shared_at=shared_at,
            )
            for item in items
        ]
    )
    grants.grant_group(perm="view", group=review.team_group, objs=items)
    for item in items:
        record_item(actor, "share", item, review=review.pk, request=request.pk if request else None)
    return created


def evidence_unshare(*, actor: Actor, item_id: object, review_id: object) -> None:
    """Stop sharing an item with a review: the share and the team's grant go
    together, and the team loses it on their next request. A document request
    answered only by this item is open again."""
    with transaction.atomic():
        item = access.get_visible(actor, EvidenceItem, item_id)
        ids = parse_ids([review_id])
        share = (
            EvidenceShare.objects.select_for_update(of=("self",))
            .select_related("review__team_group", "request")
            .filter(item=item, review_id=ids[0] if ids else 0)
            .first()
        )
        if share is None:
            raise NotFound()
        refuse(policies.unshare_item(actor, item))
        review, request = share.review, share.request
        share.delete()
        grants.revoke_group(perm="view", group=review.team_group, obj=item)
        if (
            request is not None
            and request.status == DocumentRequest.Status.ANSWERED
            and not request.shares.exists()
        ):
            request.status = DocumentRequest.Status.OPEN
            request.answered_by = None
            request.answered_at = None
            request.save(update_fields=["status", "answered_by", "answered_at"])
            audit.record(
                actor=actor,
                action="update",
                obj=request,
                owning_partnership_id=review.reviewed_partnership_id,
                detail={"review": review.pk, "status": request.status},
            )
        record_item(actor, "revoke", item, review=review.pk)


def evidence_grants_sweep() -> int:
    """Delete the team grants of reviews that are closed, one "revoke" event each
    (system actor). The chokepoint already ignores them, since closing a review
    closes its windows; this removes the rows so they cannot be honoured by mistake
    later. Idempotent: a second run finds nothing. The EvidenceShare rows stay, as
    the record of what the review was given. Returns the number deleted."""
    with transaction.atomic():
        stale = list(
            grants.group_grants(EvidenceItem)
            .select_for_update(of=("self",))
            .filter(group__review__status=Review.Status.CLOSED)
            .order_by("pk")
            .values_list(
                "pk",
                "content_object_id",
                "content_object__partnership_id",
                "group__review__id",
                "permission__codename",
            )
        )
        if not stale:
            return 0
        grants.group_grants(EvidenceItem).filter(pk__in=[row[0] for row in stale]).delete()
        for _, item_id, partnership_id, review_id, codename in stale:
            audit.record(
                actor=None,
                action="revoke",
                object_type=ITEM_LABEL,
                object_id=item_id,
                owning_partnership_id=partnership_id,
                detail={"reason": "review closed", "review": review_id, "permission": codename},
            )
    return len(stale)
