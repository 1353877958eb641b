"""Survey results: SciPy's figures on the page and in both APIs, suppression of small
groups, comparisons in plain words, downloads that cannot run formulas, who may read
them, and a constant number of queries for 10,000 responses."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from scipy.stats import binomtest, fisher_exact

from surveys import selectors, services
from surveys.stats import proportion
from tenancy.access import actor_for
from tests.factories import add_member, review_in_fieldwork
from tests.survey_factories import add_responses, collaboration, open_survey

pytestmark = pytest.mark.django_db

GRAPHQL_RESULTS = """query($s: ID!) { surveyResults(survey: $s) { respondents questions {
  code result { n positive percent intervalLow intervalHigh smallSample }
  comparisons { baseline pValue words baselineResult { n } }
  bySector { group suppressed suppression suppressionReason result { n percent } } } } }"""


def _graphql(client, query: str, **variables):
    response = client.post(
        reverse("graphql"),
        data=json.dumps({"query": query, "variables": variables}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def survey_53(world):
    """41 of 53 positive, 4 of them from the police, with the national baseline of 70."""
    survey = open_survey(world)
    rows = collaboration(37, 49, sector="health") + collaboration(4, 4, sector="police")
    add_responses(survey, rows)
    services.baseline_add(
        actor=actor_for(world.salford_lead),
        survey_id=survey.pk,
        label="National early adopter survey (February 2019)",
        respondents=70,
        counts={"collaboration_vision": (70, 54)},
    )
    return survey


def test_results_match_scipy_and_compare_with_the_national_survey(world, survey_53):
    results = selectors.survey_results(
        actor=actor_for(world.salford_member), survey_id=survey_53.pk
    )
    item = next(q for q in results.questions if q.code == "collaboration_vision")
    interval = binomtest(41, 53).proportion_ci(confidence_level=0.95, method="wilson")
    assert item.result is not None
    assert (item.result.answered, item.result.positive) == (53, 41)
    assert item.result.low == pytest.approx(100 * interval.low)
    assert item.result.high == pytest.approx(100 * interval.high)
    (comparison,) = item.comparisons
    assert comparison.baseline.answered == 70
    assert comparison.p_value == pytest.approx(fisher_exact([[41, 12], [54, 16]]).pvalue)
    assert comparison.words == "no evidence of a difference from the national survey"


def test_the_results_page_shows_77_percent_its_interval_and_the_comparison(
    world, survey_53, client_for
):
    page = client_for(world.salford_member).get(reverse("surveys:results", args=[survey_53.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "77%" in body and "64% to 87%" in body
    assert "41 of 53" in body
    assert "No evidence of a difference from the national survey" in body
    assert "n = 70; p = 1.000" in body
    # The chart: a line across the interval, and the figures as text.
    assert "<svg" in body and "77% (64% to 87%)" in body


def test_a_sector_of_4_is_suppressed_on_the_page_and_in_both_apis(world, survey_53, client_for):
    client = client_for(world.salford_member)
    body = client.get(reverse("surveys:results", args=[survey_53.pk])).content.decode()
    assert "Sector: Police" in body
    police_row = body.split("Sector: Police", 1)[1].split("</tr>", 1)[0]
    assert "[c]" in police_row and "fewer than 5 respondents" in police_row
    # Health alone would give police away by subtraction: it is hidden too.
    health_row = body.split("Sector: Health", 1)[1].split("</tr>", 1)[0]
    assert "[c]" in health_row

    rest = client.get(reverse("surveys-api:survey-results", args=[survey_53.pk])).json()
    question = next(q for q in rest["questions"] if q["code"] == "collaboration_vision")
    police = next(c for c in question["by_sector"] if c["group"] == "police")
    assert police == {
        "group": "police",
        "label": "Police",
        "suppressed": True,
        "suppression": "fewer_than_5",
        "suppression_reason": "Fewer than 5 respondents in this group",
        "result": None,
    }
    assert question["result"]["n"] == 53
    assert question["result"]["interval_low"] == pytest.approx(
        100 * binomtest(41, 53).proportion_ci(method="wilson").low
    )

    data = _graphql(client, GRAPHQL_RESULTS, s=survey_53.pk)["data"]["surveyResults"]
    question = next(q for q in data["questions"] if q["code"] == "collaboration_vision")
    police = next(c for c in question["bySector"] if c["group"] == "police")
    assert police["suppressed"] is True and police["result"] is None
    assert police["suppression"] == "fewer_than_5"
    assert question["result"]["n"] == 53
    assert question["comparisons"][0]["words"] == (
        "no evidence of a difference from the national survey"
    )


def test_results_cost_the_same_queries_for_10_and_10000_responses(world):
    actor = actor_for(world.salford_member)
    small, large = open_survey(world, title="Small"), open_survey(world, title="Large")
    add_responses(small, collaboration(7, 10))
    add_responses(
        large,
        [
            (
                sector,
                "manager",
                {"collaboration_vision": "effective", "what_would_help": "More time"},
            )
            for sector in ("health", "police", "education", "voluntary") * 2500
        ],
    )

    def count(survey_id: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            results = selectors.survey_results(actor=actor, survey_id=survey_id)
        assert results.respondents in (10, 10_000)
        return len(queries)

    assert count(small.pk) == count(large.pk) <= 10
    big = selectors.survey_results(actor=actor, survey_id=large.pk)
    assert big.questions[0].result == proportion(10_000, 10_000)
    assert big.questions[2].comment_count == 10_000
    assert len(big.questions[2].comments) == selectors.COMMENTS_SHOWN


def test_downloads_escape_cells_that_start_with_a_formula(world, client_for):
    survey = open_survey(world)
    add_responses(
        survey,
        [
            ("health", "frontline", {"collaboration_vision": "effective", "what_would_help": text})
            for text in ('=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "Plain")
        ],
    )
    client = client_for(world.salford_lead)
    content = client.get(reverse("surveys:results-csv", args=[survey.pk])).content.decode()
    cells = [cell for row in csv.reader(io.StringIO(content)) for cell in row]
    assert '\'=HYPERLINK("http://x")' in cells and "'+1" in cells and "'-2" in cells
    assert "'@SUM(A1)" in cells and "Plain" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)

    response = client.get(reverse("surveys:results-xlsx", args=[survey.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    workbook = load_workbook(io.BytesIO(response.content))
    values = [c.value for sheet in workbook for row in sheet.iter_rows() for c in row if c.value]
    assert all(c.data_type != "f" for sheet in workbook for row in sheet.iter_rows() for c in row)
    assert '\'=HYPERLINK("http://x")' in values


def test_the_review_team_reads_results_only_while_its_window_is_open(world, client_for):
    review = review_in_fieldwork(world)
    survey = open_survey(world, review=review)
    add_responses(survey, collaboration(3, 5))
    member = add_member(world, review, world.adviser, "independent_adviser")
    from reviews import services as review_services

    now = timezone.now()
    review_services.team_member_set_window(
        actor=actor_for(world.salford_lead),
        review_id=review.pk,
        member_id=member.pk,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=5),
    )
    url = reverse("surveys:results", args=[survey.pk])
    assert client_for(world.adviser).get(url).status_code == 200
    review_services.team_member_set_window(
        actor=actor_for(world.salford_lead),
        review_id=review.pk,
        member_id=member.pk,
        opens_at=now - timedelta(days=3),
        closes_at=now - timedelta(days=1),
    )
    assert client_for(world.adviser).get(url).status_code == 404
    # Bolton reviews Salford but is not the team: the same 404 as a missing survey.
    assert client_for(world.bolton_lead).get(url).status_code == 404
    assert (
        client_for(world.bolton_lead)
        .get(reverse("surveys-api:survey-results", args=[survey.pk]))
        .status_code
        == 404
    )
