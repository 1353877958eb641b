"""Reads for accounts. A user's tokens are their own: no partnership is involved."""

from __future__ import annotations

from django.db.models import QuerySet

from core.errors import NotFound

from .models import ApiToken, User


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    """The user's API tokens, newest first, live and revoked alike."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def api_token_get(*, user: User, token_id: int) -> ApiToken:
    """One of the user's tokens, live or not. Another user's token and an id that does
    not exist raise the same NotFound, so nobody learns which ids are in use."""
    token = api_token_list(user=user).filter(pk=token_id).first()
    if token is None:
        raise NotFound()
    return token
