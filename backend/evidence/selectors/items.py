"""Reading the library: a filtered, sorted list and one item, with what a row shows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict, cast

from django.db.models import Count, Prefetch, Q, QuerySet

from core.errors import NotFound, ValidationFailed
from core.ids import parse_id
from reviews import selectors as review_selectors
from reviews.models import Review, ReviewArea
from tenancy import access
from tenancy.access import Actor, VisibleQuerySet
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


# What a row shows of the related rows it joins: never the adder's password hash or
# the whole review and partnership rows (PERFORMANCE.md P6).
_ROW_COLUMNS = (
    *(f.name for f in EvidenceItem._meta.concrete_fields),
    "partnership__name",
    "partnership__slug",
    "review__status",
    "review__reviewed_partnership_id",
    "review__reviewing_partnership_id",
    "review__team_group_id",
    "added_by__email",
    "added_by__full_name",
)


def _row_extras(own: frozenset[int]) -> Callable[[list[EvidenceItem]], None]:
    """Completes a fetched page. `share_count`: how many live reviews each of the
    actor's own partnerships' items is shared with, in one grouped query for the
    page; None for anyone else's items, whose sharing is not theirs to know.
    `added_by_name`: field privacy, once for every face: a library item's adder is
    named only to members of its partnership; a team note's author to whoever sees
    the note; None where it is hidden."""

    def complete(items: list[EvidenceItem]) -> None:
        # Asked for the whole page whenever the actor has a partnership, so the page
        # costs the same whichever of its rows are theirs (PERFORMANCE.md P2).
        counts = (
            dict(
                EvidenceShare.objects.filter(
                    item_id__in=[item.pk for item in items], item__partnership_id__in=own
                )
                .exclude(review__status=Review.Status.CLOSED)
                .order_by()
                .values_list("item_id")
                .annotate(n=Count("pk"))
                .values_list("item_id", "n")
            )
            if own and items
            else {}
        )
        for item in items:
            named = item.partnership_id is None or item.partnership_id in own
            item.share_count = counts.get(item.pk, 0) if item.partnership_id in own else None  # type: ignore[attr-defined]
            item.added_by_name = (  # type: ignore[attr-defined]
                item.added_by.full_name if named and item.added_by_id else None
            )

    return complete


def _row_data(actor: Actor, items: VisibleQuerySet[EvidenceItem]) -> QuerySet[EvidenceRow]:
    """What a list row shows, in a fixed number of queries whatever the page size:
    the page's ids (rule by rule, see access.VisibleQuerySet), the rows with the
    owner, review and adder columns shown, the areas prefetched (only areas of
    reviews the actor can see: an item may inform another review the actor is not
    part of), and the row extras for the page (`_row_extras`: one grouped query)."""
    areas = ReviewArea.objects.filter(review__in=access.visible(actor, Review).values("pk"))
    return cast(
        "QuerySet[EvidenceRow]",
        items.paged_by_rule()
        .select_related("partnership", "review", "added_by")
        .only(*_ROW_COLUMNS)
        .prefetch_related(Prefetch("areas", queryset=areas.order_by("review_id", "position")))
        .after_fetch(_row_extras(actor.partnership_ids())),
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
