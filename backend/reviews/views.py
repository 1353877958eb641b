"""Review pages (UX screens 4-6 and the timeline): the overview with its task list
and moves, the scope, the team and its access, the timeline and its calendar.

Thin views over reviews.selectors and reviews.services. A foreign or missing review
(or team member) is the same 404; a refusal is the 403 page with the service's
reason; invalid input goes back on the form with nothing written; a failed guard
(Conflict) is shown on the page in the error summary, with status 409."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from handbooks import selectors as handbook_selectors
from tenancy import access
from tenancy.access import Actor, actor_of
from web.errors import page_errors
from web.forms import add_service_errors, posted

from . import progress, selectors, services
from .calendar import review_ics
from .forms import (
    AccessWindowForm,
    DeclarationForm,
    MemberAddForm,
    MitigationForm,
    RescheduleForm,
    ScopeForm,
)
from .models import Review, TeamMember
from .services.team import default_window

# Who may open each form page, in the services' own words (they check again on
# every write; these only keep a form from being offered to someone it would refuse).
REFUSALS = {
    "agree_scope": "Only a lead or business manager of either partnership can change the scope.",
    "manage_team": "Only a lead of {review.reviewing_partnership.name} can change its review team.",
    "manage_access": (
        "Only a lead of {review.reviewed_partnership.name} can change reviewers' access."
    ),
    "reschedule": "Only a lead of either partnership can reschedule.",
}


def _review(request: HttpRequest, review_id: int, perm: str | None = None) -> Review:
    review = selectors.review_get(actor=actor_of(request), review_id=review_id)
    if perm is not None:
        access.require(actor_of(request), perm, review, REFUSALS[perm].format(review=review))
    return review


def _member(review: Review, member_id: int) -> TeamMember:
    """An active member of a review the actor may already see; anything else is 404."""
    return access.get_child(
        selectors.team_list(review=review).filter(status=TeamMember.Status.ACTIVE), member_id
    )


def _refused(form: forms.Form, exc: DomainError) -> int:
    """Put a service's refusal on the form; the status the page is answered with."""
    add_service_errors(form, exc)
    return exc.status_code if isinstance(exc, Conflict | PermissionDenied) else 400


# --- Overview ---


def _overview(
    request: HttpRequest, review: Review, *, errors: Sequence[str] = (), status: int = 200
) -> HttpResponse:
    actor = actor_of(request)
    tasks = progress.review_tasks(review)
    links = {
        "scope": reverse("reviews:scope", args=[review.pk]),
        "team": reverse("reviews:team", args=[review.pk]),
        "timeline": reverse("reviews:timeline", args=[review.pk]),
    }
    member = progress.own_member(actor, review)
    return render(
        request,
        "reviews/review_overview.html",
        {
            "review": review,
            "deadline": selectors.next_deadline(review),
            "groups": [
                (group, [(task, links[task.key]) for task in group.tasks]) for group in tasks
            ],
            "actions": progress.review_actions(actor, review),
            "waiting_for": progress.waiting_for(review),
            "member": member,
            "errors": list(errors),
            "is_party": bool(
                actor.role_in(review.reviewed_partnership_id)
                or actor.role_in(review.reviewing_partnership_id)
            ),
            "handbook_visible": handbook_selectors.published_version_list(actor=actor)
            .filter(pk=review.handbook_version_id)
            .exists(),
        },
        status=status,
    )


@login_required
@require_GET
@page_errors
def review_detail(request: HttpRequest, review_id: int) -> HttpResponse:
    return _overview(request, _review(request, review_id))


@login_required
@require_POST
@page_errors
def review_transition(request: HttpRequest, review_id: int) -> HttpResponse:
    """Two posts: the overview's button asks for confirmation, the confirmation page's
    button moves the review. A move the viewer cannot make goes straight to the
    service, whose refusal says why."""
    actor = actor_of(request)
    review = _review(request, review_id)
    to_status = request.POST.get("to_status", "")
    action = next(
        (a for a in progress.review_actions(actor, review) if a.to_status == to_status), None
    )
    if action is not None and request.POST.get("confirm") != "yes":
        return render(
            request, "reviews/review_transition.html", {"review": review, "action": action}
        )
    try:
        services.review_transition(actor=actor, review_id=review.pk, to_status=to_status)
    except (Conflict, ValidationFailed) as exc:
        messages_ = [m for ms in exc.field_errors.values() for m in ms] or [exc.message]
        return _overview(
            request,
            selectors.review_get(actor=actor, review_id=review.pk),
            errors=messages_,
            status=409 if isinstance(exc, Conflict) else 400,
        )
    label = Review.Status(to_status).label.lower()
    messages.success(request, f"The review has moved to {label}.")
    return redirect("reviews:detail", review_id=review.pk)


# --- Scope ---


