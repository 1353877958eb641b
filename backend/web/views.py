from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tenancy import selectors as tenancy_selectors
from tenancy.access import actor_of


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "web/accessibility.html")


def _error(request: HttpRequest, template: str, status: int, **context: Any) -> HttpResponse:
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
    # No context processors that touch the database: the error may be the database.
    return _error(request, "web/500.html", 500)
