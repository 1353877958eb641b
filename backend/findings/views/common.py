"""What the findings pages share: the review and finding a page is about, and the
one shape of a form page (GET shows it; POST calls one service, puts a refusal back
on the form with status 400, or says what happened and moves on)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from core.errors import NotFound, ValidationFailed
from reviews import selectors as review_selectors
from reviews.models import Review
from tenancy.access import Actor, actor_of
from web.errors import product_page
from web.forms import add_service_errors

from .. import selectors
from ..models import Finding

# Signed in; 404 for foreign or missing, 403 with the reason, 409 for a failed guard.
findings_page = product_page()

__all__ = ["area_url", "finding_of", "findings_page", "form_page", "review_of"]


def review_of(request: HttpRequest, review_id: int) -> tuple[Actor, Review]:
    actor = actor_of(request)
    return actor, review_selectors.review_get(actor=actor, review_id=review_id)


def finding_of(actor: Actor, review: Review, finding_id: int) -> Finding:
    """A finding of this review the actor may see (404 otherwise, as for a missing one)."""
    finding = selectors.finding_get(actor=actor, finding_id=finding_id)
    if finding.review_id != review.pk:
        raise NotFound()
    finding.review = review
    return finding


def area_url(finding: Finding) -> str:
    url = reverse("findings:area", args=[finding.review_id, finding.area_id])
    return f"{url}#finding-{finding.pk}"


def form_page(
    request: HttpRequest,
    form: forms.Form,
    save: Callable[[dict[str, Any]], Any],
    *,
    template: str,
    context: dict[str, Any],
    done: str | Callable[[Any], str],
    then: Callable[[Any], str],
) -> HttpResponse:
    """Render `form`; on a valid POST call `save(cleaned_data)` (one service call). A
    validation refusal goes back on the form (400); success flashes `done` (text, or
    worked out from the result) and redirects to `then(result)`. Other refusals reach
    findings_page (404, 403, 409)."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                result = save(form.cleaned_data)
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, done(result) if callable(done) else done)
                return redirect(then(result))
    return render(request, template, {**context, "form": form}, status=status)
