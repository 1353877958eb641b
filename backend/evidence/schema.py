"""GraphQL for the evidence library: the same selectors and services as the pages
and REST. Reading is audited as on REST (a list page, an item).

Lists are keyset-paginated: `first` (50 by default, at most 200) and `after`, the
id of the last item of the previous page (newest first). Relations come from the
selectors' scoped querysets (owner and adder joined, areas prefetched), and the
per-item flags are worked out once per page on first use, so a page costs the
same number of queries whatever its length.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import graphene
from graphene_django import DjangoObjectType

from audit.models import AuditEvent
from core.errors import NotFound, PermissionDenied, ValidationFailed
from core.ids import parse_id
from core.pagination import keyset_page
from core.schema import ServiceMutation
from tenancy import access
from tenancy.access import Actor, actor_of

from . import selectors, services
from .models import DocumentRequest, EvidenceItem, EvidenceShare
from .selectors import Coverage, CoverageRow, ItemPermissions
from .services.fields import ALL_KIND_FIELDS

EvidenceKind = graphene.Enum.from_enum(EvidenceItem.Kind, name="EvidenceKind")
EvidenceSensitivity = graphene.Enum.from_enum(EvidenceItem.Sensitivity, name="EvidenceSensitivity")
InterviewedBy = graphene.Enum.from_enum(EvidenceItem.InterviewedBy, name="InterviewedBy")

PAGE = 50
MAX_PAGE = 200
Item = TypeVar("Item", bound=EvidenceItem)


def _value(choice: Any) -> Any:
    """A graphene enum argument as the plain string the services take."""
    return choice.value if hasattr(choice, "value") else choice


def _page_bounds(first: int | None, after: str | None) -> tuple[int, int | None]:
    errors: dict[str, list[str]] = {}
    # `first: null` is a value GraphQL lets through; it is refused like any other.
    if first is None or not 1 <= first <= MAX_PAGE:
        errors["first"] = [f"Ask for between 1 and {MAX_PAGE} items"]
    last_seen = parse_id(after) if after is not None else None
    if after is not None and last_seen is None:
        errors["after"] = ["Give the id of the last item of the previous page"]
    if errors:
        raise ValidationFailed("The page could not be read.", field_errors=errors)
    assert first is not None  # refused above
    return first, last_seen


# --- items --------------------------------------------------------------------------


class _PagePermissions:
    """The flags of one page of items, asked for all of them the first time any
    item's flag is resolved (and not at all if no flag is selected)."""

    def __init__(self, actor: Actor, items: Sequence[EvidenceItem]) -> None:
        self.actor = actor
        self.items = items
        self.flags: dict[int, ItemPermissions] | None = None

    def of(self, item: EvidenceItem) -> ItemPermissions:
        if self.flags is None:
            self.flags = selectors.evidence_permissions(actor=self.actor, items=self.items)
        return self.flags[item.pk]


def _with_permissions(actor: Actor, items: list[Item]) -> list[Item]:
    page = _PagePermissions(actor, items)
    for item in items:
        item._permissions = page  # type: ignore[attr-defined]
    return items


def _permissions(item: EvidenceItem, info: Any) -> ItemPermissions:
    page = getattr(item, "_permissions", None)
    if page is None:
        (item,) = _with_permissions(actor_of(info.context), [item])
        page = item._permissions  # type: ignore[attr-defined]
    flags: ItemPermissions = page.of(item)
    return flags


class EvidenceAreaType(graphene.ObjectType):
    id = graphene.ID(required=True)
    review_id = graphene.ID(required=True)
    title = graphene.String(required=True)


class EvidenceFileType(graphene.ObjectType):
    name = graphene.String(required=True, description="The uploaded name, for display only.")
    content_type = graphene.String(required=True)
    size = graphene.Int(required=True)
    scan_status = graphene.String(required=True, description="scanning, ready or failed.")


