"""REST for findings: thin views over findings.selectors and findings.services, the
same ones the pages use. Rows are plain dicts (findings.present), with the
policies' flags; a stale version answers 409 with both texts."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import validated
from reviews import selectors as review_selectors
from tenancy.access import Actor, actor_of

from . import selectors, services
from .models import Finding, ModerationDecision, Rating
from .present import criterion_data, finding_data, recommendation_data


def _one(actor: Actor, finding_id: object) -> dict[str, Any]:
    finding = selectors.finding_get(actor=actor, finding_id=finding_id)
    flags = selectors.finding_permissions(actor=actor, review=finding.review, findings=[finding])
    return finding_data(finding, flags[finding.pk])


class FindingInput(serializers.Serializer[Any]):
    area = serializers.IntegerField(help_text="An area of focus of the review.")
    kind = serializers.ChoiceField(choices=Finding.Kind.choices)
    text = serializers.CharField(allow_blank=True)
    rating = serializers.ChoiceField(choices=Rating.choices, required=False, allow_blank=True)
    themes = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Codes from /theme-tags/."
    )
    evidence = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Items of this review."
    )


class FindingUpdateInput(serializers.Serializer[Any]):
    version = serializers.IntegerField(help_text="The version you loaded.")
    kind = serializers.ChoiceField(choices=Finding.Kind.choices, required=False)
    text = serializers.CharField(allow_blank=True, required=False)
    rating = serializers.ChoiceField(choices=Rating.choices, required=False, allow_blank=True)
    themes = serializers.ListField(child=serializers.CharField(), required=False)
    evidence = serializers.ListField(child=serializers.IntegerField(), required=False)


class FindingListApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("area", int, description="Only this area of focus."),
            OpenApiParameter("status", str, enum=Finding.Status.values),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request, review_id: int) -> Response:
        """The review's findings you may see now, by area, kind and position."""
        actor = actor_of(request)
        review = review_selectors.review_get(actor=actor, review_id=review_id)
        rows = list(
            selectors.finding_list(
                actor=actor,
                review_id=review.pk,
                area_id=request.query_params.get("area"),
                status=request.query_params.get("status") or None,
            )
        )
        flags = selectors.finding_permissions(actor=actor, review=review, findings=rows)
        return Response({"results": [finding_data(f, flags[f.pk]) for f in rows]})

    @extend_schema(request=FindingInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, review_id: int) -> Response:
        """Draft a finding (the review team, while its access window is open)."""
        data = validated(FindingInput, request)
        actor = actor_of(request)
        finding = services.finding_create(
            actor=actor,
            review_id=review_id,
            area_id=data["area"],
            kind=data["kind"],
            text=data["text"],
            rating=data.get("rating", ""),
            theme_codes=data.get("themes", []),
            evidence_ids=data.get("evidence", []),
        )
        return Response(_one(actor, finding.pk), status=status.HTTP_201_CREATED)


class FindingDetailApi(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, finding_id: int) -> Response:
        return Response(_one(actor_of(request), finding_id))

    @extend_schema(request=FindingUpdateInput, responses=OpenApiTypes.OBJECT)
    def patch(self, request: Request, finding_id: int) -> Response:
        """Change a draft or proposed finding. A stale `version` answers 409 with the
        text saved since (`current_text`, `current_version`) and yours (`your_text`)."""
        data = validated(FindingUpdateInput, request)
        actor = actor_of(request)
        try:
            services.finding_update(
                actor=actor,
                finding_id=finding_id,
                version=data["version"],
                text=data.get("text"),
                kind=data.get("kind"),
                rating=data.get("rating"),
                theme_codes=data.get("themes"),
                evidence_ids=data.get("evidence"),
            )
        except services.EditConflict as exc:
            return Response(
                {
                    "detail": exc.message,
                    "code": exc.code,
                    "current_text": exc.current_text,
                    "current_version": exc.current_version,
                    "your_text": exc.your_text,
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(_one(actor, finding_id))

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, finding_id: int) -> Response:
        services.finding_delete(actor=actor_of(request), finding_id=finding_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class FindingProposeApi(APIView):
    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, finding_id: int) -> Response:
        """Propose a draft for moderation (evidence of enough different kinds first)."""
        actor = actor_of(request)
        services.finding_propose(actor=actor, finding_id=finding_id)
        return Response(_one(actor, finding_id))


class QuoteInput(serializers.Serializer[Any]):
    text = serializers.CharField(allow_blank=True)
    attributed_to = serializers.CharField(allow_blank=True, help_text="A role or agency.")
    consent = serializers.BooleanField()
    group_size = serializers.IntegerField(required=False, allow_null=True)


class QuoteApi(APIView):
    @extend_schema(request=QuoteInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, finding_id: int) -> Response:
        data = validated(QuoteInput, request)
        actor = actor_of(request)
        services.quote_add(
            actor=actor,
            finding_id=finding_id,
            text=data["text"],
            attributed_to=data["attributed_to"],
            consent=data["consent"],
            group_size=data.get("group_size"),
        )
        return Response(_one(actor, finding_id), status=status.HTTP_201_CREATED)


class MeetingInput(serializers.Serializer[Any]):
    held_on = serializers.DateField()
    attendees = serializers.ListField(child=serializers.IntegerField())
    notes = serializers.CharField(allow_blank=True, required=False)


class MeetingApi(APIView):
    @extend_schema(request=MeetingInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, review_id: int) -> Response:
        """Record a moderation meeting of the review team."""
        data = validated(MeetingInput, request)
        meeting = services.moderation_meeting_record(
            actor=actor_of(request),
            review_id=review_id,
            held_on=data["held_on"],
            attendee_ids=data["attendees"],
            notes=data.get("notes", ""),
        )
        return Response(
            {"id": meeting.pk, "held_on": meeting.held_on.isoformat()},
            status=status.HTTP_201_CREATED,
        )


class DecisionInput(serializers.Serializer[Any]):
    meeting = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=ModerationDecision.Outcome.choices)
    amended_text = serializers.CharField(allow_blank=True, required=False)
    dissent = serializers.CharField(allow_blank=True, required=False)


