"""Writes for accounts: API tokens."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit import services as audit
from core.errors import NotFound, ValidationFailed

from .models import ApiToken, User, hash_token

TOKEN_PREFIX = "prx_"  # noqa: S105 - a public marker, not a secret
MAX_TOKEN_DAYS = 366


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str  # shown once, never stored


def api_token_create(*, user: User, name: str, days: int | None = None) -> IssuedToken:
    name = (name or "").strip()
    days = settings.API_TOKEN_DEFAULT_DAYS if days is None else days
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Enter a name for the token."]
    elif len(name) > 100:
        errors["name"] = ["Name must be 100 characters or fewer."]
    if not 1 <= days <= MAX_TOKEN_DAYS:
        errors["days"] = [f"Expiry must be between 1 and {MAX_TOKEN_DAYS} days."]
    if errors:
        raise ValidationFailed("The token could not be created.", field_errors=errors)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=raw[: len(TOKEN_PREFIX) + 6],
            token_hash=hash_token(raw),
            expires_at=timezone.now() + timedelta(days=days),
        )
        audit.record(actor=user, action="create", obj=token)
    return IssuedToken(token=token, raw=raw)


def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    with transaction.atomic():
        token = (
            ApiToken.objects.select_for_update()
            .filter(user=user, pk=token_id, revoked_at__isnull=True)
            .first()
        )
        if token is None:
            raise NotFound()
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=user, action="revoke", obj=token)
    return token
