"""The demo surveys (demo/surveys.py): Salford 2020 reproduces the reference report's
77% and 91% with their intervals and the comparison with the national survey (n = 70);
Bolton's survey is open, and demo_banner prints its links."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from demo.surveys import DEMO_INVITATION_TOKEN, DEMO_OPEN_TOKEN
from surveys import selectors
from surveys.models import Survey
from tenancy.access import actor_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEMO_MODE = True
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())  # idempotent


def test_salfords_2020_survey_reproduces_the_report(demo, client_for):
    survey = Survey.objects.get(partnership__slug="salford", title="Professionals survey 2020")
    lead = User.objects.get(email="lead@salford.demo")
    results = selectors.survey_results(actor=actor_for(lead), survey_id=survey.pk)
    assert results.respondents == 53
    by_code = {q.code: q for q in results.questions}
    vision, supported = by_code["collaboration_vision"], by_code["felt_supported"]
    assert vision.result is not None and supported.result is not None
    assert (vision.result.positive, vision.result.answered) == (41, 53)
    assert (supported.result.positive, supported.result.answered) == (48, 53)
    assert [c.baseline.answered for c in vision.comparisons] == [70]
    police = next(c for c in vision.by_sector if c.group == "police")
    assert police.suppressed

    body = client_for(lead).get(reverse("surveys:results", args=[survey.pk])).content.decode()
    assert "77%" in body and "64% to 87%" in body
    assert "91%" in body and "80% to 96%" in body
    assert "No evidence of a difference from the national survey" in body
    assert "n = 70" in body
    assert Survey.objects.filter(partnership__slug="salford").count() == 1


def test_bolton_survey_is_open_and_the_banner_prints_its_links(demo, client):
    survey = Survey.objects.get(partnership__slug="bolton")
    assert survey.is_open()
    out = StringIO()
    call_command("demo_banner", stdout=out)
    assert f"/s/{DEMO_INVITATION_TOKEN}/" in out.getvalue()
    assert f"/s/{DEMO_OPEN_TOKEN}/" in out.getvalue()
    page = client.get(reverse("surveys:respond-start", args=[DEMO_INVITATION_TOKEN]))
    assert page.status_code == 200 and survey.title in page.content.decode()
