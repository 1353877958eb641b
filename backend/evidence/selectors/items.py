"""Reading the library: a filtered, sorted list and one item, with what a row shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from core.errors import NotFound, ValidationFailed
from core.ids import parse_id
from reviews import selectors as review_selectors
from reviews.models import Review, ReviewArea
from tenancy import access
from tenancy.access import Actor
from tenancy.models import Partnership

from .. import policies
from ..models import EvidenceItem, EvidenceShare

# Sort keys a list accepts, each ending in the id so that every order is total
# (keyset pages need one). The default, newest first, uses the
# (partnership, -id) index evidence_partnership_id.
SORTS: dict[str, tuple[str, ...]] = {
    "-id": ("-id",),
    "id": ("id",),
    "-added_at": ("-added_at", "-id"),
    "added_at": ("added_at", "id"),
    "title": ("title", "id"),
    "-title": ("-title", "-id"),
    "kind": ("kind", "-id"),
}
Q_MAX = 200


class RowData(TypedDict):
    share_count: int | None
    added_by_name: str | None


# An item as the list and detail selectors return it, with `share_count`. Only the
# type checker knows the difference (WithAnnotations takes one argument at run time).
if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    EvidenceRow = WithAnnotations[EvidenceItem, RowData]
else:
    EvidenceRow = EvidenceItem


def _row_data(actor: Actor, items: QuerySet[EvidenceItem]) -> QuerySet[EvidenceRow]:
    """What a list row shows, in a fixed number of queries whatever the page size:
    the owner and adder joined, the areas prefetched (only areas of reviews the
    actor can see: an item may inform another review the actor is not part of),
    and, for the actor's own partnerships' items only, how many live reviews it is
    shared with (`share_count`; None for anyone else's, whose sharing is not theirs
    to know), and the adder's name (`added_by_name`; None where it is hidden)."""
    own = actor.partnership_ids()
    if own:
        live = (
            EvidenceShare.objects.filter(item=OuterRef("pk"))
            .exclude(review__status=Review.Status.CLOSED)
            .order_by()
            .values("item")
            .annotate(n=Count("pk"))
            .values("n")
        )
        share_count: Case | Value = Case(
            When(partnership_id__in=own, then=Coalesce(Subquery(live), 0)),
            default=Value(None),
            output_field=IntegerField(),
        )
    else:
        share_count = Value(None, output_field=IntegerField())
    areas = ReviewArea.objects.filter(review__in=access.visible(actor, Review).values("pk"))
    # Field privacy, once for every face: a library item's adder is named only to
    # members of its partnership; a team note's author to whoever sees the note.
    added_by_name = Case(
        When(
            Q(partnership_id__in=own) | Q(partnership_id__isnull=True),
            then=F("added_by__full_name"),
        ),
        default=Value(None),
        output_field=CharField(),
    )
    return (
        items.select_related("partnership", "review", "added_by")
        .prefetch_related(Prefetch("areas", queryset=areas.order_by("review_id", "position")))
        .annotate(share_count=share_count, added_by_name=added_by_name)
    )