def _scope_page(
    request: HttpRequest,
    review: Review,
    form: ScopeForm | None = None,
    *,
    confirm_error: str = "",
    status: int = 200,
) -> HttpResponse:
    actor = actor_of(request)
    areas = list(review.handbook_version.areas.prefetch_related("lines"))
    editable = review.status in (Review.Status.DRAFT, Review.Status.MOBILISATION)
    can_edit = editable and access.can(actor, "agree_scope", review)
    if form is None:
        form = ScopeForm(handbook_areas=areas, agreed=review.areas.all())
    sides = [
        (review.reviewed_partnership, "reviewed", review.scope_confirmed_by_reviewed_at),
        (review.reviewing_partnership, "reviewing", review.scope_confirmed_by_reviewing_at),
    ]
    return render(
        request,
        "reviews/review_scope.html",
        {
            "review": review,
            "form": form,
            "handbook_rows": list(zip(form["handbook_areas"], areas, strict=True)),
            "can_edit": can_edit,
            "sides": sides,
            # The viewer's own sides that have not confirmed yet.
            "to_confirm": [
                partnership
                for partnership, _, confirmed_at in sides
                if can_edit
                and not confirmed_at
                and actor.role_in(partnership.pk) in access.MANAGERS
            ],
            "errors": [confirm_error] if confirm_error else [],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def review_scope(request: HttpRequest, review_id: int) -> HttpResponse:
    if request.method != "POST":
        return _scope_page(request, _review(request, review_id))
    review = _review(request, review_id, "agree_scope")
    form = ScopeForm(
        request.POST,
        handbook_areas=list(review.handbook_version.areas.all()),
        agreed=review.areas.all(),
    )
    status = 400
    if form.is_valid():
        try:
            services.scope_set(
                actor=actor_of(request),
                review_id=review.pk,
                handbook_area_ids=form.cleaned_data["handbook_areas"],
                local_areas=form.local_areas(),
            )
        except (ValidationFailed, Conflict) as exc:
            status = _refused(form, exc)
        else:
            messages.success(
                request,
                "The areas of focus have been saved. Both partnerships need to confirm them.",
            )
            return redirect("reviews:scope", review_id=review.pk)
    return _scope_page(request, review, form, status=status)


@login_required
@require_POST
@page_errors
def review_scope_confirm(request: HttpRequest, review_id: int) -> HttpResponse:
    review = _review(request, review_id, "agree_scope")
    try:
        services.scope_confirm(actor=actor_of(request), review_id=review.pk)
    except Conflict as exc:
        return _scope_page(request, review, confirm_error=exc.message, status=409)
    messages.success(request, "You have confirmed the areas of focus.")
    return redirect("reviews:scope", review_id=review.pk)


# --- Team and access ---


@login_required
@require_GET
@page_errors
def team_page(request: HttpRequest, review_id: int) -> HttpResponse:
    actor = actor_of(request)
    review = _review(request, review_id)
    frozen = review.status in (Review.Status.PUBLISHED, Review.Status.CLOSED)
    rows = selectors.team_access(review)
    return render(
        request,
        "reviews/team_page.html",
        {
            "review": review,
            "rows": [r for r in rows if r.member.status == TeamMember.Status.ACTIVE],
            "removed": [r for r in rows if r.member.status == TeamMember.Status.REMOVED],
            "can_manage": not frozen and access.can(actor, "manage_team", review),
            "can_set_access": access.can(actor, "manage_access", review),
            "actor_user_id": actor.user_id,
            "invitations": selectors.invitation_list(actor=actor, review=review),
            "now": timezone.now(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def team_add(request: HttpRequest, review_id: int) -> HttpResponse:
    actor = actor_of(request)
    review = _review(request, review_id, "manage_team")
    candidates = selectors.team_candidates(actor=actor, review=review)
    form = MemberAddForm(posted(request), candidates=candidates)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                member = services.team_member_add(
                    actor=actor,
                    review_id=review.pk,
                    user_id=form.cleaned_data["user"],
                    team_role=form.cleaned_data["team_role"],
                )
            except (ValidationFailed, Conflict) as exc:
                status = _refused(form, exc)
            else:
                flagged = (
                    f" They are employed by {member.conflicting_organisation.name}, a statutory "
                    f"partner of {review.reviewed_partnership.name}: record a mitigation before "
                    "they can have access."
                    if member.conflicting_organisation
                    else ""
                )
                messages.success(request, f"{member.user} has been added to the team.{flagged}")
                return redirect("reviews:team", review_id=review.pk)
    return render(
        request,
        "reviews/team_add.html",
        {"review": review, "form": form, "candidates": candidates},
        status=status,
    )


def _team_form_page(
    request: HttpRequest,
    *,
    review: Review,
    member: TeamMember,
    form: forms.Form,
    template: str,
    save: Any,
    success: str,
    **context: Any,
) -> HttpResponse:
    """GET shows the form; POST parses it and calls `save(form)` (a service call)."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                save(form)
            except (ValidationFailed, Conflict) as exc:
                status = _refused(form, exc)
            else:
                messages.success(request, success)
                return redirect("reviews:team", review_id=review.pk)
    return render(
        request,
        template,
        {"review": review, "member": member, "form": form, **context},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def team_declare(request: HttpRequest, review_id: int, member_id: int) -> HttpResponse:
    actor = actor_of(request)
    review = _review(request, review_id)
    member = _member(review, member_id)
    if member.user_id != actor.user_id:
        raise PermissionDenied("Only the team member can make their own declaration.")
    form = DeclarationForm(posted(request))
    return _team_form_page(
        request,
        review=review,
        member=member,
        form=form,
        template="reviews/team_declare.html",
        save=lambda f: services.team_member_declare(
            actor=actor,
            review_id=review.pk,
            member_id=member.pk,
            has_interest=f.has_interest_value(),
            details=f.cleaned_data["details"],
        ),
        success="Your declaration of interests has been saved.",
    )


@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def team_mitigate(request: HttpRequest, review_id: int, member_id: int) -> HttpResponse:
    actor = actor_of(request)
    review = _review(request, review_id, "manage_team")
    member = _member(review, member_id)
    if not member.needs_mitigation:
        raise NotFound()  # only a conflict or a declared interest has a mitigation page
    form = MitigationForm(posted(request), initial={"mitigation": member.mitigation})
    return _team_form_page(
        request,
        review=review,
        member=member,
        form=form,
        template="reviews/team_mitigate.html",
        save=lambda f: services.team_member_mitigate(
            actor=actor,
            review_id=review.pk,
            member_id=member.pk,
            mitigation=f.cleaned_data["mitigation"],
        ),
        success=f"The mitigation for {member.user} has been recorded.",
    )


@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def team_window(request: HttpRequest, review_id: int, member_id: int) -> HttpResponse:
    actor = actor_of(request)
    review = _review(request, review_id, "manage_access")
    member = _member(review, member_id)
    form = AccessWindowForm(posted(request), member=member)
    return _team_form_page(
        request,
        review=review,
        member=member,
        form=form,
        template="reviews/team_window.html",
        save=lambda f: services.team_member_set_window(
            actor=actor,
            review_id=review.pk,
            member_id=member.pk,
            opens_at=f.window()[0],
            closes_at=f.window()[1],
        ),
        success=f"The access window for {member.user} has been saved.",
        default=default_window(review),
    )


@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def team_remove(request: HttpRequest, review_id: int, member_id: int) -> HttpResponse:
    actor = actor_of(request)
    review = _review(request, review_id, "manage_team")
    member = _member(review, member_id)
    error, status = "", 200
    if request.method == "POST":
        try:
            services.team_member_remove(actor=actor, review_id=review.pk, member_id=member.pk)
        except Conflict as exc:
            error, status = exc.message, 409
        else:
            messages.success(
                request, f"{member.user} has been removed from the team. Their access has ended."
            )
            return redirect("reviews:team", review_id=review.pk)
    return render(
        request,
        "reviews/team_remove.html",
        {"review": review, "member": member, "errors": [error] if error else []},
        status=status,
    )


# --- Timeline ---


def _can_reschedule(actor: Actor, review: Review) -> bool:
    return review.status != Review.Status.CLOSED and access.can(actor, "reschedule", review)


@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def timeline_page(request: HttpRequest, review_id: int) -> HttpResponse:
    actor = actor_of(request)
    if request.method == "POST":
        review = _review(request, review_id, "reschedule")
        form = RescheduleForm(request.POST, review=review)
        status = 400
        if form.is_valid():
            try:
                services.phases_reschedule(
                    actor=actor,
                    review_id=review.pk,
                    new_dates=form.new_dates(),
                    reason=form.cleaned_data["reason"],
                )
            except (ValidationFailed, Conflict, PermissionDenied) as exc:
                status = _refused(form, exc)
            else:
                messages.success(request, "The new dates have been saved.")
                return redirect("reviews:timeline", review_id=review.pk)
    else:
        review = _review(request, review_id)
        form, status = RescheduleForm(review=review), 200
    changes = sorted(
        ((change, phase) for phase in review.phases.all() for change in phase.changes.all()),
        key=lambda pair: (pair[0].changed_at, pair[0].pk),
        reverse=True,
    )
    return render(
        request,
        "reviews/timeline_page.html",
        {
            "review": review,
            "table": selectors.phase_dates_table(review),
            "changes": changes,
            "form": form,
            "can_reschedule": _can_reschedule(actor, review),
            "deadline": selectors.next_deadline(review),
        },
        status=status,
    )


@login_required
@require_GET
@page_errors
def timeline_calendar(request: HttpRequest, review_id: int) -> HttpResponse:
    review = _review(request, review_id)
    response = HttpResponse(
        review_ics(review, host=request.get_host().split(":")[0]),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="review-{review.pk}.ics"'
    return response
