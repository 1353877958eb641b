"""Setting up a survey, its links and baselines: who may, and the refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from surveys import services
from surveys.models import Invitation, Survey
from surveys.services import LocalQuestion
from tenancy.access import actor_for
from tests.factories import review_in_fieldwork
from tests.survey_factories import open_survey

pytestmark = pytest.mark.django_db


def _create(world, user=None, **overrides):
    now = timezone.now()
    arguments = {
        "partnership_id": world.salford.pk,
        "title": "Survey",
        "opens_at": now,
        "closes_at": now + timedelta(days=10),
        "bank_codes": ["felt_supported", "collaboration_vision"],
        **overrides,
    }
    return services.survey_create(actor=actor_for(user or world.salford_manager), **arguments)


def test_a_manager_sets_up_a_survey_of_banked_and_local_questions(world):
    survey = _create(world, local_questions=[LocalQuestion("Do you use the hub?", "yes_no")])
    questions = list(survey.questions.order_by("position"))
    # Banked questions in the bank's order, then local ones (which have no code).
    assert [q.code for q in questions] == ["collaboration_vision", "felt_supported", None]
    assert questions[2].wording == "Do you use the hub?"


def test_a_survey_closed_before_it_opened_is_refused(world):
    now = timezone.now()
    with pytest.raises(ValidationFailed) as refused:
        _create(world, opens_at=now, closes_at=now - timedelta(days=1))
    assert refused.value.field_errors == {"closes_at": ["The survey must close after it opens"]}
    assert not Survey.objects.exists()


def test_the_page_says_so_too(world, client_for):
    page = client_for(world.salford_lead).post(
        reverse("surveys:create"),
        {
            "title": "Survey",
            "opens_on-day": "10",
            "opens_on-month": "3",
            "opens_on-year": "2027",
            "closes_on-day": "1",
            "closes_on-month": "3",
            "closes_on-year": "2027",
            "bank_codes": ["felt_supported"],
        },
    )
    assert page.status_code == 400
    body = page.content.decode()
    assert "<title>Error: " in body and "The survey must close after it opens" in body
    assert not Survey.objects.exists()


def test_the_page_sets_up_a_survey(world, client_for):
    page = client_for(world.salford_lead).post(
        reverse("surveys:create"),
        {
            "title": "Survey 2027",
            "opens_on-day": "1",
            "opens_on-month": "3",
            "opens_on-year": "2027",
            "closes_on-day": "31",
            "closes_on-month": "3",
            "closes_on-year": "2027",
            "bank_codes": ["felt_supported", "what_would_help"],
        },
    )
    survey = Survey.objects.get()
    assert page.status_code == 302 and page["Location"] == f"/surveys/{survey.pk}/"
    assert str(survey.last_day) == "2027-03-31"


def test_unknown_codes_and_no_questions_are_refused(world):
    with pytest.raises(ValidationFailed) as refused:
        _create(world, bank_codes=["nope"])
    assert refused.value.field_errors == {"bank_codes": ["Unknown question code: nope"]}
    with pytest.raises(ValidationFailed) as refused:
        _create(world, bank_codes=[])
    assert refused.value.field_errors == {"bank_codes": ["Choose at least one question"]}


def test_members_may_not_set_up_surveys_and_outsiders_cannot_name_the_partnership(world):
    with pytest.raises(PermissionDenied):
        _create(world, world.salford_member)
    with pytest.raises(NotFound):
        _create(world, world.bolton_lead)


def test_a_survey_belongs_to_a_review_of_its_own_partnership_only(world):
    review = review_in_fieldwork(world)
    bolton_review = review.exchange.reviews.exclude(pk=review.pk).get()
    assert _create(world, review_id=review.pk).review_id == review.pk
    with pytest.raises(ValidationFailed) as refused:
        _create(world, review_id=bolton_review.pk)
    assert refused.value.field_errors == {"review": ["Choose a review of Salford SCP"]}


def test_invitations_are_bounded_and_expire_no_later_than_the_survey(world):
    survey = open_survey(world, days_open=5)
    lead = actor_for(world.salford_lead)
    tokens = services.invitations_create(actor=lead, survey_id=survey.pk, count=3, days=30)
    assert len(set(tokens)) == 3
    assert set(Invitation.objects.values_list("expires_at", flat=True)) == {survey.closes_at}
    with pytest.raises(ValidationFailed) as refused:
        services.invitations_create(actor=lead, survey_id=survey.pk, count=0, days=999)
    assert set(refused.value.field_errors) == {"count", "days"}
    with pytest.raises(PermissionDenied):
        services.invitations_create(
            actor=actor_for(world.salford_member), survey_id=survey.pk, count=1, days=1
        )
    with pytest.raises(NotFound):
        services.invitations_create(
            actor=actor_for(world.bolton_lead), survey_id=survey.pk, count=1, days=1
        )
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(Conflict):
        services.invitations_create(actor=lead, survey_id=survey.pk, count=1, days=1)
    assert Invitation.objects.count() == 3


def test_baselines_are_checked(world):
    survey = open_survey(world)
    lead = actor_for(world.salford_lead)
    with pytest.raises(ValidationFailed) as refused:
        services.baseline_add(
            actor=lead,
            survey_id=survey.pk,
            label="National",
            respondents=70,
            counts={"collaboration_vision": (70, 71), "what_would_help": (5, 1), "x": (1, 1)},
        )
    assert refused.value.field_errors == {
        "counts.collaboration_vision": [
            "Enter how many answered positively, between 0 and the number who answered"
        ],
        "counts.what_would_help": [
            "‘what_would_help’ is not a rated banked question of this survey"
        ],
        "counts.x": ["‘x’ is not a rated banked question of this survey"],
    }
    assert not survey.baselines.exists()


def test_the_survey_pages_refuse_members_the_managers_actions(world, client_for):
    survey = open_survey(world)
    member = client_for(world.salford_member)
    assert member.get(reverse("surveys:detail", args=[survey.pk])).status_code == 200
    assert member.get(reverse("surveys:invite", args=[survey.pk])).status_code == 403
    assert member.get(reverse("surveys:import", args=[survey.pk])).status_code == 403
    outsider = client_for(world.bolton_lead)
    assert outsider.get(reverse("surveys:detail", args=[survey.pk])).status_code == 404
    lead = client_for(world.salford_lead)
    page = lead.post(reverse("surveys:invite", args=[survey.pk]), {"count": "2", "days": "7"})
    assert page.status_code == 200 and page.content.decode().count("/s/") == 2
