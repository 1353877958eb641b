"""REST for exchanges, reviews, timelines and teams: thin views over
reviews.selectors and reviews.services (the same ones the pages use)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import CursorPagination, validated
from tenancy.access import actor_of

from . import selectors, services
from .calendar import review_ics
from .models import Exchange, ExchangeParty, Phase, PhaseChange, Review, ReviewArea, TeamMember

# --- output -------------------------------------------------------------------


class PartySerializer(serializers.ModelSerializer[ExchangeParty]):
    partnership = serializers.CharField(source="partnership.slug")
    reviews = serializers.CharField(source="reviews.slug")

    class Meta:
        model = ExchangeParty
        fields = ["partnership", "reviews", "answer", "answered_at", "answer_note"]


class ExchangeSerializer(serializers.ModelSerializer[Exchange]):
    proposed_by_partnership = serializers.CharField(source="partnership.slug")
    parties = PartySerializer(many=True, read_only=True)

    class Meta:
        model = Exchange
        fields = [
            "id",
            "proposed_by_partnership",
            "handbook_version",
            "fieldwork_starts_on",
            "fieldwork_ends_on",
            "message",
            "status",
            "created_at",
            "parties",
        ]


class PhaseChangeSerializer(serializers.ModelSerializer[PhaseChange]):
    class Meta:
        model = PhaseChange
        fields = [
            "previous_starts_on",
            "previous_ends_on",
            "new_starts_on",
            "new_ends_on",
            "reason",
            "changed_at",
        ]


class PhaseSerializer(serializers.ModelSerializer[Phase]):
    changes = PhaseChangeSerializer(many=True, read_only=True)

    class Meta:
        model = Phase
        fields = [
            "kind",
            "original_starts_on",
            "original_ends_on",
            "starts_on",
            "ends_on",
            "changes",
        ]


class AreaSerializer(serializers.ModelSerializer[ReviewArea]):
    class Meta:
        model = ReviewArea
        ref_name = "ReviewArea"  # OpenAPI: handbooks.api has its own "Area"
        fields = ["id", "position", "title", "key_question", "source", "is_local"]


class ReviewSummarySerializer(serializers.ModelSerializer[Review]):
    reviewing_partnership = serializers.CharField(source="reviewing_partnership.slug")
    reviewed_partnership = serializers.CharField(source="reviewed_partnership.slug")

    class Meta:
        model = Review
        fields = [
            "id",
            "reviewing_partnership",
            "reviewed_partnership",
            "status",
            "exchange",
            "handbook_version",
        ]


class ReviewSerializer(ReviewSummarySerializer):
    phases = PhaseSerializer(many=True, read_only=True)
    areas = AreaSerializer(many=True, read_only=True)
    objectives = serializers.SerializerMethodField()
    scope_agreed = serializers.BooleanField(read_only=True)
    next_deadline = serializers.SerializerMethodField()
    next_statuses = serializers.SerializerMethodField()

    class Meta(ReviewSummarySerializer.Meta):
        fields = [
            *ReviewSummarySerializer.Meta.fields,
            "scope_agreed",
            "scope_confirmed_by_reviewed_at",
            "scope_confirmed_by_reviewing_at",
            "access_days_after_report",
            "phases",
            "areas",
            "objectives",
            "next_deadline",
            "next_statuses",
        ]

    def get_objectives(self, obj: Review) -> list[str]:
        return [o.text for o in obj.objectives.all()]

    def get_next_deadline(self, obj: Review) -> dict[str, str] | None:
        upcoming = selectors.next_deadline(obj)
        if upcoming is None:
            return None
        return {"phase": upcoming.phase.kind, "wording": upcoming.wording, "tag": upcoming.tag}

    def get_next_statuses(self, obj: Review) -> list[str]:
        return services.next_statuses(obj)


class TeamMemberSerializer(serializers.ModelSerializer[TeamMember]):
    user = serializers.CharField(source="user.email")
    name = serializers.CharField(source="user.full_name")
    conflicting_organisation = serializers.CharField(
        source="conflicting_organisation.name",
        default=None,
        allow_null=True,
        help_text="The statutory partner they work for that serves the reviewed partnership; "
        "null when there is none.",
    )
    has_declared = serializers.BooleanField(read_only=True)
    conflict_unresolved = serializers.BooleanField(read_only=True)
    access_opens_at = serializers.DateTimeField(
        source="access_window.opens_at",
        default=None,
        allow_null=True,
        help_text="When their access to shared evidence opens; null until they have a window.",
    )
    access_closes_at = serializers.DateTimeField(
        source="access_window.closes_at",
        default=None,
        allow_null=True,
        help_text="When their access to shared evidence closes; null until they have a window.",
    )

    class Meta:
        model = TeamMember
        fields = [
            "id",
            "user",
            "name",
            "team_role",
            "status",
            "has_declared",
            "declared_interest",
            "conflicting_organisation",
            "conflict_unresolved",
            "mitigation",
            "access_opens_at",
            "access_closes_at",
        ]


# --- exchanges ------------------------------------------------------------------


class ProposeInput(serializers.Serializer[Any]):
    partnership = serializers.SlugField(help_text="Your partnership (you must be its lead).")
    partners = serializers.ListField(child=serializers.SlugField(), min_length=1, max_length=2)
    handbook_version = serializers.IntegerField()
    fieldwork_starts_on = serializers.DateField()
    fieldwork_ends_on = serializers.DateField()
    message = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ExchangeListApi(ListAPIView[Exchange]):
    """Exchanges your partnerships take part in."""

    serializer_class = ExchangeSerializer

    def get_queryset(self) -> Any:
        return selectors.exchange_list(actor=actor_of(self.request))

    @extend_schema(request=ProposeInput, responses={201: ExchangeSerializer})
    def post(self, request: Request) -> Response:
        data = validated(ProposeInput, request)
        exchange = services.exchange_propose(
            actor=actor_of(request),
            partnership_slug=data["partnership"],
            partner_slugs=data["partners"],
            handbook_version_id=data["handbook_version"],
            fieldwork_starts_on=data["fieldwork_starts_on"],
            fieldwork_ends_on=data["fieldwork_ends_on"],
            message=data.get("message", ""),
        )
        exchange = selectors.exchange_get(actor=actor_of(request), exchange_id=exchange.pk)
        return Response(ExchangeSerializer(exchange).data, status=status.HTTP_201_CREATED)


class ExchangeDetailApi(APIView):
    @extend_schema(responses=ExchangeSerializer)
    def get(self, request: Request, exchange_id: int) -> Response:
        exchange = selectors.exchange_get(actor=actor_of(request), exchange_id=exchange_id)
        return Response(ExchangeSerializer(exchange).data)


class AnswerInput(serializers.Serializer[Any]):
    partnership = serializers.SlugField(
        help_text="The partnership you answer for (you must be its lead)."
    )
    accept = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ExchangeAnswerApi(APIView):
    @extend_schema(request=AnswerInput, responses=ExchangeSerializer)
    def post(self, request: Request, exchange_id: int) -> Response:
        data = validated(AnswerInput, request)
        services.exchange_answer(
            actor=actor_of(request),
            exchange_id=exchange_id,
            partnership_slug=data["partnership"],
            accept=data["accept"],
            note=data.get("note", ""),
        )
        exchange = selectors.exchange_get(actor=actor_of(request), exchange_id=exchange_id)
        return Response(ExchangeSerializer(exchange).data)


class ExchangeWithdrawApi(APIView):
    @extend_schema(request=None, responses=ExchangeSerializer)
    def post(self, request: Request, exchange_id: int) -> Response:
        services.exchange_withdraw(actor=actor_of(request), exchange_id=exchange_id)
        exchange = selectors.exchange_get(actor=actor_of(request), exchange_id=exchange_id)
        return Response(ExchangeSerializer(exchange).data)


# --- reviews --------------------------------------------------------------------


class ReviewListApi(ListAPIView[Review]):
    """Reviews of or by your partnerships, or whose team you are on."""

    serializer_class = ReviewSummarySerializer

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=Review.Status.values)])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        wanted = self.request.query_params.get("status") or None
        if wanted is not None and wanted not in Review.Status.values:
            raise serializers.ValidationError({"status": [f"Unknown status '{wanted}'."]})
        return selectors.review_list(actor=actor_of(self.request), status=wanted)


def _review(request: Request, review_id: int) -> Review:
    return selectors.review_get(actor=actor_of(request), review_id=review_id)


class ReviewDetailApi(APIView):
    @extend_schema(responses=ReviewSerializer)
    def get(self, request: Request, review_id: int) -> Response:
        return Response(ReviewSerializer(_review(request, review_id)).data)


class TransitionInput(serializers.Serializer[Any]):
    to_status = serializers.ChoiceField(choices=Review.Status.choices)


class ReviewTransitionApi(APIView):
    @extend_schema(request=TransitionInput, responses=ReviewSerializer)
    def post(self, request: Request, review_id: int) -> Response:
        data = validated(TransitionInput, request)
        services.review_transition(
            actor=actor_of(request), review_id=review_id, to_status=data["to_status"]
        )
        return Response(ReviewSerializer(_review(request, review_id)).data)


class LocalAreaInput(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    key_question = serializers.CharField(max_length=2000)


class ScopeInput(serializers.Serializer[Any]):
    handbook_areas = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)
    local_areas = LocalAreaInput(many=True, required=False)


class ReviewScopeApi(APIView):
    @extend_schema(request=ScopeInput, responses=ReviewSerializer)
    def put(self, request: Request, review_id: int) -> Response:
        data = validated(ScopeInput, request)
        services.scope_set(
            actor=actor_of(request),
            review_id=review_id,
            handbook_area_ids=data["handbook_areas"],
            local_areas=[(a["title"], a["key_question"]) for a in data.get("local_areas", [])],
        )
        return Response(ReviewSerializer(_review(request, review_id)).data)


class ReviewScopeConfirmApi(APIView):
    @extend_schema(request=None, responses=ReviewSerializer)
    def post(self, request: Request, review_id: int) -> Response:
        services.scope_confirm(actor=actor_of(request), review_id=review_id)
        return Response(ReviewSerializer(_review(request, review_id)).data)


class PhaseDatesInput(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=Phase.Kind.choices)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()


class RescheduleInput(serializers.Serializer[Any]):
    phases = PhaseDatesInput(many=True, allow_empty=False)
    reason = serializers.CharField(max_length=300)


class ReviewRescheduleApi(APIView):
    @extend_schema(request=RescheduleInput, responses=ReviewSerializer)
    def post(self, request: Request, review_id: int) -> Response:
        data = validated(RescheduleInput, request)
        services.phases_reschedule(
            actor=actor_of(request),
            review_id=review_id,
            reason=data["reason"],
            new_dates={p["kind"]: (p["starts_on"], p["ends_on"]) for p in data["phases"]},
        )
        return Response(ReviewSerializer(_review(request, review_id)).data)


class ReviewCalendarApi(APIView):
    """The review's phases as an iCalendar file."""

    @extend_schema(responses={(200, "text/calendar"): str})
    def get(self, request: Request, review_id: int) -> HttpResponse:
        review = _review(request, review_id)
        response = HttpResponse(
            review_ics(review, host=request.get_host()), content_type="text/calendar"
        )
        response["Content-Disposition"] = f'attachment; filename="review-{review.pk}.ics"'
        return response


