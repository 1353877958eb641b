from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView

from . import selectors
from .access import actor_of
from .models import Organisation, Partnership


class OrganisationSerializer(serializers.ModelSerializer[Organisation]):
    class Meta:
        model = Organisation
        fields = ["slug", "name", "kind"]


class PartnershipSerializer(serializers.ModelSerializer[Partnership]):
    alliance = serializers.SlugRelatedField[Partnership](slug_field="slug", read_only=True)
    statutory_partners = OrganisationSerializer(many=True, read_only=True)
    role = serializers.SerializerMethodField()

    class Meta:
        model = Partnership
        fields = [
            "id",
            "slug",
            "name",
            "alliance",
            "child_population",
            "statutory_partners",
            "role",
        ]

    def get_role(self, obj: Partnership) -> str | None:
        role = self.context["actor"].role_in(obj.pk)
        return str(role) if role else None


class PartnershipListApi(ListAPIView[Partnership]):
    """The partnerships the caller belongs to."""

    serializer_class = PartnershipSerializer

    def get_queryset(self) -> QuerySet[Partnership]:
        return selectors.partnership_list(actor=actor_of(self.request))

    def get_serializer_context(self) -> dict[str, object]:
        return {**super().get_serializer_context(), "actor": actor_of(self.request)}


class PartnershipDetailApi(RetrieveAPIView[Partnership]):
    """One of the caller's partnerships by slug; 404 for unknown and foreign alike."""

    serializer_class = PartnershipSerializer

    def get_object(self) -> Partnership:
        return selectors.partnership_get(actor=actor_of(self.request), slug=self.kwargs["slug"])

    def get_serializer_context(self) -> dict[str, object]:
        return {**super().get_serializer_context(), "actor": actor_of(self.request)}
