from __future__ import annotations

from typing import Any

import graphene
from graphene_django import DjangoObjectType

from core.errors import NotFound

from . import selectors
from .access import actor_of
from .models import Alliance, Membership, Organisation, Partnership


class AllianceType(DjangoObjectType):
    class Meta:
        model = Alliance
        fields = ("slug", "name", "region")


class OrganisationType(DjangoObjectType):
    class Meta:
        model = Organisation
        fields = ("slug", "name", "kind")


class PartnershipType(DjangoObjectType):
    role = graphene.String(description="The caller's role in this partnership.")

    class Meta:
        model = Partnership
        fields = ("id", "slug", "name", "alliance", "child_population", "statutory_partners")

    @staticmethod
    def resolve_role(root: Partnership, info: graphene.ResolveInfo) -> str | None:
        return selectors.own_role(actor=actor_of(info.context), partnership=root)


class MembershipType(DjangoObjectType):
    class Meta:
        model = Membership
        fields = ("partnership", "role")


class MeType(graphene.ObjectType):
    email = graphene.String(required=True)
    full_name = graphene.String(required=True)
    is_independent_adviser = graphene.Boolean(required=True)
    is_alliance_analyst = graphene.Boolean(required=True)
    memberships = graphene.List(graphene.NonNull(MembershipType), required=True)


class Query(graphene.ObjectType):
    me = graphene.Field(MeType, description="The signed-in user; null when anonymous.")
    partnerships = graphene.List(
        graphene.NonNull(PartnershipType), required=True, description="Partnerships you belong to."
    )
    partnership = graphene.Field(PartnershipType, slug=graphene.String(required=True))

    @staticmethod
    def resolve_me(root: Any, info: graphene.ResolveInfo) -> dict[str, Any] | None:
        actor = actor_of(info.context)
        if not actor.is_authenticated:
            return None
        user = info.context.user
        return {
            "email": user.email,
            "full_name": user.full_name,
            "is_independent_adviser": actor.is_independent_adviser,
            "is_alliance_analyst": bool(actor.analyst_alliance_ids),
            "memberships": selectors.membership_list_for_user(actor=actor, with_partners=True),
        }

    @staticmethod
    def resolve_partnerships(root: Any, info: graphene.ResolveInfo) -> Any:
        return selectors.partnership_list(actor=actor_of(info.context))

    @staticmethod
    def resolve_partnership(root: Any, info: graphene.ResolveInfo, slug: str) -> Partnership | None:
        try:
            return selectors.partnership_get(actor=actor_of(info.context), slug=slug)
        except NotFound:
            return None
