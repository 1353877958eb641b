"""Answering a survey without an account: invitation links (once each, expiring,
stored hashed), the open link (rate-limited), one question per page with a session
draft, check answers, confirmation; and each bad link or answer refused with nothing
written."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.errors import Conflict, NotFound, ValidationFailed
from surveys import services
from surveys.models import Answer, Invitation, Response, Survey
from tenancy.access import actor_for
from tests.survey_factories import open_survey

pytestmark = pytest.mark.django_db


def _invite(world, survey: Survey, count: int = 1) -> list[str]:
    return services.invitations_create(
        actor=actor_for(world.salford_lead), survey_id=survey.pk, count=count, days=14
    )


def _answer_all(client: Client, token: str, survey: Survey) -> None:
    """Walk every page as a browser without JavaScript would: post each form."""
    assert client.get(reverse("surveys:respond-start", args=[token])).status_code == 200
    step = lambda name: reverse("surveys:respond-step", args=[token, name])  # noqa: E731
    assert client.post(step("sector"), {"sector": "police"}).status_code == 302
    assert client.post(step("role"), {"role_level": "manager"}).status_code == 302
    for question in survey.questions.all():
        value = {"effective": "effective", "agree": "agree", "free_text": "More joint training"}
        response = client.post(step(str(question.position)), {"answer": value[question.scale]})
        assert response.status_code == 302, response.content.decode()[:2000]


def test_a_respondent_answers_through_an_invitation_and_it_works_once(world):
    survey = open_survey(world)
    (token,) = _invite(world, survey)
    client = Client()
    _answer_all(client, token, survey)
    check = client.get(reverse("surveys:respond-check", args=[token]))
    assert check.status_code == 200
    assert "Police" in check.content.decode() and "More joint training" in check.content.decode()
    sent = client.post(reverse("surveys:respond-check", args=[token]))
    assert sent.status_code == 302 and sent["Location"] == reverse("surveys:respond-done")
    done = client.get(sent["Location"])
    assert "Answers sent" in done.content.decode() and survey.title in done.content.decode()

    response = Response.objects.get(survey=survey)
    assert (response.sector, response.role_level) == ("police", "manager")
    assert set(Answer.objects.filter(response=response).values_list("choice", "text")) == {
        ("effective", ""),
        ("agree", ""),
        ("", "More joint training"),
    }
    # Nothing about the person or the link is kept with the answers.
    fields = {f.name for f in Response._meta.get_fields()}
    assert not fields & {"name", "email", "ip", "ip_address", "invitation", "user"}
    # The second use of the same link: a clear refusal, nothing written.
    again = Client().get(reverse("surveys:respond-start", args=[token]))
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert Response.objects.count() == 1


def test_tokens_are_stored_hashed(world):
    survey = open_survey(world)
    (token,) = _invite(world, survey)
    stored = Invitation.objects.get(survey=survey).token_hash
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert not Invitation.objects.filter(token_hash=token).exists()


def test_a_forged_token_is_not_found(world):
    open_survey(world)
    page = Client().get(reverse("surveys:respond-start", args=["forged-token-123"]))
    assert page.status_code == 404
    assert "This survey link is not valid" in page.content.decode()
    with pytest.raises(NotFound):
        services.response_submit(
            token="forged-token-123", sector="health", role_level="manager", answers={}
        )
    assert not Response.objects.exists()


def test_an_expired_invitation_is_refused(world):
    survey = open_survey(world)
    (token,) = _invite(world, survey)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    page = Client().get(reverse("surveys:respond-start", args=[token]))
    assert page.status_code == 410 and "This invitation expired on" in page.content.decode()
    with pytest.raises(Conflict, match="expired"):
        services.response_submit(token=token, sector="health", role_level="manager", answers={})
    assert not Response.objects.exists()


def test_a_survey_not_yet_open_or_closed_takes_no_responses(world):
    survey = open_survey(world)
    (token,) = _invite(world, survey)
    Survey.objects.filter(pk=survey.pk).update(opens_at=timezone.now() + timedelta(days=2))
    with pytest.raises(Conflict, match="This survey opens on"):
        services.link_resolve(token=token)
    Survey.objects.filter(pk=survey.pk).update(
        opens_at=timezone.now() - timedelta(days=9), closes_at=timezone.now() - timedelta(days=1)
    )
    page = Client().get(reverse("surveys:respond-start", args=[token]))
    assert page.status_code == 410 and "This survey closed on" in page.content.decode()


def test_an_answer_outside_the_scale_is_refused_with_nothing_written(world):
    survey = open_survey(world)
    (token,) = _invite(world, survey)
    question = survey.questions.get(position=1)
    with pytest.raises(ValidationFailed) as refused:
        services.response_submit(
            token=token, sector="health", role_level="manager", answers={str(question.pk): "superb"}
        )
    assert refused.value.field_errors == {
        f"question-{question.pk}": ["Choose one of the answers given"]
    }
    with pytest.raises(ValidationFailed) as refused:
        services.response_submit(token=token, sector="pirates", role_level="x", answers={})
    assert refused.value.field_errors == {
        "sector": ["Select the sector you work in"],
        "role_level": ["Select your role level"],
    }
    assert not Response.objects.exists()
    assert Invitation.objects.get().used_at is None
    # On the page, the same answer is a message on the question, status 400.
    client = Client()
    page = client.post(reverse("surveys:respond-step", args=[token, "1"]), {"answer": "superb"})
    assert page.status_code == 400
    body = page.content.decode()
    assert "Error: " in body and "Choose one of the answers given" in body


def test_the_draft_is_kept_in_the_session_until_sent(world):
    survey = open_survey(world)
    (token,) = _invite(world, survey)
    client = Client()
    client.post(reverse("surveys:respond-step", args=[token, "sector"]), {"sector": "health"})
    page = client.get(reverse("surveys:respond-step", args=[token, "sector"]))
    assert 'value="health" checked' in page.content.decode()
    assert not Response.objects.exists()
    # Without sector and role the check page sends the respondent back to the start.
    other = Client()
    assert other.get(reverse("surveys:respond-check", args=[token])).status_code == 302


def test_the_open_link_is_rate_limited_per_device(world, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "survey_open_link": "2/h"}
    survey = open_survey(world)
    token = services.survey_open_link_create(
        actor=actor_for(world.salford_lead), survey_id=survey.pk
    )
    for _ in range(2):
        client = Client()
        _answer_all(client, token, survey)
        assert client.post(reverse("surveys:respond-check", args=[token])).status_code == 302
    client = Client()
    _answer_all(client, token, survey)
    refused = client.post(reverse("surveys:respond-check", args=[token]))
    assert refused.status_code == 429
    assert "Too many responses have been sent from this device" in refused.content.decode()
    assert Response.objects.filter(survey=survey).count() == 2
    # A new open link replaces the old one.
    services.survey_open_link_create(actor=actor_for(world.salford_lead), survey_id=survey.pk)
    assert Client().get(reverse("surveys:respond-start", args=[token])).status_code == 404


def test_two_sends_of_one_invitation_make_one_response(world):
    survey = open_survey(world)
    (token,) = _invite(world, survey)
    services.response_submit(token=token, sector="health", role_level="manager", answers={})
    with pytest.raises(Conflict, match="already been used"):
        services.response_submit(token=token, sector="health", role_level="manager", answers={})
    assert Response.objects.count() == 1
