"""A professional answers Bolton's demo survey in Chromium without an account (one
question per page, check answers, confirmation), axe checking each page; and Salford's
lead reads the 2020 results with their intervals."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from demo.partnerships import DEMO_PASSWORD
from demo.surveys import DEMO_INVITATION_TOKEN
from surveys.models import Answer, Response, Survey
from tests.e2e.conftest import Browsing, axe_check, describe_violations, sign_in

pytestmark = pytest.mark.browser


def _accessible(page, name: str) -> None:
    violations = axe_check(page)
    assert not violations, describe_violations(name, page.url, violations)


def test_a_respondent_completes_the_survey_without_an_account(
    demo_world: None, browsing: Browsing
) -> None:
    survey = Survey.objects.get(partnership__slug="bolton", invitations__isnull=False)
    page = browsing.new_page()
    page.goto(f"/s/{DEMO_INVITATION_TOKEN}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(survey.title)
    _accessible(page, "survey start")
    page.get_by_role("button", name="Start now").click()

    # Sent empty: the GOV.UK error summary, and nothing is lost or written.
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the sector you work in")
    assert page.title().startswith("Error: ")
    page.get_by_label("Police").check()
    _accessible(page, "sector question")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Frontline practitioner").check()
    page.get_by_role("button", name="Continue").click()

    for question in survey.questions.order_by("position"):
        expect(page.get_by_role("heading", level=1)).to_have_text(question.wording)
        if question.scale == "free_text":
            page.get_by_label(question.wording).fill("More time for joint visits.")
        else:
            page.locator(".govuk-radios__input").first.check()
        page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before sending them"
    )
    expect(page.locator("#answers")).to_contain_text("More time for joint visits.")
    _accessible(page, "check answers")
    page.get_by_role("button", name="Send your answers").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Answers sent")
    _accessible(page, "confirmation")

    response = Response.objects.get(survey=survey)
    assert (response.sector, response.role_level) == ("police", "frontline")
    assert Answer.objects.filter(response=response, text="More time for joint visits.").exists()
    # The link has been used: opening it again says so.
    page.goto(f"/s/{DEMO_INVITATION_TOKEN}/")
    expect(page.locator("#problem")).to_contain_text("already been used")


def test_salfords_lead_reads_the_2020_results_with_intervals(
    demo_world: None, browsing: Browsing
) -> None:
    survey = Survey.objects.get(partnership__slug="salford", title="Professionals survey 2020")
    page = browsing.new_page()
    sign_in(page, "lead@salford.demo", DEMO_PASSWORD)
    page.goto(f"/surveys/{survey.pk}/results/")
    table = page.locator("#results-table")
    expect(table).to_contain_text("77%")
    expect(table).to_contain_text("64% to 87%")
    expect(table).to_contain_text("No evidence of a difference from the national survey")
    expect(table).to_contain_text("n = 70")
    expect(page.locator("svg title").first).to_be_attached()
    _accessible(page, "survey results")
