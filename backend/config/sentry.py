"""Error reporting to Sentry, configured so no evidence text or personal data leaves.

Called from the settings only when SENTRY_DSN is set (SECURITY.md section 7). What is
sent: the exception type, the stack (file, function, line, source code), the URL
pattern, the request method and path, tags and breadcrumb categories. What is not:
exception and log messages, local variables, request bodies, cookies, headers and
query strings, SQL parameters, breadcrumb messages, user details, and any key on the
deny-list below wherever it appears. tests/security/test_sentry_canary.py proves it.
"""

from __future__ import annotations

import warnings
from typing import Any

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.scrubber import DEFAULT_DENYLIST, DEFAULT_PII_DENYLIST, EventScrubber

MASK = "[masked]"

# Keys whose values are never sent, at any depth of the event. Besides secrets and
# personal data, the free-text fields of evidence, findings and surveys.
DENYLIST = sorted(
    {
        *DEFAULT_DENYLIST,
        *DEFAULT_PII_DENYLIST,
        "password",
        "password1",
        "password2",
        "new_password1",
        "new_password2",
        "token",
        "raw_token",
        "access_token",
        "refresh_token",
        "api_key",
        "authorization",
        "cookie",
        "cookies",
        "session",
        "sessionid",
        "csrftoken",
        "email",
        "username",
        "name",
        "full_name",
        "first_name",
        "last_name",
        "job_title",
        "title",
        "description",
        "notes",
        "note",
        "body",
        "quote",
        "content",
        "text",
        "comment",
        "comments",
        "answer",
        "answers",
        "reason",
        "summary",
        "detail",
    }
)

# Breadcrumb data worth keeping: codes, never text.
_BREADCRUMB_DATA_KEPT = frozenset({"status_code", "method", "db.system", "db.executemany"})
# Request fields worth keeping: what was called, not what was sent.
_REQUEST_KEPT = frozenset({"url", "method"})


def _mask_exceptions(event: dict[str, Any]) -> None:
    for exception in (event.get("exception") or {}).get("values") or []:
        if exception.get("value"):
            exception["value"] = MASK
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    for thread in (event.get("threads") or {}).get("values") or []:
        for frame in (thread.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)


def _mask_message(event: dict[str, Any]) -> None:
    if event.get("message"):
        event["message"] = MASK
    logentry = event.get("logentry")
    if logentry:
        event["logentry"] = {"message": MASK}


def _mask_request(event: dict[str, Any]) -> None:
    request = event.get("request")
    if isinstance(request, dict):
        url = request.get("url")
        if isinstance(url, str):
            request["url"] = url.split("?", 1)[0]
        event["request"] = {key: request[key] for key in _REQUEST_KEPT if key in request}


def _mask_breadcrumb(crumb: dict[str, Any]) -> dict[str, Any]:
    if crumb.get("message"):
        crumb["message"] = MASK
    data = crumb.get("data")
    if isinstance(data, dict):
        crumb["data"] = {key: data[key] for key in _BREADCRUMB_DATA_KEPT if key in data}
    return crumb


def before_send(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """Keep the shape of the failure (types and stack), mask every message and payload."""
    _mask_exceptions(event)
    _mask_message(event)
    _mask_request(event)
    crumbs = event.get("breadcrumbs")
    if isinstance(crumbs, dict):
        for crumb in crumbs.get("values") or []:
            _mask_breadcrumb(crumb)
    if "user" in event:
        user_id = (event.get("user") or {}).get("id")
        event["user"] = {"id": user_id} if user_id is not None else {}
    # Celery's integration puts task arguments here; tasks take ids, but ids are
    # all Sentry needs and anything else would be a leak.
    celery_job = (event.get("extra") or {}).get("celery-job")
    if isinstance(celery_job, dict):
        celery_job["args"] = MASK
        celery_job["kwargs"] = MASK
    return event


def before_breadcrumb(crumb: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    """Masked when recorded as well as when sent, so nothing sits in memory either."""
    return _mask_breadcrumb(crumb)


def configure_sentry(
    dsn: str, environment: str, release: str | None, **overrides: Any
) -> sentry_sdk.Client:
    """Start the SDK. `overrides` are extra `sentry_sdk.init` options (tests pass a
    capturing `transport`); the privacy options cannot be overridden."""
    options: dict[str, Any] = {
        "dsn": dsn,
        "environment": environment,
        "release": release,
        "integrations": [DjangoIntegration(), CeleryIntegration()],
        **overrides,
        "send_default_pii": False,
        "include_local_variables": False,
        "max_request_body_size": "never",
        "event_scrubber": EventScrubber(denylist=list(DENYLIST), recursive=True),
        "before_send": before_send,
        "before_breadcrumb": before_breadcrumb,
    }
    with warnings.catch_warnings():
        # sentry-sdk 2.7x deprecates send_default_pii in favour of `data_collection`,
        # but providing `data_collection` switches the event scrubber off; SECURITY.md
        # requires both send_default_pii=False and the scrubber.
        warnings.filterwarnings(
            "ignore",
            message="The send_default_pii option is deprecated",
            category=DeprecationWarning,
        )
        sentry_sdk.init(**options)
    return sentry_sdk.get_client()  # type: ignore[return-value]
