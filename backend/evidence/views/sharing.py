"""Sharing evidence with a review team: choose the review, choose the items,
check the answers ("You are about to share 3 items with ..."), confirmation.
Optionally answering a document request (?request=<id> on the items step).

Only "Share" on the check page writes; the choices are kept in the session in
between. Every id is checked against what the actor may share: one that is not
theirs (another partnership's item, a review they are not the reviewed side of)
is the same 404 as one that does not exist, and nothing is kept or written."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import Conflict, NotFound, ValidationFailed, refuse
from core.ids import parse_ids
from reviews import selectors as review_selectors
from reviews.models import Review
from tenancy import access
from tenancy.access import Actor, actor_of
from web.forms import posted

from .. import policies, selectors, services
from ..forms import FilterForm, ShareItemsForm, ShareReviewForm, area_choices
from ..models import DocumentRequest
from ..services.sharing import review_to_share_with
from .common import evidence_page, review_areas

DRAFT_KEY = "evidence_share_draft"
DONE_KEY = "evidence_shared"
# The items step lists at most this many at once; the filter finds the others.
ITEMS_SHOWN = 200


def _review(request: HttpRequest, review_id: int) -> Review:
    """The review to share with, by the service's own rule: 404 if the actor cannot
    see it; 403 unless they manage the reviewed partnership; 409 once it is
    published or closed."""
    review = review_to_share_with(actor_of(request), review_id)
    return review_selectors.review_get(actor=actor_of(request), review_id=review.pk)


def _draft(request: HttpRequest, review: Review) -> dict[str, Any]:
    draft = request.session.get(DRAFT_KEY)
    if isinstance(draft, dict) and draft.get("review") == review.pk:
        return draft
    return {"review": review.pk, "items": [], "request": None}


def _open_request(actor: Actor, review: Review, request_id: object) -> DocumentRequest:
    """An open request of this review that the actor can see; 404 otherwise."""
    requests = selectors.document_request_list(actor=actor, review_id=review.pk)
    request = access.get_child(requests, request_id)
    if request.status != DocumentRequest.Status.OPEN:
        raise Conflict("This request is no longer open: it has been answered or withdrawn.")
    return request


@evidence_page
@require_http_methods(["GET", "POST"])
def share_start(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    refuse(policies.share_at_all(actor))
    reviews = list(selectors.shareable_review_list(actor=actor))
    choices = [
        (str(r.pk), f"Review of {r.reviewed_partnership.name} by {r.reviewing_partnership.name}")
        for r in reviews
    ]
    form = ShareReviewForm(posted(request), reviews=choices)
    if request.method == "POST" and form.is_valid():
        return redirect("evidence:share-items", review_id=form.cleaned_data["review"])
    return render(
        request,
        "evidence/share_review.html",
        {"form": form, "reviews": reviews},
        status=400 if form.errors else 200,
    )


@evidence_page
@require_http_methods(["GET", "POST"])
def share_items(request: HttpRequest, review_id: int) -> HttpResponse:
    """Tick the items to share, with the library's filter. Ticks on other filtered
    views are kept: the page posts the ids it showed, and only those change."""
    actor = actor_of(request)
    review = _review(request, review_id)
    draft = _draft(request, review)
    if "request" in request.GET:
        draft["request"] = _open_request(actor, review, request.GET["request"]).pk
        request.session[DRAFT_KEY] = draft
    library = review.reviewed_partnership_id
    if request.method == "POST":
        form = ShareItemsForm(request.POST)
        form.is_valid()
        shown = parse_ids(request.POST.getlist("shown"))
        ticked = parse_ids(form.ids())
        if shown is None or ticked is None:
            raise NotFound()
        kept = [pk for pk in draft["items"] if pk not in shown]
        chosen = kept + [pk for pk in ticked if pk not in kept]
        mine = selectors.evidence_list(actor=actor, partnership_id=library).filter(pk__in=chosen)
        if mine.count() != len(chosen):
            raise NotFound()  # an item that is not the actor's to share: as if missing
        draft["items"] = chosen
        request.session[DRAFT_KEY] = draft
        if chosen:
            return redirect("evidence:share-check", review_id=review.pk)
        form.add_error("item_ids", "Select the evidence to share")
        status = 400
    else:
        form, status = ShareItemsForm(), 200
    filters = FilterForm(request.GET, areas=area_choices(review_areas(review), label_review=False))
    found = filters.filters() if filters.is_valid() else {}
    rows = list(
        selectors.evidence_list(actor=actor, partnership_id=library, **found)[: ITEMS_SHOWN + 1]
    )
    services.evidence_listed(actor=actor, items=rows[:ITEMS_SHOWN])
    shared = set(
        selectors.evidence_list(actor=actor, review_id=review.pk).values_list("pk", flat=True)
    )
    return render(
        request,
        "evidence/share_items.html",
        {
            "review": review,
            "form": form,
            "filters": filters,
            "rows": rows[:ITEMS_SHOWN],
            "more": len(rows) > ITEMS_SHOWN,
            "selected": set(draft["items"]),
            "shared": shared,
            "request_obj": _request_of(actor, review, draft),
        },
        status=status,
    )


def _request_of(actor: Actor, review: Review, draft: dict[str, Any]) -> DocumentRequest | None:
    if draft.get("request") is None:
        return None
    requests = selectors.document_request_list(actor=actor, review_id=review.pk)
    return requests.filter(pk=draft["request"]).first()


@evidence_page
@require_http_methods(["GET", "POST"])
def share_check(request: HttpRequest, review_id: int) -> HttpResponse:
    """Check your answers; "Share" is the only step that writes."""
    actor = actor_of(request)
    review = _review(request, review_id)
    draft = _draft(request, review)
    items = list(
        selectors.evidence_list(actor=actor, partnership_id=review.reviewed_partnership_id).filter(
            pk__in=draft["items"]
        )
    )
    if not items or len(items) != len(draft["items"]):
        # Nothing chosen yet, or an item has gone since: choose again.
        return redirect("evidence:share-items", review_id=review.pk)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        try:
            shares = services.evidence_share(
                actor=actor,
                item_ids=draft["items"],
                review_id=review.pk,
                request_id=draft.get("request"),
            )
        except (ValidationFailed, Conflict) as exc:
            errors = [m for ms in exc.field_errors.values() for m in ms] or [exc.message]
            status = 409 if isinstance(exc, Conflict) else 400
        else:
            del request.session[DRAFT_KEY]
            request.session[DONE_KEY] = {
                "review": review.pk,
                "count": len(shares),
                "request": draft.get("request"),
            }
            return redirect("evidence:share-done", review_id=review.pk)
    else:
        services.evidence_listed(actor=actor, items=items)
    return render(
        request,
        "evidence/share_check.html",
        {
            "review": review,
            "items": items,
            "request_obj": _request_of(actor, review, draft),
            "errors": errors,
        },
        status=status,
    )


@evidence_page
@require_GET
def share_done(request: HttpRequest, review_id: int) -> HttpResponse:
    review = _review(request, review_id)
    done = request.session.get(DONE_KEY)
    if not isinstance(done, dict) or done.get("review") != review.pk:
        return redirect("evidence:review-library", review_id=review.pk)
    return render(
        request,
        "evidence/share_done.html",
        {
            "review": review,
            "count": done["count"],
            "request_obj": _request_of(actor_of(request), review, done),
        },
    )
