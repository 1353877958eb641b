"""Pages for inviting people without an account onto a review team (UX.md screen 1):
the reviewing lead's invite, resend and revoke; the invitee's accept page."""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.middleware import SIGNED_IN_AT
from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tenancy.access import actor_of
from tenancy.models import Organisation
from web.errors import page_errors
from web.forms import posted

from .forms import AcceptInvitationForm, InvitationForm
from .services import invitations as services
from .views import _refused, _review


@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def team_invite(request: HttpRequest, review_id: int) -> HttpResponse:
    actor = actor_of(request)
    review = _review(request, review_id, "manage_team")
    organisations = list(Organisation.objects.order_by("name").values_list("pk", "name"))
    form = InvitationForm(posted(request), organisations=organisations)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                invitation = services.team_invitation_create(
                    actor=actor,
                    review_id=review.pk,
                    full_name=form.cleaned_data["full_name"],
                    email=form.cleaned_data["email"],
                    organisation_id=form.cleaned_data["organisation"],
                    team_role=form.cleaned_data["team_role"],
                )
            except (ValidationFailed, Conflict) as exc:
                status = _refused(form, exc)
            else:
                messages.success(
                    request,
                    f"An invitation has been sent to {invitation.full_name} at "
                    f"{invitation.email}. The link works once, for "
                    f"{services.INVITATION_DAYS} days.",
                )
                return redirect("reviews:team", review_id=review.pk)
    return render(
        request, "reviews/team_invite.html", {"review": review, "form": form}, status=status
    )


@login_required
@require_POST
@page_errors
def invitation_resend(request: HttpRequest, review_id: int, invitation_id: int) -> HttpResponse:
    invitation = services.team_invitation_resend(
        actor=actor_of(request), review_id=review_id, invitation_id=invitation_id
    )
    messages.success(request, f"A new invitation link has been sent to {invitation.email}.")
    return redirect("reviews:team", review_id=invitation.review_id)


@login_required
@require_POST
@page_errors
def invitation_revoke(request: HttpRequest, review_id: int, invitation_id: int) -> HttpResponse:
    invitation = services.team_invitation_revoke(
        actor=actor_of(request), review_id=review_id, invitation_id=invitation_id
    )
    messages.success(request, f"The invitation to {invitation.full_name} has been withdrawn.")
    return redirect("reviews:team", review_id=invitation.review_id)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Open to anyone holding the link; a used, revoked, expired or forged one gets the
    same page."""
    try:
        invitation = services.invitation_for_token(token)
    except NotFound:
        return render(request, "reviews/invitation_invalid.html", status=404)
    has_account = services.invitation_has_account(invitation)
    form = AcceptInvitationForm(posted(request)) if not has_account else None
    status, error = 200, ""
    if request.method == "POST":
        status = 400
        if form is None or form.is_valid():
            try:
                user, member = services.invitation_accept(
                    token=token,
                    password=form.cleaned_data["password"] if form else "",
                    user=request.user if request.user.is_authenticated else None,
                )
            except NotFound:
                return render(request, "reviews/invitation_invalid.html", status=404)
            except (ValidationFailed, Conflict, PermissionDenied) as exc:
                if form is not None:
                    status = _refused(form, exc)
                else:
                    error, status = exc.message, exc.status_code
            else:
                if not request.user.is_authenticated:
                    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                    request.session[SIGNED_IN_AT] = time.time()
                messages.success(
                    request,
                    f"You have joined the team reviewing {invitation.review.reviewed_partnership}."
                    " Declare your interests before fieldwork starts.",
                )
                return redirect(
                    "reviews:team-declare", review_id=member.review_id, member_id=member.pk
                )
    signed_in_as = request.user.email if request.user.is_authenticated else ""
    return render(
        request,
        "reviews/invitation_accept.html",
        {
            "invitation": invitation,
            "form": form,
            "has_account": has_account,
            "signed_in_as": signed_in_as,
            "sign_in_url": f"{reverse('accounts:sign-in')}?next={request.path}",
            "error": error,
        },
        status=status,
    )