# --- team -----------------------------------------------------------------------


class AddMemberInput(serializers.Serializer[Any]):
    user = serializers.IntegerField(
        help_text="Id of a member of the reviewing partnership or an independent adviser."
    )
    team_role = serializers.ChoiceField(choices=TeamMember.TeamRole.choices)


class TeamPagination(CursorPagination):
    # The team page's order; the id breaks ties, so pages never skip a member.
    ordering = ("status", "added_at", "id")


class TeamApi(ListAPIView[TeamMember]):
    """The review's team, paged like every other list; POST adds a member."""

    serializer_class = TeamMemberSerializer
    pagination_class = TeamPagination
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        return selectors.team_list(review=_review(self.request, self.kwargs["review_id"]))

    @extend_schema(request=AddMemberInput, responses={201: TeamMemberSerializer})
    def post(self, request: Request, review_id: int) -> Response:
        data = validated(AddMemberInput, request)
        member = services.team_member_add(
            actor=actor_of(request),
            review_id=review_id,
            user_id=data["user"],
            team_role=data["team_role"],
        )
        return Response(TeamMemberSerializer(member).data, status=status.HTTP_201_CREATED)


class DeclareInput(serializers.Serializer[Any]):
    has_interest = serializers.BooleanField()
    details = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class DeclareApi(APIView):
    @extend_schema(request=DeclareInput, responses=TeamMemberSerializer)
    def post(self, request: Request, review_id: int, member_id: int) -> Response:
        data = validated(DeclareInput, request)
        member = services.team_member_declare(
            actor=actor_of(request),
            review_id=review_id,
            member_id=member_id,
            has_interest=data["has_interest"],
            details=data.get("details", ""),
        )
        return Response(TeamMemberSerializer(member).data)


