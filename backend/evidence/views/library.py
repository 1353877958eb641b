"""The evidence library (UX screen 7): a partnership's own, and a review's (the
items shared with it and its team's notes). Every page shown is audited as a list."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from reviews import selectors as review_selectors
from tenancy.access import actor_of

from .. import selectors, services
from ..forms import area_choices
from .common import (
    choose_partnership,
    chosen_partnership,
    evidence_page,
    listing,
    partnership_areas,
    review_areas,
    review_for_page,
)


@evidence_page
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    """The library of the user's partnership (?partnership=<slug> when they have
    several). Someone with no partnership (a reviewer, an adviser) is pointed to
    the evidence of the reviews they are on."""
    actor = actor_of(request)
    choice = chosen_partnership(request)
    partnership = choice.partnership
    if partnership is None:
        if choice.several:
            return choose_partnership(
                request, choice, heading="Which partnership's evidence do you want to see?"
            )
        teams = review_selectors.team_review_list(actor=actor)
        return render(request, "evidence/no_partnership.html", {"reviews": teams})
    areas = partnership_areas(actor, partnership)
    base = {"partnership": partnership.slug} if choice.several else {}
    result = listing(
        request,
        areas=area_choices(areas, label_review=True),
        base=base,
        partnership_id=partnership.pk,
    )
    services.evidence_listed(actor=actor, items=result.rows)
    flags = selectors.library_permissions(actor=actor, partnership=partnership)
    return render(
        request,
        "evidence/library.html",
        {
            "partnership": partnership,
            "choice": choice,
            "result": result,
            "can_share": flags.can_share,
            "can_read_log": flags.can_read_log,
        },
        status=result.status,
    )


@evidence_page
@require_GET
def review_library(request: HttpRequest, review_id: int) -> HttpResponse:
    """The evidence a review can draw on, as the viewer may see it now: items its
    partnership shared with it, and the team's own notes. A reviewer whose window
    is closed no longer sees the review at all (404)."""
    actor = actor_of(request)
    review = review_for_page(request, review_id)
    result = listing(
        request,
        areas=area_choices(review_areas(review), label_review=False),
        base={},
        review_id=review.pk,
    )
    services.evidence_listed(actor=actor, items=result.rows)
    flags = selectors.review_evidence_permissions(actor=actor, review=review)
    return render(
        request,
        "evidence/review_library.html",
        {
            "review": review,
            "result": result,
            "can_add_notes": flags.can_add_notes,
            "can_share": flags.can_share,
            "on_team": flags.on_team,
        },
        status=result.status,
    )
