"""Findings in a real browser (issue 12, "Done when"): the review team enters findings
for two areas through the pages, moderates them (agree, amend, reject), Bolton's lead
checks and publishes them, and Salford's lead then reads exactly the published
findings; the same data reads back through REST and GraphQL."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from findings.models import Finding
from reviews import services as reviews
from tenancy.access import actor_for
from tests.conftest import PASSWORD
from tests.e2e.conftest import Browsing, axe_check, describe_violations, sign_in
from tests.evidence_factories import make_item, share_directly
from tests.factories import review_in_fieldwork
from tests.reference_data import reload_reference_data

pytestmark = pytest.mark.browser


@pytest.fixture
def fieldwork_today(world: Any, transactional_db: None) -> Any:
    """Salford's review by Bolton, fieldwork from today (so the team's windows are open
    in real time, which the live server uses), with a document and a meeting shared."""
    reload_reference_data()
    review = review_in_fieldwork(world, starts_on=timezone.localdate())
    for kind, title in (("document", "Threshold document"), ("meeting", "Executive observed")):
        item = make_item(world, kind=kind, title=title)
        item.areas.set(review.areas.all())
        share_directly(item, review, world.salford_lead)
    return review


def _accessible(page: Page, name: str) -> None:
    violations = axe_check(page)
    assert not violations, describe_violations(name, page.url, violations)


def _add_finding(page: Page, area: str, kind: str, text: str) -> None:
    page.get_by_role("link", name=area, exact=True).click()
    page.get_by_role("link", name="Add a finding").click()
    page.get_by_label(kind, exact=True).check()
    page.get_by_label("The finding").fill(text)
    page.get_by_label("Threshold document (document)").check()
    page.get_by_label("Executive observed (meeting observation)").check()
    page.get_by_role("button", name="Save the finding").click()
    expect(page.get_by_text("Finding saved as a draft.")).to_be_visible()
    card = page.locator(".govuk-summary-card", has_text=text)
    card.get_by_role("link", name="Propose").click()
    expect(page.get_by_text("This finding has: document, meeting.")).to_be_visible()
    page.get_by_role("button", name="Propose for moderation").click()
    expect(page.get_by_text("Finding proposed for moderation.")).to_be_visible()
    page.get_by_role("link", name="Findings", exact=True).first.click()


def _moderate(page: Page, text: str, outcome: str, **fields: str) -> None:
    card = page.locator(".govuk-summary-card", has_text=text)
    card.get_by_role("link", name="Agree, amend or reject").click()
    page.get_by_label(outcome, exact=True).check()
    for label, value in fields.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Decision recorded.")).to_be_visible()


def test_findings_are_written_moderated_published_and_read(
    world: Any, fieldwork_today: Any, browsing: Browsing, live_server: Any
) -> None:
    review = fieldwork_today
    areas = list(review.areas.order_by("position")[:2])
    team = browsing.new_page()
    sign_in(team, world.bolton_manager.email, PASSWORD)

    # The lead reviewer writes three findings in two areas and proposes them.
    team.goto(f"/reviews/{review.pk}/findings/")
    _accessible(team, "findings overview")
    _add_finding(team, areas[0].title, "Strength", "Agendas are clear and papers organised.")
    _add_finding(team, areas[0].title, "Area for development", "Papers overwhelm members.")
    _add_finding(team, areas[1].title, "Area for development", "An untested claim.")
    team.get_by_role("link", name=areas[0].title, exact=True).click()
    _accessible(team, "findings for an area")

    # Moderation: record the meeting, then agree, amend and reject.
    reviews.review_transition(
        actor=actor_for(world.bolton_lead), review_id=review.pk, to_status="moderation"
    )
    team.goto(f"/reviews/{review.pk}/moderation/")
    today = timezone.localdate()
    when = team.get_by_role("group", name="Date of the meeting")
    when.get_by_label("Day").fill(str(today.day))
    when.get_by_label("Month").fill(str(today.month))
    when.get_by_label("Year").fill(str(today.year))
    team.get_by_label(world.bolton_manager.full_name).check()
    team.get_by_role("button", name="Record the meeting").click()
    expect(team.get_by_text("Moderation meeting recorded.")).to_be_visible()
    _accessible(team, "moderation")
    _moderate(team, "Agendas are clear", "Agreed")
    _moderate(
        team,
        "Papers overwhelm members.",
        "Agreed with amendments",
        **{"Amended wording (if amended)": "Papers overwhelm members before meetings."},
    )
    _moderate(team, "An untested claim.", "Rejected", **{"Dissent (optional)": "Not agreed."})

    # Bolton's lead checks the answers and publishes.
    reviews.review_transition(
        actor=actor_for(world.bolton_lead), review_id=review.pk, to_status="reporting"
    )
    lead = browsing.new_page()
    sign_in(lead, world.bolton_lead.email, PASSWORD)
    lead.goto(f"/reviews/{review.pk}/publication/")
    expect(lead.get_by_text("Papers overwhelm members before meetings.")).to_be_visible()
    _accessible(lead, "publication: check answers")
    lead.get_by_role("button", name="Publish the findings").click()
    expect(lead.get_by_text("Confirm that the findings are ready to publish").first).to_be_visible()
    lead.get_by_label(
        "I confirm the agreed findings are ready to publish to the reviewed partnership"
    ).check()
    lead.get_by_role("button", name="Publish the findings").click()
    expect(lead.get_by_text("2 findings published to")).to_be_visible()

    # Salford's lead reads exactly the published findings, and no moderation notes.
    salford = browsing.new_page()
    sign_in(salford, world.salford_lead.email, PASSWORD)
    seen = ""
    for area in areas:
        salford.goto(f"/reviews/{review.pk}/findings/areas/{area.pk}/")
        seen += salford.locator("main").inner_text()
    assert "Agendas are clear and papers organised." in seen
    assert "Papers overwhelm members before meetings." in seen
    assert "An untested claim." not in seen and "Not agreed." not in seen
    assert "Agreed at moderation" not in seen
    _accessible(salford, "published findings")

    # The same data reads back through REST and GraphQL.
    published = set(
        Finding.objects.filter(review=review, status="published").values_list("text", flat=True)
    )
    client = Client()
    client.force_login(world.salford_lead)
    rest = client.get(f"/api/v1/reviews/{review.pk}/findings/").json()["results"]
    assert {row["text"] for row in rest} == published
    assert all(row["decisions"] == [] for row in rest)
    query = "query($r: ID!) { findings(review: $r) { text status decisions { outcome } } }"
    graphql = client.post(
        "/graphql/",
        json.dumps({"query": query, "variables": {"r": str(review.pk)}}),
        content_type="application/json",
    ).json()["data"]["findings"]
    assert {row["text"] for row in graphql} == published
    assert {row["status"] for row in graphql} == {"published"}
