"""GraphQL for API tokens: the same services as REST and the pages."""

from __future__ import annotations

from typing import Any

import graphene
from graphene_django import DjangoObjectType

from core.errors import NotAuthenticated, NotFound, PermissionDenied
from core.schema import ServiceMutation

from . import services
from .authentication import TOKENS_NEED_A_SESSION, is_token_authenticated
from .models import ApiToken, User


class ApiTokenType(DjangoObjectType):
    """A token as its owner sees it: never the token itself, never its hash."""

    is_live = graphene.Boolean(required=True)

    class Meta:
        model = ApiToken
        fields = ("id", "name", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at")

    @staticmethod
    def resolve_is_live(root: ApiToken, info: Any) -> bool:
        return root.is_live()


def _caller(info: Any) -> User:
    user = info.context.user
    if not user.is_authenticated:
        raise NotAuthenticated()
    assert isinstance(user, User)
    return user


def _token_id(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound() from None


class CreateApiToken(ServiceMutation):
    """Create a personal API token, from a signed-in session (a token cannot mint
    tokens). `rawToken` is shown this once."""

    class Arguments:
        name = graphene.String(required=True)
        days = graphene.Int(description="Days until it expires; leave out for the default.")

    token = graphene.Field(ApiTokenType)
    raw_token = graphene.String(description="The token itself. Only its hash is kept.")

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> CreateApiToken:
        user = _caller(info)
        if is_token_authenticated(info.context):
            raise PermissionDenied(TOKENS_NEED_A_SESSION)
        issued = services.api_token_create(user=user, name=a["name"], days=a.get("days"))
        return cls(token=issued.token, raw_token=issued.raw, errors=[])


class RevokeApiToken(ServiceMutation):
    """Revoke one of the caller's live tokens. Anyone else's, or an unknown id,
    is "Not found."."""

    class Arguments:
        id = graphene.ID(required=True)

    token = graphene.Field(ApiTokenType)

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> RevokeApiToken:
        token = services.api_token_revoke(user=_caller(info), token_id=_token_id(a["id"]))
        return cls(token=token, errors=[])


class Mutation(graphene.ObjectType):
    create_api_token = CreateApiToken.Field()
    revoke_api_token = RevokeApiToken.Field()
