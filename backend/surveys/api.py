"""REST for surveys: the same selectors and services as the pages. Results are typed
fields: n, positive, percent, the interval bounds, the small-sample flag, each
comparison's p-value and words, and each breakdown cell's suppression state and
reason (a suppressed cell carries no figures at all)."""

from __future__ import annotations

import json
from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import validated
from core.errors import PermissionDenied, ValidationFailed
from tenancy.access import actor_of

from . import selectors, services
from .imports import default_mapping, read_table
from .models import Survey
from .scales import Scale
from .selectors import Cell, QuestionResult, SurveyPermissions, SurveyResults
from .services import LocalQuestion
from .stats import Proportion


def _proportion(result: Proportion | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {
        "n": result.answered,
        "positive": result.positive,
        "percent": result.percent,
        "interval_low": result.low,
        "interval_high": result.high,
        "small_sample": result.small_sample,
    }


def _cell(cell: Cell) -> dict[str, Any]:
    return {
        "group": cell.group,
        "label": cell.label,
        "suppressed": cell.suppressed,
        "suppression": cell.state.value,
        "suppression_reason": cell.reason,
        "result": _proportion(cell.result),
    }


def _question(item: QuestionResult) -> dict[str, Any]:
    return {
        "position": item.question.position,
        "code": item.code,
        "text": item.question.wording,
        "scale": item.question.scale,
        "positive_means": item.positive_label,
        "result": _proportion(item.result),
        "comparisons": [
            {
                "baseline": c.label,
                "kind": c.kind.value,
                "baseline_result": _proportion(c.baseline),
                "p_value": c.p_value,
                "test": "fisher_exact",
                "direction": c.direction.value,
                "words": c.words,
            }
            for c in item.comparisons
        ],
        "by_sector": [_cell(c) for c in item.by_sector],
        "by_role_level": [_cell(c) for c in item.by_role],
        "comments": item.comments,
        "comment_count": item.comment_count,
    }


def results_data(results: SurveyResults) -> dict[str, Any]:
    return {
        "survey": results.survey.pk,
        "respondents": results.respondents,
        "confidence": 0.95,
        "interval_method": "wilson",
        "questions": [_question(item) for item in results.questions],
    }


def survey_data(survey: Survey, flags: SurveyPermissions) -> dict[str, Any]:
    return {
        "id": survey.pk,
        "title": survey.title,
        "partnership": survey.partnership_id,
        "partnership_name": survey.partnership.name,
        "review": survey.review_id,
        "opens_at": serializers.DateTimeField().to_representation(survey.opens_at),
        "closes_at": serializers.DateTimeField().to_representation(survey.closes_at),
        "is_open": survey.is_open(),
        "response_count": getattr(survey, "response_count", None),
        "can_run": flags.can_run,
        "can_invite": flags.can_invite,
    }


@extend_schema(exclude=True)  # untyped bodies: kept out of the contract until typed
class BankQuestionsApi(APIView):
    def get(self, request: Request) -> Response:
        actor_of(request)  # signed in (the default permission) is all the bank needs
        return Response(
            [
                {
                    "code": q.code,
                    "version": q.version,
                    "text": q.text,
                    "scale": q.scale,
                    "area_of_focus": q.area_of_focus,
                }
                for q in selectors.bank_question_list()
            ]
        )


class LocalQuestionIn(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=300)
    scale = serializers.ChoiceField(choices=Scale.choices)


class SurveyIn(serializers.Serializer[Any]):
    partnership = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    bank_codes = serializers.ListField(child=serializers.CharField(max_length=40), max_length=50)
    local_questions = serializers.ListField(child=LocalQuestionIn(), required=False, max_length=20)
    review = serializers.IntegerField(required=False, allow_null=True)
    previous = serializers.IntegerField(required=False, allow_null=True)


@extend_schema(exclude=True)  # untyped bodies: kept out of the contract until typed
class SurveyListApi(APIView):
    def get(self, request: Request) -> Response:
        actor = actor_of(request)
        surveys = list(selectors.survey_list(actor=actor)[:200])
        flags = selectors.survey_permissions(actor=actor, surveys=surveys)
        return Response([survey_data(s, flags[s.pk]) for s in surveys])

    def post(self, request: Request) -> Response:
        actor = actor_of(request)
        data = validated(SurveyIn, request)
        survey = services.survey_create(
            actor=actor,
            partnership_id=data["partnership"],
            title=data["title"],
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            bank_codes=data["bank_codes"],
            local_questions=[
                LocalQuestion(q["text"], q["scale"]) for q in data.get("local_questions", [])
            ],
            review_id=data.get("review"),
            previous_id=data.get("previous"),
        )
        return Response(_one(request, survey.pk), status=status.HTTP_201_CREATED)


def _one(request: Request, survey_id: object) -> dict[str, Any]:
    actor = actor_of(request)
    survey = selectors.survey_get(actor=actor, survey_id=survey_id)
    flags = selectors.survey_permissions(actor=actor, surveys=[survey])[survey.pk]
    data = survey_data(survey, flags)
    data["questions"] = [
        {"position": q.position, "code": q.code, "text": q.wording, "scale": q.scale}
        for q in selectors.survey_questions(survey)
    ]
    return data


@extend_schema(exclude=True)  # untyped bodies: kept out of the contract until typed
class SurveyDetailApi(APIView):
    def get(self, request: Request, survey_id: int) -> Response:
        return Response(_one(request, survey_id))


@extend_schema(exclude=True)  # untyped bodies: kept out of the contract until typed
class SurveyResultsApi(APIView):
    def get(self, request: Request, survey_id: int) -> Response:
        actor = actor_of(request)
        results = selectors.survey_results(actor=actor, survey_id=survey_id)
        services.results_viewed(actor=actor, survey=results.survey)
        return Response(results_data(results))


class InvitationsIn(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    days = serializers.IntegerField(default=14)


@extend_schema(exclude=True)  # untyped bodies: kept out of the contract until typed
class InvitationsApi(APIView):
    def post(self, request: Request, survey_id: int) -> Response:
        data = validated(InvitationsIn, request)
        tokens = services.invitations_create(
            actor=actor_of(request), survey_id=survey_id, count=data["count"], days=data["days"]
        )
        links = [
            request.build_absolute_uri(reverse("surveys:respond-start", args=[token]))
            for token in tokens
        ]
        return Response({"links": links}, status=status.HTTP_201_CREATED)


class BaselineCountIn(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=40)
    answered = serializers.IntegerField()
    positive = serializers.IntegerField()


class BaselineIn(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    respondents = serializers.IntegerField()
    counts = serializers.ListField(child=BaselineCountIn(), max_length=50)


@extend_schema(exclude=True)  # untyped bodies: kept out of the contract until typed
class BaselinesApi(APIView):
    def post(self, request: Request, survey_id: int) -> Response:
        data = validated(BaselineIn, request)
        baseline = services.baseline_add(
            actor=actor_of(request),
            survey_id=survey_id,
            label=data["name"],
            respondents=data["respondents"],
            counts={c["code"]: (c["answered"], c["positive"]) for c in data["counts"]},
        )
        return Response(
            {"id": baseline.pk, "label": baseline.label}, status=status.HTTP_201_CREATED
        )


@extend_schema(exclude=True)  # untyped bodies: kept out of the contract until typed
class ImportApi(APIView):
    """A CSV or XLSX file (multipart `file`) and, optionally, `mapping`: a JSON object
    from column to question code, `sector`, `role_level` or `ignore` (columns named
    as codes map themselves). Every row or nothing: a refusal names each row."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def post(self, request: Request, survey_id: int) -> Response:
        actor = actor_of(request)
        survey = selectors.survey_get(actor=actor, survey_id=survey_id)
        if not selectors.survey_permissions(actor=actor, surveys=[survey])[survey.pk].can_import:
            raise PermissionDenied(
                f"Only the business managers and leads of {survey.partnership.name} import "
                "responses."
            )
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed(
                "Select a CSV or XLSX file", field_errors={"file": ["Select a CSV or XLSX file"]}
            )
        table = read_table(upload.name or "", upload, upload.size or 0)
        body = request.data if isinstance(request.data, dict) else {}
        raw = body.get("mapping") or "{}"
        try:
            mapping = json.loads(raw) if isinstance(raw, str) else dict(raw)
        except (TypeError, ValueError):
            mapping = None
        if not isinstance(mapping, dict):
            raise ValidationFailed(
                "The mapping must be a JSON object",
                field_errors={
                    "mapping": ["The mapping must be a JSON object from column to question code"]
                },
            )
        full = {**default_mapping(table.header, selectors.survey_questions(survey)), **mapping}
        count = services.responses_import(
            actor=actor, survey_id=survey.pk, header=table.header, rows=table.rows, mapping=full
        )
        return Response({"imported": count}, status=status.HTTP_201_CREATED)
