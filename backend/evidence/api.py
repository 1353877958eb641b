"""REST for the evidence library: thin views over evidence.selectors and
evidence.services, the same ones the pages use. Reading is audited: every list
page, item and download writes an event into the owner's access log.

The list is the hot path (PERFORMANCE.md, P6): its rows are plain dicts built by
`summary()` rather than a ModelSerializer. The serializers below document the
shapes for OpenAPI; tests check the two agree.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.models import AuditEvent
from core.api import CursorPagination, validated
from core.downloads import attachment
from core.filetypes import ALLOWED
from tenancy import access
from tenancy.access import Actor, actor_of

from . import selectors, services
from .models import DocumentRequest, EvidenceItem, EvidenceShare
from .selectors import SORTS, Coverage, CoverageRow, ItemPermissions, WhoCanSee
from .services.fields import ALL_KIND_FIELDS, FILE_KINDS

_DATETIME = serializers.DateTimeField()


def _when(value: datetime | None) -> str | None:
    return None if value is None else _DATETIME.to_representation(value)


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


# --- items: output ------------------------------------------------------------------


def summary(item: EvidenceItem, flags: ItemPermissions, actor: Actor) -> dict[str, Any]:
    """A list row. `item` comes from the selectors (owner, adder and areas loaded)."""
    partnership = item.partnership
    return {
        "id": item.pk,
        "kind": item.kind,
        "title": item.title,
        "description": item.description,
        "sensitivity": item.sensitivity,
        "partnership": item.partnership_id,
        "partnership_name": partnership.name if partnership is not None else None,
        "review": item.review_id,
        "areas": [
            {"id": area.pk, "review": area.review_id, "title": area.title}
            for area in item.areas.all()
        ],
        "added_by": getattr(item, "added_by_name", None),  # hidden by the selector
        "added_at": _when(item.added_at),
        "updated_at": _when(item.updated_at),
        "share_count": getattr(item, "share_count", None),
        "file": (
            {
                "name": item.original_name,
                "content_type": item.content_type,
                "size": item.size,
                "scan_status": item.scan_status,
            }
            if item.file
            else None
        ),
        "can_change": flags.can_change,
        "can_share": flags.can_share,
    }


def detail(item: EvidenceItem, flags: ItemPermissions, actor: Actor) -> dict[str, Any]:
    """One item: the row and what its kind records (blank for other kinds)."""
    row = summary(item, flags, actor)
    for name in ALL_KIND_FIELDS:
        value = getattr(item, name)
        row[name] = _day(value) if name == "meeting_date" else value
    return row


def _one(actor: Actor, item: EvidenceItem) -> dict[str, Any]:
    return detail(item, selectors.evidence_permissions(actor=actor, items=[item])[item.pk], actor)


# Blank for every kind but an interview: one choice set, so one enum in the schema.
INTERVIEWED_BY = [("", "Not an interview"), *EvidenceItem.InterviewedBy.choices]


class AreaRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    review = serializers.IntegerField(source="review_id")
    title = serializers.CharField()


class FileInfoSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(help_text="The uploaded name, for display only.")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    scan_status = serializers.ChoiceField(choices=EvidenceItem.ScanStatus.choices)


class EvidenceSummarySerializer(serializers.Serializer[Any]):
    """The shape of a list row (built by `summary`)."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=EvidenceItem.Kind.choices)
    title = serializers.CharField()
    description = serializers.CharField()
    sensitivity = serializers.ChoiceField(choices=EvidenceItem.Sensitivity.choices)
    partnership = serializers.IntegerField(
        allow_null=True, help_text="The owning partnership; null for a review team's notes."
    )
    partnership_name = serializers.CharField(allow_null=True)
    review = serializers.IntegerField(
        allow_null=True, help_text="For a review team's own notes: the review that owns them."
    )
    areas = AreaRefSerializer(many=True, help_text="Areas of focus (of reviews you can see).")
    added_by = serializers.CharField(
        allow_null=True, help_text="Shown to members of the owning partnership only."
    )
    added_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    share_count = serializers.IntegerField(
        allow_null=True,
        help_text="Live reviews it is shared with; null unless your partnership owns it.",
    )
    file = FileInfoSerializer(allow_null=True)
    can_change = serializers.BooleanField(help_text="You may change or delete it.")
    can_share = serializers.BooleanField(help_text="You may share it with a review.")