class EvidenceItemType(DjangoObjectType):
    partnership_id = graphene.ID(description="The owning partnership; null for a team's notes.")
    partnership_name = graphene.String()
    review_id = graphene.ID(description="For a review team's own notes: the review.")
    areas = graphene.List(graphene.NonNull(EvidenceAreaType), required=True)
    added_by = graphene.String(description="Shown to members of the owning partnership only.")
    share_count = graphene.Int(
        description="Live reviews it is shared with; null unless your partnership owns it."
    )
    file = graphene.Field(EvidenceFileType)
    can_change = graphene.Boolean(required=True, description="You may change or delete it.")
    can_share = graphene.Boolean(required=True, description="You may share it with a review.")

    class Meta:
        model = EvidenceItem
        fields = (
            "id",
            "kind",
            "title",
            "description",
            "sensitivity",
            "added_at",
            "updated_at",
            *ALL_KIND_FIELDS,
        )

    @staticmethod
    def resolve_partnership_id(root: EvidenceItem, info: Any) -> int | None:
        return root.partnership_id

    @staticmethod
    def resolve_partnership_name(root: EvidenceItem, info: Any) -> str | None:
        return root.partnership.name if root.partnership is not None else None

    @staticmethod
    def resolve_review_id(root: EvidenceItem, info: Any) -> int | None:
        return root.review_id

    @staticmethod
    def resolve_areas(root: EvidenceItem, info: Any) -> list[dict[str, Any]]:
        # Prefetched by the selectors: only areas of reviews the actor can see.
        return [
            {"id": area.pk, "review_id": area.review_id, "title": area.title}
            for area in root.areas.all()
        ]

    @staticmethod
    def resolve_added_by(root: EvidenceItem, info: Any) -> str | None:
        return getattr(root, "added_by_name", None)  # hidden by the selector

    @staticmethod
    def resolve_share_count(root: EvidenceItem, info: Any) -> int | None:
        return getattr(root, "share_count", None)

    @staticmethod
    def resolve_file(root: EvidenceItem, info: Any) -> dict[str, Any] | None:
        if not root.file:
            return None
        return {
            "name": root.original_name,
            "content_type": root.content_type,
            "size": root.size,
            "scan_status": root.scan_status,
        }

    @staticmethod
    def resolve_can_change(root: EvidenceItem, info: Any) -> bool:
        return _permissions(root, info).can_change

    @staticmethod
    def resolve_can_share(root: EvidenceItem, info: Any) -> bool:
        return _permissions(root, info).can_share


def _item(info: Any, item_id: Any) -> EvidenceItem:
    """An item as the selectors give it (scoped areas, row data), for a mutation's answer."""
    actor = actor_of(info.context)
    return _with_permissions(actor, [selectors.evidence_get(actor=actor, item_id=item_id)])[0]


# --- document requests, coverage, the access log ------------------------------------


class EvidenceAnswerType(graphene.ObjectType):
    item_id = graphene.ID(required=True)
    title = graphene.String(required=True)
    shared_at = graphene.DateTime(required=True)


class DocumentRequestType(DjangoObjectType):
    review_id = graphene.ID(required=True)
    requested_by = graphene.String(required=True)
    answers = graphene.List(
        graphene.NonNull(EvidenceAnswerType),
        required=True,
        description="Items shared for it that you can see.",
    )

    class Meta:
        model = DocumentRequest
        fields = ("id", "title", "detail", "status", "requested_at", "answered_at")

    @staticmethod
    def resolve_review_id(root: DocumentRequest, info: Any) -> int:
        return root.review_id

    @staticmethod
    def resolve_requested_by(root: DocumentRequest, info: Any) -> str:
        return root.requested_by.get_full_name()

    @staticmethod
    def resolve_answers(root: DocumentRequest, info: Any) -> list[dict[str, Any]]:
        # Prefetched by document_request_list: only items the actor can see now.
        return [
            {"item_id": share.item_id, "title": share.item.title, "shared_at": share.shared_at}
            for share in root.shares.all()
        ]


def _request(info: Any, request: DocumentRequest) -> DocumentRequest:
    """A request as the list shows it (answers limited to what the actor can see)."""
    actor = actor_of(info.context)
    requests = selectors.document_request_list(actor=actor, review_id=request.review_id)
    return access.get_child(requests, request.pk)


class KindCountType(graphene.ObjectType):
    kind = graphene.String(required=True)
    count = graphene.Int(required=True)


class KindLabelType(graphene.ObjectType):
    value = graphene.String(required=True)
    label = graphene.String(required=True)