class MitigateInput(serializers.Serializer[Any]):
    mitigation = serializers.CharField(max_length=2000)


class MitigateApi(APIView):
    @extend_schema(request=MitigateInput, responses=TeamMemberSerializer)
    def post(self, request: Request, review_id: int, member_id: int) -> Response:
        data = validated(MitigateInput, request)
        member = services.team_member_mitigate(
            actor=actor_of(request),
            review_id=review_id,
            member_id=member_id,
            mitigation=data["mitigation"],
        )
        return Response(TeamMemberSerializer(member).data)


class RemoveMemberApi(APIView):
    @extend_schema(request=None, responses=TeamMemberSerializer)
    def post(self, request: Request, review_id: int, member_id: int) -> Response:
        member = services.team_member_remove(
            actor=actor_of(request), review_id=review_id, member_id=member_id
        )
        return Response(TeamMemberSerializer(member).data)


class WindowInput(serializers.Serializer[Any]):
    opens_at = serializers.DateTimeField(allow_null=True)
    closes_at = serializers.DateTimeField(allow_null=True)


class WindowApi(APIView):
    """The reviewed partnership's lead sets one member's access window (null, null: default)."""

    @extend_schema(request=WindowInput, responses=TeamMemberSerializer)
    def put(self, request: Request, review_id: int, member_id: int) -> Response:
        data = validated(WindowInput, request)
        member = services.team_member_set_window(
            actor=actor_of(request),
            review_id=review_id,
            member_id=member_id,
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
        )
        member.refresh_from_db()
        return Response(TeamMemberSerializer(member).data)
