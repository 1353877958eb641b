"""Evidence as a review sees it: document requests (the team asks, the reviewed
partnership answers by sharing) and the coverage grid of areas against kinds."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import Conflict, ValidationFailed, refuse
from tenancy import access
from tenancy.access import actor_of
from web.forms import add_service_errors, posted

from .. import policies, selectors, services
from ..forms import RequestForm
from .common import evidence_page, review_for_page


@evidence_page
@require_http_methods(["GET", "POST"])
def requests_page(request: HttpRequest, review_id: int) -> HttpResponse:
    actor = actor_of(request)
    review = review_for_page(request, review_id)
    form = RequestForm(posted(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                asked = services.document_request_create(
                    actor=actor,
                    review_id=review.pk,
                    title=form.cleaned_data["title"],
                    detail=form.cleaned_data["detail"],
                )
            except (ValidationFailed, Conflict) as exc:
                add_service_errors(form, exc)
                status = 409 if isinstance(exc, Conflict) else 400
            else:
                messages.success(
                    request,
                    f"Your request for ‘{asked.title}’ has been sent to "
                    f"{review.reviewed_partnership.name}.",
                )
                return redirect("evidence:requests", review_id=review.pk)
    requests = list(selectors.document_request_list(actor=actor, review_id=review.pk))
    flags = selectors.review_evidence_permissions(actor=actor, review=review)
    return render(
        request,
        "evidence/requests.html",
        {
            "review": review,
            "requests": requests,
            "withdrawable": selectors.document_request_permissions(actor=actor, requests=requests),
            "form": form,
            "can_ask": flags.can_ask,
            "can_answer": flags.can_share,
        },
        status=status,
    )


@evidence_page
@require_http_methods(["GET", "POST"])
def request_withdraw(request: HttpRequest, review_id: int, request_id: int) -> HttpResponse:
    actor = actor_of(request)
    review = review_for_page(request, review_id)
    asked = access.get_child(
        selectors.document_request_list(actor=actor, review_id=review.pk), request_id
    )
    refusal = policies.withdraw_request(actor, asked)
    if not isinstance(refusal, Conflict):
        refuse(refusal)  # a closed request's page still shows, with the reason on POST
    error, status = "", 200
    if request.method == "POST":
        try:
            services.document_request_withdraw(actor=actor, request_id=asked.pk)
        except Conflict as exc:
            error, status = exc.message, 409
        else:
            messages.success(request, f"The request for ‘{asked.title}’ has been withdrawn.")
            return redirect("evidence:requests", review_id=review.pk)
    return render(
        request,
        "evidence/request_withdraw.html",
        {"review": review, "asked": asked, "errors": [error] if error else []},
        status=status,
    )


@evidence_page
@require_GET
def coverage_page(request: HttpRequest, review_id: int) -> HttpResponse:
    """Counts only: no item is shown, so nothing is listed in the access log."""
    review = review_for_page(request, review_id)
    grid = selectors.coverage(actor=actor_of(request), review_id=review.pk)
    kinds = [value for value, _ in grid.kinds]
    rows = [(row.area, [row.counts[k] for k in kinds], row.total) for row in grid.rows]
    if grid.unlinked.total:
        rows.append((None, [grid.unlinked.counts[k] for k in kinds], grid.unlinked.total))
    return render(
        request,
        "evidence/coverage.html",
        {
            "review": review,
            "grid": grid,
            "rows": rows,
            "totals": [grid.totals[k] for k in kinds],
        },
    )
