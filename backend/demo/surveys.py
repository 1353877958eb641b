"""Demo surveys: Salford's 2020 professionals survey as the reference report gives it,
the national early adopter survey it was compared with, and Bolton's survey open now.

- Salford 2020: 53 respondents; 41 of 53 (77%) rated collaboration and co-owning the
  vision effective or very effective, 48 of 53 (91%) felt supported and knew where to
  go for information (DOMAIN.md). The spread of the other answers, the sectors and
  role levels are ILLUSTRATIVE; the police group has 4 respondents, so the breakdown
  shows it suppressed.
- The national early adopter survey (February 2019): 70 respondents, entered as
  counts. The report says Salford's 77% was "the same as before"; the national counts
  here (54 of 70 and 61 of 70) are ILLUSTRATIVE figures consistent with that.
- Bolton: a survey open now, with one invitation link and one open link whose tokens
  are published (printed by `manage.py demo_banner`, like the demo password).

Self-contained (it needs only the demo partnerships, and the 2020 reviews if present)
and idempotent: each survey is found by partnership and title.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from core.dates import LONDON
from demo.partnerships import DEMO_ADDRESS, require_demo_mode
from reviews.models import Review
from surveys.bank import load as load_bank
from surveys.models import (
    Answer,
    BankQuestion,
    Baseline,
    BaselineCount,
    Invitation,
    Response,
    Survey,
    SurveyQuestion,
)
from surveys.scales import RoleLevel, Sector
from surveys.services import token_hash
from tenancy.models import Partnership

SALFORD_TITLE = "Professionals survey 2020"
BOLTON_TITLE = "Professionals survey 2026"
NATIONAL_LABEL = "National early adopter survey (February 2019)"
# Published on purpose, as the demo password is: demo_banner prints the links.
DEMO_INVITATION_TOKEN = "demo-bolton-invitation-2026"  # noqa: S105 - a published demo token
DEMO_OPEN_TOKEN = "demo-bolton-open-link-2026"  # noqa: S105 - a published demo token

# Salford 2020, respondent by respondent: (sector, role level) counts.
SECTORS = [
    (Sector.LOCAL_AUTHORITY, 15),
    (Sector.HEALTH, 14),
    (Sector.EDUCATION, 12),
    (Sector.VOLUNTARY, 6),
    (Sector.POLICE, 4),
    (Sector.OTHER, 2),
]
ROLES = [(RoleLevel.FRONTLINE, 30), (RoleLevel.MANAGER, 15), (RoleLevel.SENIOR, 8)]
# Answers to each banked question, as (choice, count); 53 each.
ANSWERS = {
    "collaboration_vision": [
        ("very_effective", 12),
        ("effective", 29),
        ("neither_effective", 7),
        ("ineffective", 4),
        ("very_ineffective", 1),
    ],
    "felt_supported": [
        ("strongly_agree", 20),
        ("agree", 28),
        ("neither_agree", 3),
        ("disagree", 2),
    ],
    "impact_arrangements": [
        ("very_effective", 6),
        ("effective", 27),
        ("neither_effective", 14),
        ("ineffective", 6),
    ],
}
COMMENTS = [
    "More joint training across health and children's social care.",
    "Clearer feedback after we make a referral.",
    "Share the learning from rapid reviews sooner.",
    "Fewer meetings that repeat each other.",
]
NATIONAL = {"collaboration_vision": (70, 54), "felt_supported": (70, 61)}


@dataclass(frozen=True)
class SurveysSummary:
    surveys: int
    responses: int


def _at(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON)


def _questions(survey: Survey, codes: list[str]) -> list[SurveyQuestion]:
    bank = {q.code: q for q in BankQuestion.objects.filter(code__in=codes, is_current=True)}
    return SurveyQuestion.objects.bulk_create(
        SurveyQuestion(survey=survey, position=i, bank_question=bank[code], scale=bank[code].scale)
        for i, code in enumerate(codes, start=1)
    )


def _expand(counts: Sequence[tuple[str, int]]) -> list[str]:
    return [value for value, count in counts for _ in range(count)]


def _salford_2020(salford: Partnership) -> None:
    review = Review.objects.filter(
        reviewed_partnership=salford, reviewing_partnership__slug="bolton"
    ).first()
    survey = Survey.objects.create(
        partnership=salford,
        review=review,
        title=SALFORD_TITLE,
        opens_at=_at(date(2020, 8, 3)),
        closes_at=_at(date(2020, 9, 19)),
        created_at=_at(date(2020, 7, 27)),
    )
    questions = _questions(survey, [*ANSWERS, "what_would_help"])
    sectors, roles = _expand(SECTORS), _expand(ROLES)
    responses = Response.objects.bulk_create(
        Response(
            survey=survey,
            sector=sector,
            role_level=role,
            submitted_on=date(2020, 8, 3) + timedelta(days=i % 40),
        )
        for i, (sector, role) in enumerate(zip(sectors, roles, strict=True))
    )
    answers = []
    for question in questions[: len(ANSWERS)]:
        choices = _expand(ANSWERS[question.code or ""])
        # Spread over the respondents so that no group answers alike.
        offset = question.position * 7
        answers += [
            Answer(response=responses[(i + offset) % len(responses)], question=question, choice=c)
            for i, c in enumerate(choices)
        ]
    answers += [
        Answer(response=responses[i * 11], question=questions[-1], text=text)
        for i, text in enumerate(COMMENTS)
    ]
    Answer.objects.bulk_create(answers)
    baseline = Baseline.objects.create(survey=survey, label=NATIONAL_LABEL, respondents=70)
    BaselineCount.objects.bulk_create(
        BaselineCount(baseline=baseline, code=code, answered=answered, positive=positive)
        for code, (answered, positive) in NATIONAL.items()
    )


def _bolton_now(bolton: Partnership) -> None:
    today = timezone.localdate()
    review = Review.objects.filter(reviewed_partnership=bolton).order_by("-created_at").first()
    survey = Survey.objects.create(
        partnership=bolton,
        review=review,
        title=BOLTON_TITLE,
        opens_at=_at(today - timedelta(days=7)),
        closes_at=_at(today + timedelta(days=30)),
        open_token_hash=token_hash(DEMO_OPEN_TOKEN),
        previous=None,
    )
    _questions(survey, [*ANSWERS, "escalation_known", "what_would_help"])
    Invitation.objects.create(
        survey=survey, token_hash=token_hash(DEMO_INVITATION_TOKEN), expires_at=survey.closes_at
    )


@transaction.atomic
def demo_seed_surveys() -> SurveysSummary:
    require_demo_mode()
    from django.apps import apps

    load_bank(apps)
    places = {p.slug: p for p in Partnership.objects.filter(slug__in=("salford", "bolton"))}
    salford, bolton = places.get("salford"), places.get("bolton")
    if salford and not Survey.objects.filter(partnership=salford, title=SALFORD_TITLE).exists():
        _salford_2020(salford)
    if bolton and not Survey.objects.filter(partnership=bolton, title=BOLTON_TITLE).exists():
        _bolton_now(bolton)
    return SurveysSummary(surveys=Survey.objects.count(), responses=Response.objects.count())


def demo_links() -> list[str]:
    """The demo's survey links for demo_banner (DemoModeOff outside demo mode)."""
    require_demo_mode()
    return [
        f"Bolton's survey, invitation link (works once): {DEMO_ADDRESS}/s/{DEMO_INVITATION_TOKEN}/",
        f"Bolton's survey, open link: {DEMO_ADDRESS}/s/{DEMO_OPEN_TOKEN}/",
    ]
