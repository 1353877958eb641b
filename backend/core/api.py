"""REST plumbing shared by every app: one error mapping, one pagination."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions as drf_exceptions
from rest_framework import pagination, permissions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError, NotFound


class CursorPagination(pagination.CursorPagination):
    """Keyset pagination: constant cost per page however deep the reader goes."""

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = "-id"


class SchemaAccess(permissions.BasePermission):
    """Who may read the OpenAPI document and its docs page (drf-spectacular's
    SERVE_PERMISSIONS): everyone where settings.API_SCHEMA_PUBLIC is on (local), only
    signed-in callers otherwise (production). Read on each request."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(settings.API_SCHEMA_PUBLIC or request.user.is_authenticated)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Map domain errors to HTTP; every error body has `detail` and `code`.

    Django's Http404 and a domain NotFound give the same body, so a foreign id
    and a missing id cannot be told apart.
    """
    if isinstance(exc, Http404):
        exc = NotFound()
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {"detail": exc.message, "code": exc.code}
        if exc.field_errors:
            body["errors"] = exc.field_errors
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf_exceptions.ValidationError):
        response.data = {
            "detail": "The request has errors. Nothing was saved.",
            "code": "invalid",
            "errors": response.data,
        }
    elif isinstance(exc, drf_exceptions.APIException):
        response.data = {"detail": str(exc.detail), "code": exc.get_codes()}
    return response


def validated(serializer_class: type[Any], request: Any) -> dict[str, Any]:
    """The request body checked by an input serializer; a 400 naming each field
    otherwise (rendered by exception_handler). Services re-check every rule."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