class CoverageRowType(graphene.ObjectType):
    area = graphene.Field(EvidenceAreaType, description="Null: items linked to no area.")
    counts = graphene.List(graphene.NonNull(KindCountType), required=True)
    total = graphene.Int(required=True)

    @staticmethod
    def resolve_area(root: CoverageRow, info: Any) -> dict[str, Any] | None:
        area = root.area
        if area is None:
            return None
        return {"id": area.pk, "review_id": area.review_id, "title": area.title}

    @staticmethod
    def resolve_counts(root: CoverageRow, info: Any) -> list[dict[str, Any]]:
        return [{"kind": kind, "count": count} for kind, count in root.counts.items()]


class EvidenceCoverageType(graphene.ObjectType):
    review_id = graphene.ID(required=True)
    kinds = graphene.List(graphene.NonNull(KindLabelType), required=True)
    rows = graphene.List(graphene.NonNull(CoverageRowType), required=True)
    unlinked = graphene.Field(CoverageRowType, required=True)
    totals = graphene.List(graphene.NonNull(KindCountType), required=True)
    total = graphene.Int(required=True)
    gaps = graphene.List(
        graphene.NonNull(graphene.ID), required=True, description="Areas with no evidence yet."
    )

    @staticmethod
    def resolve_review_id(root: Coverage, info: Any) -> int:
        return int(root.review.pk)

    @staticmethod
    def resolve_kinds(root: Coverage, info: Any) -> list[dict[str, str]]:
        return [{"value": value, "label": label} for value, label in root.kinds]

    @staticmethod
    def resolve_totals(root: Coverage, info: Any) -> list[dict[str, Any]]:
        return [{"kind": kind, "count": count} for kind, count in root.totals.items()]

    @staticmethod
    def resolve_gaps(root: Coverage, info: Any) -> list[int]:
        return [area.pk for area in root.gaps]


class EvidenceAccessEventType(graphene.ObjectType):
    id = graphene.ID(required=True)
    occurred_at = graphene.DateTime(required=True)
    action = graphene.String(required=True)
    actor_email = graphene.String(required=True)
    actor_partnership_id = graphene.ID()
    item_id = graphene.ID()
    count = graphene.Int(description="For a list: how many of the partnership's items it showed.")
    review_id = graphene.ID()

    @staticmethod
    def resolve_item_id(root: AuditEvent, info: Any) -> str | None:
        return root.object_id or None

    @staticmethod
    def resolve_count(root: AuditEvent, info: Any) -> Any:
        return root.detail.get("count")

    @staticmethod
    def resolve_review_id(root: AuditEvent, info: Any) -> Any:
        return root.detail.get("review")


# --- queries ------------------------------------------------------------------------


