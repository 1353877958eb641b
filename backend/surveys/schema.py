"""GraphQL for surveys: the same selectors and services as the pages and REST.
Results are typed (n, percent, interval bounds, small-sample flag, comparisons,
and breakdown cells with their suppression state and reason: a suppressed cell has
no result)."""

from __future__ import annotations

from typing import Any

import graphene

from core.errors import NotFound
from core.schema import ServiceMutation
from tenancy.access import actor_of

from . import selectors, services
from .models import Survey
from .scales import Scale
from .selectors import Cell, QuestionResult, SurveyResults
from .services import LocalQuestion
from .stats import Comparison, Proportion

SurveyScale = graphene.Enum.from_enum(Scale, name="SurveyScale")


class BankQuestionType(graphene.ObjectType):
    code = graphene.String(required=True)
    version = graphene.Int(required=True)
    text = graphene.String(required=True)
    scale = graphene.String(required=True)
    area_of_focus = graphene.String(required=True)


class SurveyQuestionType(graphene.ObjectType):
    position = graphene.Int(required=True)
    code = graphene.String(description="The bank code; null for a local question.")
    text = graphene.String(required=True)
    scale = graphene.String(required=True)

    @staticmethod
    def resolve_text(root: Any, info: Any) -> str:
        return str(root.wording)


class SurveyType(graphene.ObjectType):
    id = graphene.ID(required=True)
    title = graphene.String(required=True)
    partnership_name = graphene.String(required=True)
    review_id = graphene.ID()
    opens_at = graphene.DateTime(required=True)
    closes_at = graphene.DateTime(required=True)
    is_open = graphene.Boolean(required=True)
    response_count = graphene.Int()
    questions = graphene.List(graphene.NonNull(SurveyQuestionType), required=True)

    @staticmethod
    def resolve_partnership_name(root: Survey, info: Any) -> str:
        return root.partnership.name

    @staticmethod
    def resolve_is_open(root: Survey, info: Any) -> bool:
        return root.is_open()

    @staticmethod
    def resolve_questions(root: Survey, info: Any) -> list[Any]:
        return selectors.survey_questions(root)


class ProportionType(graphene.ObjectType):
    n = graphene.Int(required=True)
    positive = graphene.Int(required=True)
    percent = graphene.Float()
    interval_low = graphene.Float()
    interval_high = graphene.Float()
    small_sample = graphene.Boolean(required=True)

    @staticmethod
    def resolve_n(root: Proportion, info: Any) -> int:
        return root.answered

    @staticmethod
    def resolve_interval_low(root: Proportion, info: Any) -> float | None:
        return root.low

    @staticmethod
    def resolve_interval_high(root: Proportion, info: Any) -> float | None:
        return root.high


class ComparisonType(graphene.ObjectType):
    baseline = graphene.String(required=True)
    kind = graphene.String(required=True)
    baseline_result = graphene.Field(ProportionType, required=True)
    p_value = graphene.Float(required=True)
    direction = graphene.String(required=True)
    words = graphene.String(required=True)

    @staticmethod
    def resolve_baseline(root: Comparison, info: Any) -> str:
        return root.label

    @staticmethod
    def resolve_baseline_result(root: Comparison, info: Any) -> Proportion:
        return root.baseline


class BreakdownCellType(graphene.ObjectType):
    group = graphene.String(required=True)
    label = graphene.String(required=True)
    suppressed = graphene.Boolean(required=True)
    suppression = graphene.String(required=True)
    suppression_reason = graphene.String(required=True)
    result = graphene.Field(ProportionType)

    @staticmethod
    def resolve_suppression(root: Cell, info: Any) -> str:
        return root.state.value

    @staticmethod
    def resolve_suppression_reason(root: Cell, info: Any) -> str:
        return root.reason


class QuestionResultType(graphene.ObjectType):
    position = graphene.Int(required=True)
    code = graphene.String()
    text = graphene.String(required=True)
    positive_means = graphene.String(required=True)
    result = graphene.Field(ProportionType)
    comparisons = graphene.List(graphene.NonNull(ComparisonType), required=True)
    by_sector = graphene.List(graphene.NonNull(BreakdownCellType), required=True)
    by_role_level = graphene.List(graphene.NonNull(BreakdownCellType), required=True)
    comments = graphene.List(graphene.NonNull(graphene.String), required=True)
    comment_count = graphene.Int(required=True)

    @staticmethod
    def resolve_position(root: QuestionResult, info: Any) -> int:
        return root.question.position

    @staticmethod
    def resolve_text(root: QuestionResult, info: Any) -> str:
        return root.question.wording

    @staticmethod
    def resolve_positive_means(root: QuestionResult, info: Any) -> str:
        return root.positive_label

    @staticmethod
    def resolve_by_role_level(root: QuestionResult, info: Any) -> list[Cell]:
        return root.by_role


