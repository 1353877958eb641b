import re
import uuid
from collections.abc import Callable

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import get_resolver

from .request_id import current_request_id

# Only a well-formed incoming id is trusted; anything else is replaced.
_VALID_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


class RequestIdMiddleware:
    """Give every request an id (from X-Request-ID when well formed), for logs and audit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


NUL_IN_ADDRESS = "The address contains a NUL character (%00), which is not allowed."


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    """A 400 in the shape the caller reads: REST's `detail` and `code`, GraphQL's
    `errors`, or the site's own error page (settings' handler400)."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "invalid"}, status=400)
    if request.path_info.startswith("/graphql/"):
        return JsonResponse(
            {"errors": [{"message": message, "extensions": {"code": "invalid"}}]}, status=400
        )
    # Django calls it with the exception too; the stub says only the request.
    handler: Callable[..., HttpResponse] = get_resolver().resolve_error_handler(400)
    return handler(request, SuspiciousOperation(message))


class RefuseNulMiddleware:
    """No view ever sees a NUL character in the path or the query string: PostgreSQL
    cannot compare text with one (it answered 500), and no address of this site has one.
    (JSON bodies are checked by core.json_input; form fields by Django's and DRF's
    CharField, which prohibit NUL.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query_string = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path_info or "%00" in query_string or "\x00" in query_string:
            return bad_request(request, NUL_IN_ADDRESS)
        return self.get_response(request)
