"""Honest answers while a dependency is down: the database or the broker gone for a
moment is a 503 with Retry-After, never a 500 (which says "a bug"). REST maps it in
core.api.exception_handler, GraphQL in core.graphql, and everything that escapes a
view (a page, a middleware touching the session) in `server_error` below, Django's
handler500."""

from __future__ import annotations

from django.db import InterfaceError
from django.db import OperationalError as DatabaseOperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from kombu.exceptions import OperationalError as BrokerOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    DatabaseOperationalError,
    InterfaceError,
    BrokerOperationalError,
    RedisConnectionError,
    RedisTimeoutError,
)
RETRY_AFTER_SECONDS = 30
MESSAGE = (
    f"The service is unavailable for a moment. Try again in {RETRY_AFTER_SECONDS} seconds "
    "(send the same Idempotency-Key to retry a write safely)."
)
CODE = "unavailable"
GRAPHQL_CODE = "UNAVAILABLE"
# Paths whose callers are programs: they get JSON, not a page.
_API_PREFIXES = ("/api/", "/graphql/")


def is_outage(error: BaseException | None) -> bool:
    return isinstance(error, OUTAGE_ERRORS)


def api_body() -> dict[str, str]:
    return {"detail": MESSAGE, "code": CODE}


def graphql_error() -> dict[str, object]:
    return {"message": MESSAGE, "extensions": {"code": GRAPHQL_CODE}}


def outage_response(request: HttpRequest) -> HttpResponse:
    """The 503 for an outage: JSON to API callers, a page to people, with Retry-After.
    handler500 (web.views.server_error) answers with it when `is_outage` says so."""
    response: HttpResponse
    if request.path.startswith("/graphql/"):
        response = JsonResponse({"errors": [graphql_error()]}, status=503)
    elif request.path.startswith(_API_PREFIXES):
        response = JsonResponse(api_body(), status=503)
    else:
        # No context processors that touch the database: the database may be the outage.
        response = render(request, "web/503.html", {"retry_after": RETRY_AFTER_SECONDS}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
