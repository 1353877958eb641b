"""Builders for surveys and their responses, shared by the survey tests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.utils import timezone

from surveys import services
from surveys.models import Answer, Response, Survey
from surveys.services import LocalQuestion
from tenancy.access import actor_for

CODES = ("collaboration_vision", "felt_supported", "what_would_help")


def open_survey(
    world,
    *,
    codes: Sequence[str] = CODES,
    local: Sequence[LocalQuestion] = (),
    review=None,
    title: str = "Professionals survey",
    days_open: int = 30,
) -> Survey:
    """Salford's survey, opened yesterday, set up by its lead through the service."""
    now = timezone.now()
    return services.survey_create(
        actor=actor_for(world.salford_lead),
        partnership_id=world.salford.pk,
        title=title,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=days_open),
        bank_codes=codes,
        local_questions=local,
        review_id=review.pk if review is not None else None,
    )


def add_responses(
    survey: Survey, rows: Iterable[tuple[str, str, dict[str, str]]]
) -> list[Response]:
    """Responses straight into the tables: (sector, role level, {code: choice or text})."""
    questions = {q.code or f"local-{q.position}": q for q in survey.questions.all()}
    rows = list(rows)
    responses = Response.objects.bulk_create(
        Response(survey=survey, sector=sector, role_level=role) for sector, role, _ in rows
    )
    answers = []
    for response, (_, _, given) in zip(responses, rows, strict=True):
        for code, value in given.items():
            question = questions[code]
            if question.scale == "free_text":
                answers.append(Answer(response=response, question=question, text=value))
            else:
                answers.append(Answer(response=response, question=question, choice=value))
    Answer.objects.bulk_create(answers, batch_size=5000)
    return responses


def collaboration(
    positive: int, total: int, sector: str = "health"
) -> list[tuple[str, str, dict[str, str]]]:
    """`total` responses of which `positive` rate collaboration effective."""
    return [
        (
            sector,
            "frontline",
            {"collaboration_vision": "effective" if i < positive else "ineffective"},
        )
        for i in range(total)
    ]
