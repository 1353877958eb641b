"""Idempotent POSTs: a client that sends `Idempotency-Key: <its own unique value>` may
retry the request safely (after a timeout, a 503, a dropped connection). One
middleware covers every POST, REST and GraphQL alike.

- The first request with a key runs inside one transaction together with the stored
  answer: the change and the record of its answer commit together or not at all.
  So a retry after a lost response finds the answer, and a retry after a failed
  commit finds nothing and runs again.
- A retry with the same key and the same request gets the first answer again, with
  `Idempotent-Replayed: true`, and writes nothing.
- The same key with a different request (another path or body) is refused with 422.
- A retry arriving while the first is still running waits for it (the key's row is
  locked by the first), then gets its answer.
- Only successful answers (2xx, 3xx) are kept: a refusal wrote nothing, so running
  it again is harmless and may succeed; a 5xx rolls the whole request back.
- Keys belong to the user (session or API token); anonymous requests are not keyed.
  Answers are kept for KEEP (a day) and then purged by a beat task.

A cross-site form cannot send a custom header, so a keyed request is never a CSRF
forgery; the views still make their own CSRF checks when they run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.utils.module_loading import import_string

from .json_input import JsonInputError, load_json
from .models import IdempotencyKey

HEADER = "Idempotency-Key"
KEEP = timedelta(hours=24)
MAX_KEY_LENGTH = 200
KEY_REUSED = (
    "This Idempotency-Key was already used with a different request. "
    "Send a new key with each new request."
)
KEY_INVALID = f"The Idempotency-Key header must be 1 to {MAX_KEY_LENGTH} printable characters."


def purge_expired() -> int:
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
    return deleted


def _user_id(request: HttpRequest) -> int | None:
    """Whose key this is: the API token's user or the signed-in user; None for anyone
    else. Accounts knows how a request authenticates (settings.IDEMPOTENCY_KEY_OWNER
    names its function), so core depends on no layer above it."""
    owner: Callable[[HttpRequest], int | None] = import_string(settings.IDEMPOTENCY_KEY_OWNER)
    return owner(request)


def _body_digest(request: HttpRequest) -> str:
    """The body, independent of what a client may change on a retry: JSON key order,
    a multipart boundary. Files count by content."""
    content_type = request.content_type or ""
    if content_type == "application/json":
        try:
            return json.dumps(load_json(request.body or b"null", refuse_nul=False), sort_keys=True)
        except JsonInputError:
            return request.body.hex()  # the view refuses it with the reason
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        fields = sorted((name, request.POST.getlist(name)) for name in request.POST)
        files = []
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                digest = hashlib.sha256()
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
                files.append((name, upload.name, digest.hexdigest()))
        return json.dumps({"fields": fields, "files": files})
    return request.body.hex()


def fingerprint(request: HttpRequest) -> str:
    parts = [request.method or "", request.get_full_path(), _body_digest(request)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _replay(record: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(
        bytes(record.body), status=record.status_code, content_type=record.content_type
    )
    response["Idempotent-Replayed"] = "true"
    return response


def _refuse(message: str, code: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": message, "code": code}, status=status)


class IdempotencyKeyMiddleware:
    """See the module docstring. Placed after authentication (it needs the user)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None:
            return self.get_response(request)
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            return _refuse(KEY_INVALID, "invalid", 400)
        user_id = _user_id(request)
        if user_id is None:
            return self.get_response(request)
        try:
            print_ = fingerprint(request)
        except (SuspiciousOperation, MultiPartParserError):
            # Too large or malformed: the view refuses it with its own answer (413, 400),
            # and a refusal is never kept.
            return self.get_response(request)
        return self._keyed(request, user_id, key, print_)

    def _keyed(self, request: HttpRequest, user_id: int, key: str, print_: str) -> HttpResponse:
        now = timezone.now()
        with transaction.atomic():
            # Waits here while another request holding the same key is still running.
            IdempotencyKey.objects.bulk_create(
                [IdempotencyKey(user_id=user_id, key=key, fingerprint=print_, created_at=now)],
                ignore_conflicts=True,
            )
            record = IdempotencyKey.objects.select_for_update().get(user_id=user_id, key=key)
            if record.status_code is not None and record.created_at >= now - KEEP:
                if record.fingerprint != print_:
                    return _refuse(KEY_REUSED, "idempotency_key_reused", 422)
                return _replay(record)
            # A new key, or one expired and not yet purged: this request owns it.
            record.fingerprint, record.created_at, record.status_code = print_, now, None
            response = self.get_response(request)
            if response.status_code >= 500:
                transaction.set_rollback(True)
            elif response.status_code >= 400 or getattr(response, "streaming", False):
                record.delete()
            else:
                record.status_code = response.status_code
                record.content_type = response.get("Content-Type", "")
                record.body = response.content
                record.save()
        return response
