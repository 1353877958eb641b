"""Evidence as a review sees it: document requests and the coverage grid."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from reviews.models import Review, ReviewArea
from tenancy import access
from tenancy.access import Actor

from .. import policies
from ..models import DocumentRequest, EvidenceItem, EvidenceShare


def document_request_list(*, actor: Actor, review_id: object) -> QuerySet[DocumentRequest]:
    """The review's requests the actor may see, newest first, each with the shares
    that answered it (only items the actor can see now). NotFound for a review the
    actor cannot see."""
    review = access.get_visible(actor, Review, review_id)
    answers = EvidenceShare.objects.filter(
        item__in=access.visible(actor, EvidenceItem).values("pk")
    ).select_related("item")
    return (
        access.visible(actor, DocumentRequest)
        .filter(review_id=review.pk)
        .select_related("requested_by", "answered_by", "review__reviewing_partnership")
        .prefetch_related(Prefetch("shares", queryset=answers.order_by("pk")))
        .order_by("-requested_at", "-id")
    )


@dataclass(frozen=True)
class CoverageRow:
    area: ReviewArea | None  # None: items linked to none of the review's areas
    counts: dict[str, int]  # kind -> number of items, every kind present
    total: int


@dataclass(frozen=True)
class Coverage:
    review: Review
    kinds: tuple[tuple[str, str], ...]  # (value, label), the grid's columns
    rows: tuple[CoverageRow, ...]  # one per area of focus, in order
    unlinked: CoverageRow
    totals: dict[str, int] = field(default_factory=dict)  # distinct items per kind
    total: int = 0

    @property
    def gaps(self) -> list[ReviewArea]:
        """Areas of focus with no evidence yet."""
        return [row.area for row in self.rows if row.area is not None and row.total == 0]


def coverage(*, actor: Actor, review_id: object) -> Coverage:
    """A grid of the review's areas of focus against kinds of evidence: how many
    items the actor can see now, shared with the review or owned by it (its team's
    notes), inform each area. An item informing two areas counts in both rows and
    once in the totals. Two queries after the review: its areas, then one row per
    (item, area) link."""
    review = access.get_visible(actor, Review, review_id)
    areas = list(ReviewArea.objects.filter(review_id=review.pk).order_by("position", "id"))
    area_ids = {a.pk for a in areas}
    shared = EvidenceShare.objects.filter(review_id=review.pk).values("item_id")
    links = (
        access.visible(actor, EvidenceItem)
        .filter(Q(pk__in=shared) | Q(review_id=review.pk))
        .values_list("pk", "kind", "areas__id")
    )
    kinds = tuple((value, str(label)) for value, label in EvidenceItem.Kind.choices)
    per_area: dict[int | None, dict[str, set[int]]] = {
        key: {value: set() for value, _ in kinds} for key in [*area_ids, None]
    }
    linked: dict[int, bool] = {}
    item_kind: dict[int, str] = {}
    for item_id, kind, area_id in links:
        item_kind[item_id] = kind
        if area_id in area_ids:
            per_area[area_id][kind].add(item_id)
            linked[item_id] = True
        else:
            linked.setdefault(item_id, False)
    for item_id, is_linked in linked.items():
        if not is_linked:
            per_area[None][item_kind[item_id]].add(item_id)

    def row(area: ReviewArea | None) -> CoverageRow:
        cells = per_area[area.pk if area is not None else None]
        counts = {kind: len(ids) for kind, ids in cells.items()}
        return CoverageRow(area, counts, len(set().union(*cells.values())))

    totals = {value: 0 for value, _ in kinds}
    for kind in item_kind.values():
        totals[kind] += 1
    return Coverage(
        review=review,
        kinds=kinds,
        rows=tuple(row(a) for a in areas),
        unlinked=row(None),
        totals=totals,
        total=len(item_kind),
    )


@dataclass(frozen=True)
class ReviewEvidencePermissions:
    """What the actor may do with a review's evidence now (its pages' buttons)."""

    can_add_notes: bool
    can_share: bool  # share the reviewed partnership's evidence, answering requests
    can_ask: bool  # ask the reviewed partnership for documents
    on_team: bool


def review_evidence_permissions(*, actor: Actor, review: Review) -> ReviewEvidencePermissions:
    """The policies' answers for one review (from review_get), in memory."""
    return ReviewEvidencePermissions(
        can_add_notes=policies.add_notes(actor, review) is None,
        can_share=policies.share_with_review(actor, review) is None,
        can_ask=policies.ask_for_documents(actor, review) is None,
        on_team=policies.is_on_team(actor, review),
    )


def document_request_permissions(
    *, actor: Actor, requests: Sequence[DocumentRequest]
) -> frozenset[int]:
    """Which of a page of requests (from document_request_list) the actor may
    withdraw now, answered in memory from each request's review."""
    page = access.permits(actor, requests)
    return frozenset(
        request.pk
        for request in requests
        if policies.withdraw_request(actor, request, permits=page) is None
    )
