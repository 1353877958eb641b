import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.messages.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

SIGNED_IN_AT = "signed_in_at"


def stamp_session_start(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    """Record when a session was signed in, whichever page signed it in (the product's
    sign-in, the admin's, an invitation): connected to `user_logged_in` in apps.py."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = time.time()


class SessionTimeoutMiddleware:
    """The absolute session limit: however active, a session ends after
    SESSION_ABSOLUTE_SECONDS. (The idle limit is the cookie age, renewed per request.)
    A signed-in session with no start time cannot prove its age, so it ends too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = float(request.session.get(SIGNED_IN_AT, 0))
            if time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                # This runs before MessageMiddleware (settings.MIDDLEWARE), which has
                # not set up request._messages yet: store the message as it would.
                storage = default_storage(request)
                storage.add(
                    messages.INFO, "You were signed out because your session ended. Sign in again."
                )
                response = redirect(settings.LOGIN_URL)
                storage.update(response)
                return response
        return self.get_response(request)
