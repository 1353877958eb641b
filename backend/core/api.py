"""REST plumbing shared by every app: one error mapping, one pagination."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions as drf_exceptions
from rest_framework import pagination, permissions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from . import outage
from .errors import DomainError, NotFound

INVALID_CURSOR = "The cursor is not valid. Follow the next and previous links as given."


class CursorPagination(pagination.CursorPagination):
    """Keyset pagination: constant cost per page however deep the reader goes.

    A cursor is the client's to send back, so it is checked before it reaches a query:
    one that does not decode, or whose position is not a value of the ordering field
    (text in an id, a number past the column's range, a NUL), is a 400."""

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering = "-id"
    invalid_cursor_message = INVALID_CURSOR

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        try:
            cursor = self.decode_cursor(request)
        except drf_exceptions.NotFound:
            raise drf_exceptions.ParseError(INVALID_CURSOR) from None
        if cursor is not None and cursor.position is not None:
            ordering = self.get_ordering(request, queryset, view)
            self._check_position(queryset.model, ordering[0].lstrip("-"), str(cursor.position))
        return super().paginate_queryset(queryset, request, view)

    @staticmethod
    def _check_position(model: Any, field_name: str, position: str) -> None:
        if "\x00" in position:
            raise drf_exceptions.ParseError(INVALID_CURSOR)
        try:
            field = model._meta.get_field(field_name)
        except FieldDoesNotExist:
            return  # an annotation: nothing to check it against
        try:
            field.run_validators(field.to_python(position))
        except DjangoValidationError:
            raise drf_exceptions.ParseError(INVALID_CURSOR) from None


class SchemaAccess(permissions.BasePermission):
    """Who may read the OpenAPI document and its docs page (drf-spectacular's
    SERVE_PERMISSIONS): everyone where settings.API_SCHEMA_PUBLIC is on (local), only
    signed-in callers otherwise (production). Read on each request."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(settings.API_SCHEMA_PUBLIC or request.user.is_authenticated)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Map domain errors to HTTP; every error body has `detail` and `code`.

    Django's Http404 and a domain NotFound give the same body, so a foreign id
    and a missing id cannot be told apart. The database or broker being down is a
    503 with Retry-After (core.outage), not a 500.
    """
    if outage.is_outage(exc):
        return Response(
            outage.api_body(),
            status=503,
            headers={"Retry-After": str(outage.RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, Http404):
        exc = NotFound()
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(
            {
                "detail": f"The request body is too large: the limit is {limit} bytes.",
                "code": "too_large",
            },
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
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