class EvidenceItemSerializer(EvidenceSummarySerializer):
    """The shape of one item (built by `detail`)."""

    meeting_name = serializers.CharField()
    meeting_date = serializers.DateField(allow_null=True)
    working_well = serializers.CharField()
    not_working_well = serializers.CharField()
    interviewee_role = serializers.CharField()
    interviewee_name = serializers.CharField(help_text="Only ever recorded with consent.")
    name_consented = serializers.BooleanField()
    interviewed_by = serializers.ChoiceField(choices=INTERVIEWED_BY)
    notes = serializers.CharField()


# --- items: input -------------------------------------------------------------------


def _choice(choices: Any, message: str, **kwargs: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=choices,
        error_messages={"invalid_choice": message, "required": message, "null": message},
        **kwargs,
    )


class KindFieldsInput(serializers.Serializer[Any]):
    """What a meeting observation or an interview records (ignored for other kinds)."""

    meeting_name = serializers.CharField(required=False, allow_blank=True)
    meeting_date = serializers.DateField(
        required=False,
        allow_null=True,
        error_messages={"invalid": "Date of the meeting must be a real date"},
    )
    working_well = serializers.CharField(required=False, allow_blank=True)
    not_working_well = serializers.CharField(required=False, allow_blank=True)
    interviewee_role = serializers.CharField(required=False, allow_blank=True)
    interviewee_name = serializers.CharField(
        required=False, allow_blank=True, help_text="Only with the interviewee's consent."
    )
    name_consented = serializers.BooleanField(required=False)
    interviewed_by = _choice(INTERVIEWED_BY, "Select who carried out the interview", required=False)
    notes = serializers.CharField(required=False, allow_blank=True)


class _NewItemInput(serializers.Serializer[Any]):
    """What every new item records."""

    title = serializers.CharField(allow_blank=True, default="")
    description = serializers.CharField(allow_blank=True, default="")
    sensitivity = _choice(
        EvidenceItem.Sensitivity.choices,
        "Select how sensitive the evidence is",
        default=EvidenceItem.Sensitivity.OFFICIAL,
    )
    areas = serializers.ListField(child=serializers.IntegerField(), required=False)


class TeamNoteInput(KindFieldsInput, _NewItemInput):
    """The review team's own notes: any kind but a document or data (no file)."""

    kind = _choice(EvidenceItem.Kind.choices, "Select the kind of evidence")


class EvidenceCreateInput(TeamNoteInput):
    partnership = serializers.IntegerField(
        help_text="Add to this partnership's library (you must be a member)."
    )


class EvidenceUploadInput(_NewItemInput):
    """A document or data with its file, sent as multipart/form-data, to a partnership's
    library (the team's notes cannot have a file)."""

    partnership = serializers.IntegerField(
        help_text="Add to this partnership's library (you must be a member)."
    )
    kind = _choice(
        [(kind, label) for kind, label in EvidenceItem.Kind.choices if kind in FILE_KINDS],
        "Select the kind of evidence",
    )
    file = serializers.FileField(
        allow_empty_file=True,
        error_messages={"required": "Select a file to upload"},
        help_text="PDF, DOCX, XLSX, PPTX, CSV, TXT, PNG or JPEG, within the size limit.",
    )


class EvidenceUpdateInput(KindFieldsInput):
    title = serializers.CharField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    sensitivity = _choice(
        EvidenceItem.Sensitivity.choices, "Select how sensitive the evidence is", required=False
    )
    areas = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Replaces the areas of focus; leave out to keep them.",
    )


def _kind_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {name: data[name] for name in ALL_KIND_FIELDS if name in data}


# --- items: views -------------------------------------------------------------------


class EvidencePagination(CursorPagination):
    """Keyset pages in the list's own order (selectors.SORTS, each ending in the id,
    so pages never tie or skip a row)."""

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> tuple[str, ...]:
        return SORTS.get(request.query_params.get("sort") or "-id", SORTS["-id"])


