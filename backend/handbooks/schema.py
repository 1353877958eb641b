"""GraphQL for handbooks: the same selectors and services as the pages and REST."""

from __future__ import annotations

from typing import Any

import graphene
from graphene_django import DjangoObjectType

from core.errors import NotFound
from core.schema import ServiceMutation
from tenancy.access import actor_of

from . import selectors, services
from .models import AreaOfFocus, BaselineReference, Handbook, HandbookVersion, LineOfEnquiry


class LineOfEnquiryType(DjangoObjectType):
    class Meta:
        model = LineOfEnquiry
        fields = ("id", "position", "question", "prompts", "guidance", "suggested_by_platform")


class AreaOfFocusType(DjangoObjectType):
    lines = graphene.List(graphene.NonNull(LineOfEnquiryType), required=True)

    class Meta:
        model = AreaOfFocus
        fields = ("id", "position", "title", "key_question", "guidance")

    @staticmethod
    def resolve_lines(root: AreaOfFocus, info: Any) -> Any:
        return root.lines.all()


class BaselineReferenceType(DjangoObjectType):
    class Meta:
        model = BaselineReference
        fields = ("id", "position", "title", "publisher", "year", "url")


class HandbookVersionType(DjangoObjectType):
    objectives = graphene.List(graphene.NonNull(graphene.String), required=True)
    areas = graphene.List(graphene.NonNull(AreaOfFocusType), required=True)
    references = graphene.List(graphene.NonNull(BaselineReferenceType), required=True)

    class Meta:
        model = HandbookVersion
        fields = ("id", "number", "status", "methodology", "change_note", "published_at")

    @staticmethod
    def resolve_objectives(root: HandbookVersion, info: Any) -> list[str]:
        return [o.text for o in root.objectives.all()]

    @staticmethod
    def resolve_areas(root: HandbookVersion, info: Any) -> Any:
        return root.areas.all()

    @staticmethod
    def resolve_references(root: HandbookVersion, info: Any) -> Any:
        return root.references.all()


class HandbookType(DjangoObjectType):
    owner = graphene.String(required=True)
    versions = graphene.List(graphene.NonNull(HandbookVersionType), required=True)

    class Meta:
        model = Handbook
        fields = ("id", "title", "summary", "visibility")

    @staticmethod
    def resolve_owner(root: Handbook, info: Any) -> str:
        return root.owner_name

    @staticmethod
    def resolve_versions(root: Handbook, info: Any) -> Any:
        # Drafts stay with the owners: versions come through the chokepoint.
        return selectors.version_list(actor=actor_of(info.context), handbook=root)


class Query(graphene.ObjectType):
    handbooks = graphene.List(graphene.NonNull(HandbookType), required=True)
    handbook_version = graphene.Field(HandbookVersionType, id=graphene.ID(required=True))

    @staticmethod
    def resolve_handbooks(root: Any, info: Any) -> Any:
        return selectors.handbook_list(actor=actor_of(info.context))

    @staticmethod
    def resolve_handbook_version(root: Any, info: Any, id: str) -> Any:
        try:
            return selectors.version_get(actor=actor_of(info.context), version_id=id)
        except NotFound:
            return None


class CreateHandbook(ServiceMutation):
    class Arguments:
        partnership = graphene.String(required=True)
        title = graphene.String(required=True)
        visibility = graphene.String()

    handbook = graphene.Field(HandbookType)

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> CreateHandbook:
        handbook = services.handbook_create(
            actor=actor_of(info.context),
            partnership_slug=a["partnership"],
            title=a["title"],
            visibility=a.get("visibility") or "private",
        )
        return cls(handbook=handbook, errors=[])


class CopyHandbookVersion(ServiceMutation):
    class Arguments:
        version = graphene.ID(required=True)
        partnership = graphene.String(required=True)

    handbook = graphene.Field(HandbookType)

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> CopyHandbookVersion:
        handbook = services.handbook_copy(
            actor=actor_of(info.context), version_id=a["version"], partnership_slug=a["partnership"]
        )
        return cls(handbook=handbook, errors=[])


class PublishHandbookVersion(ServiceMutation):
    class Arguments:
        version = graphene.ID(required=True)
        change_note = graphene.String()

    version = graphene.Field(HandbookVersionType)

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> PublishHandbookVersion:
        version = services.version_publish(
            actor=actor_of(info.context),
            version_id=a["version"],
            change_note=a.get("change_note") or "",
        )
        return cls(version=version, errors=[])


class Mutation(graphene.ObjectType):
    create_handbook = CreateHandbook.Field()
    copy_handbook_version = CopyHandbookVersion.Field()
    publish_handbook_version = PublishHandbookVersion.Field()