class Query(graphene.ObjectType):
    evidence_items = graphene.List(
        graphene.NonNull(EvidenceItemType),
        required=True,
        description="Evidence you may see now, newest first; each page is recorded in the "
        "owners' access logs.",
        partnership=graphene.ID(),
        review=graphene.ID(description="Items shared with this review, and its team's notes."),
        kind=EvidenceKind(),
        area=graphene.ID(),
        sensitivity=EvidenceSensitivity(),
        q=graphene.String(),
        first=graphene.Int(default_value=PAGE),
        after=graphene.ID(description="The id of the last item of the previous page."),
    )
    evidence_item = graphene.Field(
        EvidenceItemType,
        id=graphene.ID(required=True),
        description="One item (recorded in its owner's access log); null if not found.",
    )
    document_requests = graphene.List(
        graphene.NonNull(DocumentRequestType), required=True, review=graphene.ID(required=True)
    )
    evidence_coverage = graphene.Field(EvidenceCoverageType, review=graphene.ID(required=True))
    evidence_access_log = graphene.List(
        graphene.NonNull(EvidenceAccessEventType),
        description="Who listed, viewed, downloaded, shared or revoked evidence, newest first: "
        "one item's, one partnership's, or every partnership whose log you may read. Null "
        "when the item or partnership is not found or its log is not yours to read.",
        item=graphene.ID(),
        partnership=graphene.ID(),
        first=graphene.Int(default_value=PAGE),
        after=graphene.ID(description="The id of the last event of the previous page."),
    )

    @staticmethod
    def resolve_evidence_items(
        root: Any,
        info: Any,
        first: int = PAGE,
        after: str | None = None,
        **filters: Any,
    ) -> Sequence[EvidenceItem]:
        actor = actor_of(info.context)
        first, last_seen = _page_bounds(first, after)
        rows = selectors.evidence_list(
            actor=actor,
            partnership_id=filters.get("partnership"),
            review_id=filters.get("review"),
            kind=_value(filters.get("kind")),
            area_id=filters.get("area"),
            sensitivity=_value(filters.get("sensitivity")),
            q=filters.get("q"),
        )
        page = keyset_page(rows, size=first, after=last_seen).rows
        services.evidence_listed(actor=actor, items=page)
        return _with_permissions(actor, page)

    @staticmethod
    def resolve_evidence_item(root: Any, info: Any, id: str) -> EvidenceItem | None:
        actor = actor_of(info.context)
        try:
            item = selectors.evidence_get(actor=actor, item_id=id)
        except NotFound:
            return None
        services.evidence_viewed(actor=actor, item=item)
        return _with_permissions(actor, [item])[0]

    @staticmethod
    def resolve_document_requests(root: Any, info: Any, review: str) -> Any:
        try:
            return selectors.document_request_list(actor=actor_of(info.context), review_id=review)
        except NotFound:
            return []

    @staticmethod
    def resolve_evidence_coverage(root: Any, info: Any, review: str) -> Coverage | None:
        try:
            return selectors.coverage(actor=actor_of(info.context), review_id=review)
        except NotFound:
            return None

    @staticmethod
    def resolve_evidence_access_log(
        root: Any,
        info: Any,
        item: str | None = None,
        partnership: str | None = None,
        first: int = PAGE,
        after: str | None = None,
    ) -> list[AuditEvent] | None:
        first, last_seen = _page_bounds(first, after)
        try:
            events = selectors.access_log(
                actor=actor_of(info.context), item_id=item, partnership_id=partnership
            )
        except (NotFound, PermissionDenied):
            return None
        return keyset_page(events, size=first, after=last_seen).rows


# --- mutations ----------------------------------------------------------------------


class KindFields:
    """Arguments for what a meeting observation or an interview records."""

    meeting_name = graphene.String()
    meeting_date = graphene.Date()
    working_well = graphene.String()
    not_working_well = graphene.String()
    interviewee_role = graphene.String()
    interviewee_name = graphene.String(description="Only with the interviewee's consent.")
    name_consented = graphene.Boolean()
    interviewed_by = InterviewedBy()
    notes = graphene.String()


def _kind_fields(arguments: dict[str, Any]) -> dict[str, Any]:
    return {name: _value(arguments[name]) for name in ALL_KIND_FIELDS if name in arguments}


class AddEvidence(ServiceMutation):
    """Add evidence that has no file: to a partnership's library (any member), or as a
    review team member the team's own notes (upload documents through REST)."""

    class Arguments(KindFields):
        partnership = graphene.ID()
        review = graphene.ID(description="For the team's own notes, instead of a partnership.")
        kind = EvidenceKind(required=True)
        title = graphene.String(required=True)
        description = graphene.String()
        sensitivity = EvidenceSensitivity()
        areas = graphene.List(graphene.NonNull(graphene.ID))

    item = graphene.Field(EvidenceItemType)

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> AddEvidence:
        if (a.get("partnership") is None) == (a.get("review") is None):
            raise ValidationFailed(
                "The evidence could not be added.",
                field_errors={
                    "partnership": ["Give a partnership, or a review for the team's own notes"]
                },
            )
        common = {
            "actor": actor_of(info.context),
            "kind": _value(a["kind"]),
            "title": a["title"],
            "description": a.get("description") or "",
            "sensitivity": _value(a.get("sensitivity")) or EvidenceItem.Sensitivity.OFFICIAL,
            "area_ids": a.get("areas") or [],
            **_kind_fields(a),
        }
        if a.get("review") is not None:
            item = services.review_evidence_add(review_id=a["review"], **common)
        else:
            item = services.evidence_add(partnership_id=a["partnership"], **common)
        return cls(item=_item(info, item.pk), errors=[])


