"""Reads for accounts. A user's tokens are their own: no partnership is involved."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import ApiToken, User


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    """The user's API tokens, newest first, live and revoked alike."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")