class ModerateApi(APIView):
    @extend_schema(request=DecisionInput, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, finding_id: int) -> Response:
        """Agree, amend or reject a proposed finding at a meeting."""
        data = validated(DecisionInput, request)
        actor = actor_of(request)
        services.finding_moderate(
            actor=actor,
            finding_id=finding_id,
            meeting_id=data["meeting"],
            outcome=data["outcome"],
            amended_text=data.get("amended_text", ""),
            dissent=data.get("dissent", ""),
        )
        return Response(_one(actor, finding_id))


class FindingsPublishInput(serializers.Serializer[Any]):
    confirm = serializers.BooleanField()


class PublishApi(APIView):
    @extend_schema(request=FindingsPublishInput, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, review_id: int) -> Response:
        """Publish the agreed findings and the review (the reviewing partnership's lead)."""
        data = validated(FindingsPublishInput, request)
        count = services.findings_publish(
            actor=actor_of(request), review_id=review_id, confirmed=data["confirm"]
        )
        return Response({"published": count})


class CorrectionInput(serializers.Serializer[Any]):
    text = serializers.CharField(allow_blank=True)
    reason = serializers.CharField(allow_blank=True)


class CorrectApi(APIView):
    @extend_schema(request=CorrectionInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, finding_id: int) -> Response:
        """Publish a correction of a published finding (a new version)."""
        data = validated(CorrectionInput, request)
        actor = actor_of(request)
        correction = services.finding_correct(
            actor=actor, finding_id=finding_id, text=data["text"], reason=data["reason"]
        )
        return Response(_one(actor, correction.pk), status=status.HTTP_201_CREATED)


class CommentInput(serializers.Serializer[Any]):
    text = serializers.CharField(allow_blank=True)


class CommentApi(APIView):
    @extend_schema(request=CommentInput, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, finding_id: int) -> Response:
        """A factual-accuracy comment (the reviewed partnership's lead, during the check)."""
        data = validated(CommentInput, request)
        actor = actor_of(request)
        services.finding_comment(actor=actor, finding_id=finding_id, text=data["text"])
        return Response(_one(actor, finding_id), status=status.HTTP_201_CREATED)


class ThemeTagApi(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        """The theme vocabulary every partnership shares (stable codes)."""
        return Response(
            {
                "results": [
                    {"code": t.code, "label": t.label, "description": t.description}
                    for t in selectors.theme_list()
                ]
            }
        )


class CriteriaApi(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, review_id: int) -> Response:
        """The review's success criteria, with the assessments you may see."""
        actor = actor_of(request)
        review = review_selectors.review_get(actor=actor, review_id=review_id)
        rows = selectors.criterion_list(actor=actor, review=review)
        return Response({"results": [criterion_data(c) for c in rows]})


class NextStepsApi(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, review_id: int) -> Response:
        """The review's recommendations you may see, with their answers and actions."""
        actor = actor_of(request)
        review = review_selectors.review_get(actor=actor, review_id=review_id)
        rows = selectors.recommendation_list(actor=actor, review=review)
        return Response({"results": [recommendation_data(r) for r in rows]})