class UpdateEvidence(ServiceMutation):
    """Change an item's details; arguments left out keep their value."""

    class Arguments(KindFields):
        item = graphene.ID(required=True)
        title = graphene.String()
        description = graphene.String()
        sensitivity = EvidenceSensitivity()
        areas = graphene.List(graphene.NonNull(graphene.ID))

    item = graphene.Field(EvidenceItemType)

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> UpdateEvidence:
        services.evidence_update(
            actor=actor_of(info.context),
            item_id=a["item"],
            title=a.get("title"),
            description=a.get("description"),
            sensitivity=_value(a.get("sensitivity")),
            area_ids=a.get("areas"),
            **_kind_fields(a),
        )
        return cls(item=_item(info, a["item"]), errors=[])


class DeleteEvidence(ServiceMutation):
    class Arguments:
        item = graphene.ID(required=True)

    deleted_id = graphene.ID()

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> DeleteEvidence:
        services.evidence_delete(actor=actor_of(info.context), item_id=a["item"])
        return cls(deleted_id=a["item"], errors=[])


class EvidenceShareType(DjangoObjectType):
    item_id = graphene.ID(required=True)
    title = graphene.String(required=True)
    review_id = graphene.ID(required=True)
    request_id = graphene.ID()

    class Meta:
        model = EvidenceShare
        fields = ("shared_at",)

    @staticmethod
    def resolve_item_id(root: EvidenceShare, info: Any) -> int:
        return root.item_id

    @staticmethod
    def resolve_title(root: EvidenceShare, info: Any) -> str:
        return root.item.title

    @staticmethod
    def resolve_review_id(root: EvidenceShare, info: Any) -> int:
        return root.review_id

    @staticmethod
    def resolve_request_id(root: EvidenceShare, info: Any) -> int | None:
        return root.request_id


class ShareEvidence(ServiceMutation):
    """Share items with the team reviewing their partnership (its leads and business
    managers); all or nothing."""

    class Arguments:
        item_ids = graphene.List(graphene.NonNull(graphene.ID), required=True)
        review = graphene.ID(required=True)
        request = graphene.ID(description="The review's document request they answer.")

    shares = graphene.List(graphene.NonNull(EvidenceShareType))

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> ShareEvidence:
        shares = services.evidence_share(
            actor=actor_of(info.context),
            item_ids=a["item_ids"],
            review_id=a["review"],
            request_id=a.get("request"),
        )
        return cls(shares=shares, errors=[])


class UnshareEvidence(ServiceMutation):
    """Stop sharing an item with a review; the team loses it on their next request."""

    class Arguments:
        item = graphene.ID(required=True)
        review = graphene.ID(required=True)

    item = graphene.Field(EvidenceItemType)

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> UnshareEvidence:
        services.evidence_unshare(
            actor=actor_of(info.context), item_id=a["item"], review_id=a["review"]
        )
        return cls(item=_item(info, a["item"]), errors=[])


class RequestDocument(ServiceMutation):
    """Ask the reviewed partnership for a document (the team while its window is open,
    or a lead of the reviewing partnership)."""

    class Arguments:
        review = graphene.ID(required=True)
        title = graphene.String(required=True)
        detail = graphene.String()

    request = graphene.Field(DocumentRequestType)

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> RequestDocument:
        request = services.document_request_create(
            actor=actor_of(info.context),
            review_id=a["review"],
            title=a["title"],
            detail=a.get("detail") or "",
        )
        return cls(request=_request(info, request), errors=[])


class WithdrawDocumentRequest(ServiceMutation):
    class Arguments:
        request = graphene.ID(required=True)

    request = graphene.Field(DocumentRequestType)

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> WithdrawDocumentRequest:
        request = services.document_request_withdraw(
            actor=actor_of(info.context), request_id=a["request"]
        )
        return cls(request=_request(info, request), errors=[])


class Mutation(graphene.ObjectType):
    add_evidence = AddEvidence.Field()
    update_evidence = UpdateEvidence.Field()
    delete_evidence = DeleteEvidence.Field()
    share_evidence = ShareEvidence.Field()
    unshare_evidence = UnshareEvidence.Field()
    request_document = RequestDocument.Field()
    withdraw_document_request = WithdrawDocumentRequest.Field()
