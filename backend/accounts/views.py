from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit import services as audit
from core import ratelimit
from core.errors import ValidationFailed
from web.errors import page_errors
from web.forms import add_service_errors, posted

from . import selectors, services
from .forms import ApiTokenForm, SignInForm
from .models import User


def _account_tried(group: str, request: HttpRequest) -> str:
    return request.POST.get("username", "").strip().lower()


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Sign-in posts are rate-limited per address and per email address tried
        (settings.RATE_LIMITS), before the password is checked: guessing across many
        accounts from one place, or at one account from many, is slowed alike."""
        for key, rate in (
            ("ip", "sign_in_address"),
            (_account_tried, "sign_in_account"),
        ):
            wait = ratelimit.wait_seconds(
                request, group=f"sign-in:{rate}", key=key, rate=ratelimit.rate(rate)
            )
            if wait is not None:
                return too_many_attempts(request, wait)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        audit.record(actor=form.get_user(), action="sign_in")
        return response


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit.record(actor=request.user, action="sign_out")
    response = auth_views.LogoutView.as_view()(request)
    messages.info(request, "You have been signed out.")
    return response


def locked_out(
    request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """django-axes calls this instead of signing in once the failure limit is reached."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    response = render(
        request,
        "accounts/locked_out.html",
        {"minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(minutes * 60)
    return response


def too_many_attempts(request: HttpRequest, wait: int) -> HttpResponse:
    response = render(
        request,
        "accounts/too_many_attempts.html",
        {"wait": "1 minute" if wait <= 60 else f"{-(-wait // 60)} minutes"},
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


# --- personal API tokens: thin views over accounts.selectors and accounts.services ---


def _signed_in(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # login_required has run
    return user


@login_required
@require_GET
def token_list(request: HttpRequest) -> HttpResponse:
    tokens = selectors.api_token_list(user=_signed_in(request))
    return render(request, "accounts/token_list.html", {"tokens": tokens})


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def token_create(request: HttpRequest) -> HttpResponse:
    """The form; a valid post answers with the new token itself. It is rendered on the
    answer to the post, never kept in the session, so it exists only on that one page
    (and never_cache keeps it out of the browser's cache)."""
    form = ApiTokenForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.api_token_create(
                user=_signed_in(request),
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc)
        else:
            return render(request, "accounts/token_created.html", {"issued": issued})
    return render(request, "accounts/token_create.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
@page_errors
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    """GET asks for confirmation; POST revokes. Another user's token is the same 404
    as an id that does not exist."""
    user = _signed_in(request)
    token = selectors.api_token_get(user=user, token_id=token_id)
    if token.revoked_at is not None:
        messages.info(request, f"The token ‘{token.name}’ has already been revoked.")
        return redirect("accounts:tokens")
    if request.method == "POST":
        services.api_token_revoke(user=user, token_id=token.pk)
        messages.success(
            request, f"The token ‘{token.name}’ has been revoked. It can no longer be used."
        )
        return redirect("accounts:tokens")
    return render(request, "accounts/token_revoke.html", {"token": token})