# Ids are positive: the selectors refuse 0 or less with a message, and an id the
# caller cannot see simply matches nothing.
_ID: dict[str, Any] = {"type": "integer", "minimum": 1}

_LIST_FILTERS = [
    OpenApiParameter("partnership", _ID, description="Only this partnership's library."),
    OpenApiParameter(
        "review", _ID, description="Items shared with this review, and its team's notes."
    ),
    OpenApiParameter("kind", str, enum=EvidenceItem.Kind.values),
    OpenApiParameter("area", _ID, description="Only items informing this area of focus."),
    OpenApiParameter("sensitivity", str, enum=EvidenceItem.Sensitivity.values),
    OpenApiParameter("q", str, description="Words in the title or description."),
    OpenApiParameter("sort", str, enum=list(SORTS), description="Newest first by default."),
]


class EvidenceListApi(ListAPIView[EvidenceItem]):
    """Evidence you may see now: your partnerships' libraries, and items shared with a
    review whose team you are on while your access window is open. Each page is
    recorded in the owners' access logs."""

    serializer_class = EvidenceSummarySerializer
    pagination_class = EvidencePagination
    filter_backends: list[Any] = []  # the selector filters, and names a bad value

    def get_queryset(self) -> Any:
        params = self.request.query_params
        return selectors.evidence_list(
            actor=actor_of(self.request),
            partnership_id=params.get("partnership"),
            review_id=params.get("review"),
            kind=params.get("kind") or None,
            area_id=params.get("area"),
            sensitivity=params.get("sensitivity") or None,
            q=params.get("q") or None,
            sort=params.get("sort") or "-id",
        )

    @extend_schema(parameters=_LIST_FILTERS)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actor = actor_of(request)
        page = self.paginate_queryset(self.get_queryset()) or []
        services.evidence_listed(actor=actor, items=page)
        flags = selectors.evidence_permissions(actor=actor, items=page)
        return self.get_paginated_response([summary(i, flags[i.pk], actor) for i in page])

    @extend_schema(request=EvidenceCreateInput, responses={201: EvidenceItemSerializer})
    def post(self, request: Request) -> Response:
        """Add evidence without a file to a partnership's library (a file goes to
        `evidence/upload/`; the team's notes to `reviews/{id}/evidence/`)."""
        return _add(request, validated(EvidenceCreateInput, request))


class EvidenceUploadApi(APIView):
    # The one body that is not JSON: a file needs multipart/form-data.
    parser_classes = [MultiPartParser]

    @extend_schema(request=EvidenceUploadInput, responses={201: EvidenceItemSerializer})
    def post(self, request: Request) -> Response:
        """Add a document or data with its file to a partnership's library. The file
        is checked (type, size) at once and scanned afterwards: until the scan passes,
        `file.scan_status` is "scanning" and it cannot be downloaded."""
        return _add(request, validated(EvidenceUploadInput, request))


class TeamNoteApi(APIView):
    @extend_schema(request=TeamNoteInput, responses={201: EvidenceItemSerializer})
    def post(self, request: Request, review_id: int) -> Response:
        """Add the review team's own notes (a member of the team, while their access
        window is open). They belong to the review, not to a partnership's library."""
        return _add(request, {**validated(TeamNoteInput, request), "review": review_id})


def _add(request: Request, data: dict[str, Any]) -> Response:
    actor = actor_of(request)
    common = {
        "actor": actor,
        "kind": data["kind"],
        "title": data["title"],
        "description": data["description"],
        "sensitivity": data["sensitivity"],
        "area_ids": data.get("areas", []),
        **_kind_fields(data),
    }
    # The answer is read inside the write's transaction: once the commit succeeds
    # nothing is left to fail, so a committed write is never answered with an error.
    with transaction.atomic():
        if "review" in data:
            item = services.review_evidence_add(review_id=data["review"], **common)
        else:
            item = services.evidence_add(
                partnership_id=data["partnership"], upload=data.get("file"), **common
            )
        body = _one(actor, selectors.evidence_get(actor=actor, item_id=item.pk))
    return Response(body, status=status.HTTP_201_CREATED)


