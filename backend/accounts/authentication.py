"""Bearer-token authentication for REST (DRF) and GraphQL (Django view)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from core.errors import NotAuthenticated

from .models import ApiToken, User, hash_token

# Writing last_used_at on every call would turn each read into a write.
_LAST_USED_GRANULARITY = timedelta(minutes=5)


# Set on the Django request when an API token (not a session) authenticated it.
_BY_TOKEN = "_authenticated_by_api_token"  # noqa: S105 - an attribute name, not a secret

# A token that could mint tokens would outlive its own revocation.
TOKENS_NEED_A_SESSION = "Create API tokens while signed in to the website, not with an API token."


def mark_token_authenticated(request: HttpRequest) -> None:
    setattr(request, _BY_TOKEN, True)


def is_token_authenticated(request: Any) -> bool:
    """Whether an API token authenticated this request (Django or DRF request)."""
    django_request = getattr(request, "_request", request)
    return bool(getattr(django_request, _BY_TOKEN, False))


class TokenInvalid(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def bearer_token(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    return raw.strip()


def user_for_token(raw: str) -> User:
    """The token's user, or TokenInvalid with a message fit to show the caller."""
    token = ApiToken.objects.select_related("user").filter(token_hash=hash_token(raw)).first()
    now = timezone.now()
    if token is None or token.revoked_at is not None:
        raise TokenInvalid("Invalid token.")
    if token.expires_at <= now:
        raise TokenInvalid("Token has expired. Create a new token.")
    if not token.user.is_active:
        raise TokenInvalid("Invalid token.")
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def bearer_sign_in(request: HttpRequest) -> bool:
    """Sign a GraphQL request in by its bearer token (core.graphql's hook): False
    when it carries none, True when it did, NotAuthenticated when it is refused."""
    raw = bearer_token(request)
    if raw is None:
        return False
    try:
        request.user = user_for_token(raw)
    except TokenInvalid as exc:
        raise NotAuthenticated(exc.message) from exc
    mark_token_authenticated(request)
    return True


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, None] | None:
        raw = bearer_token(request._request)
        if raw is None:
            return None
        try:
            user = user_for_token(raw)
        except TokenInvalid as exc:
            raise exceptions.AuthenticationFailed(exc.message) from exc
        mark_token_authenticated(request._request)
        return user, None

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


def request_user_id(request: HttpRequest) -> int | None:
    """The user a request acts for before any view has run: the API token's user, or the
    signed-in user; None for anyone else (an invalid token: the view answers 401).
    Used by core.idempotency (settings.IDEMPOTENCY_KEY_OWNER) to key retries per user."""
    raw = bearer_token(request)
    if raw is not None:
        try:
            return user_for_token(raw).pk
        except TokenInvalid:
            return None
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None
