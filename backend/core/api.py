"""REST plumbing shared by every app: one error mapping, one pagination."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions as drf_exceptions
from rest_framework import pagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError, NotFound


class CursorPagination(pagination.CursorPagination):
    """Keyset pagination: constant cost per page however deep the reader goes."""

    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"
    ordering: str | tuple[str, ...] = "-id"

    def get_page_size(self, request: Request) -> int:
        """`page_size` from 1 to max_page_size, or the default when it is left out.
        Anything else is refused, naming the limit: clamping it silently would hand a
        client a page size it did not ask for."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not re.fullmatch(r"[0-9]{1,4}", raw) or not 1 <= int(raw) <= self.max_page_size:
            raise drf_exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        f"Page size must be a whole number from 1 to {self.max_page_size}."
                    ]
                }
            )
        return int(raw)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(
                    minimum=1, maximum=self.max_page_size, default=self.page_size
                )
        return parameters


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
