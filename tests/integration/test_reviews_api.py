"""REST for exchanges and reviews: the journey through the API, and its refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reviews.models import Exchange, Review
from tests.factories import add_member, reference_version, review_in_fieldwork, review_of_salford

pytestmark = pytest.mark.django_db


def test_propose_and_accept_through_rest(world, client_for):
    start = timezone.localdate() + timedelta(days=40)
    bolton = client_for(world.bolton_lead)
    response = bolton.post(
        "/api/v1/exchanges/",
        {
            "partnership": "bolton",
            "partners": ["salford"],
            "handbook_version": reference_version().pk,
            "fieldwork_starts_on": start.isoformat(),
            "fieldwork_ends_on": (start + timedelta(days=30)).isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    exchange_id = response.json()["id"]
    answer = client_for(world.salford_lead).post(
        f"/api/v1/exchanges/{exchange_id}/answer/",
        {"partnership": "salford", "accept": True},
        content_type="application/json",
    )
    assert answer.status_code == 200
    assert answer.json()["status"] == "agreed"
    reviews = bolton.get("/api/v1/reviews/").json()["results"]
    assert {(r["reviewing_partnership"], r["reviewed_partnership"]) for r in reviews} == {
        ("bolton", "salford"),
        ("salford", "bolton"),
    }


def test_bad_proposal_names_the_rule_and_writes_nothing(world, client_for):
    start = timezone.localdate() + timedelta(days=40)
    response = client_for(world.bolton_lead).post(
        "/api/v1/exchanges/",
        {
            "partnership": "bolton",
            "partners": ["bolton"],
            "handbook_version": reference_version().pk,
            "fieldwork_starts_on": start.isoformat(),
            "fieldwork_ends_on": start.isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["partners"] == ["You cannot propose an exchange with your own partnership"]
    assert errors["fieldwork_ends_on"] == [
        "The date fieldwork ends must be after the date it starts"
    ]
    assert not Exchange.objects.exists()


def test_accepting_for_another_partnership_is_forbidden(world, client_for):
    review_of_salford(world)
    exchange = Exchange.objects.get()
    Exchange.objects.filter(pk=exchange.pk).update(status="proposed")
    response = client_for(world.bolton_lead).post(
        f"/api/v1/exchanges/{exchange.pk}/answer/",
        {"partnership": "salford", "accept": True},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "Only a lead of Salford SCP can answer for Salford SCP."


def test_failed_guard_is_a_conflict_with_the_rule(world, client_for):
    review = review_of_salford(world)
    response = client_for(world.bolton_lead).post(
        f"/api/v1/reviews/{review.pk}/transition/",
        {"to_status": "fieldwork"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["detail"] == "A review in draft cannot move to fieldwork."


def test_review_is_not_found_for_a_stranger(world, client_for):
    review = review_of_salford(world)
    stranger = client_for(world.analyst)
    missing = stranger.get("/api/v1/reviews/999999/")
    foreign = stranger.get(f"/api/v1/reviews/{review.pk}/")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()


def test_calendar_download(world, client_for):
    review = review_of_salford(world)
    response = client_for(world.salford_member).get(f"/api/v1/reviews/{review.pk}/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar"
    body = response.content.decode()
    assert body.count("BEGIN:VEVENT") == 4
    assert "SUMMARY:Undertake review: Peer review of Salford SCP by Bolton SCP" in body


def test_reschedule_through_rest_shows_original_and_new_dates(world, client_for):
    review = review_of_salford(world)
    phase = review.phases.get(kind="report_back")
    new_start, new_end = phase.starts_on + timedelta(days=90), phase.ends_on + timedelta(days=90)
    response = client_for(world.salford_lead).post(
        f"/api/v1/reviews/{review.pk}/reschedule/",
        {
            "reason": "Covid-19 pandemic",
            "phases": [
                {
                    "kind": "report_back",
                    "starts_on": new_start.isoformat(),
                    "ends_on": new_end.isoformat(),
                }
            ],
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    report_back = next(p for p in response.json()["phases"] if p["kind"] == "report_back")
    assert report_back["original_starts_on"] == phase.starts_on.isoformat()
    assert report_back["starts_on"] == new_start.isoformat()
    assert report_back["changes"][0]["reason"] == "Covid-19 pandemic"


def test_team_list_query_count_is_constant(world, client_for):
    review = review_in_fieldwork(world)
    client = client_for(world.bolton_lead)
    client.get(f"/api/v1/reviews/{review.pk}/team/")  # warm the session
    with CaptureQueriesContext(connection) as one:
        client.get(f"/api/v1/reviews/{review.pk}/team/")
    add_member(world, review, world.adviser, "independent_adviser")
    add_member(world, review, world.bolton_member)
    with CaptureQueriesContext(connection) as three:
        response = client.get(f"/api/v1/reviews/{review.pk}/team/")
    assert len(response.json()) == 3
    assert len(three) == len(one)
    assert Review.objects.count() == 2
