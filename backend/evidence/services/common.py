"""Helpers the evidence services share: whose log an event goes to, and areas."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from audit import services as audit
from audit.models import AuditEvent
from core.errors import NotAuthenticated
from core.ids import parse_ids
from reviews.models import Review, ReviewArea
from tenancy.access import Actor

from ..models import EvidenceItem

ITEM_LABEL = EvidenceItem._meta.label


def user_id_of(actor: Actor) -> int:
    """The signed-in user behind a write (a write needs someone to record)."""
    if actor.user_id is None:
        raise NotAuthenticated()
    return actor.user_id


def owner_of(item: EvidenceItem) -> int | None:
    """The partnership whose access log records events on `item`: the owning
    partnership, or for a review team's own notes the reviewing partnership (the
    team's work, not the reviewed partnership's evidence)."""
    if item.partnership_id is not None:
        return int(item.partnership_id)
    review = item.review
    return int(review.reviewing_partnership_id) if review is not None else None


def record_item(actor: Any, action: str, item: EvidenceItem, **detail: Any) -> AuditEvent:
    """One audit event on one item, in its owner's log. Ids and codes only."""
    return audit.record(
        actor=actor,
        action=action,
        obj=item,
        owning_partnership_id=owner_of(item),
        detail={"kind": item.kind, **detail},
    )


def areas_of(
    area_ids: Iterable[object], reviews: QuerySet[Review], errors: dict[str, list[str]]
) -> list[ReviewArea]:
    """The areas of focus named, each of one of `reviews`. An id that is malformed,
    missing or of another review gets the same message, so nothing is learnt."""
    ids = parse_ids(area_ids or ())
    if ids is None:
        errors["areas"] = ["Select areas of focus from the list"]
        return []
    if not ids:
        return []
    areas = list(ReviewArea.objects.filter(pk__in=ids, review__in=reviews))
    if len(areas) != len(ids):
        errors["areas"] = ["Select areas of focus from the list"]
        return []
    return areas
