"""What the evidence pages share: the decorator that maps domain errors to pages,
choosing the partnership whose library is shown, the list's filter, sort and
pages, and the review a review-side page is about."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.errors import ValidationFailed
from core.ids import parse_id
from core.pagination import keyset_page
from reviews import selectors as review_selectors
from reviews.models import Review, ReviewArea
from tenancy import selectors as tenancy_selectors
from tenancy.access import Actor, actor_of
from tenancy.models import Partnership
from web.errors import product_page
from web.forms import add_service_errors

from .. import selectors
from ..forms import FilterForm
from ..selectors import EvidenceRow

PAGE_SIZE = 50

View = Callable[..., HttpResponse]


# Signed in; 404 for foreign or missing, 403 with the reason, 409 for a failed guard.
evidence_page = product_page()


# --- Whose library ---


@dataclass(frozen=True)
class Choice:
    """The partnership a library page is about, or the ones to choose from."""

    partnership: Partnership | None
    partnerships: tuple[Partnership, ...]

    @property
    def several(self) -> bool:
        return len(self.partnerships) > 1

    @property
    def query(self) -> str:
        """'?partnership=<slug>' when the user must say which (several), else ''."""
        if self.partnership is None or not self.several:
            return ""
        return "?" + urlencode({"partnership": self.partnership.slug})


def chosen_partnership(request: HttpRequest) -> Choice:
    """The user's partnership: the only one, or the one `?partnership=<slug>` names
    (404 for one that is not theirs, as for one that does not exist)."""
    actor = actor_of(request)
    partnerships = tuple(
        m.partnership for m in tenancy_selectors.membership_list_for_user(actor=actor)
    )
    slug = request.GET.get("partnership", "")
    if slug:
        return Choice(tenancy_selectors.partnership_get(actor=actor, slug=slug), partnerships)
    if len(partnerships) == 1:
        return Choice(partnerships[0], partnerships)
    return Choice(None, partnerships)


def choose_partnership(request: HttpRequest, choice: Choice, *, heading: str) -> HttpResponse:
    """The page that asks which partnership, each a link back with ?partnership=."""
    return render(
        request,
        "evidence/choose_partnership.html",
        {"partnerships": choice.partnerships, "heading": heading, "path": request.path},
    )


def partnership_areas(actor: Actor, partnership: Partnership) -> list[ReviewArea]:
    """The areas of focus of the reviews of `partnership` the actor can see, for the
    checkboxes and the filter (what evidence_add accepts)."""
    reviews = review_selectors.review_list(actor=actor).filter(reviewed_partnership=partnership)
    areas: list[ReviewArea] = []
    for review in reviews:
        areas += [_with_review(area, review) for area in review.areas.all()]
    return areas


def _with_review(area: ReviewArea, review: Review) -> ReviewArea:
    area.review = review  # already loaded: no query to name it
    return area


def review_for_page(request: HttpRequest, review_id: int) -> Review:
    """A review the actor can see (404 otherwise), with what its pages show."""
    return review_selectors.review_get(actor=actor_of(request), review_id=review_id)


def review_areas(review: Review) -> list[ReviewArea]:
    return [_with_review(area, review) for area in review.areas.all()]


# --- Filter, sort and pages ---

# Columns that sort, with the sort key of each direction (selectors.SORTS).
SORTABLE = {
    "title": ("title", "-title"),
    "kind": ("kind", "kind"),
    "added": ("-added_at", "added_at"),
}


@dataclass(frozen=True)
class Header:
    label: str
    href: str | None  # None: the column does not sort
    aria_sort: str  # "ascending", "descending" or "none"


@dataclass
class Listing:
    """One page of a list, with everything the table, filter and pagination need."""

    form: FilterForm
    rows: list[EvidenceRow]
    headers: list[Header]
    sort: str
    base: dict[str, str]  # query parameters every link keeps (?partnership=)
    previous_href: str | None = None
    next_href: str | None = None
    page_label: str = ""
    filtered: bool = False
    status: int = 200


def _query(params: dict[str, str], **changes: str | None) -> str:
    merged = {**params, **changes}
    return "?" + urlencode({k: v for k, v in merged.items() if v})


def listing(
    request: HttpRequest,
    *,
    areas: Sequence[tuple[str, str]],
    base: dict[str, str],
    **scope: Any,
) -> Listing:
    """A page of evidence_list for the actor within `scope` (partnership_id or
    review_id), filtered by the GET form, sorted by a whitelisted key, 50 a page.

    The default order (newest first) pages by keyset (`?after=<id>`, `?before=<id>`)
    on the (partnership, -id) index: as cheap on page 100 as on page 1. Other sorts
    page by number. `base` holds the query parameters every link keeps
    (?partnership=). Two queries for the rows, whatever the page size."""
    actor = actor_of(request)
    form = FilterForm(request.GET, areas=areas)
    sort = request.GET.get("sort", "-id")
    if sort not in selectors.SORTS:
        sort = "-id"
    if not form.is_valid():
        return Listing(
            form=form,
            rows=[],
            headers=_headers(base, sort),
            sort=sort,
            base=base,
            filtered=True,
            status=400,
        )
    filters = form.filters()
    params = {**base, **{k if k != "area_id" else "area": v for k, v in filters.items()}}
    try:
        items = selectors.evidence_list(actor=actor, sort=sort, **scope, **filters)
    except ValidationFailed as exc:  # the form's choices should make this unreachable
        add_service_errors(form, exc)
        return Listing(
            form=form, rows=[], headers=_headers(base, sort), sort=sort, base=base, status=400
        )
    result = Listing(
        form=form,
        rows=[],
        headers=_headers(params, sort),
        sort=sort,
        base=base,
        filtered=any(filters.values()),
    )
    if sort == "-id":
        _keyset_page(request, items, params, result)
    else:
        _numbered_page(request, items, {**params, "sort": sort}, result)
    return result


def _keyset_page(
    request: HttpRequest, items: QuerySet[EvidenceRow], params: dict[str, str], result: Listing
) -> None:
    page = keyset_page(
        items,
        size=PAGE_SIZE,
        after=parse_id(request.GET.get("after")),
        before=parse_id(request.GET.get("before")),
    )
    result.rows = page.rows
    if page.next_after is not None:
        result.next_href = _query(params, after=str(page.next_after))
    if page.previous_before is not None:
        result.previous_href = _query(params, before=str(page.previous_before))


def _numbered_page(
    request: HttpRequest, items: QuerySet[EvidenceRow], params: dict[str, str], result: Listing
) -> None:
    paginator = Paginator(items, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    result.rows = list(page.object_list)
    if page.has_previous():
        result.previous_href = _query(params, page=str(page.previous_page_number()))
    if page.has_next():
        result.next_href = _query(params, page=str(page.next_page_number()))
    if paginator.num_pages > 1:
        result.page_label = f"Page {page.number} of {paginator.num_pages}"


def _headers(params: dict[str, str], sort: str) -> list[Header]:
    # Newest first by id is newest first by date, as far as a reader can tell.
    current = "-added_at" if sort == "-id" else sort

    def column(label: str, key: str | None) -> Header:
        if key is None:
            return Header(label, None, "none")
        first, second = SORTABLE[key]
        if current == first and first != second:
            return Header(label, _query(params, sort=second), _direction(first))
        if current in (first, second):
            return Header(label, _query(params, sort=first), _direction(current))
        return Header(label, _query(params, sort=first), "none")

    return [
        column("Title", "title"),
        column("Kind", "kind"),
        column("Areas of focus", None),
        column("Sensitivity", None),
        column("Added", "added"),
        column("Status", None),
    ]


def _direction(sort: str) -> str:
    """How aria-sort describes a key: newest first is descending by date."""
    return "descending" if sort.startswith("-") else "ascending"