class EvidenceDetailApi(APIView):
    @extend_schema(responses=EvidenceItemSerializer)
    def get(self, request: Request, item_id: int) -> Response:
        """One item, recorded in its owner's access log."""
        actor = actor_of(request)
        item = selectors.evidence_get(actor=actor, item_id=item_id)
        services.evidence_viewed(actor=actor, item=item)
        return Response(_one(actor, item))

    @extend_schema(request=EvidenceUpdateInput, responses=EvidenceItemSerializer)
    def patch(self, request: Request, item_id: int) -> Response:
        """Change an item's details (fields left out keep their value). The kind and the
        file cannot change."""
        data = validated(EvidenceUpdateInput, request)
        actor = actor_of(request)
        services.evidence_update(
            actor=actor,
            item_id=item_id,
            title=data.get("title"),
            description=data.get("description"),
            sensitivity=data.get("sensitivity"),
            area_ids=data.get("areas"),
            **_kind_fields(data),
        )
        return Response(_one(actor, selectors.evidence_get(actor=actor, item_id=item_id)))

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, item_id: int) -> Response:
        """Delete an item and its file (stop sharing it first)."""
        services.evidence_delete(actor=actor_of(request), item_id=item_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


# A file is served with the type its checks proved (core.filetypes); text
# types carry their charset as a parameter, which is not part of the media type.
_DOWNLOAD_TYPES: dict[tuple[int, str], Any] = {
    (200, file_type.content_type.split(";")[0]): OpenApiTypes.BINARY
    for file_type in ALLOWED.values()
}


class EvidenceDownloadApi(APIView):
    """The item's file, as an attachment, once the scan has passed. Recorded in the
    owner's access log. 404 once you may no longer see the item (a closed window)."""

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # Whatever the client accepts (a file, usually), errors are still the API's JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(responses=_DOWNLOAD_TYPES)
    def get(self, request: Request, item_id: int) -> FileResponse:
        download = services.evidence_download(actor=actor_of(request), item_id=item_id)
        return attachment(
            download.file, filename=download.filename, content_type=download.content_type
        )


# --- sharing ------------------------------------------------------------------------


class ShareInput(serializers.Serializer[Any]):
    item_ids = serializers.ListField(
        child=serializers.IntegerField(), help_text="Items of the reviewed partnership."
    )
    review = serializers.IntegerField(help_text="A review of the partnership that owns them.")
    request = serializers.IntegerField(
        required=False, allow_null=True, help_text="The review's document request they answer."
    )


class ShareSerializer(serializers.ModelSerializer[EvidenceShare]):
    title = serializers.CharField(source="item.title")

    class Meta:
        model = EvidenceShare
        fields = ["item", "title", "review", "request", "shared_at"]


class ShareApi(APIView):
    @extend_schema(request=ShareInput, responses=ShareSerializer(many=True))
    def post(self, request: Request) -> Response:
        """Share items with the team reviewing their partnership (its leads and business
        managers). All or nothing: one id you may not share and nothing is shared."""
        data = validated(ShareInput, request)
        shares = services.evidence_share(
            actor=actor_of(request),
            item_ids=data["item_ids"],
            review_id=data["review"],
            request_id=data.get("request"),
        )
        return Response(ShareSerializer(shares, many=True).data)


class UnshareInput(serializers.Serializer[Any]):
    review = serializers.IntegerField()


class UnshareApi(APIView):
    @extend_schema(request=UnshareInput, responses={204: None})
    def post(self, request: Request, item_id: int) -> Response:
        """Stop sharing an item with a review; the team loses it on their next request."""
        data = validated(UnshareInput, request)
        services.evidence_unshare(
            actor=actor_of(request), item_id=item_id, review_id=data["review"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- who can see it, restricted items -----------------------------------------------


class PersonSerializer(serializers.Serializer[Any]):
    user_id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.CharField()
    role = serializers.CharField()
    can_see_now = serializers.BooleanField()
    window_opens_at = serializers.DateTimeField(allow_null=True)
    window_closes_at = serializers.DateTimeField(allow_null=True)


class AudienceSerializer(serializers.Serializer[Any]):
    # A declared field named "label" replaces Field.label at run time (the metaclass
    # collects it); only the stubs disagree.
    label = serializers.CharField()  # type: ignore[assignment]
    reason = serializers.CharField()
    count = serializers.IntegerField(help_text="How many of them can see it now.")
    names_hidden = serializers.BooleanField()
    review = serializers.IntegerField(source="review_id", allow_null=True)
    people = PersonSerializer(many=True)


class WhoCanSeeSerializer(serializers.Serializer[WhoCanSee]):
    restricted = serializers.BooleanField()
    audiences = AudienceSerializer(many=True)


def _who_can_see(actor: Actor, item_id: int) -> Response:
    item = selectors.evidence_get(actor=actor, item_id=item_id)
    return Response(WhoCanSeeSerializer(selectors.who_can_see(actor=actor, item=item)).data)


class WhoCanSeeApi(APIView):
    @extend_schema(responses=WhoCanSeeSerializer)
    def get(self, request: Request, item_id: int) -> Response:
        """Who can see the item now ("Who can see this"). Names of the owning
        partnership's members are shown to its members only."""
        return _who_can_see(actor_of(request), item_id)


class GrantInput(serializers.Serializer[Any]):
    user = serializers.IntegerField(
        help_text="A member of the owning partnership (or, for team notes, of the team)."
    )


class GrantApi(APIView):
    @extend_schema(request=GrantInput, responses=WhoCanSeeSerializer)
    def post(self, request: Request, item_id: int) -> Response:
        """Open a restricted item to one more person."""
        data = validated(GrantInput, request)
        actor = actor_of(request)
        services.evidence_restrict_grant(actor=actor, item_id=item_id, user_id=data["user"])
        return _who_can_see(actor, item_id)


class GrantRevokeApi(APIView):
    @extend_schema(request=None, responses=WhoCanSeeSerializer)
    def post(self, request: Request, item_id: int, user_id: int) -> Response:
        """Close a restricted item to one person (never the last one)."""
        actor = actor_of(request)
        services.evidence_restrict_revoke(actor=actor, item_id=item_id, user_id=user_id)
        return _who_can_see(actor, item_id)


# --- the access log -----------------------------------------------------------------


class AccessEventSerializer(serializers.ModelSerializer[AuditEvent]):
    actor_partnership = serializers.IntegerField(source="actor_partnership_id", allow_null=True)
    item = serializers.SerializerMethodField()
    count = serializers.SerializerMethodField()
    review = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "occurred_at",
            "action",
            "actor_email",
            "actor_partnership",
            "item",
            "count",
            "review",
        ]

    def get_item(self, event: AuditEvent) -> int | None:
        return int(event.object_id) if event.object_id else None

    def get_count(self, event: AuditEvent) -> int | None:
        """For a list event: how many of the partnership's items the page showed."""
        value = event.detail.get("count")
        return int(value) if value is not None else None

    def get_review(self, event: AuditEvent) -> int | None:
        value = event.detail.get("review")
        return int(value) if value is not None else None


class ItemLogApi(ListAPIView[AuditEvent]):
    """Who listed, viewed, downloaded, shared or revoked this item, newest first
    (leads and business managers of the owning partnership)."""

    serializer_class = AccessEventSerializer
    filter_backends: list[Any] = []

    @extend_schema(operation_id="v1_evidence_item_log_list")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        return selectors.access_log(actor=actor_of(self.request), item_id=self.kwargs["item_id"])


class PartnershipLogApi(ListAPIView[AuditEvent]):
    """Access to a partnership's evidence, newest first ("who viewed our evidence"):
    for its leads and business managers. Without `partnership`, every partnership
    whose log you may read."""

    serializer_class = AccessEventSerializer
    filter_backends: list[Any] = []

    @extend_schema(parameters=[OpenApiParameter("partnership", _ID)])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        return selectors.access_log(
            actor=actor_of(self.request),
            partnership_id=self.request.query_params.get("partnership") or None,
        )


# --- document requests --------------------------------------------------------------


class AnswerSerializer(serializers.ModelSerializer[EvidenceShare]):
    title = serializers.CharField(source="item.title")

    class Meta:
        model = EvidenceShare
        fields = ["item", "title", "shared_at"]


class DocumentRequestSerializer(serializers.ModelSerializer[DocumentRequest]):
    requested_by = serializers.CharField(source="requested_by.get_full_name")
    answers = AnswerSerializer(
        source="shares", many=True, help_text="Items shared for it that you can see."
    )

    class Meta:
        model = DocumentRequest
        fields = [
            "id",
            "review",
            "title",
            "detail",
            "status",
            "requested_by",
            "requested_at",
            "answered_at",
            "answers",
        ]


class DocumentRequestInput(serializers.Serializer[Any]):
    title = serializers.CharField(allow_blank=True, help_text="What you are asking for.")
    detail = serializers.CharField(required=False, allow_blank=True, default="")


def _request(actor: Actor, review_id: int, request_id: int) -> DocumentRequest:
    """A request as the list shows it (answers limited to items the actor can see)."""
    return access.get_child(
        selectors.document_request_list(actor=actor, review_id=review_id), request_id
    )


class DocumentRequestListApi(ListAPIView[DocumentRequest]):
    """The review's document requests, newest first."""

    serializer_class = DocumentRequestSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        return selectors.document_request_list(
            actor=actor_of(self.request), review_id=self.kwargs["review_id"]
        )

    @extend_schema(request=DocumentRequestInput, responses={201: DocumentRequestSerializer})
    def post(self, request: Request, review_id: int) -> Response:
        """Ask the reviewed partnership for a document (the team while its window is
        open, or a lead of the reviewing partnership)."""
        data = validated(DocumentRequestInput, request)
        actor = actor_of(request)
        created = services.document_request_create(
            actor=actor, review_id=review_id, title=data["title"], detail=data["detail"]
        )
        body = DocumentRequestSerializer(_request(actor, review_id, created.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)


class DocumentRequestWithdrawApi(APIView):
    @extend_schema(request=None, responses=DocumentRequestSerializer)
    def post(self, request: Request, request_id: int) -> Response:
        """Withdraw an open request (items shared for it stay shared)."""
        actor = actor_of(request)
        withdrawn = services.document_request_withdraw(actor=actor, request_id=request_id)
        body = DocumentRequestSerializer(_request(actor, withdrawn.review_id, withdrawn.pk)).data
        return Response(body)


# --- coverage -----------------------------------------------------------------------


class CoverageRowSerializer(serializers.Serializer[CoverageRow]):
    area = AreaRefSerializer(allow_null=True, help_text="Null: items linked to no area.")
    counts = serializers.DictField(
        child=serializers.IntegerField(), help_text="Items per kind of evidence."
    )
    total = serializers.IntegerField()


class KindSerializer(serializers.Serializer[Any]):
    value = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # as AudienceSerializer


class CoverageSerializer(serializers.Serializer[Coverage]):
    review = serializers.IntegerField(source="review.pk")
    kinds = serializers.SerializerMethodField()
    rows = CoverageRowSerializer(many=True)
    unlinked = CoverageRowSerializer()
    totals = serializers.DictField(child=serializers.IntegerField())
    total = serializers.IntegerField()
    gaps = serializers.SerializerMethodField()

    @extend_schema_field(KindSerializer(many=True))
    def get_kinds(self, coverage: Coverage) -> list[dict[str, str]]:
        return [{"value": value, "label": label} for value, label in coverage.kinds]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_gaps(self, coverage: Coverage) -> list[int]:
        """Areas of focus with no evidence yet."""
        return [area.pk for area in coverage.gaps]


class CoverageApi(APIView):
    @extend_schema(responses=CoverageSerializer)
    def get(self, request: Request, review_id: int) -> Response:
        """The review's areas of focus against kinds of evidence: how many items you
        can see inform each, so gaps show before fieldwork ends."""
        coverage = selectors.coverage(actor=actor_of(request), review_id=review_id)
        return Response(CoverageSerializer(coverage).data)
