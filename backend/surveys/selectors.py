"""Reads for surveys: the bank, a partnership's surveys, and a survey's results.

Every tenant read starts from tenancy.access. Results are aggregated in SQL (counts
per question, per question and sector, per question and role level, with the
positive answers counted by a condition), so their cost does not grow with the
number of responses: a fixed number of queries for 10 or 10,000.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from core.errors import NotFound
from tenancy import access
from tenancy.access import Actor

from . import policies
from .models import Answer, BankQuestion, Baseline, Response, Survey, SurveyQuestion
from .scales import POSITIVE, SCALES, RoleLevel, Scale, Sector
from .stats import (
    SUPPRESSION_REASONS,
    BaselineKind,
    Comparison,
    Proportion,
    Suppression,
    compare,
    proportion,
    suppress,
)

# The newest free-text answers a results page lists (all are in the downloads).
COMMENTS_SHOWN = 100


def bank_question_list() -> QuerySet[BankQuestion]:
    """The current version of every banked question (shared by all partnerships)."""
    return BankQuestion.objects.filter(is_current=True).order_by("area_of_focus", "code")


def _id(raw: object) -> int | None:
    try:
        value = int(str(raw))
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def survey_list(*, actor: Actor, partnership_id: object | None = None) -> QuerySet[Survey]:
    """Surveys the actor may see, newest first, each with `response_count`."""
    responses = (
        Response.objects.filter(survey=OuterRef("pk"))
        .order_by()
        .values("survey")
        .annotate(n=Count("pk"))
        .values("n")
    )
    surveys = access.visible(actor, Survey)
    if partnership_id not in (None, ""):
        surveys = surveys.filter(partnership_id=_id(partnership_id) or 0)
    return (
        surveys.select_related("partnership", "review__reviewing_partnership")
        .prefetch_related(
            Prefetch("questions", queryset=SurveyQuestion.objects.select_related("bank_question"))
        )
        .annotate(response_count=Coalesce(Subquery(responses), 0))
        .order_by("-opens_at", "-id")
    )


def survey_get(*, actor: Actor, survey_id: object) -> Survey:
    """One survey with its questions. NotFound, the same error, whether it does not
    exist or the actor may not see it (a team whose window has closed included)."""
    pk = _id(survey_id)
    survey = survey_list(actor=actor).filter(pk=pk).first() if pk is not None else None
    if survey is None:
        raise NotFound()
    return survey


def survey_questions(survey: Survey) -> list[SurveyQuestion]:
    """In order (prefetched with the bank's wording by survey_list and survey_get)."""
    return sorted(survey.questions.all(), key=lambda q: q.position)


@dataclass(frozen=True)
class SurveyPermissions:
    can_run: bool
    can_invite: bool
    can_import: bool


def survey_permissions(*, actor: Actor, surveys: Sequence[Survey]) -> dict[int, SurveyPermissions]:
    """Flags for a page of surveys the actor can see, by the rules of policies.py:
    one query for the page (the chokepoint's "change", as policies.may_run asks it
    of one survey), none for an actor with no role."""
    running = access.permitted_ids(actor, Survey, "change", [s.pk for s in surveys])
    flags = {}
    for survey in surveys:
        runs = survey.pk in running
        flags[survey.pk] = SurveyPermissions(
            can_run=runs,
            can_invite=runs and policies.still_inviting(survey),
            can_import=runs,
        )
    return flags


# --- results ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One group of a breakdown (a sector or a role level) for one question."""

    group: str
    label: str
    state: Suppression
    result: Proportion | None  # None when suppressed

    @property
    def suppressed(self) -> bool:
        return self.state != Suppression.SHOWN

    @property
    def reason(self) -> str:
        return SUPPRESSION_REASONS[self.state]


@dataclass(frozen=True)
class QuestionResult:
    question: SurveyQuestion
    result: Proportion | None  # None for free text
    comparisons: list[Comparison]
    by_sector: list[Cell]
    by_role: list[Cell]
    comments: list[str]
    comment_count: int

    @property
    def code(self) -> str | None:
        return self.question.code

    @property
    def positive_label(self) -> str:
        return SCALES[self.question.scale].positive_label

    @property
    def is_free_text(self) -> bool:
        return self.question.scale == Scale.FREE_TEXT


@dataclass(frozen=True)
class SurveyResults:
    survey: Survey
    respondents: int
    questions: list[QuestionResult]
    baselines: list[str]

    @property
    def rated(self) -> list[QuestionResult]:
        return [q for q in self.questions if not q.is_free_text]


def _counts(rows: Iterable[dict[str, Any]], *keys: str) -> dict[tuple[Any, ...], Proportion]:
    return {
        tuple(row[k] for k in keys): proportion(row["positive"], row["answered"]) for row in rows
    }


def _breakdown(
    counts: dict[tuple[Any, ...], Proportion],
    question_id: int,
    groups: type[Sector] | type[RoleLevel],
) -> list[Cell]:
    found = [counts.get((question_id, value)) for value in groups.values]
    states = suppress([cell.answered if cell else 0 for cell in found])
    return [
        Cell(
            group=str(value),
            label=str(label),
            state=state,
            result=None if state != Suppression.SHOWN else (cell or proportion(0, 0)),
        )
        for (value, label), cell, state in zip(groups.choices, found, states, strict=True)
    ]


def _rated_counts(question_ids: list[int], *group: str) -> list[dict[str, Any]]:
    """Answered and positive per question (and group): one GROUP BY with a conditional
    count, read through the (question, choice) index."""
    return list(
        Answer.objects.filter(question_id__in=question_ids)
        .exclude(choice="")
        .order_by()
        .values("question_id", *group)
        .annotate(answered=Count("pk"), positive=Count("pk", filter=Q(choice__in=POSITIVE)))
    )


def _baselines(survey: Survey) -> list[tuple[str, BaselineKind, dict[str, Proportion]]]:
    """Each baseline's proportions by bank code: the previous local survey (counted in
    SQL like this one) and the surveys entered as counts."""
    found: list[tuple[str, BaselineKind, dict[str, Proportion]]] = []
    if survey.previous_id is not None:
        rows = (
            Answer.objects.filter(
                question__survey_id=survey.previous_id, question__bank_question__isnull=False
            )
            .exclude(choice="")
            .order_by()
            .values("question__bank_question__code")
            .annotate(answered=Count("pk"), positive=Count("pk", filter=Q(choice__in=POSITIVE)))
        )
        by_code = {
            row["question__bank_question__code"]: proportion(row["positive"], row["answered"])
            for row in rows
        }
        previous = Survey.objects.filter(pk=survey.previous_id).values_list("title", flat=True)
        found.append((previous.first() or "Previous survey", BaselineKind.PREVIOUS, by_code))
    for baseline in Baseline.objects.filter(survey=survey).prefetch_related("counts"):
        found.append(
            (
                baseline.label,
                BaselineKind.NATIONAL,
                {c.code: proportion(c.positive, c.answered) for c in baseline.counts.all()},
            )
        )
    return found


def survey_results(*, actor: Actor, survey_id: object) -> SurveyResults:
    """A survey's results as the actor may see them: per question n, % positive and
    its Wilson interval, comparisons with each baseline, breakdowns by sector and
    role level with small groups suppressed, and the newest free-text answers.
    NotFound for a survey the actor may not see. A fixed number of queries."""
    survey = survey_get(actor=actor, survey_id=survey_id)
    questions = survey_questions(survey)
    ids = [q.pk for q in questions]
    totals = _counts(_rated_counts(ids), "question_id")
    sectors = _counts(_rated_counts(ids, "response__sector"), "question_id", "response__sector")
    roles = _counts(
        _rated_counts(ids, "response__role_level"), "question_id", "response__role_level"
    )
    free_ids = [q.pk for q in questions if q.scale == Scale.FREE_TEXT]
    comment_counts: dict[int, int] = {}
    comments: dict[int, list[str]] = defaultdict(list)
    if free_ids:
        written = Answer.objects.filter(question_id__in=free_ids).exclude(text="")
        comment_counts = dict(
            written.order_by()
            .values("question_id")
            .annotate(n=Count("pk"))
            .values_list("question_id", "n")
        )
        for question_id, text in written.order_by("-id").values_list("question_id", "text")[
            :COMMENTS_SHOWN
        ]:
            comments[question_id].append(text)
    baselines = _baselines(survey)
    results = []
    for question in questions:
        if question.scale == Scale.FREE_TEXT:
            results.append(
                QuestionResult(
                    question,
                    None,
                    [],
                    [],
                    [],
                    comments[question.pk],
                    comment_counts.get(question.pk, 0),
                )
            )
            continue
        this = totals.get((question.pk,), proportion(0, 0))
        comparisons = []
        if question.code is not None:
            for label, kind, by_code in baselines:
                other = by_code.get(question.code)
                found = compare(this, other, label=label, kind=kind) if other else None
                if found is not None:
                    comparisons.append(found)
        results.append(
            QuestionResult(
                question,
                this,
                comparisons,
                _breakdown(sectors, question.pk, Sector),
                _breakdown(roles, question.pk, RoleLevel),
                [],
                0,
            )
        )
    respondents = Response.objects.filter(survey=survey).count()
    return SurveyResults(survey, respondents, results, [label for label, _, _ in baselines])
