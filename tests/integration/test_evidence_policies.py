"""One answer per decision: the flags every face shows come from the policy the
services refuse with, so a page, REST, GraphQL and the service never disagree."""

from __future__ import annotations

import json

import pytest
import time_machine

from core.errors import Conflict
from evidence import services
from reviews import services as reviews
from tenancy.access import actor_for
from tests.evidence_factories import fieldwork

pytestmark = pytest.mark.django_db

NOTE = {"kind": "other", "title": "Hub visit", "description": "What we saw"}


def test_a_note_frozen_at_publication_is_not_offered_for_change_by_any_face(world, client_for):
    """Team notes freeze when the review is published: the service answers 409, so
    the page, REST and GraphQL must all say the author can no longer change it."""
    work = fieldwork(world)
    author = world.bolton_manager
    with time_machine.travel(work.during, tick=False):
        note = services.review_evidence_add(
            actor=actor_for(author), review_id=work.review.pk, **NOTE
        )
        lead = actor_for(world.bolton_lead)
        for status in ("moderation", "reporting", "published"):
            reviews.review_transition(actor=lead, review_id=work.review.pk, to_status=status)
        client = client_for(author)

        with pytest.raises(Conflict):
            services.evidence_update(actor=actor_for(author), item_id=note.pk, title="Later")
        rest = client.get(f"/api/v1/evidence/{note.pk}/").json()
        listed = client.get(f"/api/v1/evidence/?review={work.review.pk}").json()["results"]
        graphql = client.post(
            "/graphql/",
            json.dumps({"query": f'{{ evidenceItem(id: "{note.pk}") {{ canChange }} }}'}),
            content_type="application/json",
        ).json()
        page = client.get(f"/evidence/{note.pk}/")

    assert rest["can_change"] is False
    assert [row["can_change"] for row in listed if row["id"] == note.pk] == [False]
    assert graphql["data"]["evidenceItem"]["canChange"] is False
    assert page.status_code == 200
    assert f"/evidence/{note.pk}/edit/" not in page.content.decode()
