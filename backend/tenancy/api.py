from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView

from core.api import CursorPagination

from . import selectors
from .access import actor_of
from .models import Organisation, Partnership, Role


class OrganisationSerializer(serializers.ModelSerializer[Organisation]):
    class Meta:
        model = Organisation
        fields = ["slug", "name", "kind"]


class PartnershipSerializer(serializers.ModelSerializer[Partnership]):
    alliance = serializers.SlugRelatedField[Partnership](
        slug_field="slug", read_only=True, help_text="The alliance's slug, or null."
    )
    statutory_partners = OrganisationSerializer(many=True, read_only=True)
    role = serializers.SerializerMethodField(help_text="The caller's role in this partnership.")

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

    @extend_schema_field(serializers.ChoiceField(choices=Role.choices, allow_null=True))
    def get_role(self, obj: Partnership) -> str | None:
        return selectors.own_role(actor=self.context["actor"], partnership=obj)


class PartnershipFilter(django_filters.FilterSet):  # type: ignore[misc]  # untyped library
    """Filters narrow the caller's own partnerships; they can never widen them."""

    alliance = django_filters.CharFilter(
        field_name="alliance__slug", help_text="Only partnerships in this alliance (its slug)."
    )

    class Meta:
        model = Partnership
        fields = ["alliance"]


class PartnershipPagination(CursorPagination):
    # Names are unique (and indexed as such), so pages never tie or skip a row.
    ordering = "name"


class PartnershipListApi(ListAPIView[Partnership]):
    """The partnerships the caller belongs to, by name."""

    serializer_class = PartnershipSerializer
    filterset_class = PartnershipFilter
    pagination_class = PartnershipPagination

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
