import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.messages.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

SIGNED_IN_AT = "signed_in_at"


class SessionTimeoutMiddleware:
    """The absolute session limit: however active, a session ends after
    SESSION_ABSOLUTE_SECONDS. (The idle limit is the cookie age, renewed per request.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and SIGNED_IN_AT in request.session:
            age = time.time() - float(request.session[SIGNED_IN_AT])
            if age > settings.SESSION_ABSOLUTE_SECONDS:
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