def evidence_list(
    *,
    actor: Actor,
    partnership_id: object | None = None,
    review_id: object | None = None,
    kind: str | None = None,
    area_id: object | None = None,
    sensitivity: str | None = None,
    q: str | None = None,
    sort: str = "-id",
) -> QuerySet[EvidenceRow]:
    """Items the actor may see now, filtered and sorted; two queries for any page
    (the rows, then their areas). `review_id` gives the items shared with that
    review or owned by it (the team's notes). Unknown filter values are refused
    with a message per field rather than quietly ignored."""
    errors: dict[str, list[str]] = {}
    items = access.visible(actor, EvidenceItem)
    if partnership_id not in (None, ""):
        pk = parse_id(partnership_id)
        if pk is None:
            errors["partnership"] = ["Select a partnership from the list"]
        items = items.filter(partnership_id=pk or 0)
    if review_id not in (None, ""):
        pk = parse_id(review_id)
        if pk is None:
            errors["review"] = ["Select a review from the list"]
        shared = EvidenceShare.objects.filter(review_id=pk or 0).values("item_id")
        items = items.filter(Q(pk__in=shared) | Q(review_id=pk or 0))
    if kind:
        if kind not in EvidenceItem.Kind.values:
            errors["kind"] = ["Select a kind of evidence from the list"]
        items = items.filter(kind=kind)
    if sensitivity:
        if sensitivity not in EvidenceItem.Sensitivity.values:
            errors["sensitivity"] = ["Select a sensitivity from the list"]
        items = items.filter(sensitivity=sensitivity)
    if area_id not in (None, ""):
        pk = parse_id(area_id)
        if pk is None:
            errors["area"] = ["Select an area of focus from the list"]
        linked = EvidenceItem.areas.through.objects.filter(reviewarea_id=pk or 0)
        items = items.filter(pk__in=linked.values("evidenceitem_id"))
    if q:
        text = q.strip()[:Q_MAX]
        if text:
            items = items.filter(Q(title__icontains=text) | Q(description__icontains=text))
    if sort not in SORTS:
        errors["sort"] = ["Sort by one of: " + ", ".join(SORTS)]
    if errors:
        raise ValidationFailed("The evidence could not be listed.", field_errors=errors)
    return _row_data(actor, items).order_by(*SORTS[sort])


def evidence_get(*, actor: Actor, item_id: object) -> EvidenceRow:
    """One item with its row data. NotFound — the same error — whether it does not
    exist or the actor may not see it (now: a closed window is not found)."""
    pk = parse_id(item_id)
    item = (
        _row_data(actor, access.visible(actor, EvidenceItem)).filter(pk=pk).first()
        if pk is not None
        else None
    )
    if item is None:
        raise NotFound()
    return item


@dataclass(frozen=True)
class ItemPermissions:
    """What the actor may do to one item now (the links a row or page offers)."""

    can_change: bool
    can_share: bool
    can_read_log: bool = False


def evidence_permissions(
    *, actor: Actor, items: Sequence[EvidenceItem]
) -> dict[int, ItemPermissions]:
    """Per-item flags for items the actor can see, from the policies the services
    refuse with (so a flag never offers what the service would refuse): change and
    delete (policies.change_item, notes frozen at publication included), share
    (policies.unshare_item), read the item's access log. Answered in memory from
    each row's foreign keys; at most one query for the whole page, for the actor's
    own grants on its restricted items (PERFORMANCE.md, P5). Items come from the
    selectors (partnership and review loaded)."""
    page = access.permits(actor, items)
    return {
        item.pk: ItemPermissions(
            can_change=policies.change_item(actor, item, permits=page) is None,
            can_share=policies.unshare_item(actor, item, permits=page) is None,
            can_read_log=policies.read_item_log(actor, item, permits=page) is None,
        )
        for item in items
    }


@dataclass(frozen=True)
class LibraryPermissions:
    """What the actor may do with a partnership's library (its page's links)."""

    can_share: bool
    can_read_log: bool


def library_permissions(*, actor: Actor, partnership: Partnership) -> LibraryPermissions:
    return LibraryPermissions(
        can_share=policies.share_from_library(actor, partnership) is None,
        can_read_log=policies.read_library_log(actor, partnership) is None,
    )


def shareable_review_list(*, actor: Actor) -> QuerySet[Review]:
    """Reviews the actor may share evidence with now: of a partnership whose
    evidence they may share, at a stage that takes evidence (policies.share_with_review)."""
    managed = access.partnerships_holding(actor, Partnership, "share_evidence")
    return review_selectors.review_list(actor=actor).filter(
        reviewed_partnership_id__in=managed, status__in=policies.SHARING_OPEN
    )
