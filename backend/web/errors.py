"""The pages' side of the domain errors (REST: core.api, GraphQL: core.graphql).

A refused read becomes Django's 404 or 403, so the project's error pages answer: the
404 is the same for "missing" and "not yours", and the 403 page shows the reason the
service gave. Validation errors never reach here: views put them on their forms with
web.forms.add_service_errors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from core.errors import Conflict, NotFound, PermissionDenied

View = Callable[..., HttpResponse]


def page_errors(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404() from None
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(exc.message) from None

    return wrapper


def product_page(problem_template: str = "web/problem.html") -> Callable[[View], View]:
    """The decorator every signed-in product page wears: signed in; a foreign or missing
    object is the 404 page, a refusal the 403 page with the service's reason, and a
    failed guard (Conflict) that no form catches a page saying what is wrong (409)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except Conflict as exc:
                return render(request, problem_template, {"message": exc.message}, status=409)

        return login_required(page_errors(wrapper))

    return decorate
