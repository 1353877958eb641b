from __future__ import annotations

from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from tenancy import selectors as tenancy_selectors
from tenancy.access import actor_of
from tenancy.models import Partnership


class MembershipSerializer(serializers.Serializer[object]):
    partnership = serializers.SlugRelatedField[Partnership](slug_field="slug", read_only=True)
    partnership_name = serializers.CharField(source="partnership.name")
    role = serializers.CharField()


class MeSerializer(serializers.Serializer[object]):
    email = serializers.EmailField()
    full_name = serializers.CharField()
    is_independent_adviser = serializers.BooleanField()
    is_alliance_analyst = serializers.BooleanField()
    memberships = MembershipSerializer(many=True)


class MeApi(APIView):
    """The signed-in user, their memberships and roles."""

    serializer_class = MeSerializer

    def get(self, request: Request) -> Response:
        actor = actor_of(request)
        user = request.user
        assert isinstance(user, User)  # IsAuthenticated has run
        data = {
            "email": user.email,
            "full_name": user.full_name,
            "is_independent_adviser": actor.is_independent_adviser,
            "is_alliance_analyst": bool(actor.analyst_alliance_ids),
            "memberships": tenancy_selectors.membership_list_for_user(actor=actor),
        }
        return Response(MeSerializer(data).data)
