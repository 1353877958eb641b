"""REST for handbooks: thin views over handbooks.selectors and handbooks.services."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import validated
from tenancy.access import actor_of

from . import selectors, services
from .models import AreaOfFocus, BaselineReference, Handbook, HandbookVersion, LineOfEnquiry


class VersionSummarySerializer(serializers.ModelSerializer[HandbookVersion]):
    class Meta:
        model = HandbookVersion
        fields = ["id", "number", "status", "published_at", "change_note"]


class HandbookSerializer(serializers.ModelSerializer[Handbook]):
    owner = serializers.CharField(source="owner_name", read_only=True)
    versions = VersionSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Handbook
        fields = ["id", "title", "summary", "owner", "visibility", "versions"]


class LineSerializer(serializers.ModelSerializer[LineOfEnquiry]):
    class Meta:
        model = LineOfEnquiry
        fields = ["id", "position", "question", "prompts", "guidance", "suggested_by_platform"]


class AreaSerializer(serializers.ModelSerializer[AreaOfFocus]):
    lines = LineSerializer(many=True, read_only=True)

    class Meta:
        model = AreaOfFocus
        fields = ["id", "position", "title", "key_question", "guidance", "lines"]


class ReferenceSerializer(serializers.ModelSerializer[BaselineReference]):
    class Meta:
        model = BaselineReference
        fields = ["id", "position", "title", "publisher", "year", "url"]


class VersionSerializer(serializers.ModelSerializer[HandbookVersion]):
    handbook = serializers.PrimaryKeyRelatedField[Handbook](read_only=True)
    objectives = serializers.SerializerMethodField()
    areas = AreaSerializer(many=True, read_only=True)
    references = ReferenceSerializer(many=True, read_only=True)

    class Meta:
        model = HandbookVersion
        fields = [
            "id",
            "handbook",
            "number",
            "status",
            "methodology",
            "change_note",
            "published_at",
            "objectives",
            "areas",
            "references",
        ]

    def get_objectives(self, obj: HandbookVersion) -> list[str]:
        return [o.text for o in obj.objectives.all()]


class HandbookListApi(ListAPIView[Handbook]):
    """Handbooks you may use: your partnership's own, your alliance's, everyone's."""

    serializer_class = HandbookSerializer

    def get_queryset(self) -> Any:
        return selectors.handbook_list(actor=actor_of(self.request))


class HandbookCreateInput(serializers.Serializer[Any]):
    partnership = serializers.SlugField()
    title = serializers.CharField(max_length=200)
    visibility = serializers.ChoiceField(choices=Handbook.Visibility.choices, default="private")


class HandbookCreateApi(APIView):
    @extend_schema(request=HandbookCreateInput, responses={201: HandbookSerializer})
    def post(self, request: Request) -> Response:
        data = validated(HandbookCreateInput, request)
        handbook = services.handbook_create(
            actor=actor_of(request),
            partnership_slug=data["partnership"],
            title=data["title"],
            visibility=data["visibility"],
        )
        return Response(HandbookSerializer(handbook).data, status=status.HTTP_201_CREATED)


class HandbookDetailApi(APIView):
    @extend_schema(responses=HandbookSerializer)
    def get(self, request: Request, handbook_id: int) -> Response:
        handbook = selectors.handbook_get(actor=actor_of(request), handbook_id=handbook_id)
        return Response(HandbookSerializer(handbook).data)


class VersionDetailApi(APIView):
    @extend_schema(responses=VersionSerializer)
    def get(self, request: Request, version_id: int) -> Response:
        version = selectors.version_get(actor=actor_of(request), version_id=version_id)
        return Response(VersionSerializer(version).data)


class DiffSectionSerializer(serializers.Serializer[Any]):
    added = serializers.ListField(child=serializers.CharField())
    removed = serializers.ListField(child=serializers.CharField())
    changed = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))


class DiffSerializer(serializers.Serializer[Any]):
    objectives = DiffSectionSerializer()
    areas = DiffSectionSerializer()
    lines = DiffSectionSerializer()
    references = DiffSectionSerializer()
    methodology_changed = serializers.BooleanField()


class VersionDiffApi(APIView):
    @extend_schema(responses=DiffSerializer)
    def get(self, request: Request, version_id: int, other_id: int) -> Response:
        diff = selectors.version_diff(actor=actor_of(request), old_id=version_id, new_id=other_id)
        return Response(DiffSerializer(diff).data)


class CopyInput(serializers.Serializer[Any]):
    partnership = serializers.SlugField()


class VersionCopyApi(APIView):
    """Copy a version you can read into a private draft handbook of your partnership."""

    @extend_schema(request=CopyInput, responses={201: HandbookSerializer})
    def post(self, request: Request, version_id: int) -> Response:
        data = validated(CopyInput, request)
        handbook = services.handbook_copy(
            actor=actor_of(request), version_id=version_id, partnership_slug=data["partnership"]
        )
        return Response(HandbookSerializer(handbook).data, status=status.HTTP_201_CREATED)


class PublishInput(serializers.Serializer[Any]):
    change_note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class VersionPublishApi(APIView):
    @extend_schema(request=PublishInput, responses=VersionSerializer)
    def post(self, request: Request, version_id: int) -> Response:
        data = validated(PublishInput, request)
        services.version_publish(
            actor=actor_of(request), version_id=version_id, change_note=data.get("change_note", "")
        )
        version = selectors.version_get(actor=actor_of(request), version_id=version_id)
        return Response(VersionSerializer(version).data)


class NextVersionApi(APIView):
    """Start a new draft version as a copy of the latest."""

    @extend_schema(request=None, responses={201: VersionSerializer})
    def post(self, request: Request, handbook_id: int) -> Response:
        draft = services.version_start_next(actor=actor_of(request), handbook_id=handbook_id)
        version = selectors.version_get(actor=actor_of(request), version_id=draft.pk)
        return Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)


class AreaInput(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    key_question = serializers.CharField(max_length=2000)
    guidance = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class AreaCreateApi(APIView):
    """Add an area of focus to a draft version."""

    @extend_schema(request=AreaInput, responses={201: AreaSerializer})
    def post(self, request: Request, version_id: int) -> Response:
        data = validated(AreaInput, request)
        area = services.area_save(actor=actor_of(request), version_id=version_id, **data)
        return Response(AreaSerializer(area).data, status=status.HTTP_201_CREATED)


class ObjectiveInput(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=2000)


class ObjectiveCreateApi(APIView):
    @extend_schema(request=ObjectiveInput, responses={201: ObjectiveInput})
    def post(self, request: Request, version_id: int) -> Response:
        data = validated(ObjectiveInput, request)
        objective = services.objective_save(
            actor=actor_of(request), version_id=version_id, text=data["text"]
        )
        return Response(
            {"id": objective.pk, "text": objective.text}, status=status.HTTP_201_CREATED
        )
