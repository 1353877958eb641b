from __future__ import annotations

import sys
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from core.outage import is_outage, outage_response
from tenancy import selectors as tenancy_selectors
from tenancy.access import actor_of


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "web/accessibility.html")


# What the API answers when Django itself refuses a request under /api/ (a path no
# route matches, say): the API's error shape, never an HTML page.
_API_ERRORS = {
    400: {"detail": "The request could not be read.", "code": "bad_request"},
    403: {
        "detail": "You do not have permission to perform this action.",
        "code": "permission_denied",
    },
    404: {"detail": "Not found.", "code": "not_found"},
    500: {"detail": "Something went wrong. Try again later.", "code": "server_error"},
}


def _error(request: HttpRequest, template: str, status: int, **context: Any) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(_API_ERRORS[status], status=status)
    return render(request, template, context, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "web/400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    actor = actor_of(request)
    reason = str(exception) if exception and str(exception) else ""
    return _error(
        request,
        "web/403.html",
        403,
        actor=actor,
        reason=reason,
        memberships=tenancy_selectors.membership_list_for_user(actor=actor)
        if actor.is_authenticated
        else [],
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "web/404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an outage (the database or the broker gone) answers 503 with
    Retry-After (core.outage); anything else is the ordinary 500 page."""
    if is_outage(sys.exc_info()[1]):
        return outage_response(request)
    # No context processors that touch the database: the error may be the database.
    return _error(request, "web/500.html", 500)
