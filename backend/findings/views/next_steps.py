"""Success criteria and next steps (UX.md screen 13): summary lists, ratings,
recommendations with the reviewed partnership's answers, actions with owners and
due dates. Views resolve access, call a selector or a service, and render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from core.dates import due_tag
from core.errors import ValidationFailed
from evidence.views.common import evidence_page as findings_page
from tenancy import access
from tenancy.access import MANAGERS
from tenancy.models import Membership
from web.forms import add_service_errors, posted

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
from .findings import _review


@findings_page
@require_http_methods(["GET", "POST"])
def criteria(request: HttpRequest, review_id: int) -> HttpResponse:
    actor, review = _review(request, review_id)
    is_manager = actor.role_in(review.reviewed_partnership_id) in MANAGERS
    form = CriterionForm(posted(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.criterion_add(
                    actor=actor, review_id=review.pk, statement=form.cleaned_data["statement"]
                )
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Success criterion added.")
                return redirect("findings:criteria", review.pk)
    standing = selectors.standing(actor, review)
    return render(
        request,
        "findings/criteria.html",
        {
            "review": review,
            "criteria": list(selectors.criterion_list(actor=actor, review=review)),
            "form": form,
            "can_state": policies.may_state_criteria(is_manager, review) is None,
            "can_assess": any(
                policies.may_assess(standing, stage) is None for stage in ("review", "progress")
            ),
        },
        status=status,
    )


@findings_page
@require_http_methods(["GET", "POST"])
def criterion_self(request: HttpRequest, review_id: int, criterion_id: int) -> HttpResponse:
    actor, review = _review(request, review_id)
    criterion = access.get_child(
        access.visible(actor, SuccessCriterion).filter(review_id=review.pk), criterion_id
    )
    is_manager = actor.role_in(review.reviewed_partnership_id) in MANAGERS
    refuse(policies.may_state_criteria(is_manager, review))
    form = SelfAssessmentForm(posted(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.criterion_self_assess(
                    actor=actor,
                    criterion_id=criterion.pk,
                    assessment=data["assessment"],
                    note=data["note"],
                    progress=data["progress"],
                )
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Your assessment has been saved.")
                return redirect("findings:criteria", review.pk)
    return render(
        request,
        "findings/criterion_form.html",
        {
            "review": review,
            "criterion": criterion,
            "form": form,
            "heading": "Assess this criterion",
        },
        status=status,
    )


@findings_page
@require_http_methods(["GET", "POST"])
def criterion_assess(request: HttpRequest, review_id: int, criterion_id: int) -> HttpResponse:
    actor, review = _review(request, review_id)
    criterion = access.get_child(
        access.visible(actor, SuccessCriterion).filter(review_id=review.pk), criterion_id
    )
    standing = selectors.standing(actor, review)
    stage = "progress" if review.status in policies.ASSESSING["progress"] else "review"
    refuse(policies.may_assess(standing, stage))
    form = AssessForm(
        posted(request),
        evidence=selectors.review_evidence(actor, review).order_by("kind", "title", "id"),
        initial={"stage": stage},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.criterion_assess(
                    actor=actor,
                    criterion_id=criterion.pk,
                    stage=data["stage"],
                    rating=data["rating"],
                    note=data["note"],
                    evidence_ids=data["evidence"],
                )
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "The reviewers' assessment has been saved.")
                return redirect("findings:criteria", review.pk)
    return render(
        request,
        "findings/criterion_form.html",
        {
            "review": review,
            "criterion": criterion,
            "form": form,
            "heading": "The reviewers' assessment",
        },
        status=status,
    )


@findings_page
@require_http_methods(["GET", "POST"])
def next_steps(request: HttpRequest, review_id: int) -> HttpResponse:
    actor, review = _review(request, review_id)
    standing = selectors.standing(actor, review)
    form = RecommendationForm(posted(request))
    status = 200
    if request.method == "POST":
        refuse(policies.may_recommend(standing))
        status = 400
        if form.is_valid():
            try:
                services.recommendation_add(
                    actor=actor,
                    review_id=review.pk,
                    kind=form.cleaned_data["kind"],
                    text=form.cleaned_data["text"],
                )
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Recommendation added.")
                return redirect("findings:next-steps", review.pk)
    recommendations = list(selectors.recommendation_list(actor=actor, review=review))
    respondable = access.permitted_ids(
        actor, Recommendation, "respond", [r.pk for r in recommendations]
    )
    today = timezone.localdate()
    actions = [a for r in recommendations for a in r.actions.all()]
    is_manager = actor.role_in(review.reviewed_partnership_id) in MANAGERS
    return render(
        request,
        "findings/next_steps.html",
        {
            "review": review,
            "form": form,
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
        status=status,
    )


def _recommendation(
    request: HttpRequest, review_id: int, recommendation_id: int
) -> tuple[Any, Any, Recommendation]:
    actor, review = _review(request, review_id)
    recommendation = access.get_child(
        access.visible(actor, Recommendation).filter(review_id=review.pk), recommendation_id
    )
    return actor, review, recommendation


@findings_page
@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, review_id: int, recommendation_id: int) -> HttpResponse:
    actor, review, recommendation = _recommendation(request, review_id, recommendation_id)
    refuse(
        policies.may_respond(access.can(actor, "respond", recommendation), recommendation.response)
    )
    form = RespondForm(posted(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.recommendation_respond(
                    actor=actor,
                    recommendation_id=recommendation.pk,
                    accept=form.cleaned_data["answer"] == "accept",
                    reason=form.cleaned_data["reason"],
                )
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Your answer has been saved.")
                return redirect("findings:next-steps", review.pk)
    return render(
        request,
        "findings/respond.html",
        {"review": review, "recommendation": recommendation, "form": form},
        status=status,
    )


@findings_page
@require_http_methods(["GET", "POST"])
def action_add(request: HttpRequest, review_id: int, recommendation_id: int) -> HttpResponse:
    actor, review, recommendation = _recommendation(request, review_id, recommendation_id)
    is_manager = actor.role_in(review.reviewed_partnership_id) in MANAGERS
    refuse(policies.may_plan_action(is_manager, recommendation.response))
    people = [
        m.user
        for m in Membership.objects.filter(partnership_id=review.reviewed_partnership_id)
        .select_related("user")
        .order_by("user__full_name", "user_id")
    ]
    form = ActionForm(posted(request), people=people)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.action_add(
                    actor=actor,
                    recommendation_id=recommendation.pk,
                    text=data["text"],
                    due_on=data["due_on"],
                    owner_role=data["owner_role"],
                    owner_id=data["owner"] or None,
                )
            except ValidationFailed as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Action added.")
                return redirect("findings:next-steps", review.pk)
    return render(
        request,
        "findings/action_form.html",
        {"review": review, "recommendation": recommendation, "form": form},
        status=status,
    )


@findings_page
@require_http_methods(["GET", "POST"])
def action_status(request: HttpRequest, review_id: int, action_id: int) -> HttpResponse:
    actor, review = _review(request, review_id)
    action = access.get_child(
        access.visible(actor, Action, "change").filter(recommendation__review_id=review.pk),
        action_id,
    )
    form = ActionStatusForm(posted(request), initial={"status": action.status})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            services.action_update(
                actor=actor, action_id=action.pk, status=form.cleaned_data["status"]
            )
            messages.success(request, "Action updated.")
            return redirect("findings:next-steps", review.pk)
    return render(
        request,
        "findings/action_status.html",
        {"review": review, "action": action, "form": form},
        status=status,
    )
