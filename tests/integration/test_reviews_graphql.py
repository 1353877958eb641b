"""GraphQL for handbooks, exchanges and reviews: same services, same refusals."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reviews.models import Exchange
from tests.factories import (
    agreed_exchange,
    reference_version,
    review_in_fieldwork,
    review_of_salford,
)

pytestmark = pytest.mark.django_db


def gql(client, query: str, variables: dict | None = None):
    response = client.post(
        "/graphql/",
        json.dumps({"query": query, "variables": variables or {}}),
        content_type="application/json",
    )
    return response.status_code, response.json()


PROPOSE = """
mutation Propose($version: ID!, $start: Date!, $end: Date!, $partners: [String!]!) {
  proposeExchange(partnership: "bolton", partners: $partners, handbookVersion: $version,
                  fieldworkStartsOn: $start, fieldworkEndsOn: $end) {
    exchange { id status parties { partnership reviews answer } }
    errors { field messages }
  }
}
"""


def test_propose_and_answer_through_graphql(world, client_for):
    start = timezone.localdate() + timedelta(days=40)
    status, body = gql(
        client_for(world.bolton_lead),
        PROPOSE,
        {
            "version": reference_version().pk,
            "start": start.isoformat(),
            "end": (start + timedelta(days=20)).isoformat(),
            "partners": ["salford"],
        },
    )
    assert status == 200, body
    result = body["data"]["proposeExchange"]
    assert result["errors"] == []
    exchange_id = result["exchange"]["id"]
    status, body = gql(
        client_for(world.salford_lead),
        'mutation($id: ID!) { answerExchange(exchange: $id, partnership: "salford", accept: true) '
        "{ exchange { status } errors { messages } } }",
        {"id": exchange_id},
    )
    assert body["data"]["answerExchange"] == {"exchange": {"status": "agreed"}, "errors": []}


def test_refused_proposal_returns_errors_and_writes_nothing(world, client_for):
    start = timezone.localdate() + timedelta(days=40)
    _, body = gql(
        client_for(world.bolton_lead),
        PROPOSE,
        {
            "version": reference_version().pk,
            "start": start.isoformat(),
            "end": start.isoformat(),
            "partners": ["bolton"],
        },
    )
    result = body["data"]["proposeExchange"]
    assert result["exchange"] is None
    errors = {e["field"]: e["messages"] for e in result["errors"]}
    assert errors["partners"] == ["You cannot propose an exchange with your own partnership"]
    assert errors["fieldwork_ends_on"] == [
        "The date fieldwork ends must be after the date it starts"
    ]
    assert not Exchange.objects.exists()


def test_foreign_and_missing_review_are_both_null(world, client_for):
    review = review_of_salford(world)
    client = client_for(world.analyst)
    query = "query($id: ID!) { review(id: $id) { id status } }"
    assert gql(client, query, {"id": review.pk})[1] == {"data": {"review": None}}
    assert gql(client, query, {"id": 999999})[1] == {"data": {"review": None}}


def test_transition_guard_failure_is_reported(world, client_for):
    review = review_of_salford(world)
    _, body = gql(
        client_for(world.bolton_lead),
        "mutation($id: ID!) { transitionReview(review: $id, toStatus: FIELDWORK) "
        "{ review { status } errors { field messages } } }",
        {"id": review.pk},
    )
    assert body["data"]["transitionReview"] == {
        "review": None,
        "errors": [{"field": None, "messages": ["A review in draft cannot move to fieldwork."]}],
    }


REVIEWS = """
{ reviews { id status reviewedPartnership phases { kind startsOn changes { reason } }
  areas { title } team { email accessClosesAt } nextDeadline { wording tag } } }
"""


def test_reviews_list_has_constant_query_count(world, client_for):
    review_in_fieldwork(world)
    client = client_for(world.bolton_lead)
    gql(client, REVIEWS)
    with CaptureQueriesContext(connection) as two_reviews:
        status, body = gql(client, REVIEWS)
    assert status == 200 and len(body["data"]["reviews"]) == 2
    agreed_exchange(world, starts_on=timezone.localdate() + timedelta(days=90))
    agreed_exchange(world, starts_on=timezone.localdate() + timedelta(days=200))
    with CaptureQueriesContext(connection) as six_reviews:
        _, body = gql(client, REVIEWS)
    assert len(body["data"]["reviews"]) == 6
    assert len(six_reviews) == len(two_reviews)


def test_handbooks_query_shows_the_reference_handbook(world, client_for):
    _, body = gql(
        client_for(world.salford_member),
        "{ handbooks { title owner versions { number areas { title } } } }",
    )
    [handbook] = body["data"]["handbooks"]
    assert handbook["owner"] == "Platform"
    assert len(handbook["versions"][0]["areas"]) == 10
