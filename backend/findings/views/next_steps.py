"""Success criteria and next steps (UX.md screen 13): summary lists, ratings,
recommendations with the reviewed partnership's answers, actions with owners and
due dates. Views resolve access, call a selector or a service, and render."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from core.dates import due_tag
from reviews.models import Review
from tenancy import access
from tenancy.access import Actor
from web.forms import posted

from .. import policies, selectors, services
from ..forms import (
    ActionForm,
    ActionStatusForm,
    AssessForm,
    CriterionForm,
    RecommendationForm,
    RespondForm,
    SelfAssessmentForm,
)
from ..models import Action, Recommendation, SuccessCriterion
from ..services.common import refuse
from .common import findings_page, form_page, review_of

GET_POST = require_http_methods(["GET", "POST"])


def _is_manager(actor: Actor, review: Review) -> bool:
    return selectors.manages_reviewed_partnership(actor, review)


def _to(name: str, review: Review) -> Any:
    return lambda _: reverse(f"findings:{name}", args=[review.pk])


def _criterion(actor: Actor, review: Review, criterion_id: int) -> SuccessCriterion:
    return access.get_child(
        access.visible(actor, SuccessCriterion).filter(review_id=review.pk), criterion_id
    )


@findings_page
@GET_POST
def criteria(request: HttpRequest, review_id: int) -> HttpResponse:
    actor, review = review_of(request, review_id)
    standing = selectors.standing(actor, review)
    return form_page(
        request,
        CriterionForm(posted(request)),
        lambda data: services.criterion_add(
            actor=actor, review_id=review.pk, statement=data["statement"]
        ),
        template="findings/criteria.html",
        context={
            "review": review,
            "criteria": list(selectors.criterion_list(actor=actor, review=review)),
            "can_state": policies.may_state_criteria(_is_manager(actor, review), review) is None,
            "can_assess": any(
                policies.may_assess(standing, stage) is None for stage in ("review", "progress")
            ),
        },
        done="Success criterion added.",
        then=_to("criteria", review),
    )


@findings_page
@GET_POST
def criterion_self(request: HttpRequest, review_id: int, criterion_id: int) -> HttpResponse:
    actor, review = review_of(request, review_id)
    criterion = _criterion(actor, review, criterion_id)
    refuse(policies.may_state_criteria(_is_manager(actor, review), review))
    return form_page(
        request,
        SelfAssessmentForm(posted(request)),
        lambda data: services.criterion_self_assess(
            actor=actor,
            criterion_id=criterion.pk,
            assessment=data["assessment"],
            note=data["note"],
            progress=data["progress"],
        ),
        template="findings/criterion_form.html",
        context={"review": review, "criterion": criterion, "heading": "Assess this criterion"},
        done="Your assessment has been saved.",
        then=_to("criteria", review),
    )


@findings_page
@GET_POST
def criterion_assess(request: HttpRequest, review_id: int, criterion_id: int) -> HttpResponse:
    actor, review = review_of(request, review_id)
    criterion = _criterion(actor, review, criterion_id)
    stage = "progress" if review.status in policies.ASSESSING["progress"] else "review"
    refuse(policies.may_assess(selectors.standing(actor, review), stage))
    return form_page(
        request,
        AssessForm(
            posted(request),
            evidence=selectors.review_evidence(actor, review).order_by("kind", "title", "id"),
            initial={"stage": stage},
        ),
        lambda data: services.criterion_assess(
            actor=actor,
            criterion_id=criterion.pk,
            stage=data["stage"],
            rating=data["rating"],
            note=data["note"],
            evidence_ids=data["evidence"],
        ),
        template="findings/criterion_form.html",
        context={
            "review": review,
            "criterion": criterion,
            "heading": "The reviewers' assessment",
        },
        done="The reviewers' assessment has been saved.",
        then=_to("criteria", review),
    )


@findings_page
@GET_POST
def next_steps(request: HttpRequest, review_id: int) -> HttpResponse:
    actor, review = review_of(request, review_id)
    standing = selectors.standing(actor, review)
    if request.method == "POST":
        refuse(policies.may_recommend(standing))
    recommendations = list(selectors.recommendation_list(actor=actor, review=review))
    respondable = access.permitted_ids(
        actor, Recommendation, "respond", [r.pk for r in recommendations]
    )
    today = timezone.localdate()
    actions = [a for r in recommendations for a in r.actions.all()]
    is_manager = _is_manager(actor, review)
    return form_page(
        request,
        RecommendationForm(posted(request)),
        lambda data: services.recommendation_add(
            actor=actor, review_id=review.pk, kind=data["kind"], text=data["text"]
        ),
        template="findings/next_steps.html",
        context={
            "review": review,
            "recommendations": [
                {
                    "recommendation": r,
                    "can_respond": policies.may_respond(r.pk in respondable, r.response) is None,
                    "can_plan": policies.may_plan_action(is_manager, r.response) is None,
                    "actions": [(a, due_tag(a.due_on, today)) for a in r.actions.all()],
                }
                for r in recommendations
            ],
            "progress": {
                label: sum(a.status == value for a in actions)
                for value, label in Action.Status.choices
            },
            "can_recommend": policies.may_recommend(standing) is None,
            "can_update": access.permitted_ids(actor, Action, "change", [a.pk for a in actions]),
        },
        done="Recommendation added.",
        then=_to("next-steps", review),
    )


def _recommendation(
    request: HttpRequest, review_id: int, recommendation_id: int
) -> tuple[Actor, Review, Recommendation]:
    actor, review = review_of(request, review_id)
    recommendation = access.get_child(
        access.visible(actor, Recommendation).filter(review_id=review.pk), recommendation_id
    )
    return actor, review, recommendation


@findings_page
@GET_POST
def respond(request: HttpRequest, review_id: int, recommendation_id: int) -> HttpResponse:
    actor, review, recommendation = _recommendation(request, review_id, recommendation_id)
    can_respond = access.can(actor, "respond", recommendation)
    refuse(policies.may_respond(can_respond, recommendation.response))
    return form_page(
        request,
        RespondForm(posted(request)),
        lambda data: services.recommendation_respond(
            actor=actor,
            recommendation_id=recommendation.pk,
            accept=data["answer"] == "accept",
            reason=data["reason"],
        ),
        template="findings/respond.html",
        context={"review": review, "recommendation": recommendation},
        done="Your answer has been saved.",
        then=_to("next-steps", review),
    )


@findings_page
@GET_POST
def action_add(request: HttpRequest, review_id: int, recommendation_id: int) -> HttpResponse:
    actor, review, recommendation = _recommendation(request, review_id, recommendation_id)
    refuse(policies.may_plan_action(_is_manager(actor, review), recommendation.response))
    people = selectors.action_owner_candidates(review)
    return form_page(
        request,
        ActionForm(posted(request), people=people),
        lambda data: services.action_add(
            actor=actor,
            recommendation_id=recommendation.pk,
            text=data["text"],
            due_on=data["due_on"],
            owner_role=data["owner_role"],
            owner_id=data["owner"] or None,
        ),
        template="findings/action_form.html",
        context={"review": review, "recommendation": recommendation},
        done="Action added.",
        then=_to("next-steps", review),
    )


@findings_page
@GET_POST
def action_status(request: HttpRequest, review_id: int, action_id: int) -> HttpResponse:
    actor, review = review_of(request, review_id)
    action = access.get_child(
        access.visible(actor, Action, "change").filter(recommendation__review_id=review.pk),
        action_id,
    )
    return form_page(
        request,
        ActionStatusForm(posted(request), initial={"status": action.status}),
        lambda data: services.action_update(
            actor=actor, action_id=action.pk, status=data["status"]
        ),
        template="findings/action_status.html",
        context={"review": review, "action": action},
        done="Action updated.",
        then=_to("next-steps", review),
    )
