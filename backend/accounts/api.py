from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.mixins import ListModelMixin
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import validated
from tenancy import selectors as tenancy_selectors
from tenancy.access import actor_of
from tenancy.models import Role

from . import selectors, services
from .authentication import TOKENS_NEED_A_SESSION, is_token_authenticated
from .models import ApiToken, User


class ApiTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """Describes ApiTokenAuthentication in the OpenAPI schema."""

    target_class = "accounts.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token: `Authorization: Bearer prx_...`.",
        }


def _user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)  # the permission classes have run
    return user


class SignedInWithSession(BasePermission):
    """A website session, not an API token: a token must not mint tokens."""

    message = TOKENS_NEED_A_SESSION

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user.is_authenticated) and not is_token_authenticated(request)


class MembershipSerializer(serializers.Serializer[Any]):
    partnership = serializers.CharField(source="partnership.slug", help_text="Its slug.")
    partnership_name = serializers.CharField(source="partnership.name")
    role = serializers.ChoiceField(choices=Role.choices)


class MeSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField()
    full_name = serializers.CharField()
    is_independent_adviser = serializers.BooleanField()
    is_alliance_analyst = serializers.BooleanField()
    memberships = MembershipSerializer(many=True)


class MeApi(APIView):
    """The signed-in user, their memberships and roles."""

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        actor = actor_of(request)
        user = _user(request)
        data = {
            "email": user.email,
            "full_name": user.full_name,
            "is_independent_adviser": actor.is_independent_adviser,
            "is_alliance_analyst": bool(actor.analyst_alliance_ids),
            "memberships": tenancy_selectors.membership_list_for_user(actor=actor),
        }
        return Response(MeSerializer(data).data)


class ApiTokenSerializer(serializers.ModelSerializer[ApiToken]):
    """A token as its owner sees it: never the token itself, never its hash."""

    is_live = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "created_at",
            "expires_at",
            "revoked_at",
            "last_used_at",
            "is_live",
        ]
        read_only_fields = fields

    def get_is_live(self, obj: ApiToken) -> bool:
        return obj.is_live()


class ApiTokenCreateSerializer(serializers.Serializer[Any]):
    # Only the types are checked here; services.api_token_create owns the rules
    # (and their wording), so REST, GraphQL and the pages answer alike.
    name = serializers.CharField(allow_blank=True, trim_whitespace=False, help_text="A label.")
    days = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=f"Days until it expires, 1 to {services.MAX_TOKEN_DAYS}. "
        "Leave out for the default.",
    )


class IssuedApiTokenSerializer(serializers.Serializer[Any]):
    token = ApiTokenSerializer()
    raw_token = serializers.CharField(
        source="raw", help_text="The token itself. Shown this once: only its hash is kept."
    )


class ApiTokenListCreateApi(ListModelMixin, GenericAPIView[ApiToken]):
    """The caller's API tokens; POST creates one (from a signed-in session only)."""

    serializer_class = ApiTokenSerializer
    filter_backends: list[Any] = []

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method == "POST":
            return [SignedInWithSession()]
        return [IsAuthenticated()]

    def get_queryset(self) -> QuerySet[ApiToken]:
        return selectors.api_token_list(user=_user(self.request))

    def get(self, request: Request) -> Response:
        return self.list(request)

    @extend_schema(request=ApiTokenCreateSerializer, responses={201: IssuedApiTokenSerializer})
    def post(self, request: Request) -> Response:
        params = validated(ApiTokenCreateSerializer, request)
        issued = services.api_token_create(user=_user(request), **params)
        return Response(IssuedApiTokenSerializer(issued).data, status=status.HTTP_201_CREATED)


class ApiTokenRevokeApi(APIView):
    """Revoke one of the caller's live tokens; 404 for anyone else's, or an unknown id."""

    @extend_schema(request=None, responses=ApiTokenSerializer)
    def post(self, request: Request, token_id: int) -> Response:
        token = services.api_token_revoke(user=_user(request), token_id=token_id)
        return Response(ApiTokenSerializer(token).data)
