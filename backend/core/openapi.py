"""drf-spectacular postprocessing hooks: what makes the OpenAPI document true for
every operation at once.

drf-spectacular documents what a view returns when it succeeds; the errors come from
core.api.exception_handler, which no view declares. `document_errors` adds them here,
once, so no view repeats them and a new view cannot forget them.
"""

from __future__ import annotations

from typing import Any

ERROR_COMPONENT = "Error"

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every error answer of the API (core.api.exception_handler). Nothing was "
    "written when a request fails.",
    "properties": {
        "detail": {"type": "string", "description": "A sentence to show a person."},
        "code": {
            "type": "string",
            "description": "What went wrong, for programs: `invalid`, `not_authenticated`, "
            "`authentication_failed`, `permission_denied`, `not_found`, `conflict`, "
            "`file_too_large`, `unsupported_media_type`, `throttled`...",
        },
        "errors": {
            "type": "object",
            "description": "Validation errors only: for each field, its messages (a list of "
            "sentences; nested the same way for nested fields and lists).",
            "additionalProperties": True,
        },
    },
    "required": ["detail", "code"],
}

# Status -> what it means in this API (docs/api.md holds the same table).
ERRORS: dict[int, str] = {
    400: "The request has errors (`invalid`, with `errors` per field), or a query "
    "parameter is out of range. Nothing was saved.",
    401: "No credentials, or a token that is unknown, revoked or expired.",
    403: "You can see the object but may not do this to it (or a session request "
    "without its CSRF token).",
    404: "Not found: missing and other partnerships' objects answer alike.",
    409: "The object is not in a state that allows this (a lifecycle guard).",
    413: "The body (`too_large`) or an uploaded file (`file_too_large`) is over its size "
    "limit, named in `detail`.",
    415: "The body's content type is not one this operation reads, or an uploaded file's "
    "type is not allowed (`detail` names the allowed types).",
    429: "Over the rate limit: wait `Retry-After` seconds.",
}

_ALWAYS = (400, 401, 403, 404, 429)
# A date as the API reads and writes it.
ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_WRITES = frozenset({"post", "put", "patch", "delete"})


def error_statuses(method: str, operation: dict[str, Any]) -> list[int]:
    """The error answers an operation can give: every request can be malformed,
    unauthenticated, refused, aimed at a missing object or throttled; a write can meet a
    lifecycle guard; a body can be too large or of the wrong type."""
    statuses = list(_ALWAYS)
    if method in _WRITES:
        statuses.append(409)
    if operation.get("requestBody", {}).get("content"):
        statuses.extend((413, 415))
    return sorted(statuses)


def _error_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": ERRORS[status],
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}
        },
    }
    if status == 429:
        response["headers"] = {
            "Retry-After": {
                "description": "Seconds to wait before trying again.",
                "schema": {"type": "integer"},
            }
        }
    return response


def _without_openapi_30_nullable(node: Any) -> None:
    """`nullable: true` is OpenAPI 3.0; 3.1 ignores it, so a field that answers null
    would be declared non-null. DRF's paginated list schema still writes it: say it the
    3.1 way, as a type list with "null"."""
    if isinstance(node, dict):
        if node.get("nullable") is True and isinstance(node.get("type"), str):
            del node["nullable"]
            node["type"] = [node["type"], "null"]
        for value in node.values():
            _without_openapi_30_nullable(value)
    elif isinstance(node, list):
        for value in node:
            _without_openapi_30_nullable(value)


# The integer ranges of the database columns (small, regular, big; SQLite has only
# the last): storage limits that differ between SQLite and PostgreSQL, not part of
# the contract. Model fields put them in the schema as a maximum.
_COLUMN_LIMITS = frozenset({2**15 - 1, 2**31 - 1, 2**63 - 1})


def _without_column_limits(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("maximum") in _COLUMN_LIMITS:
            del node["maximum"]
            if node.get("format") == "int64":
                del node["format"]
        for value in node.values():
            _without_column_limits(value)
    elif isinstance(node, list):
        for value in node:
            _without_column_limits(value)


def _with_date_patterns(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("format") == "date":
            node.setdefault("pattern", ISO_DATE)
        for value in node.values():
            _with_date_patterns(value)
    elif isinstance(node, list):
        for value in node:
            _with_date_patterns(value)


def document_errors(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: the Error component, and each operation's error answers
    (a view's own declaration of a status wins)."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            for status in error_statuses(method, operation):
                responses.setdefault(str(status), _error_response(status))
    return result


def openapi_31_nullable(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: any OpenAPI 3.0 `nullable` left by DRF, in its 3.1 form."""
    _without_openapi_30_nullable(result)
    return result


def without_column_limits(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: no database column limits, so the document is the same
    whichever database generated it."""
    _without_column_limits(result)
    return result


def date_patterns(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: a date's shape as a pattern. In OpenAPI 3.1 `format` only
    annotates, so without it "" would be a valid nullable date."""
    _with_date_patterns(result)
    return result
