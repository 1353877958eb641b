"""Findings through REST and GraphQL: the same services and selectors as the pages,
the same refusals, a stale version answered with both texts, and lists whose cost
does not grow with their length."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from findings import services
from findings.models import Finding
from tests.findings_factories import Team, team_at_work

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(world):
    with team_at_work(world) as built:
        yield built


def _graphql(client, query: str, **variables):
    response = client.post(
        "/graphql/",
        json.dumps({"query": query, "variables": variables}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_rest_writes_as_the_team_and_refuses_the_reviewed_partnership(
    team: Team, world, client_for
):
    body = {
        "area": team.areas[0].pk,
        "kind": "strength",
        "text": "Meetings are well chaired.",
        "themes": ["meetings_overload"],
        "evidence": [team.document.pk, team.meeting.pk],
    }
    created = client_for(world.bolton_manager).post(
        f"/api/v1/reviews/{team.review.pk}/findings/", body, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    row = created.json()
    assert row["status"] == "draft" and row["evidence_kinds"] == ["document", "meeting"]
    assert row["can_edit"] and row["can_propose"]
    outsider = client_for(world.salford_lead).post(
        f"/api/v1/reviews/{team.review.pk}/findings/", body, content_type="application/json"
    )
    assert outsider.status_code == 404
    assert outsider.json() == {"detail": "Not found.", "code": "not_found"}
    assert Finding.objects.count() == 1


def test_a_stale_version_answers_409_with_both_texts(team: Team, world, client_for):
    finding = team.draft("First words.")
    services.finding_update(actor=team.adviser, finding_id=finding.pk, version=1, text="Theirs.")
    response = client_for(world.bolton_manager).patch(
        f"/api/v1/findings/{finding.pk}/",
        {"version": 1, "text": "Mine."},
        content_type="application/json",
    )
    assert response.status_code == 409
    body = response.json()
    assert (body["current_text"], body["your_text"], body["current_version"]) == (
        "Theirs.",
        "Mine.",
        2,
    )
    answer = _graphql(
        client_for(world.bolton_manager),
        'mutation($f: ID!) { updateFinding(finding: $f, version: 1, text: "Mine.") '
        "{ errors { messages } conflict { currentText yourText } finding { id } } }",
        f=str(finding.pk),
    )["data"]["updateFinding"]
    assert answer["conflict"] == {"currentText": "Theirs.", "yourText": "Mine."}
    assert answer["finding"] is None
    assert Finding.objects.get(pk=finding.pk).text == "Theirs."


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _count_graphql(client, review_id: int) -> int:
    query = (
        "query($r: ID!) { findings(review: $r) { id text themes evidence { id } "
        "quotes { text } decisions { outcome } canEdit canModerate } }"
    )
    with CaptureQueriesContext(connection) as captured:
        _graphql(client, query, r=str(review_id))
    return len(captured)


def test_rest_and_graphql_lists_cost_the_same_whatever_their_length(team: Team, world, client_for):
    client = client_for(world.bolton_manager)
    url = f"/api/v1/reviews/{team.review.pk}/findings/"
    finding = team.draft(theme_codes=["learning_culture"])
    services.quote_add(
        actor=team.writer, finding_id=finding.pk, text="x", attributed_to="Police", consent=True
    )
    rest_one, graphql_one = _count(client, url), _count_graphql(client, team.review.pk)
    for n in range(10):
        team.draft(f"More {n}", area=n % 3, theme_codes=["voice_of_the_child"])
    assert _count(client, url) == rest_one
    assert _count_graphql(client, team.review.pk) == graphql_one
    assert len(client.get(url).json()["results"]) == 11


def test_criteria_and_next_steps_read_back_through_both_faces(team: Team, world, client_for):
    services.criterion_add(
        actor=team.reviewed_lead, review_id=team.review.pk, statement="Children feel safer."
    )
    services.recommendation_add(
        actor=team.writer, review_id=team.review.pk, kind="stop", text="Stop tabling papers."
    )
    salford = client_for(world.salford_member)
    criteria = salford.get(f"/api/v1/reviews/{team.review.pk}/success-criteria/").json()
    assert [c["statement"] for c in criteria["results"]] == ["Children feel safer."]
    # Before publication the recommendation is the team's.
    assert salford.get(f"/api/v1/reviews/{team.review.pk}/next-steps/").json()["results"] == []
    data = _graphql(
        client_for(world.bolton_manager),
        "query($r: ID!) { recommendations(review: $r) { text response } "
        "successCriteria(review: $r) { statement } }",
        r=str(team.review.pk),
    )["data"]
    assert data["recommendations"] == [{"text": "Stop tabling papers.", "response": "pending"}]
    assert data["successCriteria"] == [{"statement": "Children feel safer."}]
