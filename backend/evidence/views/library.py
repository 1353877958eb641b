"""The evidence library (UX screen 7): a partnership's own, and a review's (the
items shared with it and its team's notes). Every page shown is audited as a list."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from reviews import selectors as review_selectors
from tenancy import access
from tenancy.access import actor_of

from .. import services
from ..forms import area_choices
from ..services.items import NOTES_OPEN
from ..services.sharing import SHARING_OPEN
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
        teams = review_selectors.review_list(actor=actor).filter(team_group_id__in=actor.group_ids)
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
    managers = actor.role_in(partnership.pk) in access.MANAGERS
    return render(
        request,
        "evidence/library.html",
        {
            "partnership": partnership,
            "choice": choice,
            "result": result,
            "can_share": managers,
            "can_read_log": managers,
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
    return render(
        request,
        "evidence/review_library.html",
        {
            "review": review,
            "result": result,
            "can_add_notes": review.team_group_id in actor.open_group_ids
            and review.status in NOTES_OPEN,
            "can_share": actor.role_in(review.reviewed_partnership_id) in access.MANAGERS
            and review.status in SHARING_OPEN,
            "on_team": review.team_group_id in actor.group_ids,
        },
        status=result.status,
    )