class SurveyResultsType(graphene.ObjectType):
    survey_id = graphene.ID(required=True)
    respondents = graphene.Int(required=True)
    questions = graphene.List(graphene.NonNull(QuestionResultType), required=True)

    @staticmethod
    def resolve_survey_id(root: SurveyResults, info: Any) -> int:
        return root.survey.pk


class Query(graphene.ObjectType):
    survey_question_bank = graphene.List(graphene.NonNull(BankQuestionType), required=True)
    surveys = graphene.List(graphene.NonNull(SurveyType), required=True)
    survey = graphene.Field(SurveyType, id=graphene.ID(required=True))
    survey_results = graphene.Field(SurveyResultsType, survey=graphene.ID(required=True))

    @staticmethod
    def resolve_survey_question_bank(root: Any, info: Any) -> list[Any]:
        if not actor_of(info.context).is_authenticated:
            return []
        return list(selectors.bank_question_list())

    @staticmethod
    def resolve_surveys(root: Any, info: Any) -> list[Survey]:
        return list(selectors.survey_list(actor=actor_of(info.context))[:200])

    @staticmethod
    def resolve_survey(root: Any, info: Any, id: str) -> Survey | None:
        try:
            return selectors.survey_get(actor=actor_of(info.context), survey_id=id)
        except NotFound:
            return None

    @staticmethod
    def resolve_survey_results(root: Any, info: Any, survey: str) -> SurveyResults | None:
        actor = actor_of(info.context)
        try:
            results = selectors.survey_results(actor=actor, survey_id=survey)
        except NotFound:
            return None
        services.results_viewed(actor=actor, survey=results.survey)
        return results


class LocalQuestionInput(graphene.InputObjectType):
    text = graphene.String(required=True)
    scale = SurveyScale(required=True)


class CreateSurvey(ServiceMutation):
    class Arguments:
        partnership = graphene.ID(required=True)
        title = graphene.String(required=True)
        opens_at = graphene.DateTime(required=True)
        closes_at = graphene.DateTime(required=True)
        bank_codes = graphene.List(graphene.NonNull(graphene.String), required=True)
        local_questions = graphene.List(graphene.NonNull(LocalQuestionInput))
        review = graphene.ID()
        previous = graphene.ID()

    survey = graphene.Field(SurveyType)

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> CreateSurvey:
        survey = services.survey_create(
            actor=actor_of(info.context),
            partnership_id=a["partnership"],
            title=a["title"],
            opens_at=a["opens_at"],
            closes_at=a["closes_at"],
            bank_codes=a["bank_codes"],
            local_questions=[
                LocalQuestion(q.text, getattr(q.scale, "value", q.scale))
                for q in a.get("local_questions") or []
            ],
            review_id=a.get("review"),
            previous_id=a.get("previous"),
        )
        return CreateSurvey(errors=[], survey=survey)


class CreateSurveyInvitations(ServiceMutation):
    """One-time links (their tokens, returned once: only hashes are kept)."""

    class Arguments:
        survey = graphene.ID(required=True)
        count = graphene.Int(required=True)
        days = graphene.Int()

    tokens = graphene.List(graphene.NonNull(graphene.String))

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> CreateSurveyInvitations:
        tokens = services.invitations_create(
            actor=actor_of(info.context),
            survey_id=a["survey"],
            count=a["count"],
            days=a.get("days", 14),
        )
        return CreateSurveyInvitations(errors=[], tokens=tokens)


class BaselineCountInput(graphene.InputObjectType):
    code = graphene.String(required=True)
    answered = graphene.Int(required=True)
    positive = graphene.Int(required=True)


class AddSurveyBaseline(ServiceMutation):
    """Another survey's results entered as counts (the national survey, say)."""

    class Arguments:
        survey = graphene.ID(required=True)
        label = graphene.String(required=True)
        respondents = graphene.Int(required=True)
        counts = graphene.List(graphene.NonNull(BaselineCountInput), required=True)

    baseline_id = graphene.ID()

    @classmethod
    def perform(cls, root: Any, info: Any, **a: Any) -> AddSurveyBaseline:
        baseline = services.baseline_add(
            actor=actor_of(info.context),
            survey_id=a["survey"],
            label=a["label"],
            respondents=a["respondents"],
            counts={c.code: (c.answered, c.positive) for c in a["counts"]},
        )
        return AddSurveyBaseline(errors=[], baseline_id=baseline.pk)


class Mutation(graphene.ObjectType):
    create_survey = CreateSurvey.Field()
    create_survey_invitations = CreateSurveyInvitations.Field()
    add_survey_baseline = AddSurveyBaseline.Field()
